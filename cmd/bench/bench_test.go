package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fayuan/internal/loadgen"
	"fayuan/internal/testenv"
)

// TestHarnessRunsEveryScenario keeps the harness working as the server changes: a short run of
// every registered scenario on each test database, with no failed request.
func TestHarnessRunsEveryScenario(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		out := filepath.Join(t.TempDir(), "r.json")
		var stdout, stderr bytes.Buffer
		args := []string{"-db", string(b), "-mysql-dsn", testenv.MySQLServerDSN(), "-scenario", strings.Join(scenarioNames(), ","),
			"-c", "2", "-d", "150ms", "-warmup", "0", "-json", out}
		if err := run(context.Background(), args, &stdout, &stderr); err != nil {
			t.Fatalf("run: %v\n%s%s", err, stdout.String(), stderr.String())
		}
		var rep report
		b2, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b2, &rep); err != nil {
			t.Fatal(err)
		}
		if len(rep.Results) != len(scenarios()) || rep.Results[0].Scenario != bareName {
			t.Fatalf("results %+v, want bare first and every scenario once", rep.Results)
		}
		for _, r := range rep.Results {
			if r.Requests == 0 || r.Errors != 0 || r.RPSvsBare <= 0 {
				t.Errorf("%s: %+v", r.Scenario, r)
			}
			if !strings.Contains(stdout.String(), r.Scenario) {
				t.Errorf("table lacks %s:\n%s", r.Scenario, stdout.String())
			}
		}
	})
}

func TestFlagsAreBounded(t *testing.T) {
	for _, args := range [][]string{
		{"-c", "0"}, {"-c", "100000"}, {"-d", "0s"}, {"-d", "1h"}, {"-n", "-1"}, {"-scenario", "nope"}, {"-db", "oracle"}, {"extra"},
	} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

// BenchmarkMe measures GET /api/v1/me over loopback on SQLite (go test -bench Me ./cmd/bench);
// BenchmarkBare is the same loop on the bare handler.
func BenchmarkMe(b *testing.B) {
	e, tok := benchEnv(b)
	benchGet(b, e.BaseURL+"/api/v1/me", tok)
}

// BenchmarkBare is the baseline for BenchmarkMe.
func BenchmarkBare(b *testing.B) {
	e, _ := benchEnv(b)
	benchGet(b, e.BareURL+"/me", "")
}

func benchEnv(b *testing.B) (*Env, string) {
	b.Helper()
	e, err := startEnv(context.Background(), envOptions{DB: "sqlite", Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(e.Close)
	tok, err := e.AdminToken(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return e, tok
}

func benchGet(b *testing.B, url, token string) {
	next := Get(url, token)
	client := loadgen.NewClient(64)
	defer client.CloseIdleConnections()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := next(context.Background(), 0)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
