package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// A case moved to another caller takes its calls with it: the first caller can no longer
// correct them, even inside the 24-hour window; a manager still can.
func TestCorrectionAfterReassignmentRefused(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		e, w := cw.e, cw.w
		w.Users["staff2"] = e.CreateUser(w.Admin, "staff2", w.AidCenter, "staff")
		kase := cw.caseFor(t, "staff", "营盘镇")
		id := cw.call(t, "staff", kase, callBody(1, "2024-05-24T09:30:00+08:00", "no_answer", nil), http.StatusCreated).Map(t)["id"].(string)
		if err := e.App.DB.Model(&model.CaseAssignment{}).Where("case_id = ?", parseWireID(t, kase)).
			Update("user_id", parseWireID(t, w.Users["staff2"])).Error; err != nil {
			t.Fatal(err)
		}
		cw.correct(t, "staff", id, false, map[string]any{"version": 1, "note": "改一下"}, http.StatusNotFound)
		cw.correct(t, "manager", id, false, map[string]any{"version": 1, "note": "改一下", "reason": "核对录音"}, http.StatusOK)
	})
}

// The handler under evaluation sees that calls happened on their case, never who made them;
// a manager sees the caller.
func TestHandlerSeesCallsWithoutCaller(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		kase := cw.caseFor(t, "staff", "营盘镇")
		cw.call(t, "staff", kase, callBody(1, "2024-05-24T09:30:00+08:00", "no_answer", nil), http.StatusCreated)
		r := testenv.Expect(t, cw.e.Do(http.MethodGet, "/api/v1/cases/"+kase, cw.w.Tokens["handler"], nil), http.StatusOK)
		if strings.Contains(string(r.Body), "caller_") || strings.Contains(string(r.Body), testenv.DisplayName("staff")) {
			t.Fatalf("handler's case detail names the caller: %s", r.Body)
		}
		calls := cw.caseCalls(t, "handler", kase)
		if len(calls) != 1 || calls[0].Outcome != "no_answer" {
			t.Fatalf("handler's calls: %+v", calls)
		}
		if m := cw.caseCalls(t, "manager", kase); len(m) != 1 || m[0].CallerName != testenv.DisplayName("staff") {
			t.Fatalf("manager's calls: %+v", m)
		}
	})
}

// Handlers see recipients' names masked, so q must not let them confirm a guessed full name;
// the case number still finds the case. A manager's q matches the name.
func TestHandlerCannotSearchRecipientName(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		kase := cw.caseFor(t, "", "营盘镇")
		var c struct {
			CaseNo string `json:"case_no"`
		}
		testenv.Expect(t, cw.e.Do(http.MethodGet, "/api/v1/cases/"+kase, cw.w.Tokens["manager"], nil), http.StatusOK).JSON(t, &c)
		count := func(user, q string) int64 {
			var l struct{ Total int64 }
			testenv.Expect(t, cw.e.Do(http.MethodGet, "/api/v1/cases?q="+url.QueryEscape(q), cw.w.Tokens[user], nil), http.StatusOK).JSON(t, &l)
			return l.Total
		}
		if n := count("manager", "王秀英"); n != 1 {
			t.Fatalf("manager searching the name found %d", n)
		}
		if n := count("handler", "王秀英"); n != 0 {
			t.Fatalf("handler searching a full recipient name found %d case(s)", n)
		}
		if n := count("handler", c.CaseNo); n != 1 {
			t.Fatalf("handler searching the case number found %d", n)
		}
	})
}

// The printable form keeps its inline A4 styles: its CSP allows them, and nothing else.
func TestPrintableFormAllowsItsStyles(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		kase := cw.caseFor(t, "staff", "营盘镇")
		r := testenv.Expect(t, cw.e.Do(http.MethodGet, "/api/v1/campaigns/"+cw.campaign+"/cases/"+kase+"/form", cw.w.Tokens["manager"], nil), http.StatusOK)
		csp := r.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "style-src 'unsafe-inline'") || !strings.Contains(csp, "default-src 'none'") {
			t.Fatalf("form CSP %q", csp)
		}
	})
}

// A manager may record a call on an unassigned case of the campaign, but not on a case outside
// the campaign's follow-up scope.
func TestManagerCallOutsideScopeRefused(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		inScope := cw.caseFor(t, "", "营盘镇")
		outID, _ := putCase(t, cw.e, campaignCase{Closed: "2020-12-31", Handler: cw.handler, Org: parseWireID(t, cw.w.FirmA)})
		cw.call(t, "manager", wireID(outID), callBody(1, "2024-05-24T09:30:00+08:00", "no_answer", nil), http.StatusNotFound)
		cw.call(t, "manager", inScope, callBody(2, "2024-05-24T09:30:00+08:00", "no_answer", nil), http.StatusCreated)
		if n := countRows(t, cw.e, "calls", "case_id = ?", outID); n != 0 {
			t.Fatalf("%d calls stored on the out-of-scope case", n)
		}
	})
}
