package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"fayuan/internal/testenv"
)

// The same visit sent 20 times at once, to two server processes, stores one visit, one set of
// participants, one alert and one audit row; every answer carries that visit.
func TestVisitIdempotentConcurrent(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		vw := newVisitWorld(t, b, nil)
		kase := vw.visitCase(t, "staff", "营盘镇")
		servers := []*httptest.Server{httptest.NewServer(vw.e.App.Handler), httptest.NewServer(vw.e.Replica().Handler)}
		for _, s := range servers {
			defer s.Close()
		}
		body := visitBody(1, "2024-06-17T09:30:00+08:00", answers(map[string]any{"negligent": "yes", "negligent_note": "门难进"}))
		body["participants"] = map[string]any{"cadres": []string{"营盘镇司法所 李四"}}
		raw, _ := json.Marshal(body)
		const n = 20
		var (
			start  = make(chan struct{})
			wg     sync.WaitGroup
			status = make([]int, n)
			ids    = make([]string, n)
		)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest(http.MethodPost, servers[i%2].URL+vw.visitPath(kase), bytes.NewReader(raw))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+vw.w.Tokens["staff"])
				<-start
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				defer resp.Body.Close()
				status[i] = resp.StatusCode
				var out struct {
					ID string `json:"id"`
				}
				_ = json.NewDecoder(resp.Body).Decode(&out)
				ids[i] = out.ID
			}()
		}
		close(start)
		wg.Wait()
		created := 0
		for i := range n {
			switch status[i] {
			case http.StatusCreated:
				created++
			case http.StatusOK:
			default:
				t.Errorf("request %d: status %d", i, status[i])
			}
			if ids[i] == "" || ids[i] != ids[0] {
				t.Errorf("request %d answered visit %q, want %q", i, ids[i], ids[0])
			}
		}
		if created != 1 {
			t.Errorf("%d created, want 1", created)
		}
		for table, want := range map[string]int64{"visits": 1, "visit_participants": 1, "alerts": 1} {
			if got := countRows(t, vw.e, table, "1 = 1"); got != want {
				t.Errorf("%d %s rows, want %d", got, table, want)
			}
		}
		if got := countAudit(t, vw.e, "visit.record"); got != 1 {
			t.Errorf("%d visit.record audit rows", got)
		}
	})
}

// Only the staff member assigned to visit the case, or a manager, records a visit; a visit is
// seen by its visitor, the staff who went along and managers — another staff member gets 404,
// a handler may never use visits (403).
func TestVisitAccess(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		vw := newVisitWorld(t, b, nil)
		e, w := vw.e, vw.w
		w.Users["staff2"] = e.CreateUser(w.Admin, "staff2", w.AidCenter, "staff")
		w.Tokens["staff2"], _ = e.Login("staff2", testenv.Password("staff2"))
		w.Users["staff3"] = e.CreateUser(w.Admin, "staff3", w.JudOffice, "staff")
		w.Tokens["staff3"], _ = e.Login("staff3", testenv.Password("staff3"))
		mine := vw.visitCase(t, "staff", "营盘镇")
		at := "2024-06-17T09:00:00+08:00"
		for i, tc := range []struct {
			user   string
			status int
		}{
			{"staff2", http.StatusNotFound}, {"firm_staff", http.StatusNotFound}, {"handler", http.StatusForbidden},
			{"reviewer", http.StatusForbidden}, {"auditor", http.StatusForbidden},
		} {
			vw.visit(t, tc.user, mine, visitBody(100+i, at, answers(nil)), tc.status)
		}
		if n := countRows(t, e, "visits", "1 = 1"); n != 0 {
			t.Fatalf("%d visits stored by people who may not record", n)
		}
		body := visitBody(1, at, answers(nil))
		body["participants"] = map[string]any{"staff_ids": []string{w.Users["staff3"]}}
		id := vw.visit(t, "staff", mine, body, http.StatusCreated).Map(t)["id"].(string)
		// A manager records too, on a case of the campaign that nobody was given.
		other := vw.visitCase(t, "", "营盘镇")
		vw.visit(t, "manager", other, visitBody(2, at, answers(nil)), http.StatusCreated)

		for user, want := range map[string]int{"staff": 200, "staff3": 200, "manager": 200, "centre_manager": 200,
			"staff2": 404, "firm_staff": 404, "handler": 403, "reviewer": 403} {
			r := testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/visits/"+id, w.Tokens[user], nil), want)
			if want == 404 && r.Code() != "visit_not_found" {
				t.Errorf("%s: %s", user, r.Code())
			}
		}
		// The service's check, which the photos reuse, says 404 to everyone who may not see it.
		for _, user := range []string{"staff2", "handler", "reviewer"} {
			by := actorOf(t, vw, user)
			if _, err := e.App.Visits.Visible(context.Background(), by, parseID(t, id)); errCode(err) != "visit_not_found" {
				t.Errorf("Visible as %s: %v", user, err)
			}
		}
		for _, user := range []string{"staff", "staff3", "manager"} {
			if v, err := e.App.Visits.Visible(context.Background(), actorOf(t, vw, user), parseID(t, id)); err != nil || v == nil {
				t.Errorf("Visible as %s: %v", user, err)
			}
		}
	})
}

// A visit is deleted by a manager at any time, by its visitor within 24 hours; a participant
// may not, others see nothing. The OnDelete hooks run after the commit, and the case's visits
// assignment goes back to pending.
func TestVisitDelete(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		vw := newVisitWorld(t, b, nil)
		e, w := vw.e, vw.w
		var mu sync.Mutex
		var hooked []uint64
		e.App.Visits.OnDelete(func(ctx context.Context, id uint64) error {
			// The visit is already gone when the hook runs.
			if n := countRows(t, e, "visits", "id = ?", id); n != 0 {
				t.Errorf("hook saw visit %d still stored", id)
			}
			mu.Lock()
			hooked = append(hooked, id)
			mu.Unlock()
			return nil
		})
		w.Users["staff2"] = e.CreateUser(w.Admin, "staff2", w.AidCenter, "staff")
		w.Tokens["staff2"], _ = e.Login("staff2", testenv.Password("staff2"))
		kase := vw.visitCase(t, "staff", "营盘镇")
		at := "2024-06-17T09:00:00+08:00"
		body := visitBody(1, at, answers(map[string]any{"charged_fee": "yes", "charged_fee_note": "收了 200 元"}))
		body["participants"] = map[string]any{"staff_ids": []string{w.Users["centre_manager"], w.Users["staff2"]}, "cadres": []string{"村干部 赵六"}}
		first := vw.visit(t, "staff", kase, body, http.StatusCreated).Map(t)["id"].(string)
		second := vw.visit(t, "staff", kase, visitBody(2, at, answers(nil)), http.StatusCreated).Map(t)["id"].(string)

		testenv.Expect(t, e.Do(http.MethodDelete, "/api/v1/visits/"+first, w.Tokens["firm_staff"], nil), http.StatusNotFound)
		testenv.Expect(t, e.Do(http.MethodDelete, "/api/v1/visits/"+first, w.Tokens["handler"], nil), http.StatusForbidden)
		if r := testenv.Expect(t, e.Do(http.MethodDelete, "/api/v1/visits/"+first, w.Tokens["staff2"], nil), http.StatusForbidden); r.Code() != "not_visitor" {
			t.Errorf("a participant deleting: %s", r.Code())
		}
		testenv.Expect(t, e.Do(http.MethodDelete, "/api/v1/visits/"+first, w.Tokens["staff"], nil), http.StatusNoContent)
		testenv.Expect(t, e.Do(http.MethodDelete, "/api/v1/visits/"+first, w.Tokens["staff"], nil), http.StatusNotFound)
		if n := countRows(t, e, "visit_participants", "visit_id = ?", parseWireID(t, first)); n != 0 {
			t.Errorf("%d participants left", n)
		}
		if n := countRows(t, e, "alerts", "channel = 'visit'"); n != 1 {
			t.Errorf("%d alerts, want the visit's alert kept", n)
		}
		e.Clock.Advance(25 * time.Hour)
		relogin(e, w, "staff", "manager")
		r := testenv.Expect(t, e.Do(http.MethodDelete, "/api/v1/visits/"+second, w.Tokens["staff"], nil), http.StatusForbidden)
		if r.Code() != "delete_window_closed" {
			t.Errorf("late delete: %s", r.Code())
		}
		testenv.Expect(t, e.Do(http.MethodDelete, "/api/v1/visits/"+second, w.Tokens["manager"], nil), http.StatusNoContent)
		if len(hooked) != 2 || hooked[0] != parseWireID(t, first) || hooked[1] != parseWireID(t, second) {
			t.Errorf("hooks ran for %v", hooked)
		}
		if n := countAudit(t, e, "visit.delete"); n != 2 {
			t.Errorf("%d visit.delete audit rows", n)
		}
		var status string
		e.App.DB.Table("case_assignments").Where("phase = 'visits' AND case_id = ?", parseWireID(t, kase)).Pluck("status", &status)
		if status != "pending" {
			t.Errorf("assignment %s after every visit was deleted, want pending", status)
		}
	})
}
