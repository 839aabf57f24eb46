package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// After a random mix of every write that moves progress — calls of each outcome (yes answers
// opening alerts), corrections both ways, exclusions requested and confirmed, assignment and
// reassignment, case edits moving cases in and out of the scope and between organisations and
// towns, imports, forced scope edits, bursts of concurrent calls on two server processes, then
// visits and visit deletes —
// the progress served from the counters equals the progress computed live from the raw rows,
// figure for figure, and a rebuild from scratch changes nothing.
func TestProgressCountersEqualRawRecords(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		e, w := cw.e, cw.w
		mgr := w.Tokens["manager"]
		seed := uint64(time.Now().UnixNano())
		t.Logf("random mix seed %d", seed)
		rng := rand.New(rand.NewPCG(seed, 11))
		handlers := []uint64{cw.handler, putHandler(t, e, parseWireID(t, w.FirmB), "乙承办人", 0)}
		towns := []string{"营盘镇", "下梁镇", "曹坪镇"}
		closed := []string{"2021-01-01", "2022-06-30", "2023-08-01", "2024-05-20", "2020-12-31", "2019-03-01"} // last two outside
		newCase := func() string {
			src := "application"
			if rng.IntN(8) == 0 {
				src = "notified" // in the review scope only
			}
			return e.CreateCase(mgr, map[string]any{"closed_on": closed[rng.IntN(len(closed))], "accepted_on": "2018-01-01", "source": src,
				"handler_id": wireID(handlers[rng.IntN(2)]), "recipient": map[string]any{"town": towns[rng.IntN(3)]}})
		}
		var cases []string
		for range 30 {
			cases = append(cases, newCase())
		}
		callers := []string{"staff", "firm_staff"}
		runAssign(t, e, w, cw.campaign, map[string]any{"phase": "calls", "staff_ids": []string{w.Users["staff"], w.Users["firm_staff"]}})
		byUser := map[string]string{w.Users["staff"]: "staff", w.Users["firm_staff"]: "firm_staff", w.Users["manager"]: "manager"}
		served := func(step string) {
			t.Helper()
			counted, live := progressJSON(t, e, mgr, cw.campaign, ""), progressJSON(t, e, mgr, cw.campaign, "?live=true")
			if counted != live {
				t.Fatalf("after %s, counters and raw records differ:\ncounters %s\nlive     %s", step, counted, live)
			}
		}
		n := 0
		call := func(caseID string, outcome string) {
			n++
			holder := byUser[fmt.Sprint(phaseHolders(t, e, cw.campaign, "calls")[parseWireID(t, caseID)])]
			if holder == "" || rng.IntN(4) == 0 {
				holder = "manager"
			}
			var ans map[string]any
			if outcome == "reached" {
				ans = answers(nil)
				if rng.IntN(4) == 0 {
					ans = answers(map[string]any{"charged_fee": "yes", "charged_fee_note": "收了两百元"})
				}
			}
			at := testenv.Start.Add(time.Duration(n) * time.Minute).Format(time.RFC3339)
			r := e.Do(http.MethodPost, cw.callPath(caseID), w.Tokens[holder], callBody(40000+n, at, outcome, ans))
			if r.Status != http.StatusCreated && r.Status != http.StatusNotFound { // 404: a manager's call outside the scope
				t.Fatalf("call: %d %s", r.Status, r.Body)
			}
		}
		outcomes := []string{"reached", "no_answer", "busy", "refused", "reached", "powered_off"}
		scopeFrom := []string{"2021-01-01", "2022-01-01"}
		for step := range 90 {
			id := cases[rng.IntN(len(cases))]
			var what string
			switch op := rng.IntN(20); {
			case op < 8:
				what = "call"
				call(id, outcomes[rng.IntN(len(outcomes))])
			case op < 10:
				what = "correction"
				var c model.Call
				if e.App.DB.Order("id DESC").Offset(rng.IntN(5)).Take(&c).Error != nil {
					continue
				}
				body := map[string]any{"version": c.Version, "outcome": "no_answer", "reason": "核对录音后更正"}
				if c.Outcome != "reached" {
					body["outcome"], body["answers"] = "reached", answers(nil)
				}
				testenv.Expect(t, e.Do(http.MethodPatch, "/api/v1/calls/"+wireID(c.ID), mgr, body), http.StatusOK)
			case op < 12:
				what = "exclusion"
				r := e.Do(http.MethodPost, "/api/v1/campaigns/"+cw.campaign+"/exclusions", mgr,
					map[string]any{"case_id": id, "reason": "deceased", "evidence": "死亡证明"})
				if r.Status == http.StatusCreated && rng.IntN(3) > 0 {
					testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/campaigns/"+cw.campaign+"/exclusions/"+r.Map(t)["id"].(string)+"/confirm",
						w.Tokens["centre_manager"], nil), http.StatusOK)
				}
			case op < 14:
				what = "reassignment"
				to := callers[rng.IntN(2)]
				r := e.Do(http.MethodPost, "/api/v1/campaigns/"+cw.campaign+"/assignments", mgr,
					map[string]any{"phase": "calls", "staff_ids": []string{w.Users[to]}, "case_ids": []string{id}})
				testenv.Expect(t, r, http.StatusOK)
			case op < 17:
				what = "case edit"
				var k model.Case
				if err := e.App.DB.Take(&k, parseWireID(t, id)).Error; err != nil {
					t.Fatal(err)
				}
				body := map[string]any{"version": k.Version}
				switch rng.IntN(3) {
				case 0:
					body["closed_on"] = closed[rng.IntN(len(closed))]
				case 1:
					body["recipient"] = map[string]any{"town": towns[rng.IntN(3)]}
				default:
					body["handler_id"] = wireID(handlers[rng.IntN(2)])
				}
				testenv.Expect(t, e.Do(http.MethodPatch, "/api/v1/cases/"+id, mgr, body), http.StatusOK)
			case op == 17:
				what = "import"
				var rows [][]any
				for i := range 3 {
					rows = append(rows, impRow(900+step*3+i, fmt.Sprintf("导入-%d-%d", step, i), closed[rng.IntN(len(closed))]))
				}
				impUpload(t, e, mgr, "", "cases.xlsx", impXLSX(t, impHeader, rows), http.StatusOK)
				var ids []uint64
				e.App.DB.Model(&model.Case{}).Where("case_no LIKE ?", fmt.Sprintf("导入-%d-%%", step)).Pluck("id", &ids)
				for _, v := range ids {
					cases = append(cases, wireID(v))
				}
			case op == 18:
				what = "scope edit"
				testenv.Expect(t, e.Do(http.MethodPatch, "/api/v1/campaigns/"+cw.campaign, mgr, map[string]any{"force": true, "reason": "局务会决定",
					"scopes": map[string]any{"follow_up": map[string]any{"sources": []string{"application"},
						"categories":  []string{"criminal", "civil", "administrative", "non_litigation"},
						"closed_from": scopeFrom[rng.IntN(2)], "closed_to": "2024-05-31"}}}), http.StatusOK)
			default:
				what = "new case"
				cases = append(cases, newCase())
			}
			if step%15 == 0 {
				served(fmt.Sprintf("step %d (%s)", step, what))
			}
		}
		served("the random mix")

		// Concurrent calls on two server processes: every case's holder calls it at once.
		holders := phaseHolders(t, e, cw.campaign, "calls")
		servers := []*httptest.Server{httptest.NewServer(e.App.Handler), httptest.NewServer(e.Replica().Handler)}
		defer servers[0].Close()
		defer servers[1].Close()
		var wg sync.WaitGroup
		errs := make(chan string, len(holders))
		i := 0
		for caseID, user := range holders {
			i++
			o := outcomes[i%len(outcomes)]
			var ans map[string]any
			if o == "reached" {
				ans = answers(nil)
			}
			body, _ := json.Marshal(callBody(60000+i, testenv.Start.Add(3*time.Hour).Format(time.RFC3339), o, ans))
			req, _ := http.NewRequest(http.MethodPost, servers[i%2].URL+cw.callPath(wireID(caseID)), bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+w.Tokens[byUser[wireID(user)]])
			req.Header.Set("Content-Type", "application/json")
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err.Error()
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					errs <- fmt.Sprintf("case %d: %d", caseID, resp.StatusCode)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for msg := range errs {
			t.Errorf("concurrent call: %s", msg)
		}
		served("concurrent calls")

		// In the visits phase a manager visits most cases (reached ones too, so the callers'
		// samples take only some of them), one twice, then deletes a few visits.
		e.Clock.Advance(24*24*time.Hour + time.Hour)
		relogin(e, w, "manager")
		mgr = w.Tokens["manager"]
		at := "2024-06-17T09:00:00+08:00"
		var visitIDs []string
		for i, id := range append(cases, cases[0]) {
			if rng.IntN(5) == 0 {
				continue
			}
			r := e.Do(http.MethodPost, "/api/v1/campaigns/"+cw.campaign+"/cases/"+id+"/visits", mgr, visitBody(500+i, at, answers(nil)))
			switch r.Status {
			case http.StatusCreated:
				visitIDs = append(visitIDs, r.Map(t)["id"].(string))
			case http.StatusNotFound: // a case outside the scope
			default:
				t.Fatalf("visit: %d %s", r.Status, r.Body)
			}
			if i%10 == 0 {
				served(fmt.Sprintf("visit %d", i))
			}
		}
		served("visits")
		var p model.Progress
		if err := json.Unmarshal([]byte(progressJSON(t, e, mgr, cw.campaign, "")), &p); err != nil {
			t.Fatal(err)
		}
		if p.Phases[1].Done == 0 {
			t.Fatalf("no visit counted; this test shows nothing: %+v", p.Phases[1])
		}
		for range 3 {
			i := rng.IntN(len(visitIDs))
			testenv.Expect(t, e.Do(http.MethodDelete, "/api/v1/visits/"+visitIDs[i], mgr, nil), http.StatusNoContent)
			visitIDs = append(visitIDs[:i], visitIDs[i+1:]...)
			served("a visit delete")
		}

		var built int64
		e.App.DB.Model(&model.ProgressCounter{}).Where("campaign_id = ? AND dim = 'built'", parseWireID(t, cw.campaign)).Count(&built)
		if built != 1 {
			t.Fatalf("progress was not served from counters (%d build marks)", built)
		}
		before := progressJSON(t, e, mgr, cw.campaign, "")
		testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/campaigns/"+cw.campaign+"/progress/rebuild", mgr, nil), http.StatusOK)
		if after := progressJSON(t, e, mgr, cw.campaign, ""); after != before {
			t.Fatalf("a rebuild changed the counters:\nbefore %s\nafter  %s", before, after)
		}
		if countAudit(t, e, "campaign.progress_rebuild") != 1 {
			t.Error("the rebuild was not audited")
		}
	})
}

// Counters that drifted (a record written around the service) are repaired by a rebuild; the
// live switch and the rebuild are managers' only, and a bad live value is 422.
func TestProgressRebuildRepairsDrift(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		e, w := cw.e, cw.w
		mgr := w.Tokens["manager"]
		id := parseWireID(t, cw.caseFor(t, "staff", "营盘镇"))
		cw.caseFor(t, "", "下梁镇")
		// A reached call stored without the hook: the counters do not know it.
		c := model.Call{CampaignID: parseWireID(t, cw.campaign), CaseID: id, UserID: parseWireID(t, w.Users["staff"]),
			ClientID: clientID(777), BodyHash: "direct", CalledAt: testenv.Start, Outcome: "reached", CreatedAt: testenv.Start}
		if err := e.App.DB.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		counted, live := progressJSON(t, e, mgr, cw.campaign, ""), progressJSON(t, e, mgr, cw.campaign, "?live=true")
		if counted == live {
			t.Fatal("a call written around the service moved the counters; this test cannot show a repair")
		}
		testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/campaigns/"+cw.campaign+"/progress/rebuild", mgr, nil), http.StatusOK)
		if got := progressJSON(t, e, mgr, cw.campaign, ""); got != live {
			t.Fatalf("after the rebuild:\ncounters %s\nlive     %s", got, live)
		}
		if r := e.Do(http.MethodGet, "/api/v1/campaigns/"+cw.campaign+"/progress?live=yes", mgr, nil); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("live=yes: %d %s", r.Status, r.Body)
		}
		for _, who := range []string{"staff", "reviewer", "handler"} {
			testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/campaigns/"+cw.campaign+"/progress/rebuild", w.Tokens[who], nil), http.StatusForbidden)
		}
		testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/campaigns/999999/progress/rebuild", mgr, nil), http.StatusNotFound)
	})
}

// progressJSON is the campaign's progress as JSON without its as_of time.
func progressJSON(t *testing.T, e *testenv.Env, token, campaign, query string) string {
	t.Helper()
	r := testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/campaigns/"+campaign+"/progress"+query, token, nil), http.StatusOK)
	m := r.Map(t)
	delete(m, "as_of")
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
