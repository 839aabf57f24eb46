package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// A handler's results page: their own files only, every deduction with its reason and never a
// reviewer's name or id, with a hearing of an open case observed by three people and a judicial
// organ's opinion beside them. The handler objects within the window, a manager decides in
// writing, then confirms: final. An objection after the window is refused.
func TestResultObjectionAndHandlerPage(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newResultWorld(t, b)
		e, w := rw.e, rw.w
		objected, late := rw.file(t, "", 150000), rw.file(t, "", 150000)
		rw.sheets(t, objected, 75, 74, 0, false, false)
		rw.sheets(t, late, 85, 84, 0, false, false)
		hb := putHandler(t, e, parseWireID(t, w.FirmB), "承办人乙", parseWireID(t, w.Users["handler_b"]))
		otherID, _ := putCase(t, e, campaignCase{Closed: "2022-01-01", Handler: hb, Org: parseWireID(t, w.FirmB)})
		other := wireID(otherID)
		rw.sheets(t, other, 95, 93, 0, false, false)
		openID, _ := putCase(t, e, campaignCase{Handler: rw.handler, Org: parseWireID(t, w.FirmA)}) // still open: hearings are

		// The hearing: three observers — a staff account, a named lawyer, a named deputy — each
		// with a sheet on the hearing template; combined = mean, half up.
		sheet := func(item string, points float64) map[string]any {
			return map[string]any{"entries": []map[string]any{{"item": item, "deduction": points, "reason": "旁听扣分理由"}}}
		}
		hearing := map[string]any{"case_id": wireID(openID), "court": "柞水县人民法院", "judges": "审判长 刘某", "heard_at": "2024-05-22T09:30:00+08:00",
			"cause": "劳动争议", "unannounced": true, "observers": []map[string]any{
				{"kind": "staff", "user_id": w.Users["staff"], "sheet": sheet("A1", 2)},
				{"kind": "lawyer", "name": "张律师", "sheet": sheet("B3", 5)},
				{"kind": "deputy", "name": "李代表", "sheet": sheet("C2", 4.5)},
			}}
		for name, tc := range map[string]struct {
			change map[string]any
			field  string
		}{
			"no observers":      {map[string]any{"observers": []any{}}, "observers"},
			"future hearing":    {map[string]any{"heard_at": "2024-06-30T09:00:00+08:00"}, "heard_at"},
			"unknown case":      {map[string]any{"case_id": "999999"}, "case_id"},
			"no case":           {map[string]any{"case_id": nil}, "case_id"},
			"unknown item":      {map[string]any{"observers": []map[string]any{{"kind": "deputy", "name": "李代表", "sheet": sheet("Z9", 1)}}}, "observers[0].sheet.entries[0].item"},
			"staff by name":     {map[string]any{"observers": []map[string]any{{"kind": "staff", "name": "某人"}}}, "observers[0].user_id"},
			"bad observer kind": {map[string]any{"observers": []map[string]any{{"kind": "judge", "name": "某人"}}}, "observers[0].kind"},
		} {
			body := map[string]any{}
			for k, v := range hearing {
				body[k] = v
			}
			for k, v := range tc.change {
				body[k] = v
			}
			if f := errFields(t, rw.do(t, http.MethodPost, rw.path("/hearings"), "manager", body, http.StatusUnprocessableEntity)); f[tc.field] == "" {
				t.Errorf("%s: fields %v, want %s", name, f, tc.field)
			}
		}
		if n := countRows(t, e, "hearings", "1 = 1"); n != 0 {
			t.Fatalf("refused hearings stored: %d", n)
		}
		h := rw.do(t, http.MethodPost, rw.path("/hearings"), "manager", hearing, http.StatusCreated).Map(t)
		obs, _ := h["observers"].([]any)
		if h["combined_score"] != 96.2 || h["case_open"] != true || h["mode"] != "四不两直" || len(obs) != 3 {
			t.Fatalf("hearing %v: want combined 96.2 (98.0, 95.0, 95.5) of an open case, unannounced, three observers", h)
		}
		// Replacing the deputy's sheet: 90.0 → combined (98.0 + 95.0 + 90.0) ÷ 3 = 94.33 → 94.3.
		deputy := obs[2].(map[string]any)["id"].(string)
		sheetPath := rw.path("/hearings/" + h["id"].(string) + "/observers/" + deputy + "/sheet")
		rw.do(t, http.MethodPut, sheetPath, "manager", map[string]any{"entries": []map[string]any{{"item": "C2", "deduction": 2.55}}}, http.StatusUnprocessableEntity) // points to 0.1 only
		rw.do(t, http.MethodPut, sheetPath, "manager", map[string]any{"entries": []map[string]any{{"item": "C2", "deduction": 8}}}, http.StatusUnprocessableEntity)    // no reason
		h = rw.do(t, http.MethodPut, sheetPath, "manager", sheet("D1", 8), http.StatusOK).Map(t)
		h = rw.do(t, http.MethodPut, sheetPath, "manager", map[string]any{"entries": []map[string]any{{"item": "C2", "deduction": 8, "reason": "沟通不足"}, {"item": "D1", "deduction": 2, "reason": "应变不足"}}}, http.StatusOK).Map(t)
		if h["combined_score"] != 94.3 {
			t.Errorf("combined after replacing a sheet: %v, want 94.3", h["combined_score"])
		}
		rw.do(t, http.MethodGet, rw.path("/hearings/"+h["id"].(string)), "manager", nil, http.StatusOK)
		rw.do(t, http.MethodGet, "/api/v1/campaigns/999999/hearings/"+h["id"].(string), "manager", nil, http.StatusNotFound)
		if n := countAudit(t, e, "hearing.sheet"); n != 2 {
			t.Errorf("%d sheet changes audited, want 2", n)
		}

		// A judicial organ's opinion of the handler.
		opinion := map[string]any{"handler_id": wireID(rw.handler), "org_id": w.Court, "date": "2024-05-20", "rating": "fair", "text": "庭前准备尚可，质证不够充分"}
		for field, change := range map[string]map[string]any{
			"org_id": {"org_id": w.FirmA}, "rating": {"rating": "excellent"}, "date": {"date": "2024-13-01"}, "handler_id": {"handler_id": "999999"},
		} {
			body := map[string]any{}
			for k, v := range opinion {
				body[k] = v
			}
			for k, v := range change {
				body[k] = v
			}
			if f := errFields(t, rw.do(t, http.MethodPost, rw.path("/opinions"), "manager", body, http.StatusUnprocessableEntity)); f[field] == "" {
				t.Errorf("opinion with bad %s: %v", field, f)
			}
		}
		rw.do(t, http.MethodPost, rw.path("/opinions"), "manager", opinion, http.StatusCreated)

		pub := rw.publish(t)
		if pub["published"] != 3.0 {
			t.Fatalf("publish: %v", pub)
		}
		var notes []model.Notification
		if err := e.App.DB.Where("kind = ?", model.NotifyResultsPublished).Find(&notes).Error; err != nil || len(notes) != 2 {
			t.Errorf("notifications %+v (%v), want one per handler", notes, err)
		}

		// The handler's page: own files, deductions with reasons, the hearing and the opinion.
		page, raw := rw.results(t, "handler")
		if page.Total != 2 || len(page.Items) != 2 {
			t.Fatalf("handler sees %d results, want their 2", page.Total)
		}
		r := page.byCase(t, objected)
		if r.Score != "74.5" || r.Grade != "qualified" || r.Status != "provisional" || len(r.Deductions) == 0 {
			t.Errorf("objected file before objection: %+v", r)
		}
		for _, d := range r.Deductions {
			if !strings.HasPrefix(d["reason"].(string), "扣分理由") || d["points"] == nil {
				t.Errorf("deduction without its reason or points: %v", d)
			}
		}
		if len(page.Hearings) != 1 || len(page.Opinions) != 1 || page.Opinions[0]["rating"] != "fair" {
			t.Errorf("beside the files: hearings %v, opinions %v", page.Hearings, page.Opinions)
		}
		body := string(raw.Body)
		for _, secret := range []string{"rev_a", "rev_b", "用户rev_a", "用户rev_b", "reviewer", "张律师", "李代表", testenv.DisplayName("staff")} {
			if strings.Contains(body, secret) {
				t.Errorf("the handler's page shows %q", secret)
			}
		}
		for name, id := range map[string]uint64{"rev_a": rw.reviewers["rev_a"], "rev_b": rw.reviewers["rev_b"]} {
			if strings.Contains(body, `"`+wireID(id)+`"`) {
				t.Errorf("the handler's page carries %s's id", name)
			}
		}
		if bp, _ := rw.results(t, "handler_b"); bp.Total != 1 || bp.Items[0].CaseID != other || len(bp.Hearings) != 0 || len(bp.Opinions) != 0 {
			t.Errorf("handler_b sees %+v, want only their file", bp)
		}

		// Objection inside the window; bad input changes nothing.
		objPath := rw.path("/results/" + objected + "/objection")
		rw.do(t, http.MethodPost, objPath, "handler", map[string]any{"reason": " "}, http.StatusUnprocessableEntity)
		rw.do(t, http.MethodPost, objPath, "handler", `{"reason":`, http.StatusBadRequest)
		rw.do(t, http.MethodPost, objPath, "handler_b", map[string]any{"reason": "不服"}, http.StatusNotFound)
		rw.do(t, http.MethodPost, objPath, "manager", map[string]any{"reason": "不服"}, http.StatusForbidden)
		var got resultItem
		rw.do(t, http.MethodPost, objPath, "handler", map[string]any{"reason": "第二项扣分无依据，会见笔录在卷第 12 页"}, http.StatusOK).JSON(t, &got)
		if got.Status != "objected" {
			t.Errorf("after objection: %+v", got)
		}
		if rr := rw.do(t, http.MethodPost, objPath, "handler", map[string]any{"reason": "再次异议"}, http.StatusConflict); rr.Code() != "already_objected" {
			t.Errorf("second objection: %s", rr.Body)
		}
		confirmPath := rw.path("/results/" + objected + "/confirm")
		if rr := rw.do(t, http.MethodPost, confirmPath, "manager", map[string]any{"version": got.Version}, http.StatusConflict); rr.Code() != "objection_pending" {
			t.Errorf("confirm with an objection pending: %s", rr.Body)
		}

		// The decision, in writing.
		decPath := rw.path("/results/" + objected + "/decision")
		rw.do(t, http.MethodPost, decPath, "manager", map[string]any{"outcome": "reversed", "reason": "复核"}, http.StatusUnprocessableEntity)
		rw.do(t, http.MethodPost, decPath, "manager", map[string]any{"outcome": "amended", "reason": "复核"}, http.StatusUnprocessableEntity)
		rw.do(t, http.MethodPost, decPath, "manager", map[string]any{"outcome": "upheld", "reason": ""}, http.StatusUnprocessableEntity)
		rw.do(t, http.MethodPost, decPath, "handler", map[string]any{"outcome": "upheld", "reason": "自己维持"}, http.StatusForbidden)
		rw.do(t, http.MethodPost, decPath, "manager", map[string]any{"outcome": "amended", "score": 80, "reason": "经复核会见笔录在卷，第二项不应扣分"}, http.StatusOK).JSON(t, &got)
		if got.Status != "decided" || got.Score != "80.0" || got.Grade != "good" {
			t.Errorf("after the decision: %+v", got)
		}
		if rr := rw.do(t, http.MethodPost, decPath, "manager", map[string]any{"outcome": "upheld", "reason": "再议"}, http.StatusConflict); rr.Code() != "not_objected" {
			t.Errorf("second decision: %s", rr.Body)
		}
		rw.do(t, http.MethodPost, confirmPath, "manager", map[string]any{"version": got.Version - 1}, http.StatusConflict)
		rw.do(t, http.MethodPost, confirmPath, "manager", map[string]any{"version": got.Version}, http.StatusOK).JSON(t, &got)
		if got.Status != "final" || !got.ConsequenceConfirmed {
			t.Errorf("after confirmation: %+v", got)
		}
		if rr := rw.do(t, http.MethodPost, confirmPath, "manager", map[string]any{"version": got.Version}, http.StatusConflict); rr.Code() != "stale_version" && rr.Code() != "result_final" {
			t.Errorf("second confirmation: %s", rr.Body)
		}

		// After the window: no objection; the manager confirms.
		e.Clock.Advance(8 * 24 * time.Hour)
		relogin(e, w, "manager", "handler")
		if rr := rw.do(t, http.MethodPost, rw.path("/results/"+late+"/objection"), "handler", map[string]any{"reason": "不服"}, http.StatusConflict); rr.Code() != "objection_window_closed" {
			t.Errorf("objection after the window: %s", rr.Body)
		}
		rw.do(t, http.MethodPost, rw.path("/results/"+late+"/confirm"), "manager", map[string]any{"version": 1}, http.StatusOK)

		for _, action := range []string{"result.object", "result.decide", "result.confirm"} {
			var logs []model.AuditLog
			if err := e.App.DB.Where("action = ?", action).Find(&logs).Error; err != nil || len(logs) == 0 {
				t.Errorf("%s not audited (%v)", action, err)
			}
			for _, l := range logs {
				if l.BeforeHash == "" || l.AfterHash == "" || l.BeforeHash == l.AfterHash {
					t.Errorf("%s audited without before and after: %+v", action, l)
				}
			}
		}
	})
}
