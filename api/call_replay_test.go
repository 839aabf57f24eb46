package api_test

import (
	"net/http"
	"testing"
	"time"

	"fayuan/internal/testenv"
)

// A client_id already stored answers with its record whatever changed since the first upload:
// the case given to another caller, the phase closed. Another body under it is still 409, and
// nothing is written.
func TestCallReplayAfterChanges(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		e, w := cw.e, cw.w
		kase := cw.caseFor(t, "staff", "营盘镇")
		body := callBody(1, "2024-05-24T09:30:00+08:00", "no_answer", nil)
		first := cw.call(t, "staff", kase, body, http.StatusCreated).Map(t)
		other := e.CreateUser(w.Admin, "staff2", w.AidCenter, "staff")
		if err := e.App.DB.Exec("UPDATE case_assignments SET user_id = ? WHERE case_id = ?", parseWireID(t, other), parseWireID(t, kase)).Error; err != nil {
			t.Fatal(err)
		}
		check := func(when string) {
			t.Helper()
			m := cw.call(t, "staff", kase, body, http.StatusOK).Map(t)
			if m["id"] != first["id"] || m["status"] != first["status"] || m["attempts"] != first["attempts"] {
				t.Errorf("%s: replay answered %v, want the first record %v", when, m, first)
			}
			if r := cw.call(t, "staff", kase, callBody(1, "2024-05-24T09:30:00+08:00", "busy", nil), http.StatusConflict); r.Code() != "client_id_conflict" {
				t.Errorf("%s: another body answered %q, want client_id_conflict", when, r.Code())
			}
			// A new client_id on the case now held by someone else is not theirs to record.
			testenv.Expect(t, e.Do(http.MethodPost, cw.callPath(kase), w.Tokens["staff"], callBody(2, "2024-05-24T10:30:00+08:00", "busy", nil)), http.StatusNotFound)
		}
		check("reassigned")
		e.Clock.Advance(60 * 24 * time.Hour)
		w.Tokens["staff"], _ = e.Login("staff", testenv.Password("staff"))
		check("reassigned, phase closed")
		if c := countRows(t, e, "calls", "1 = 1"); c != 1 {
			t.Errorf("%d call rows, want 1", c)
		}
		if c := countAudit(t, e, "call.record"); c != 1 {
			t.Errorf("%d call.record audit rows, want 1", c)
		}
	})
}

// A client_id already used on one case, sent again with the same body to another case, is a
// conflict: the call was never stored there, and answering "already recorded" with the first
// case's record would hide that from the phone. Nothing is written for the second case.
func TestCallReplayOnAnotherCaseConflicts(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		e := cw.e
		first, second := cw.caseFor(t, "staff", "营盘镇"), cw.caseFor(t, "staff", "下梁镇")
		body := callBody(1, "2024-05-24T09:30:00+08:00", "no_answer", nil)
		cw.call(t, "staff", first, body, http.StatusCreated)
		if r := cw.call(t, "staff", second, body, http.StatusConflict); r.Code() != "client_id_conflict" {
			t.Errorf("same body on another case answered %q, want client_id_conflict", r.Code())
		}
		if c := countRows(t, e, "calls", "1 = 1"); c != 1 {
			t.Errorf("%d call rows, want 1", c)
		}
		cw.call(t, "staff", first, body, http.StatusOK) // the first case still replays
	})
}
