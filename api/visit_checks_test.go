package api_test

import (
	"net/http"
	"testing"

	"fayuan/internal/testenv"
)

// visitView is the part of a visit the verification tests read.
type visitView struct {
	ID                  string `json:"id"`
	Verification        string `json:"verification"`
	VerificationClaimed string `json:"verification_claimed"`
	Differences         []struct {
		Field string `json:"field"`
		Phone string `json:"phone"`
		Visit string `json:"visit"`
	} `json:"differences"`
	CallID  *string        `json:"call_id"`
	Flags   []string       `json:"flags"`
	Answers map[string]any `json:"answers"`
}

// flagView is one plausibility flag.
type flagView struct {
	Kind     string   `json:"kind"`
	CallerID string   `json:"caller_id"`
	CallIDs  []string `json:"call_ids"`
	VisitIDs []string `json:"visit_ids"`
	Rate     float64  `json:"rate"`
	Detail   string   `json:"detail"`
}

// flags reads the campaign's plausibility flags as the manager.
func (vw *visitWorld) flags(t *testing.T, query string) []flagView {
	t.Helper()
	r := testenv.Expect(t, vw.e.Do(http.MethodGet, "/api/v1/campaigns/"+vw.campaign+"/flags"+query, vw.w.Tokens["manager"], nil), http.StatusOK)
	testenv.CheckConventions(t, "flags", r.Body)
	var body struct {
		Items []flagView `json:"items"`
	}
	r.JSON(t, &body)
	return body.Items
}

func flagsOf(fs []flagView, kind string) []flagView {
	var out []flagView
	for _, f := range fs {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

// The server compares each visit's answers with the case's reached call: the same answers are
// consistent, different ones inconsistent naming what differs, no reached call
// not_reached_by_phone. A visitor's disagreeing claim is kept beside the computed one and
// flagged, never refused. An inconsistent visit marks the call in the case history and moves
// its caller's inconsistency rate; a "yes" opens an alert through the visit channel.
func TestVisitVerification(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		var same, differs, unreached string
		callIDs := map[string]string{}
		vw := newVisitWorld(t, b, func(cw *callWorld) {
			same, differs, unreached = cw.caseFor(t, "staff", "营盘镇"), cw.caseFor(t, "staff", "营盘镇"), cw.caseFor(t, "staff", "营盘镇")
			callIDs[same] = cw.call(t, "staff", same, callBody(1, "2024-05-24T08:30:00+08:00", "reached", answers(nil)), http.StatusCreated).Map(t)["id"].(string)
			callIDs[differs] = cw.call(t, "staff", differs, callBody(2, "2024-05-24T08:40:00+08:00", "reached", answers(nil)), http.StatusCreated).Map(t)["id"].(string)
			cw.call(t, "staff", unreached, callBody(3, "2024-05-24T08:50:00+08:00", "no_answer", nil), http.StatusCreated)
		})
		for _, k := range []string{same, differs, unreached} {
			vw.assignVisit(t, k, "firm_staff")
		}
		at := "2024-06-17T09:00:00+08:00"
		var v visitView
		confirmed := visitBody(1, at, answers(map[string]any{"suggestion": "说法不同也不算不一致"}))
		confirmed["verification"] = "consistent" // the visitor confirms what the server finds
		vw.visit(t, "firm_staff", same, confirmed, http.StatusCreated).JSON(t, &v)
		if v.Verification != "consistent" || v.VerificationClaimed != "consistent" || len(v.Differences) != 0 || v.CallID == nil ||
			*v.CallID != callIDs[same] || len(v.Flags) != 0 {
			t.Errorf("same answers: %+v", v)
		}
		if got := flagsOf(vw.flags(t, ""), "visit_mismatch"); len(got) != 0 {
			t.Errorf("visit_mismatch raised by a consistent visit: %+v", got)
		}

		body := visitBody(2, "2024-06-17T10:00:00+08:00", answers(map[string]any{"charged_fee": "yes", "charged_fee_note": "承办律师收了 300 元"}))
		body["verification"] = "consistent" // the visitor thinks so; the server does not
		vw.visit(t, "firm_staff", differs, body, http.StatusCreated).JSON(t, &v)
		if v.Verification != "inconsistent" || v.VerificationClaimed != "consistent" || len(v.Differences) != 1 ||
			v.Differences[0].Field != "charged_fee" || v.Differences[0].Phone != "no" || v.Differences[0].Visit != "yes" ||
			len(v.Flags) != 1 || v.Flags[0] != "verification_disputed" {
			t.Errorf("differing answers: %+v", v)
		}
		inconsistent := v.ID
		list := vw.alerts(t, "")
		if list.Total != 1 || list.Items[0].Channel != "visit" || list.Items[0].SourceID != inconsistent || list.Items[0].Kind != "fee" {
			t.Errorf("alerts %+v", list)
		}
		vw.visit(t, "firm_staff", unreached, visitBody(3, at, answers(nil)), http.StatusCreated).JSON(t, &v)
		if v.Verification != "not_reached_by_phone" || v.CallID != nil || len(v.Differences) != 0 {
			t.Errorf("not reached by phone: %+v", v)
		}

		// The caller's rate: one of two visited calls found inconsistent.
		mm := flagsOf(vw.flags(t, ""), "visit_mismatch")
		if len(mm) != 1 || mm[0].CallerID != vw.w.Users["staff"] || mm[0].Rate != 0.5 || len(mm[0].CallIDs) != 1 || mm[0].CallIDs[0] != callIDs[differs] {
			t.Errorf("visit_mismatch %+v", mm)
		}
		if d := flagsOf(vw.flags(t, ""), "verification_disputed"); len(d) != 1 || d[0].CallerID != vw.w.Users["firm_staff"] || len(d[0].VisitIDs) != 1 {
			t.Errorf("verification_disputed %+v", d)
		}

		// A corrected call is compared in its latest version.
		corrected := vw.caseFor(t, "staff", "营盘镇")
		vw.assignVisit(t, corrected, "firm_staff")
		callID := correctedCall(t, vw, corrected)
		vw.visit(t, "firm_staff", corrected, visitBody(4, at, answers(map[string]any{"negligent": "unsure"})), http.StatusCreated).JSON(t, &v)
		if v.Verification != "consistent" || v.CallID == nil || *v.CallID != callID {
			t.Errorf("against the corrected call: %+v", v)
		}

		// The case history: the call is marked, the visit listed.
		var detail struct {
			Calls []struct {
				ID         string `json:"id"`
				VisitCheck *struct {
					Verification string   `json:"verification"`
					VisitIDs     []string `json:"visit_ids"`
				} `json:"visit_check"`
			} `json:"calls"`
			Visits []visitView `json:"visits"`
		}
		r := testenv.Expect(t, vw.e.Do(http.MethodGet, "/api/v1/cases/"+differs, vw.w.Tokens["manager"], nil), http.StatusOK)
		testenv.CheckConventions(t, "case", r.Body)
		r.JSON(t, &detail)
		if len(detail.Calls) != 1 || detail.Calls[0].VisitCheck == nil || detail.Calls[0].VisitCheck.Verification != "inconsistent" ||
			len(detail.Calls[0].VisitCheck.VisitIDs) != 1 || detail.Calls[0].VisitCheck.VisitIDs[0] != inconsistent {
			t.Errorf("call in the history: %+v", detail.Calls)
		}
		if len(detail.Visits) != 1 || detail.Visits[0].ID != inconsistent || detail.Visits[0].Answers["charged_fee"] != "yes" {
			t.Errorf("visits in the history: %+v", detail.Visits)
		}
		r = testenv.Expect(t, vw.e.Do(http.MethodGet, "/api/v1/cases/"+same, vw.w.Tokens["manager"], nil), http.StatusOK)
		detail.Calls, detail.Visits = nil, nil
		r.JSON(t, &detail)
		if detail.Calls[0].VisitCheck == nil || detail.Calls[0].VisitCheck.Verification != "consistent" {
			t.Errorf("consistent call in the history: %+v", detail.Calls)
		}
	})
}

// A case's detail lists its visits in time order, whatever order they arrived in; the handler
// learns that visits happened and when, not who went, where or what was said.
func TestVisitTimeline(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		vw := newVisitWorld(t, b, nil)
		kase := vw.visitCase(t, "staff", "营盘镇")
		body := visitBody(1, "2024-06-17T09:40:00+08:00", answers(nil))
		body["participants"] = map[string]any{"cadres": []string{"营盘镇司法所 李四"}}
		later := vw.visit(t, "staff", kase, body, http.StatusCreated).Map(t)["id"].(string)
		earlier := vw.visit(t, "staff", kase, visitBody(2, "2024-06-16T15:00:00+08:00", answers(nil)), http.StatusCreated).Map(t)["id"].(string)
		type item struct {
			ID           string           `json:"id"`
			VisitedAt    string           `json:"visited_at"`
			VisitorID    *string          `json:"visitor_id"`
			Participants []map[string]any `json:"participants"`
			Location     map[string]any   `json:"location"`
			Answers      map[string]any   `json:"answers"`
			Verification string           `json:"verification"`
		}
		var d struct {
			Visits []item `json:"visits"`
		}
		testenv.Expect(t, vw.e.Do(http.MethodGet, "/api/v1/cases/"+kase, vw.w.Tokens["staff"], nil), http.StatusOK).JSON(t, &d)
		if len(d.Visits) != 2 || d.Visits[0].ID != earlier || d.Visits[1].ID != later || d.Visits[0].VisitedAt != "2024-06-16T15:00:00+08:00" ||
			d.Visits[1].Answers == nil || d.Visits[1].Location == nil || len(d.Visits[1].Participants) != 1 {
			t.Errorf("visits as the visitor: %+v", d.Visits)
		}
		// The handler's own case: the seeded handler is linked to the case's handler record.
		r := testenv.Expect(t, vw.e.Do(http.MethodGet, "/api/v1/cases/"+kase, vw.w.Tokens["handler"], nil), http.StatusOK)
		testenv.CheckConventions(t, "case as handler", r.Body)
		d.Visits = nil
		r.JSON(t, &d)
		if len(d.Visits) != 2 || d.Visits[1].VisitorID != nil || d.Visits[1].Answers != nil || d.Visits[1].Location != nil ||
			len(d.Visits[1].Participants) != 0 || d.Visits[1].Verification != "not_reached_by_phone" {
			t.Errorf("visits as the handler: %+v", d.Visits)
		}
	})
}

// correctedCall stores a reached call on caseID straight into the database (the calls phase is
// over) without answers, then has the manager correct it with answers saying negligent "unsure":
// only the corrected version can make a visit consistent.
func correctedCall(t *testing.T, vw *visitWorld, caseID string) string {
	t.Helper()
	putCall(t, vw.e, vw.campaign, parseWireID(t, caseID), parseWireID(t, vw.w.Users["staff"]), "reached")
	var id uint64
	vw.e.App.DB.Table("calls").Where("case_id = ?", parseWireID(t, caseID)).Pluck("id", &id)
	testenv.Expect(t, vw.e.Do(http.MethodPatch, "/api/v1/calls/"+wireID(id), vw.w.Tokens["manager"], map[string]any{
		"version": 1, "answers": answers(map[string]any{"negligent": "unsure"}), "reason": "核对录音后更正"}), http.StatusOK)
	return wireID(id)
}
