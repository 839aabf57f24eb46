package api_test

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// caseCalls reads a case's detail as user and returns its calls.
func (cw *callWorld) caseCalls(t *testing.T, user, caseID string) []model.CallHistoryItem {
	t.Helper()
	r := testenv.Expect(t, cw.e.Do(http.MethodGet, "/api/v1/cases/"+caseID, cw.w.Tokens[user], nil), http.StatusOK)
	testenv.CheckConventions(t, "case detail", r.Body)
	var d struct {
		Calls []model.CallHistoryItem `json:"calls"`
	}
	r.JSON(t, &d)
	return d.Calls
}

// correct sends a correction as user, by PATCH or by POST with the method override.
func (cw *callWorld) correct(t *testing.T, user, callID string, override bool, body map[string]any, status int) *testenv.Response {
	t.Helper()
	req := testenv.Request{Method: http.MethodPatch, Path: "/api/v1/calls/" + callID, Token: cw.w.Tokens[user], Body: body}
	if override {
		req.Method, req.Header = http.MethodPost, map[string]string{"X-HTTP-Method-Override": "PATCH"}
	}
	r := testenv.Expect(t, cw.e.Send(req), status)
	testenv.ScanForPersonalData(t, cw.e, "correction", r.Body)
	return r
}

// The caller corrects their own record within 24 hours; after that the caller is refused (403),
// other staff never see it (404), a manager needs a reason (422) and then may; a stale version is
// 409; every version shows in the case history, and the case's status follows the correction.
func TestCallCorrectionWindowAndVersions(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		e, w := cw.e, cw.w
		w.Users["staff2"] = e.CreateUser(w.Admin, "staff2", w.AidCenter, "staff")
		w.Tokens["staff2"], _ = e.Login("staff2", testenv.Password("staff2"))
		kase := cw.caseFor(t, "staff", "营盘镇")
		id := cw.call(t, "staff", kase, callBody(1, "2024-05-24T09:30:00+08:00", "no_answer", nil), http.StatusCreated).Map(t)["id"].(string)

		e.Clock.Advance(23 * time.Hour)
		relogin(e, w, "staff", "staff2", "manager", "handler")
		cw.correct(t, "staff2", id, false, map[string]any{"version": 1, "note": "别人的"}, http.StatusNotFound)
		cw.correct(t, "staff", id, false, map[string]any{"note": "缺版本"}, http.StatusUnprocessableEntity)
		m := cw.correct(t, "staff", id, false, map[string]any{"version": 1, "outcome": "reached", "answers": answers(nil),
			"note": "其实接通了"}, http.StatusOK).Map(t)
		if m["outcome"] != "reached" || m["status"] != "reached" || m["note"] != "其实接通了" {
			t.Errorf("own correction within 24h: %v", m)
		}
		if a := cw.assignmentRow(t, kase); a.Status != "reached" || a.Attempts != 1 || a.LastOutcome != "reached" {
			t.Errorf("summary after correction: %+v", a)
		}
		r := cw.correct(t, "staff", id, false, map[string]any{"version": 1, "note": "旧版本"}, http.StatusConflict)
		if r.Code() != "stale_version" {
			t.Errorf("stale version: code %q", r.Code())
		}

		e.Clock.Advance(2 * time.Hour) // 25 hours after recording
		relogin(e, w, "staff", "staff2", "manager", "handler")
		r = cw.correct(t, "staff", id, false, map[string]any{"version": 2, "note": "太晚了"}, http.StatusForbidden)
		if r.Code() != "correction_window_closed" {
			t.Errorf("late own correction: code %q", r.Code())
		}
		cw.correct(t, "staff2", id, true, map[string]any{"version": 2, "note": "别人的"}, http.StatusNotFound)
		cw.correct(t, "handler", id, false, map[string]any{"version": 2, "note": "承办人"}, http.StatusForbidden)
		fields := errFields(t, cw.correct(t, "manager", id, true, map[string]any{"version": 2, "note": "管理员"}, http.StatusUnprocessableEntity))
		if fields["reason"] == "" {
			t.Errorf("manager without reason: fields %v", fields)
		}
		cw.correct(t, "manager", id, true, map[string]any{"version": 2, "note": "管理员核实后更正", "reason": "受援人来电更正"}, http.StatusOK)

		calls := cw.caseCalls(t, "manager", kase)
		if len(calls) != 1 {
			t.Fatalf("history has %d calls, want 1", len(calls))
		}
		c := calls[0]
		if c.Version != 3 || c.Note != "管理员核实后更正" || c.Answers == nil || c.CallerName != testenv.DisplayName("staff") {
			t.Errorf("history call: %+v", c)
		}
		var got []string
		for _, v := range c.Versions {
			got = append(got, v.Outcome+"|"+v.Note+"|"+v.Reason+"|"+v.RecordedByName)
		}
		want := []string{"no_answer|||" + testenv.DisplayName("staff"), "reached|其实接通了||" + testenv.DisplayName("staff"),
			"reached|管理员核实后更正|受援人来电更正|" + testenv.DisplayName("manager")}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("versions\n got %q\nwant %q", got, want)
		}
		if n := countAudit(t, e, "call.correct"); n != 2 {
			t.Errorf("%d call.correct audit rows, want 2", n)
		}
		// The handler sees that calls took place, never what the recipient said.
		for _, hc := range cw.caseCalls(t, "handler", kase) {
			if hc.Answers != nil || hc.Note != "" || hc.Versions[1].Answers != nil {
				t.Errorf("handler sees answers or notes: %+v", hc)
			}
		}
		if sc := cw.caseCalls(t, "staff", kase); len(sc) != 1 || sc[0].Answers == nil {
			t.Errorf("assigned caller's history: %+v", sc)
		}
	})
}

// A correction to "no" keeps the alert open and unchanged; a correction adding a new "yes" opens
// its alert; nothing is duplicated.
func TestCallCorrectionKeepsAlerts(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		kase := cw.caseFor(t, "staff", "营盘镇")
		id := cw.call(t, "staff", kase, callBody(1, "2024-05-24T09:30:00+08:00", "reached", answers(map[string]any{
			"charged_fee": "yes", "charged_fee_note": "收了 300 元"})), http.StatusCreated).Map(t)["id"].(string)
		before := cw.alerts(t, "")
		if before.Total != 1 || before.Items[0].Kind != "fee" {
			t.Fatalf("alerts before: %+v", before)
		}
		cw.correct(t, "staff", id, false, map[string]any{"version": 1, "answers": answers(nil)}, http.StatusOK)
		if after := cw.alerts(t, ""); !reflect.DeepEqual(after, before) {
			t.Errorf("a correction to no changed the alerts\nbefore %+v\n after %+v", before, after)
		}
		cw.correct(t, "staff", id, true, map[string]any{"version": 2, "answers": answers(map[string]any{
			"charged_fee": "yes", "charged_fee_note": "又说收了", "negligent": "yes", "negligent_note": "半年不联系"})}, http.StatusOK)
		after := cw.alerts(t, "")
		if after.Total != 2 || after.ByKind["fee"] != 1 || after.ByKind["negligence"] != 1 || after.ByStatus["open"] != 2 {
			t.Errorf("alerts after a new yes: %+v", after)
		}
		for _, a := range after.Items {
			if a.Kind == "fee" && !reflect.DeepEqual(a, before.Items[0]) {
				t.Errorf("fee alert changed: %+v, was %+v", a, before.Items[0])
			}
		}
	})
}
