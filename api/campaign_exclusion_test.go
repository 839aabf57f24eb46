package api_test

import (
	"net/http"
	"testing"

	"fayuan/internal/testenv"
)

func TestExclusionNeedsASecondManager(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		cid := startCampaign(t, e, w)
		base := "/api/v1/campaigns/" + cid + "/exclusions"
		deceased, _ := putCase(t, e, campaignCase{Closed: "2022-04-01"})
		pending, _ := putCase(t, e, campaignCase{Closed: "2022-05-01"})
		kept, _ := putCase(t, e, campaignCase{Closed: "2022-06-01"})
		notified, _ := putCase(t, e, campaignCase{Closed: "2024-01-10", Source: "notified"})
		ask := func(token string, body map[string]any) *testenv.Response {
			return e.Do(http.MethodPost, base, token, body)
		}

		good := map[string]any{"case_id": wireID(deceased), "reason": "deceased", "note": "2023 年病故", "evidence": "营盘镇朱家坪村委会证明"}
		expectField(t, ask(w.Tokens["manager"], map[string]any{"case_id": wireID(deceased), "reason": "bored", "evidence": "x"}), "reason")
		expectField(t, ask(w.Tokens["manager"], map[string]any{"case_id": wireID(deceased), "reason": "deceased"}), "evidence")
		expectField(t, ask(w.Tokens["manager"], map[string]any{"case_id": wireID(deceased), "reason": "other", "evidence": "x"}), "note")
		expectField(t, ask(w.Tokens["manager"], map[string]any{"case_id": "999999", "reason": "deceased", "evidence": "x"}), "case_id")
		expectField(t, ask(w.Tokens["manager"], map[string]any{"case_id": wireID(notified), "reason": "deceased", "evidence": "x"}), "case_id")
		testenv.Expect(t, ask(w.Tokens["staff"], good), 403)

		r := testenv.Expect(t, ask(w.Tokens["manager"], good), http.StatusCreated)
		testenv.CheckConventions(t, "exclusion", r.Body)
		x := r.Map(t)
		if x["status"] != "pending" || x["case_id"] != wireID(deceased) || x["requested_by_id"] != w.Users["manager"] || x["confirmed_by_id"] != nil {
			t.Errorf("requested: %s", r.Body)
		}
		if got := testenv.Expect(t, ask(w.Tokens["centre_manager"], good), 409); got.Code() != "exclusion_exists" {
			t.Errorf("second request: %s", got.Body)
		}
		xid := x["id"].(string)
		confirm := func(token, xid string) *testenv.Response {
			return e.Do(http.MethodPost, base+"/"+xid+"/confirm", token, nil)
		}
		if got := testenv.Expect(t, confirm(w.Tokens["manager"], xid), 409); got.Code() != "second_manager_required" {
			t.Errorf("same manager: %s", got.Body)
		}
		r = testenv.Expect(t, confirm(w.Tokens["centre_manager"], xid), http.StatusOK)
		if m := r.Map(t); m["status"] != "confirmed" || m["confirmed_by_id"] != w.Users["centre_manager"] || m["confirmed_at"] != "2024-05-24T09:00:00+08:00" {
			t.Errorf("confirmed: %s", r.Body)
		}
		if got := testenv.Expect(t, confirm(w.Tokens["manager"], xid), 409); got.Code() != "exclusion_already_confirmed" {
			t.Errorf("confirmed twice: %s", got.Body)
		}
		testenv.Expect(t, confirm(w.Tokens["centre_manager"], "999999"), 404)
		testenv.Expect(t, ask(w.Tokens["centre_manager"], map[string]any{"case_id": wireID(pending), "reason": "moved_away", "evidence": "迁往西安"}), http.StatusCreated)

		l := testenv.Expect(t, e.Do(http.MethodGet, base, w.Tokens["manager"], nil), http.StatusOK).Map(t)
		if l["total"] != float64(2) {
			t.Errorf("list: %v", l)
		}
		l = testenv.Expect(t, e.Do(http.MethodGet, base+"?status=confirmed", w.Tokens["manager"], nil), http.StatusOK).Map(t)
		if items := l["items"].([]any); len(items) != 1 || items[0].(map[string]any)["case_id"] != wireID(deceased) {
			t.Errorf("confirmed list: %v", l)
		}
		testenv.Expect(t, e.Do(http.MethodGet, base, w.Tokens["staff"], nil), 403)
		if countAudit(t, e, "campaign.exclusion_request") != 2 || countAudit(t, e, "campaign.exclusion_confirm") != 1 {
			t.Error("exclusions not audited")
		}

		// The confirmed exclusion leaves the calls; the pending one does not.
		got := runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": []string{w.Users["staff"]}})
		held := phaseHolders(t, e, cid, "calls")
		if got.Assigned != 2 || held[deceased] != 0 || held[pending] == 0 || held[kept] == 0 {
			t.Errorf("assigned %d: %v", got.Assigned, held)
		}
		got = runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": []string{w.Users["staff"]}, "case_ids": []string{wireID(deceased)}})
		if got.Assigned != 0 || len(got.Unassignable) != 1 || got.Unassignable[0].Reason != "excluded" {
			t.Errorf("explicit excluded case: %+v", got)
		}
	})
}
