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

// Two server processes on one database, each behind its own HTTP server, assign the same phase
// at the same moment: no case is given twice, and together they give every case once.
func TestAssignmentTwoReplicasAtOnce(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		cid := startCampaign(t, e, w)
		staff2 := e.CreateUser(w.Admin, "staff2", w.AidCenter, "staff")
		const n = 120
		for i := range n {
			putCase(t, e, campaignCase{Closed: "2022-01-01", Town: []string{"营盘镇", "下梁镇", "曹坪镇"}[i%3]})
		}
		servers := []*httptest.Server{httptest.NewServer(e.App.Handler), httptest.NewServer(e.Replica().Handler)}
		for _, s := range servers {
			defer s.Close()
		}
		for _, phase := range []string{"calls", "visits"} {
			body, _ := json.Marshal(map[string]any{"phase": phase, "staff_ids": []string{w.Users["staff"], staff2}})
			var (
				start   = make(chan struct{})
				wg      sync.WaitGroup
				results = make([]assignResult, 4)
			)
			for i := range results {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req, _ := http.NewRequest(http.MethodPost, servers[i%2].URL+"/api/v1/campaigns/"+cid+"/assignments", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+w.Tokens[[]string{"manager", "centre_manager"}[i%2]])
					<-start
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					defer resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						t.Errorf("%s run %d: status %d", phase, i, resp.StatusCode)
						return
					}
					_ = json.NewDecoder(resp.Body).Decode(&results[i])
				}()
			}
			close(start)
			wg.Wait()
			total := 0
			for _, r := range results {
				total += r.Assigned
			}
			if total != n {
				t.Errorf("%s: the runs report %d assigned in all, want %d", phase, total, n)
			}
			var rows, distinct int64
			e.App.DB.Table("case_assignments").Where("campaign_id = ? AND phase = ?", parseWireID(t, cid), phase).Count(&rows)
			e.App.DB.Table("case_assignments").Where("campaign_id = ? AND phase = ?", parseWireID(t, cid), phase).Distinct("case_id").Count(&distinct)
			if rows != n || distinct != n {
				t.Errorf("%s: %d rows for %d cases, want %d each", phase, rows, distinct, n)
			}
			var events int64
			e.App.DB.Table("assignment_events").Where("campaign_id = ? AND phase = ?", parseWireID(t, cid), phase).Count(&events)
			if events != n {
				t.Errorf("%s: %d history rows, want %d", phase, events, n)
			}
		}
	})
}
