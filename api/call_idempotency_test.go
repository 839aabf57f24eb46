package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"fayuan/internal/testenv"
)

// The same call sent 50 times at once to two server processes on one database creates one
// record, counted once; every answer carries that record. The same client_id with another body
// is 409; another user's identical client_id is their own record.
func TestCallIdempotentAcrossReplicas(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		e, w := cw.e, cw.w
		kase := cw.caseFor(t, "staff", "营盘镇")
		servers := []*httptest.Server{httptest.NewServer(e.App.Handler), httptest.NewServer(e.Replica().Handler)}
		for _, s := range servers {
			defer s.Close()
		}
		body, _ := json.Marshal(callBody(1, "2024-05-24T09:30:00+08:00", "reached", answers(map[string]any{"charged_fee": "yes", "charged_fee_note": "收了 500 元"})))
		const n = 50
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
				req, _ := http.NewRequest(http.MethodPost, servers[i%2].URL+cw.callPath(kase), bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+w.Tokens["staff"])
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
		created, replayed := 0, 0
		for i := range n {
			switch status[i] {
			case http.StatusCreated:
				created++
			case http.StatusOK:
				replayed++
			default:
				t.Errorf("request %d: status %d", i, status[i])
			}
			if ids[i] == "" || ids[i] != ids[0] {
				t.Errorf("request %d answered record %q, want %q", i, ids[i], ids[0])
			}
		}
		if t.Failed() { // show why the server failed
			for _, l := range bytes.Split(e.Logs.Bytes(), []byte("\n")) {
				if bytes.Contains(l, []byte("request failed")) {
					t.Logf("first failure: %s", l)
					break
				}
			}
		}
		if created != 1 || replayed != n-1 {
			t.Errorf("%d created and %d replayed, want 1 and %d", created, replayed, n-1)
		}
		if c := countRows(t, e, "calls", "1 = 1"); c != 1 {
			t.Errorf("%d call rows, want 1", c)
		}
		if a := cw.assignmentRow(t, kase); a.Attempts != 1 || a.Status != "reached" {
			t.Errorf("summary %+v, want one attempt, reached", a)
		}
		if c := countRows(t, e, "alerts", "1 = 1"); c != 1 {
			t.Errorf("%d alerts, want 1", c)
		}
		if c := countAudit(t, e, "call.record"); c != 1 {
			t.Errorf("%d call.record audit rows, want 1", c)
		}

		// The same client_id with another body: 409, and nothing changes.
		other := callBody(1, "2024-05-24T09:30:00+08:00", "no_answer", nil)
		if r := cw.call(t, "staff", kase, other, http.StatusConflict); r.Code() != "client_id_conflict" {
			t.Errorf("code %q, want client_id_conflict", r.Code())
		}
		// The same body again, even with the time written in UTC, is the same record.
		var again map[string]any
		_ = json.Unmarshal(body, &again)
		again["called_at"] = "2024-05-24T01:30:00Z"
		if m := cw.call(t, "staff", kase, again, http.StatusOK).Map(t); m["id"] != ids[0] {
			t.Errorf("replay answered %v, want record %s", m["id"], ids[0])
		}
		// A manager's record under the same client_id is the manager's own.
		if m := cw.call(t, "manager", kase, callBody(1, "2024-05-24T11:00:00+08:00", "busy", nil), http.StatusCreated).Map(t); m["id"] == ids[0] {
			t.Errorf("another user's client_id reached the staff member's record")
		}
		if c := countRows(t, e, "calls", "1 = 1"); c != 2 {
			t.Errorf("%d call rows, want 2", c)
		}
	})
}
