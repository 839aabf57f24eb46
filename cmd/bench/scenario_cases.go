package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fayuan/internal/loadgen"
)

// casesScenario is GET /api/v1/cases with the filters a manager uses, over FAYUAN_BENCH_CASES
// seeded cases (default 10,000; the figure is 1,000,000 on MariaDB, which takes a few
// minutes to seed). Seeding bypasses the API with multi-row INSERTs: the import has its own
// benchmark, and this one measures the list.
func casesScenario() Scenario {
	return Scenario{
		Name:  "cases",
		About: "GET /api/v1/cases as a manager, rotating filters (closed range, category+range, town, org, q), over FAYUAN_BENCH_CASES seeded cases",
		Setup: func(ctx context.Context, e *Env) (loadgen.RequestFunc, error) {
			n := 10000
			if v := os.Getenv("FAYUAN_BENCH_CASES"); v != "" {
				var err error
				if n, err = strconv.Atoi(v); err != nil || n < 1 {
					return nil, fmt.Errorf("FAYUAN_BENCH_CASES: %q is not a positive number", v)
				}
			}
			orgs, err := seedCases(ctx, e, n)
			if err != nil {
				return nil, err
			}
			admin, err := e.AdminToken(ctx)
			if err != nil {
				return nil, err
			}
			pw := "bench-manager-" + randHex(6)
			if err := e.Call(ctx, http.MethodPost, "/api/v1/users", admin, map[string]any{
				"username": "manager", "password": pw, "display_name": "管理员", "org_id": "1", "roles": []string{"manager"},
			}, nil); err != nil {
				return nil, err
			}
			tok, err := e.Login(ctx, "manager", pw)
			if err != nil {
				return nil, err
			}
			queries := []string{
				"closed_from=2023-07-01&closed_to=2024-05-31",
				"category=civil&closed_from=2022-01-01&closed_to=2022-12-31",
				"source=application&category=criminal&closed_from=2021-01-01&closed_to=2024-05-31",
				"town=" + url.QueryEscape(towns[3]),
				"org=" + strconv.FormatUint(orgs[1], 10),
				"q=" + url.QueryEscape("(2023)柞法援字第1"),
			}
			var i atomic.Uint64
			return func(ctx context.Context, w int) (*http.Request, error) {
				q := queries[i.Add(1)%uint64(len(queries))]
				return Get(e.BaseURL+"/api/v1/cases?page_size=20&"+q, tok)(ctx, w)
			}, nil
		},
	}
}

var towns = []string{"乾佑街道", "营盘镇", "下梁镇", "石瓮镇", "杏坪镇", "凤凰镇", "红岩寺镇", "曹坪镇", "小岭镇"}

// seedCases inserts n cases across a few firms with handlers, dates spread over 2021–2024.
func seedCases(ctx context.Context, e *Env, n int) ([]uint64, error) {
	db := e.App.DB.WithContext(ctx)
	now := time.Now().UTC()
	var orgs []uint64
	for i := 0; i < 5; i++ {
		if err := db.Exec("INSERT INTO orgs (name, kind, parent_id, disabled, created_at, updated_at) VALUES (?, 'law_firm', 1, false, ?, ?)",
			fmt.Sprintf("压测律师事务所%d", i), now, now).Error; err != nil {
			return nil, err
		}
		var id uint64
		if err := db.Raw("SELECT id FROM orgs WHERE name = ?", fmt.Sprintf("压测律师事务所%d", i)).Scan(&id).Error; err != nil {
			return nil, err
		}
		orgs = append(orgs, id)
	}
	cats := []string{"criminal", "civil", "administrative", "non_litigation"}
	srcs := []string{"application", "notified"}
	r := rand.New(rand.NewPCG(1, 2))
	batch := 500
	if e.Config.DBDriver == "sqlite" {
		batch = 100 // SQLite's bound-variable limit
	}
	const cols = "(case_no, category, source, cause, recipient_name, town, handler_name, handler_org_id, closed_on, subsidy_cents, version, created_at, updated_at)"
	for start := 0; start < n; start += batch {
		end := min(start+batch, n)
		var sb strings.Builder
		args := make([]any, 0, (end-start)*13)
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteString(",")
			}
			sb.WriteString("(?,?,?,?,?,?,?,?,?,?,1,?,?)")
			day := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(1247)).Format("2006-01-02")
			args = append(args, fmt.Sprintf("(%d)柞法援字第%d号", 2021+i%4, i), cats[r.IntN(4)], srcs[r.IntN(2)], "劳动争议",
				fmt.Sprintf("受援人%d", i), towns[r.IntN(len(towns))], fmt.Sprintf("律师%d", r.IntN(200)), orgs[r.IntN(len(orgs))],
				day, 150000, now, now)
		}
		if err := db.Exec("INSERT INTO cases "+cols+" VALUES "+sb.String(), args...).Error; err != nil {
			return nil, fmt.Errorf("seed cases: %w", err)
		}
	}
	return orgs, nil
}
