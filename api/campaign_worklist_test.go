package api_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"fayuan/internal/testenv"
	"fayuan/model"
)

func TestWorkList(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		cid := startCampaign(t, e, w)
		staff2 := e.CreateUser(w.Admin, "staff2", w.AidCenter, "staff")
		w.Tokens["staff2"], _ = e.Login("staff2", testenv.Password("staff2"))
		phones := map[uint64]string{}
		var mine []uint64
		for _, town := range []string{"下梁镇", "营盘镇", "曹坪镇", "下梁镇"} {
			id, phone := putCase(t, e, campaignCase{Closed: "2022-03-03", Town: town, Village: "村"})
			phones[id] = phone
			mine = append(mine, id)
		}
		other, _ := putCase(t, e, campaignCase{Closed: "2022-03-03", Town: "杏坪镇"})
		ids := func(xs ...uint64) []string {
			var out []string
			for _, x := range xs {
				out = append(out, wireID(x))
			}
			return out
		}
		runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": []string{w.Users["staff"]}, "case_ids": ids(mine...)})
		runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": []string{staff2}, "case_ids": ids(other)})
		path := "/api/v1/campaigns/" + cid + "/follow-ups?phase=calls"
		e.Clock.Advance(time.Minute) // the sync below starts after the assignments
		list := func(token, query string) model.WorkList {
			t.Helper()
			r := testenv.Expect(t, e.Do(http.MethodGet, path+query, token, nil), http.StatusOK)
			testenv.CheckConventions(t, "work list", r.Body)
			var l model.WorkList
			r.JSON(t, &l)
			return l
		}

		reads := countAudit(t, e, "case.read_phone")
		l := list(w.Tokens["staff"], "&page_size=500")
		if countAudit(t, e, "case.read_phone") != reads+1 {
			t.Error("one work-list fetch must write exactly one case.read_phone row")
		}
		if l.Total != 4 || len(l.Items) != 4 || l.PageSize != 500 {
			t.Fatalf("own list: %+v", l)
		}
		var towns []string
		for _, it := range l.Items {
			towns = append(towns, it.Recipient.Town)
			if it.CaseID == model.ID(other) {
				t.Error("another staff member's case in the list")
			}
			if it.Recipient.Phone != phones[uint64(it.CaseID)] || it.Recipient.Name != "王秀英" || it.Status != "pending" ||
				it.Attempts != 0 || it.LastOutcome != nil || it.AnswersSoFar == nil || it.CaseNo == "" {
				t.Errorf("item %+v", it)
			}
		}
		if want := []string{"下梁镇", "下梁镇", "曹坪镇", "营盘镇"}; !equalStrings(towns, want) {
			t.Errorf("order by town: %v", towns)
		}
		// A case already called goes after the never-called ones.
		called := uint64(l.Items[0].CaseID)
		e.App.DB.Model(&model.CaseAssignment{}).Where("case_id = ?", called).UpdateColumns(map[string]any{"attempts": 1, "last_outcome": "no_answer"})
		l = list(w.Tokens["staff"], "")
		if last := l.Items[len(l.Items)-1]; uint64(last.CaseID) != called || last.Attempts != 1 || last.LastOutcome == nil || *last.LastOutcome != "no_answer" {
			t.Errorf("called case not last: %+v", l.Items)
		}
		// Pages.
		l = list(w.Tokens["staff"], "&page=2&page_size=3")
		if l.Total != 4 || len(l.Items) != 1 {
			t.Errorf("page 2: %+v", l)
		}

		// Sync: nothing changed since the last fetch; then one case moves away and one arrives.
		since := l.SyncedAt.Time
		e.Clock.Advance(time.Hour)
		relogin(e, w, "manager", "staff", "staff2", "firm_staff")
		q := "&updated_since=" + url.QueryEscape(since.In(model.Shanghai).Format(time.RFC3339))
		e.Clock.Advance(time.Minute)
		if l = list(w.Tokens["staff"], q); len(l.Items) != 0 || len(l.RemovedCaseIDs) != 0 {
			t.Errorf("nothing changed, got %+v", l)
		}
		runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": []string{staff2}, "case_ids": ids(mine[1])})
		runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": []string{w.Users["staff"]}, "case_ids": ids(other)})
		l = list(w.Tokens["staff"], q)
		if len(l.Items) != 1 || uint64(l.Items[0].CaseID) != other || len(l.RemovedCaseIDs) != 1 || uint64(l.RemovedCaseIDs[0]) != mine[1] {
			t.Errorf("sync: %+v", l)
		}
		if l2 := list(w.Tokens["staff2"], ""); l2.Total != 1 || uint64(l2.Items[0].CaseID) != mine[1] {
			t.Errorf("staff2 after the moves: %+v", l2)
		}
		// An edit of the case itself shows up too (an unencoded "+08:00" is understood).
		e.App.DB.Model(&model.Case{}).Where("id = ?", mine[0]).UpdateColumn("updated_at", e.Clock.Now())
		r := testenv.Expect(t, e.Do(http.MethodGet, path+"&updated_since="+since.In(model.Shanghai).Format(time.RFC3339), w.Tokens["staff"], nil), http.StatusOK)
		var synced model.WorkList
		r.JSON(t, &synced)
		if len(synced.Items) != 2 {
			t.Errorf("after a case edit: %+v", synced.Items)
		}

		expectField(t, e.Do(http.MethodGet, "/api/v1/campaigns/"+cid+"/follow-ups?phase=reviews", w.Tokens["staff"], nil), "phase")
		expectField(t, e.Do(http.MethodGet, path+"&updated_since=yesterday", w.Tokens["staff"], nil), "updated_since")
		expectField(t, e.Do(http.MethodGet, path+"&page_size=501", w.Tokens["staff"], nil), "page_size")
		testenv.Expect(t, e.Do(http.MethodGet, path, w.Tokens["manager"], nil), 403)
		testenv.Expect(t, e.Do(http.MethodGet, path, w.Tokens["firm_staff"], nil), 404)
		testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/campaigns/999999/follow-ups?phase=calls", w.Tokens["staff"], nil), 404)
	})
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
