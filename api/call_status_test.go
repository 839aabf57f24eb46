package api_test

import (
	"net/http"
	"testing"
	"time"

	"fayuan/internal/testenv"
)

var cst = time.FixedZone("CST", 8*3600)

// The follow-up status machine, driven through the API with the fake clock moved to each call:
// unreachable needs the attempts spread over distinct Asia/Shanghai days, refused and reached
// are final, and a call after reached is an extra contact that changes no counts.
func TestCallStatusMachine(t *testing.T) {
	day1 := time.Date(2024, 5, 24, 9, 0, 0, 0, cst)
	type attempt struct {
		at      time.Time
		outcome string
	}
	for _, tc := range []struct {
		name     string
		calls    []attempt
		status   string
		attempts int
		last     string
	}{
		{"3 attempts on one day stay pending", []attempt{{day1, "no_answer"}, {day1.Add(3 * time.Hour), "busy"}, {day1.Add(6 * time.Hour), "powered_off"}}, "pending", 3, "powered_off"},
		{"the 3rd attempt on a 2nd day is unreachable", []attempt{{day1, "no_answer"}, {day1.Add(3 * time.Hour), "busy"}, {day1.Add(24 * time.Hour), "no_answer"}}, "unreachable", 3, "no_answer"},
		// 23:30 and 00:30 the next morning are two days in Shanghai though one day in UTC.
		{"days are Shanghai days", []attempt{{day1, "no_answer"}, {day1.Add(14*time.Hour + 30*time.Minute), "busy"}, {day1.Add(15*time.Hour + 30*time.Minute), "wrong_number"}}, "unreachable", 3, "wrong_number"},
		{"2 attempts on 2 days stay pending", []attempt{{day1, "no_answer"}, {day1.Add(24 * time.Hour), "busy"}}, "pending", 2, "busy"},
		{"refused", []attempt{{day1, "no_answer"}, {day1.Add(3 * time.Hour), "refused"}}, "refused", 2, "refused"},
		{"refused stays refused", []attempt{{day1, "refused"}, {day1.Add(24 * time.Hour), "no_answer"}, {day1.Add(48 * time.Hour), "busy"}}, "refused", 3, "busy"},
		{"reached stays reached after a later no_answer", []attempt{{day1, "no_answer"}, {day1.Add(3 * time.Hour), "reached"}, {day1.Add(24 * time.Hour), "no_answer"}}, "reached", 2, "reached"},
		{"unreachable then reached", []attempt{{day1, "no_answer"}, {day1.Add(3 * time.Hour), "busy"}, {day1.Add(24 * time.Hour), "busy"}, {day1.Add(27 * time.Hour), "reached"}}, "reached", 4, "reached"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
				cw := newCallWorld(t, b)
				kase := cw.caseFor(t, "staff", "营盘镇")
				for i, c := range tc.calls {
					cw.e.Clock.Set(c.at.Add(time.Minute))
					relogin(cw.e, cw.w, "staff")
					var ans map[string]any
					if c.outcome == "reached" {
						ans = answers(nil)
					}
					cw.call(t, "staff", kase, callBody(i, c.at.Format(time.RFC3339), c.outcome, ans), http.StatusCreated)
				}
				a := cw.assignmentRow(t, kase)
				if a.Status != tc.status || a.Attempts != tc.attempts || a.LastOutcome != tc.last {
					t.Errorf("summary status %s attempts %d last %s, want %s %d %s", a.Status, a.Attempts, a.LastOutcome, tc.status, tc.attempts, tc.last)
				}
				extra := countRows(t, cw.e, "calls", "extra = ?", true)
				if want := int64(len(tc.calls) - tc.attempts); extra != want {
					t.Errorf("%d extra contacts, want %d", extra, want)
				}
				list := workList(t, cw)
				if len(list) != 1 || list[0].Status != tc.status || list[0].Attempts != tc.attempts || list[0].LastOutcome == nil || *list[0].LastOutcome != tc.last {
					t.Errorf("work list %+v", list)
				}
				if reached := tc.status == "reached"; reached != (list[0].AnswersSoFar["charged_fee"] == "no") {
					t.Errorf("answers_so_far %v for status %s", list[0].AnswersSoFar, tc.status)
				}
			})
		})
	}
}

type workListItem struct {
	CaseID       string         `json:"case_id"`
	Status       string         `json:"status"`
	Attempts     int            `json:"attempts"`
	LastOutcome  *string        `json:"last_outcome"`
	AnswersSoFar map[string]any `json:"answers_so_far"`
}

func workList(t *testing.T, cw *callWorld) []workListItem {
	t.Helper()
	r := testenv.Expect(t, cw.e.Do(http.MethodGet, "/api/v1/campaigns/"+cw.campaign+"/follow-ups?phase=calls", cw.w.Tokens["staff"], nil), http.StatusOK)
	var out struct {
		Items []workListItem `json:"items"`
	}
	r.JSON(t, &out)
	return out.Items
}

// The work list puts never-called cases first, then the retries that are due (2 hours since the
// last attempt by default), then retries not yet due, then finished cases; by town within each.
func TestWorkListOrdersRetries(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		finished := cw.caseFor(t, "staff", "A镇")
		notDue := cw.caseFor(t, "staff", "B镇")
		due := cw.caseFor(t, "staff", "C镇")
		never := cw.caseFor(t, "staff", "D镇")
		neverA := cw.caseFor(t, "staff", "A镇")
		at := func(h, m int) time.Time { return time.Date(2024, 5, 24, h, m, 0, 0, cst) }
		for i, c := range []struct {
			kase    string
			at      time.Time
			outcome string
		}{{finished, at(9, 0), "refused"}, {due, at(12, 0), "no_answer"}, {notDue, at(14, 30), "busy"}} {
			cw.e.Clock.Set(c.at)
			relogin(cw.e, cw.w, "staff")
			cw.call(t, "staff", c.kase, callBody(i, c.at.Format(time.RFC3339), c.outcome, nil), http.StatusCreated)
		}
		cw.e.Clock.Set(at(15, 0))
		relogin(cw.e, cw.w, "staff")
		var got []string
		for _, it := range workList(t, cw) {
			got = append(got, it.CaseID)
		}
		want := []string{neverA, never, due, notDue, finished}
		if len(got) != len(want) {
			t.Fatalf("work list %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("work list order %v, want %v (never-called A, D; due C; not due B; finished A)", got, want)
			}
		}
		// Two hours after the busy call the B case is due too, and comes before C by town.
		cw.e.Clock.Set(at(16, 31))
		relogin(cw.e, cw.w, "staff")
		list := workList(t, cw)
		if list[2].CaseID != notDue || list[3].CaseID != due {
			t.Errorf("once both are due, B before C: %v", list)
		}
	})
}
