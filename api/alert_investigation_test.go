package api_test

import (
	"net/http"
	"testing"

	"fayuan/internal/testenv"
)

// A manager assigns an investigator from outside the handler's organisation; the investigator
// (or an outside manager) concludes with findings, a conclusion and the action taken, all three
// required; a closed alert stays closed.
func TestAlertInvestigation(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		e, w := cw.e, cw.w
		kase := cw.caseFor(t, "staff", "营盘镇")
		cw.call(t, "staff", kase, callBody(1, "2024-05-24T09:30:00+08:00", "reached", answers(map[string]any{
			"charged_fee": "yes", "charged_fee_note": "收了 500 元", "negligent": "yes", "negligent_note": "压案不办"})), http.StatusCreated)
		list := cw.alerts(t, "")
		if len(list.Items) != 2 {
			t.Fatalf("alerts %+v, want 2", list)
		}
		fee, neg := list.Items[0].ID, list.Items[1].ID
		assign := func(alert, investigator, token string, status int) map[string]any {
			t.Helper()
			r := testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/alerts/"+alert+"/assign", token, map[string]any{"investigator_id": investigator}), status)
			testenv.CheckConventions(t, "assign", r.Body)
			return r.Map(t)
		}
		conclude := func(alert, token string, body map[string]any, status int) *testenv.Response {
			t.Helper()
			return testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/alerts/"+alert+"/conclude", token, body), status)
		}
		// firm_staff works at firm A, the handler's firm: recused.
		if r := assign(fee, w.Users["firm_staff"], w.Tokens["manager"], http.StatusConflict); r["code"] != "investigator_recused" {
			t.Errorf("investigator from the handler's firm: %v", r)
		}
		assign(fee, w.Users["reviewer"], w.Tokens["manager"], http.StatusUnprocessableEntity) // not staff or manager
		assign(fee, w.Users["staff"], w.Tokens["staff"], http.StatusForbidden)
		assign("999999", w.Users["staff"], w.Tokens["manager"], http.StatusNotFound)
		if r := assign(fee, w.Users["staff"], w.Tokens["manager"], http.StatusOK); r["status"] != "investigating" || r["investigator_id"] != w.Users["staff"] {
			t.Errorf("assigned: %v", r)
		}

		full := map[string]any{"findings": "经核实，承办律师收取交通费 500 元", "conclusion": "substantiated", "action": "约谈整改，退还费用，不予兑付办案补贴"}
		// Someone else's alert is not theirs to see; a staff member not assigned gets 404.
		conclude(neg, w.Tokens["staff"], full, http.StatusNotFound)
		conclude(fee, w.Tokens["firm_staff"], full, http.StatusNotFound)
		for name, tc := range map[string]struct {
			body   map[string]any
			fields []string
		}{
			"empty":         {map[string]any{}, []string{"findings", "conclusion", "action"}},
			"no action":     {map[string]any{"findings": "已核实", "conclusion": "referred"}, []string{"action"}},
			"bad verdict":   {map[string]any{"findings": "已核实", "conclusion": "guilty", "action": "移送"}, []string{"conclusion"}},
			"no findings":   {map[string]any{"findings": "  ", "conclusion": "not_substantiated", "action": "无"}, []string{"findings"}},
			"no conclusion": {map[string]any{"findings": "已核实", "action": "无"}, []string{"conclusion"}},
		} {
			got := errFields(t, conclude(fee, w.Tokens["staff"], tc.body, http.StatusUnprocessableEntity))
			if len(got) != len(tc.fields) {
				t.Errorf("%s: fields %v, want %v", name, got, tc.fields)
			}
			for _, f := range tc.fields {
				if got[f] == "" {
					t.Errorf("%s: %s not named in %v", name, f, got)
				}
			}
		}
		r := conclude(fee, w.Tokens["staff"], full, http.StatusOK).Map(t)
		if r["status"] != "closed" || r["conclusion"] != "substantiated" || r["concluded_by_id"] != w.Users["staff"] || r["overdue"] != false {
			t.Errorf("concluded: %v", r)
		}
		if c := conclude(fee, w.Tokens["manager"], full, http.StatusConflict); c.Code() != "alert_closed" {
			t.Errorf("concluding a closed alert: %s", c.Code())
		}
		assign(fee, w.Users["centre_manager"], w.Tokens["manager"], http.StatusConflict)
		// A manager from outside the handler's firm may conclude without an investigator.
		conclude(neg, w.Tokens["centre_manager"], map[string]any{"findings": "受援人记错了时间", "conclusion": "not_substantiated", "action": "向受援人解释"}, http.StatusOK)
		// A case the aid centre itself handled: its own manager may neither investigate nor conclude.
		own, _ := putCase(t, e, campaignCase{Closed: "2022-01-01", Org: parseWireID(t, w.AidCenter)})
		e.AssignPhase(parseWireID(t, cw.campaign), "calls", wireID(own), w.Users["firm_staff"])
		cw.call(t, "firm_staff", wireID(own), callBody(2, "2024-05-24T10:00:00+08:00", "reached",
			answers(map[string]any{"satisfied": "dissatisfied", "dissatisfied_about": "result"})), http.StatusCreated)
		centre := cw.alerts(t, "?org="+w.AidCenter)
		if len(centre.Items) != 1 {
			t.Fatalf("aid centre's alerts: %+v", centre)
		}
		if c := conclude(centre.Items[0].ID, w.Tokens["centre_manager"], full, http.StatusConflict); c.Code() != "investigator_recused" {
			t.Errorf("the handler organisation's manager concluding: %s", c.Code())
		}
		assign(centre.Items[0].ID, w.Users["staff"], w.Tokens["manager"], http.StatusConflict) // staff is at the aid centre too
		after := cw.alerts(t, "?org="+w.FirmA)
		if after.Total != 2 || after.ByStatus["closed"] != 2 || after.ByStatus["open"] != 1 { // counts cover the whole campaign
			t.Errorf("counts after concluding: %v", after.ByStatus)
		}
		if n := countAudit(t, e, "alert.conclude"); n != 2 {
			t.Errorf("%d alert.conclude audit rows, want 2", n)
		}
	})
}
