package main

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"fayuan/internal/loadgen"
)

// progressScenario is GET …/progress on a campaign whose follow-up scope holds e.ProgressCases
// cases, each assigned for calls to one of 50 staff and called three times (nine in ten reached
// on the last call; about one in twenty visited), seeded with multi-row INSERTs straight into the database. As the seed
// bypasses the services, Setup rebuilds the progress counters through the API (timed), then
// times the same progress computed live from the raw rows (GET …/progress?live=true) and
// prints both beside the seeding time, for comparison with the scenario's latency.
// FAYUAN_BENCH_NAIVE=1 also times a naive join + COUNT DISTINCT query.
func progressScenario() Scenario {
	return Scenario{
		Name:  "progress",
		About: "GET /api/v1/campaigns/{id}/progress over -progress-cases cases and 3 calls each (seeded directly)",
		Setup: func(ctx context.Context, e *Env) (loadgen.RequestFunc, error) {
			tok, err := e.AdminToken(ctx)
			if err != nil {
				return nil, err
			}
			pw := "bench-manager-" + randHex(6)
			if err := e.Call(ctx, http.MethodPost, "/api/v1/users", tok, map[string]any{"username": "bench_manager", "password": pw,
				"display_name": "管理员", "org_id": "1", "roles": []string{"manager"}}, nil); err != nil {
				return nil, err
			}
			mgr, err := e.Login(ctx, "bench_manager", pw)
			if err != nil {
				return nil, err
			}
			var camp struct {
				ID string `json:"id"`
			}
			if err := e.Call(ctx, http.MethodPost, "/api/v1/campaigns", mgr, map[string]any{"template": "zhashui-2024-53"}, &camp); err != nil {
				return nil, err
			}
			start := time.Now()
			if err := seedProgress(ctx, e, camp.ID, e.ProgressCases); err != nil {
				return nil, err
			}
			fmt.Fprintf(os.Stderr, "progress: seeded %d cases, %d calls in %s\n", e.ProgressCases, 3*e.ProgressCases, time.Since(start).Round(time.Millisecond))
			if err := rebuildAndTimeLive(ctx, e, camp.ID, mgr); err != nil {
				return nil, err
			}
			e.seeded = &progressSeed{campaign: camp.ID, cases: e.ProgressCases}
			if os.Getenv("FAYUAN_BENCH_NAIVE") != "" {
				if err := timeNaiveProgress(ctx, e, camp.ID); err != nil {
					return nil, err
				}
			}
			return Get(e.BaseURL+"/api/v1/campaigns/"+camp.ID+"/progress", mgr), nil
		},
	}
}

const progressStaff = 50

// seedProgress inserts the staff, cases, assignments, calls and a few alerts. Ids are
// chosen here: base+1..base+n, base the largest case id so far.
func seedProgress(ctx context.Context, e *Env, campaign string, n int) error {
	db := e.App.DB.WithContext(ctx)
	var orgs []string
	for i := range 20 {
		orgs = append(orgs, fmt.Sprintf("('压测律所%02d','law_firm',1,0,CURRENT_TIMESTAMP,CURRENT_TIMESTAMP)", i))
	}
	if err := db.Exec("INSERT INTO orgs (name, kind, parent_id, disabled, created_at, updated_at) VALUES " + strings.Join(orgs, ",")).Error; err != nil {
		return err
	}
	var firstOrg, firstUser uint64
	if err := db.Raw("SELECT MIN(id) FROM orgs WHERE name LIKE '压测律所%'").Scan(&firstOrg).Error; err != nil {
		return err
	}
	var users []string
	for i := range progressStaff {
		users = append(users, fmt.Sprintf("('bench_staff_%02d','回访员%02d','x',1,'staff',0,0,CURRENT_TIMESTAMP,CURRENT_TIMESTAMP)", i, i))
	}
	if err := db.Exec("INSERT INTO users (username, display_name, password_hash, org_id, roles, disabled, auth_epoch, created_at, updated_at) VALUES " +
		strings.Join(users, ",")).Error; err != nil {
		return err
	}
	if err := db.Raw("SELECT MIN(id) FROM users WHERE username LIKE 'bench_staff_%'").Scan(&firstUser).Error; err != nil {
		return err
	}
	var base uint64 // other scenarios may have stored cases already
	if err := db.Raw("SELECT COALESCE(MAX(id), 0) FROM cases").Scan(&base).Error; err != nil {
		return err
	}
	const batch = 5000
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	slots := make(chan struct{}, 4)
	for lo := 1; lo <= n; lo += batch {
		hi := min(lo+batch-1, n)
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			if err := insertProgressBatch(ctx, e, campaign, base, lo, hi, firstOrg, firstUser, &mu); err != nil {
				mu.Lock()
				firstErr = cmp.Or(firstErr, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if e.App.DB.Dialector.Name() == "mysql" {
		for _, t := range []string{"cases", "calls", "case_assignments", "alerts", "campaign_exclusions", "visits"} {
			if err := db.Exec("ANALYZE TABLE " + t).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

var progressTowns = []string{"营盘镇", "凤凰镇", "下梁镇", "曹坪镇", "杏坪镇", "红岩寺镇", "乾佑街道", "瓦房口镇", "小岭镇"}

// insertProgressBatch inserts cases base+lo..base+hi with their assignment, three calls and, for one in a
// hundred, an alert, and for about one in twenty a visit; alerts go one batch at a time (mu).
func insertProgressBatch(ctx context.Context, e *Env, campaign string, base uint64, lo, hi int, firstOrg, firstUser uint64, mu *sync.Mutex) error {
	db := e.App.DB.WithContext(ctx)
	towns := progressTowns
	var cs, as, ks, al, vs []string
	for id := lo; id <= hi; id++ {
		user := firstUser + uint64(id%progressStaff)
		cs = append(cs, fmt.Sprintf("(%d,'BENCH-%08d','civil','application','劳动争议','受援人','%s',%d,'承办人','2022-%02d-%02d',0,1,CURRENT_TIMESTAMP,CURRENT_TIMESTAMP)",
			base+uint64(id), id, towns[id%len(towns)], firstOrg+uint64(id%20), 1+id%12, 1+id%28))
		as = append(as, fmt.Sprintf("(%s,'calls',%d,%d,0,'%s',3,'%s',CURRENT_TIMESTAMP,CURRENT_TIMESTAMP,'%s','BENCH-%08d')", campaign, base+uint64(id), user,
			map[bool]string{true: "reached", false: "unreachable"}[id%10 != 0], map[bool]string{true: "reached", false: "no_answer"}[id%10 != 0],
			towns[id%len(towns)], id))
		for k := range 3 {
			outcome := "no_answer"
			if k == 2 && id%10 != 0 {
				outcome = "reached"
			}
			ks = append(ks, fmt.Sprintf("(%s,%d,%d,'b%010d-%d','x','2024-05-%02d 02:00:00','%s','','',0,'',0,CURRENT_TIMESTAMP)",
				campaign, base+uint64(id), user, base+uint64(id), k, 24+k, outcome))
		}
		// About one case in twenty visited: one in forty of the unreached (must-visit) ones, one in
		// thirty-seven of all (mostly reached: the callers' sample candidates, every caller having some).
		if id%40 == 0 || id%37 == 5 {
			vs = append(vs, fmt.Sprintf("(%s,%d,%d,'v%010d','x','2024-06-20 02:00:00','{\"satisfaction\":\"satisfied\"}',CURRENT_TIMESTAMP)",
				campaign, base+uint64(id), user, base+uint64(id)))
		}
		if id%100 == 0 {
			al = append(al, fmt.Sprintf("(%s,%d,'dissatisfaction',1,'call',%d,'','open',1,CURRENT_TIMESTAMP,CURRENT_TIMESTAMP,CURRENT_TIMESTAMP)", campaign, base+uint64(id), base+uint64(id)))
		}
	}
	qs := []string{
		"INSERT INTO cases (id, case_no, category, source, cause, recipient_name, town, handler_org_id, handler_name, closed_on, subsidy_cents, version, created_at, updated_at) VALUES " + strings.Join(cs, ","),
		"INSERT INTO case_assignments (campaign_id, phase, case_id, user_id, run_id, status, attempts, last_outcome, created_at, updated_at, town, case_no) VALUES " + strings.Join(as, ","),
		"INSERT INTO calls (campaign_id, case_id, user_id, client_id, body_hash, called_at, outcome, note, recording_ref, late, flags, extra, created_at) VALUES " + strings.Join(ks, ","),
	}
	if len(vs) > 0 {
		qs = append(qs, "INSERT INTO visits (campaign_id, case_id, user_id, client_id, body_hash, visited_at, answers, created_at) VALUES "+strings.Join(vs, ","))
	}
	for _, q := range qs {
		if err := db.Exec(q).Error; err != nil {
			return err
		}
	}
	if len(al) > 0 {
		mu.Lock()
		defer mu.Unlock()
		return db.Exec("INSERT INTO alerts (campaign_id, case_id, kind, severity, channel, source_id, words, status, opened_by, opened_at, due_at, updated_at) VALUES " + strings.Join(al, ",")).Error
	}
	return nil
}

// timeNaiveProgress runs the same headline figures as one naive live query — cases joined to
// all their calls, COUNT DISTINCT per organisation and town — once, given at most naiveLimit, and
// prints the time (at a million cases it takes minutes).
func timeNaiveProgress(ctx context.Context, e *Env, campaign string) error {
	q := "SELECT c.handler_org_id, c.town, COUNT(DISTINCT c.id) AS n, COUNT(DISTINCT CASE WHEN k.outcome = 'reached' THEN c.id END) AS done " +
		"FROM cases c LEFT JOIN calls k ON k.case_id = c.id AND k.campaign_id = " + campaign +
		" WHERE c.closed_on IS NOT NULL AND c.source IN ('application') AND c.category IN ('civil','criminal','administrative','non_litigation')" +
		" AND c.closed_on >= '2021-01-01' AND c.closed_on <= '2024-05-31' GROUP BY c.handler_org_id, c.town"
	const naiveLimit = 90 * time.Second
	qctx, cancel := context.WithTimeout(ctx, naiveLimit)
	defer cancel()
	var rows []struct{ N, Done int64 }
	t0 := time.Now()
	err := e.App.DB.WithContext(qctx).Raw(q).Scan(&rows).Error
	d := time.Since(t0).Round(time.Millisecond)
	if qctx.Err() != nil {
		if e.App.DB.Dialector.Name() == "mysql" {
			var ids []uint64 // the server goes on with a query its client gave up on
			e.App.DB.WithContext(ctx).Raw("SELECT id FROM information_schema.processlist WHERE info LIKE 'SELECT c.handler_org_id%'").Scan(&ids)
			for _, id := range ids {
				_ = e.App.DB.WithContext(ctx).Exec(fmt.Sprintf("KILL QUERY %d", id)).Error
			}
		}
		fmt.Fprintf(os.Stderr, "progress: naive live query (join + COUNT DISTINCT) did not finish in %s\n", naiveLimit)
		return nil
	}
	if err != nil {
		return err
	}
	var done int64
	for _, r := range rows {
		done += r.Done
	}
	fmt.Fprintf(os.Stderr, "progress: naive live query (join + COUNT DISTINCT): %s; done=%d\n", d, done)
	return nil
}
