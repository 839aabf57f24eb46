package api_test

import (
	"strings"
	"testing"
	"time"

	"fayuan/internal/testenv"
)

func TestHealthAndReadiness(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		if got := testenv.Expect(t, e.Do("GET", "/healthz", "", nil), 200).Map(t)["status"]; got != "ok" {
			t.Errorf("healthz status %v", got)
		}
		if got := testenv.Expect(t, e.Do("GET", "/readyz", "", nil), 200).Map(t)["status"]; got != "ready" {
			t.Errorf("readyz status %v", got)
		}
	})
}

// /readyz follows the database: 503 while the network to MariaDB is cut, 200 once it is back.
// /healthz stays 200 throughout: the process itself is fine.
func TestReadinessFollowsTheDatabase(t *testing.T) {
	for _, b := range testenv.Backends() {
		if b != testenv.MySQL {
			continue // SQLite is a file in the process: there is no network to cut
		}
		p := testenv.NewProxy(t, testenv.MySQLAddr())
		e := testenv.New(t, testenv.MySQL, testenv.ThroughProxy(p))
		if !strings.Contains(e.Config.DBDSN, p.Addr()) {
			t.Fatalf("the server does not go through the proxy: %s", e.Config.DBDSN)
		}
		admin := e.AdminToken()
		ready := func() *testenv.Response { return e.Do("GET", "/readyz", "", nil) }
		testenv.Expect(t, ready(), 200)

		p.Cut()
		start := time.Now()
		r := ready()
		if r.Status != 503 || r.Code() != "database_unavailable" {
			t.Fatalf("readyz with the database cut: %d %s, want 503 database_unavailable", r.Status, r.Body)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("readyz took %s to notice", d)
		}
		if m := r.Map(t); m["message"] == "" || strings.Contains(string(r.Body), p.Addr()) || strings.Contains(string(r.Body), "tcp") {
			t.Errorf("readyz answer: %s", r.Body)
		}
		testenv.Expect(t, e.Do("GET", "/healthz", "", nil), 200)
		r = e.Do("GET", "/api/v1/me", admin, nil)
		if r.Status != 500 || r.Code() != "internal" || strings.Contains(string(r.Body), p.Addr()) {
			t.Errorf("API call with the database cut: %d %s, want 500 internal without details", r.Status, r.Body)
		}
		testenv.Expect(t, ready(), 503)

		p.Restore()
		deadline := time.Now().Add(5 * time.Second)
		for r = ready(); r.Status != 200 && time.Now().Before(deadline); r = ready() {
			time.Sleep(50 * time.Millisecond)
		}
		testenv.Expect(t, r, 200)
		testenv.Expect(t, e.Do("GET", "/api/v1/me", admin, nil), 200)
		testenv.Expect(t, e.Do("GET", "/healthz", "", nil), 200)
	}
}
