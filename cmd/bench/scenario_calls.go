package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"fayuan/internal/loadgen"
	"fayuan/model"
)

// worklistScenario is a caller's work list GET …/follow-ups?phase=calls over the progress
// scenario's data (run it after progress in the same -scenario list: each of 50 callers holds
// one in fifty of -progress-cases cases), or over its own seed of -progress-cases cases.
func worklistScenario() Scenario {
	return Scenario{
		Name:  "worklist",
		About: "GET /api/v1/campaigns/{id}/follow-ups?phase=calls as a caller holding 1/50 of -progress-cases cases (reuses progress's seed)",
		Setup: func(ctx context.Context, e *Env) (loadgen.RequestFunc, error) {
			if e.seeded == nil {
				if _, err := progressScenario().Setup(ctx, e); err != nil {
					return nil, err
				}
			}
			admin, err := e.AdminToken(ctx)
			if err != nil {
				return nil, err
			}
			var id uint64
			if err := e.App.DB.WithContext(ctx).Raw("SELECT id FROM users WHERE username = 'bench_staff_07'").Scan(&id).Error; err != nil || id == 0 {
				return nil, fmt.Errorf("bench_staff_07: %v", err)
			}
			pw := "bench-staff-" + randHex(6)
			if err := e.Call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/users/%d/password", id), admin, map[string]string{"password": pw}, nil); err != nil {
				return nil, err
			}
			tok, err := e.Login(ctx, "bench_staff_07", pw)
			if err != nil {
				return nil, err
			}
			var list struct {
				Total int64 `json:"total"`
			}
			if err := e.Call(ctx, http.MethodGet, "/api/v1/campaigns/"+e.seeded.campaign+"/follow-ups?phase=calls", tok, nil, &list); err != nil {
				return nil, err
			}
			fmt.Fprintf(os.Stderr, "worklist: the caller holds %d of %d cases\n", list.Total, e.seeded.cases)
			return Get(e.BaseURL+"/api/v1/campaigns/"+e.seeded.campaign+"/follow-ups?phase=calls", tok), nil
		},
	}
}

// recordCallCases is how many cases each worker's caller holds in the record-call scenario.
const recordCallCases = 200

// recordCallScenario is POST …/cases/{case_id}/calls: each worker is its own caller (a staff
// account) recording attempts on its own cases in turn, each with a fresh client_id, through
// the whole path — assignment lock, phase window, idempotency key, follow-up summary, alerts,
// progress counters, audit row — on a campaign whose calls phase includes today. One attempt in
// four is reached with answers. Compare its rps with the insert scenario's.
func recordCallScenario() Scenario {
	return Scenario{
		Name:  "record-call",
		About: "POST /api/v1/campaigns/{id}/cases/{case_id}/calls, one staff account per worker, fresh client_id each (compare with insert)",
		Setup: func(ctx context.Context, e *Env) (loadgen.RequestFunc, error) {
			admin, err := e.AdminToken(ctx)
			if err != nil {
				return nil, err
			}
			pw := "bench-caller-" + randHex(6)
			mgr, err := benchUser(ctx, e, admin, "rc_manager", pw, "1", "manager")
			if err != nil {
				return nil, err
			}
			today := time.Now().In(model.Shanghai)
			day := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }
			var camp struct {
				ID string `json:"id"`
			}
			if err := e.Call(ctx, http.MethodPost, "/api/v1/campaigns", mgr, map[string]any{"template": "zhashui-2024-53", "name": "压测回访",
				"phases": []map[string]string{{"phase": "calls", "start": day(-1), "end": day(10)}, {"phase": "visits", "start": day(11), "end": day(20)},
					{"phase": "reviews", "start": day(21), "end": day(40)}}}, &camp); err != nil {
				return nil, err
			}
			var org struct {
				ID string `json:"id"`
			}
			if err := e.Call(ctx, http.MethodPost, "/api/v1/orgs", admin, map[string]any{"name": "压测法律援助中心", "kind": "aid_center", "parent_id": "1"}, &org); err != nil {
				return nil, err
			}
			tokens := make([]string, e.Workers)
			users := make([]uint64, e.Workers)
			for w := range e.Workers {
				if tokens[w], err = benchUser(ctx, e, admin, fmt.Sprintf("rc_caller_%03d", w), pw, org.ID, "staff"); err != nil {
					return nil, err
				}
				if err := e.App.DB.WithContext(ctx).Raw("SELECT id FROM users WHERE username = ?", fmt.Sprintf("rc_caller_%03d", w)).Scan(&users[w]).Error; err != nil {
					return nil, err
				}
			}
			cases, err := seedCallCases(ctx, e, camp.ID, users)
			if err != nil {
				return nil, err
			}
			if err := e.Call(ctx, http.MethodPost, "/api/v1/campaigns/"+camp.ID+"/progress/rebuild", mgr, nil, nil); err != nil {
				return nil, err
			}
			var seq atomic.Uint64
			reached, _ := json.Marshal(map[string]any{"charged_fee": "no", "negligent": "no", "satisfied": "satisfied", "suggestion": "无", "answered_by": "recipient"})
			return func(ctx context.Context, w int) (*http.Request, error) {
				n := seq.Add(1)
				k := cases[w][int(n/uint64(e.Workers))%len(cases[w])]
				body := fmt.Sprintf(`{"client_id":"%s","called_at":"%s","outcome":"no_answer","note":"压测"}`,
					benchUUID(n), time.Now().Format(time.RFC3339))
				if n%4 == 0 {
					body = fmt.Sprintf(`{"client_id":"%s","called_at":"%s","outcome":"reached","answers":%s,"duration_s":120}`,
						benchUUID(n), time.Now().Format(time.RFC3339), reached)
				}
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("%s/api/v1/campaigns/%s/cases/%d/calls", e.BaseURL, camp.ID, k),
					strings.NewReader(body))
				if err != nil {
					return nil, err
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+tokens[w])
				return req, nil
			}, nil
		},
		Check: func(resp *http.Response, body []byte) error {
			if resp.StatusCode != http.StatusCreated {
				return fmt.Errorf("status %d: %.200s", resp.StatusCode, body)
			}
			return nil
		},
	}
}

// insertScenario is the durable-write baseline for record-call: an HTTP handler beside the
// server that runs one autocommitted single-row INSERT into the server's own database through
// its own connection pool, per request.
func insertScenario() Scenario {
	return Scenario{
		Name:  "insert",
		About: "baseline for record-call: a bare handler doing one durable single-row INSERT (autocommit) on the same database and pool",
		Setup: func(ctx context.Context, e *Env) (loadgen.RequestFunc, error) {
			db := e.App.DB
			ddl := "CREATE TABLE bench_inserts (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, " +
				"worker INT NOT NULL, note VARCHAR(64) NOT NULL, created_at DATETIME(3) NOT NULL)"
			if db.Dialector.Name() == "sqlite" {
				ddl = "CREATE TABLE bench_inserts (id INTEGER PRIMARY KEY, worker INT NOT NULL, note TEXT NOT NULL, created_at DATETIME NOT NULL)"
			}
			if err := db.WithContext(ctx).Exec(ddl).Error; err != nil {
				return nil, err
			}
			url, err := e.serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				err := db.WithContext(r.Context()).Exec("INSERT INTO bench_inserts (worker, note, created_at) VALUES (?, ?, ?)", 1, "压测", time.Now().UTC()).Error
				if err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusCreated)
				_, _ = w.Write([]byte(`{"ok":true}`))
			}))
			if err != nil {
				return nil, err
			}
			return func(ctx context.Context, _ int) (*http.Request, error) {
				return http.NewRequestWithContext(ctx, http.MethodPost, url+"/insert", bytes.NewReader(nil))
			}, nil
		},
	}
}

// benchUser creates a user with one role and logs them in.
func benchUser(ctx context.Context, e *Env, admin, username, pw, org, role string) (string, error) {
	if err := e.Call(ctx, http.MethodPost, "/api/v1/users", admin, map[string]any{"username": username, "password": pw,
		"display_name": username, "org_id": org, "roles": []string{role}}, nil); err != nil {
		return "", err
	}
	return e.Login(ctx, username, pw)
}

// seedCallCases stores recordCallCases in-scope cases per worker, assigned for calls to that
// worker's user, and returns their ids by worker.
func seedCallCases(ctx context.Context, e *Env, campaign string, users []uint64) ([][]uint64, error) {
	db := e.App.DB.WithContext(ctx)
	var base uint64
	if err := db.Raw("SELECT COALESCE(MAX(id), 0) FROM cases").Scan(&base).Error; err != nil {
		return nil, err
	}
	out := make([][]uint64, len(users))
	for w, u := range users {
		var cs, as []string
		for i := range recordCallCases {
			id := base + uint64(w*recordCallCases+i+1)
			out[w] = append(out[w], id)
			cs = append(cs, fmt.Sprintf("(%d,'RC-%08d','civil','application','劳动争议','受援人','营盘镇',1,'承办人','2022-03-01',0,1,CURRENT_TIMESTAMP,CURRENT_TIMESTAMP)", id, id))
			as = append(as, fmt.Sprintf("(%s,'calls',%d,%d,0,'pending',0,'',CURRENT_TIMESTAMP,CURRENT_TIMESTAMP,'营盘镇','RC-%08d')", campaign, id, u, id))
		}
		for _, q := range []string{
			"INSERT INTO cases (id, case_no, category, source, cause, recipient_name, town, handler_org_id, handler_name, closed_on, subsidy_cents, version, created_at, updated_at) VALUES " + strings.Join(cs, ","),
			"INSERT INTO case_assignments (campaign_id, phase, case_id, user_id, run_id, status, attempts, last_outcome, created_at, updated_at, town, case_no) VALUES " + strings.Join(as, ","),
		} {
			if err := db.Exec(q).Error; err != nil {
				return nil, err
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no workers")
	}
	return out, nil
}

// benchUUID is a well-formed UUID unique to n within the run.
func benchUUID(n uint64) string {
	return fmt.Sprintf("7b000000-0000-4000-8000-%012d", n)
}
