package api_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"fayuan/internal/testenv"
)

// Every outcome code is accepted; the answer fills the registration form from the case and the
// call, and the case's status follows the outcome.
func TestCallEveryOutcome(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		want := map[string]string{"reached": "reached", "no_answer": "pending", "busy": "pending", "powered_off": "pending",
			"wrong_number": "pending", "refused": "refused", "not_recipient": "pending"}
		for i, outcome := range []string{"reached", "no_answer", "busy", "powered_off", "wrong_number", "refused", "not_recipient"} {
			kase := cw.caseFor(t, "staff", "营盘镇")
			var ans map[string]any
			if outcome == "reached" {
				ans = answers(nil)
			}
			body := callBody(i, "2024-05-24T10:15:00+08:00", outcome, ans)
			body["note"], body["duration_s"], body["recording_ref"] = "家属说在外务工", 95, "rec-001"
			m := cw.call(t, "staff", kase, body, http.StatusCreated).Map(t)
			if m["outcome"] != outcome || m["status"] != want[outcome] || m["attempts"] != float64(1) || m["note"] != "家属说在外务工" ||
				m["duration_s"] != float64(95) || m["recording_ref"] != "rec-001" || m["called_at"] != "2024-05-24T10:15:00+08:00" {
				t.Errorf("%s: answer %v", outcome, m)
			}
			form, _ := m["form"].(map[string]any)
			if form["cause"] != "劳动争议" || form["recipient_name"] != "王*英" || form["handler_name"] != "承办人" ||
				form["closed_on"] != "2022-01-01" || form["call_date"] != "2024-05-24" {
				t.Errorf("%s: form %v", outcome, form)
			}
			if (m["answers"] != nil) != (outcome == "reached") {
				t.Errorf("%s: answers %v", outcome, m["answers"])
			}
			a := cw.assignmentRow(t, kase)
			if a.Status != want[outcome] || a.Attempts != 1 || a.LastOutcome != outcome || a.LastAttemptAt == nil {
				t.Errorf("%s: summary %+v", outcome, a)
			}
		}
		if n := countRows(t, cw.e, "calls", "1 = 1"); n != 7 {
			t.Errorf("%d calls stored, want 7", n)
		}
		if n := countAudit(t, cw.e, "call.record"); n != 7 {
			t.Errorf("%d call.record audit rows, want 7", n)
		}
	})
}

// Missing or invalid answers are 422 naming every field; a missing answer is never taken as
// "no", and nothing is stored.
func TestCallAnswersRequired(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		kase := cw.caseFor(t, "staff", "营盘镇")
		at := "2024-05-24T10:00:00+08:00"
		for i, tc := range []struct {
			name   string
			body   map[string]any
			fields []string
		}{
			{"reached without answers", callBody(1, at, "reached", nil), []string{"answers"}},
			{"missing answers are not no", callBody(2, at, "reached", answers(map[string]any{"charged_fee": nil, "negligent": nil, "satisfied": nil, "suggestion": nil, "answered_by": nil})),
				[]string{"answers.charged_fee", "answers.negligent", "answers.satisfied", "answers.suggestion", "answers.answered_by"}},
			{"fee yes without note", callBody(3, at, "reached", answers(map[string]any{"charged_fee": "yes"})), []string{"answers.charged_fee_note"}},
			{"negligent yes without note", callBody(4, at, "reached", answers(map[string]any{"negligent": "yes", "negligent_note": ""})), []string{"answers.negligent_note"}},
			{"family without relationship", callBody(5, at, "reached", answers(map[string]any{"answered_by": "family"})), []string{"answers.relationship"}},
			{"dissatisfied without about", callBody(6, at, "reached", answers(map[string]any{"satisfied": "dissatisfied"})), []string{"answers.dissatisfied_about"}},
			{"bad values", callBody(7, at, "reached", answers(map[string]any{"charged_fee": "maybe", "satisfied": "ok"})), []string{"answers.charged_fee", "answers.satisfied"}},
			{"no_answer with answers", callBody(8, at, "no_answer", answers(nil)), []string{"answers"}},
			{"unknown outcome", callBody(9, at, "hung_up", nil), []string{"outcome"}},
			{"no client_id or time", map[string]any{"outcome": "busy"}, []string{"client_id", "called_at"}},
			{"client_id not a UUID", map[string]any{"client_id": "abc", "called_at": at, "outcome": "busy"}, []string{"client_id"}},
		} {
			r := cw.call(t, "staff", kase, tc.body, http.StatusUnprocessableEntity)
			got := errFields(t, r)
			for _, f := range tc.fields {
				if got[f] == "" {
					t.Errorf("%d %s: field %s not named in %v", i, tc.name, f, got)
				}
			}
			if len(got) != len(tc.fields) {
				t.Errorf("%d %s: fields %v, want exactly %v", i, tc.name, got, tc.fields)
			}
		}
		if n := countRows(t, cw.e, "calls", "1 = 1"); n != 0 {
			t.Errorf("%d calls stored from invalid requests", n)
		}
		if a := cw.assignmentRow(t, kase); a.Attempts != 0 || a.Status != "pending" {
			t.Errorf("summary changed by invalid requests: %+v", a)
		}
	})
}

// Only the assigned caller or a manager records: other staff do not see the case (404), other
// roles may never record calls (403).
func TestCallAccess(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		e, w := cw.e, cw.w
		w.Users["staff2"] = e.CreateUser(w.Admin, "staff2", w.AidCenter, "staff")
		w.Tokens["staff2"], _ = e.Login("staff2", testenv.Password("staff2"))
		mine := cw.caseFor(t, "staff", "营盘镇")
		theirs := cw.caseFor(t, "staff2", "营盘镇")
		unassigned := cw.caseFor(t, "", "营盘镇")
		at := "2024-05-24T10:00:00+08:00"
		for i, tc := range []struct {
			user, kase string
			status     int
		}{
			{"staff2", mine, http.StatusNotFound},
			{"staff", theirs, http.StatusNotFound},
			{"staff", unassigned, http.StatusNotFound},
			{"firm_staff", mine, http.StatusNotFound},
			{"staff", "99999999", http.StatusNotFound},
			{"reviewer", mine, http.StatusForbidden},
			{"handler", mine, http.StatusForbidden},
			{"auditor", mine, http.StatusForbidden},
			{"staff", mine, http.StatusCreated},
			{"staff2", theirs, http.StatusCreated},
			{"manager", unassigned, http.StatusCreated},
		} {
			cw.call(t, tc.user, tc.kase, callBody(100+i, at, "busy", nil), tc.status)
		}
		if n := countRows(t, e, "calls", "1 = 1"); n != 3 {
			t.Errorf("%d calls stored, want 3", n)
		}
		testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/campaigns/999/cases/"+mine+"/calls", w.Tokens["staff"], callBody(200, at, "busy", nil)), http.StatusNotFound)
	})
}

// The phase engine judges called_at: the calls phase's last day lasts until 23:59:59 in
// Asia/Shanghai; an upload after the end within the grace is accepted and marked late.
func TestCallPhaseBoundary(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		kase := cw.caseFor(t, "staff", "营盘镇")
		cw.e.Clock.Set(time.Date(2024, 6, 16, 8, 0, 0, 0, time.FixedZone("CST", 8*3600)))
		relogin(cw.e, cw.w, "staff")
		m := cw.call(t, "staff", kase, callBody(1, "2024-06-15T23:59:00+08:00", "no_answer", nil), http.StatusCreated).Map(t)
		if m["late"] != true {
			t.Errorf("last-minute call uploaded next morning: late %v, want true", m["late"])
		}
		r := cw.call(t, "staff", kase, callBody(2, "2024-06-16T00:00:00+08:00", "no_answer", nil), http.StatusConflict)
		if r.Code() != "phase_closed" {
			t.Errorf("code %q, want phase_closed", r.Code())
		}
		r = cw.call(t, "staff", kase, callBody(3, "2024-05-23T15:59:59Z", "no_answer", nil), http.StatusConflict)
		if r.Code() != "phase_closed" {
			t.Errorf("before the phase: code %q, want phase_closed", r.Code())
		}
		var late []bool
		cw.e.App.DB.Table("calls").Pluck("late", &late)
		if !slices.Equal(late, []bool{true}) {
			t.Errorf("stored late flags %v, want [true]", late)
		}
	})
}
