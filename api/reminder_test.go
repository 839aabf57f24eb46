package api_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"fayuan/config"
	"fayuan/internal/testenv"
	"fayuan/model"
	"fayuan/service"
)

// A subscribed staff member gets exactly one message with the configured template and fields
// within WeChat's limits; one without a subscription gets none and is recorded skipped; WeChat's
// 43101 is recorded failed and the run goes on; the same day twice sends nothing new.
func TestRemindersSendOncePerSubscribedStaff(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newRemEnv(t, b, true, true)
		refused, refusedTok := x.staff("rem_refused") // created first: its failure comes before the others' sends
		ok, okTok := x.staff("rem_ok")
		unsub, _ := x.staff("rem_unsub")
		unbound, unboundTok := x.staff("rem_unbound")
		idle, idleTok := x.staff("rem_idle")

		x.bind(refused, "oid-refused")
		x.bind(ok, "oid-ok")
		x.bind(unsub, "oid-unsub")
		x.bind(idle, "oid-idle")
		// Without a binding there is nothing to subscribe with.
		if r := x.Do(http.MethodPost, "/api/v1/me/subscriptions", unboundTok, map[string]any{"template_ids": []string{tmplReminder}}); r.Status != http.StatusConflict || r.Code() != "wechat_not_bound" {
			t.Fatalf("subscribe without binding: %d %s", r.Status, r.Body)
		}
		if r := x.Do(http.MethodPost, "/api/v1/me/subscriptions", okTok, map[string]any{"template_ids": []string{"someone-elses"}}); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("unknown template: %d %s", r.Status, r.Body)
		}
		got := x.subscribe(okTok, 2, tmplReminder)
		if len(got.Items) != 1 || got.Items[0].TemplateID != tmplReminder || got.Items[0].Remaining != 2 {
			t.Fatalf("subscriptions = %+v, want %s × 2", got, tmplReminder)
		}
		x.subscribe(refusedTok, 2, tmplReminder) // 43101 says none is left, whatever the count
		x.subscribe(idleTok, 1, tmplReminder)
		x.fake.Unsubscribe("oid-refused")

		x.cases(refused, 2, model.AssignmentPending)
		x.cases(ok, 3, model.AssignmentPending)
		x.cases(ok, 1, model.AssignmentReached)
		x.cases(unsub, 1, model.AssignmentPending)
		x.cases(unbound, 1, model.AssignmentPending)
		x.cases(idle, 2, model.AssignmentReached) // nothing pending: no message

		rep := x.run("2024-05-24")
		if rep != (service.RunReport{Sent: 1, Failed: 1, Skipped: 2}) {
			t.Fatalf("report = %+v", rep)
		}
		msgs := x.fake.SubscribeMessages()
		if len(msgs) != 1 || msgs[0].ToUser != "oid-ok" || msgs[0].TemplateID != tmplReminder {
			t.Fatalf("messages = %+v, want one to oid-ok with %s", msgs, tmplReminder)
		}
		m := msgs[0]
		checkFields(t, m)
		if m.Data["number2"] != "3" || m.Data["number3"] != "23" || m.Data["date4"] != "2024-06-15" {
			t.Fatalf("data = %v, want 3 pending, 23 days left, ending 2024-06-15", m.Data)
		}
		if t1 := m.Data["thing1"]; !strings.HasPrefix(t1, "电话回访·柞水县") || !strings.HasSuffix(t1, "…") || utf8.RuneCountInString(t1) != 20 {
			t.Fatalf("thing1 = %q, want the phase and the campaign name cut to 20 characters", t1)
		}
		if x.remaining(ok, tmplReminder) != 1 || x.remaining(refused, tmplReminder) != 0 || x.remaining(idle, tmplReminder) != 1 {
			t.Fatalf("remaining: ok %d (want 1), refused %d (want 0), idle %d (want 1)",
				x.remaining(ok, tmplReminder), x.remaining(refused, tmplReminder), x.remaining(idle, tmplReminder))
		}

		recs := x.records()
		want := map[uint64]string{ok: model.NotifySent, refused: model.NotifyFailed, unsub: model.NotifySkippedNotSubscribed, unbound: model.NotifySkippedNotBound}
		if len(recs) != len(want) {
			t.Fatalf("records = %+v, want %d", recs, len(want))
		}
		for u, status := range want {
			r, found := recs[wireID(u)+" staff_reminder 2024-05-24"]
			if !found || r.Status != status || r.TemplateID != tmplReminder || r.Phase != "calls" || r.DaysLeft != 23 {
				t.Fatalf("record of user %d = %+v (found %v), want %s", u, r, found, status)
			}
		}
		if r := recs[wireID(refused)+" staff_reminder 2024-05-24"]; r.ErrCode == nil || *r.ErrCode != 43101 || r.Pending != 2 {
			t.Fatalf("failed record = %+v, want errcode 43101 and 2 pending", r)
		}

		// The same day again, and a second replica: nothing new, nothing recorded twice.
		x.subscribe(okTok, 1, tmplReminder)
		if rep := x.run("2024-05-24"); rep != (service.RunReport{}) {
			t.Fatalf("second run report = %+v, want nothing", rep)
		}
		if n := len(x.fake.SubscribeMessages()); n != 1 {
			t.Fatalf("%d messages after the rerun, want 1", n)
		}
		if len(x.records()) != len(want) {
			t.Fatal("the rerun added records")
		}
		// The next day is a new day.
		if rep := x.run("2024-05-25"); rep.Sent != 1 || len(x.messagesTo("oid-ok", tmplReminder)) != 2 {
			t.Fatalf("next day: %+v, %d messages to oid-ok", rep, len(x.messagesTo("oid-ok", tmplReminder)))
		}
		// WeChat unreachable: recorded failed, the run succeeds, and the subscription is kept.
		x.fake.SetHTTPStatus(http.StatusBadGateway)
		if rep := x.run("2024-05-26"); rep.Failed != 1 || rep.Sent != 0 {
			t.Fatalf("WeChat down: %+v", rep)
		}
		if r := x.records()[wireID(ok)+" staff_reminder 2024-05-26"]; r.Status != model.NotifyFailed || r.Error == "" {
			t.Fatalf("record while WeChat is down = %+v", r)
		}
		if n := x.remaining(ok, tmplReminder); n != 1 {
			t.Fatalf("remaining after a failed send = %d, want 1 (kept)", n)
		}
	})
}

// Two replicas running the same day at the same moment send each message once.
func TestRemindersTwoReplicasSendOnce(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newRemEnv(t, b, true, true)
		var toks []string
		for i, name := range []string{"rep_a", "rep_b", "rep_c"} {
			id, tok := x.staff(name)
			x.bind(id, "oid-"+name)
			x.cases(id, i+1, model.AssignmentPending)
			toks = append(toks, tok)
			x.subscribe(tok, 3, tmplReminder)
		}
		other := x.Replica()
		day := time.Date(2024, 5, 30, 8, 30, 0, 0, model.Shanghai)
		var wg sync.WaitGroup
		reps := make([]service.RunReport, 2)
		errs := make([]error, 2)
		for i, r := range []*service.Reminders{x.App.Reminders, other.Reminders} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				reps[i], errs[i] = r.RunDaily(context.Background(), day)
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("runs: %v, %v", errs[0], errs[1])
		}
		if n := len(x.fake.SubscribeMessages()); n != 3 || reps[0].Sent+reps[1].Sent != 3 {
			t.Fatalf("%d messages, reports %+v, want 3 in all", n, reps)
		}
	})
}

// Managers hear about staff behind pace only in the last 3 days of the phase.
func TestRemindersManagerSummary(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newRemEnv(t, b, true, true)
		staff, staffTok := x.staff("sum_staff")
		x.bind(staff, "oid-sum-staff")
		x.subscribe(staffTok, 5, tmplReminder)
		mgr := parseWireID(t, x.w.Users["manager"])
		x.bind(mgr, "oid-manager")
		x.subscribe(x.w.Tokens["manager"], 3, tmplSummary)
		centre := parseWireID(t, x.w.Users["centre_manager"])
		x.bind(centre, "oid-centre") // bound but never subscribed

		reopen := x.cases(staff, 6, model.AssignmentPending)[:5]
		x.cases(staff, 5, model.AssignmentReached)
		setStatus := func(status string) {
			t.Helper()
			if err := x.App.DB.Model(&model.CaseAssignment{}).Where("campaign_id = ? AND case_id IN ?", x.cid, reopen).
				Update("status", status).Error; err != nil {
				t.Fatal(err)
			}
		}

		// 06-12: 4 days left, 19 elapsed: 6 pending × 19 > 5 done × 4 is behind, but too early.
		// 06-13: 3 days left, 20 elapsed, five more done: 1 pending × 20 ≤ 10 done × 3, on pace.
		for _, day := range []string{"2024-06-12", "2024-06-13"} {
			x.run(day)
			if n := len(x.messagesTo("oid-manager", tmplSummary)); n != 0 {
				t.Fatalf("%s: %d summaries, want none", day, n)
			}
			setStatus(model.AssignmentReached)
		}
		if n := len(x.messagesTo("oid-sum-staff", tmplReminder)); n != 2 {
			t.Fatalf("staff got %d reminders, want 2", n)
		}
		// 06-14: the five reopened — 6 pending × 21 > 5 done × 2: behind.
		setStatus(model.AssignmentPending)
		x.run("2024-06-14")
		x.run("2024-06-14")
		sums := x.messagesTo("oid-manager", tmplSummary)
		if len(sums) != 1 {
			t.Fatalf("%d summaries to the manager, want 1", len(sums))
		}
		checkFields(t, sums[0])
		if d := sums[0].Data; d["number2"] != "6" || d["number3"] != "2" || d["thing5"] != "1人进度落后，请督促" {
			t.Fatalf("summary data = %v", d)
		}
		if len(x.messagesTo("oid-centre", tmplSummary)) != 0 {
			t.Fatal("the unsubscribed manager got a summary")
		}
		recs := x.records()
		if r := recs[wireID(centre)+" manager_summary 2024-06-14"]; r.Status != model.NotifySkippedNotSubscribed {
			t.Fatalf("centre manager's record = %+v", r)
		}
		if r := recs[wireID(mgr)+" manager_summary 2024-06-14"]; r.Status != model.NotifySent || r.TemplateID != tmplSummary {
			t.Fatalf("manager's record = %+v", r)
		}
		for k := range recs {
			if strings.Contains(k, "manager_summary") && !strings.HasSuffix(k, "2024-06-14") {
				t.Fatalf("summary recorded on another day: %s", k)
			}
		}
	})
}

// Without WeChat, or without a template, everything is recorded skipped and the run succeeds.
func TestRemindersNotConfigured(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		for _, c := range []struct {
			name              string
			wechat, templates bool
		}{{"no wechat", false, true}, {"no template", true, false}} {
			t.Run(c.name, func(t *testing.T) {
				x := newRemEnv(t, b, c.wechat, c.templates)
				staff, tok := x.staff("nc_staff")
				x.bind(staff, "oid-nc")
				if c.templates {
					x.subscribe(tok, 1, tmplReminder)
				}
				x.cases(staff, 2, model.AssignmentPending)
				if rep := x.run("2024-05-24"); rep != (service.RunReport{Skipped: 1}) {
					t.Fatalf("report = %+v", rep)
				}
				if r := x.records()[wireID(staff)+" staff_reminder 2024-05-24"]; r.Status != model.NotifySkippedNotConfigured {
					t.Fatalf("record = %+v", r)
				}
				if c.templates && x.remaining(staff, tmplReminder) != 1 {
					t.Fatal("a skipped reminder used up the subscription")
				}
				if x.fake != nil && len(x.fake.SubscribeMessages()) != 0 {
					t.Fatal("a message went out without a template")
				}
			})
		}
	})
}

// The schedule runs the job once a day, from the configured time on (Asia/Shanghai).
func TestReminderSchedule(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newRemEnv(t, b, true, true)
		staff, tok := x.staff("sch_staff")
		x.bind(staff, "oid-sch")
		x.subscribe(tok, 5, tmplReminder)
		x.cases(staff, 1, model.AssignmentPending)
		s, err := service.NewReminderSchedule(x.App.Reminders, "08:30")
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for _, step := range []struct {
			at   string
			runs bool
			sent int
		}{
			{"2024-05-25T08:29:59+08:00", false, 0},
			{"2024-05-25T08:30:00+08:00", true, 1},
			{"2024-05-25T17:00:00+08:00", false, 1},
			{"2024-05-26T00:10:00+08:00", false, 1},
			{"2024-05-26T09:45:00+08:00", true, 2},
		} {
			at, _ := time.Parse(time.RFC3339, step.at)
			x.Clock.Set(at)
			if ran := s.Tick(ctx); ran != step.runs {
				t.Fatalf("%s: ran %v, want %v", step.at, ran, step.runs)
			}
			if n := len(x.fake.SubscribeMessages()); n != step.sent {
				t.Fatalf("%s: %d messages, want %d", step.at, n, step.sent)
			}
		}
	})
}

// The server runs the schedule itself when a time is configured (at start when it is past that
// time), and never when it is off; Close stops it.
func TestReminderScheduleStartsWithServer(t *testing.T) {
	for _, at := range []string{"08:30", ""} {
		e := testenv.New(t, testenv.SQLite, func(c *config.Config) { c.ReminderTime = at })
		ran := false
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline) && !ran; time.Sleep(20 * time.Millisecond) {
			ran = strings.Contains(string(e.Logs.Bytes()), `"msg":"reminders run"`)
		}
		if ran != (at != "") {
			t.Fatalf("reminder time %q: ran %v", at, ran)
		}
		e.App.Close()
	}
}
