package router_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"fayuan/config"
	"fayuan/internal/testenv"
)

func TestIDsAndTimesOnTheWire(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		admin := e.AdminToken()
		// parent_id as a JSON number, org_id as a JSON number and as a string: all accepted.
		org := testenv.Expect(t, e.Do("POST", "/api/v1/orgs", admin, map[string]any{"name": "数字编号律所", "kind": "law_firm", "parent_id": 1}), 201)
		o := org.Map(t)
		id, ok := o["id"].(string)
		if !ok || o["parent_id"] != "1" {
			t.Fatalf("org ids not strings: %s", org.Body)
		}
		var userIDs []string
		for i, ref := range []any{jsonNumber(id), id} {
			u := testenv.Expect(t, e.Do("POST", "/api/v1/users", admin, map[string]any{"username": "wire_" + string(rune('a'+i)),
				"password": "password-123456", "display_name": "甲", "org_id": ref, "roles": []string{"handler"}}), 201)
			m := u.Map(t)
			userIDs = append(userIDs, fmtID(m["id"]))
			if _, ok := m["id"].(string); !ok || m["org_id"] != id {
				t.Errorf("user answer: %s", u.Body)
			}
			testenv.CheckConventions(t, "user answer", u.Body)
		}
		// The fake clock stands at 2024-05-24 09:00 in Shanghai; answers say so, in +08:00.
		testenv.CheckConventions(t, "org answer", org.Body)
		if o["created_at"] != "2024-05-24T09:00:00+08:00" || o["updated_at"] != "2024-05-24T09:00:00+08:00" {
			t.Errorf("created_at %v, updated_at %v; want the injected clock's 2024-05-24T09:00:00+08:00", o["created_at"], o["updated_at"])
		}
		e.Clock.Advance(90*time.Minute + 15*time.Second)
		admin = e.AdminToken()
		o = testenv.Expect(t, e.Do("PATCH", "/api/v1/orgs/"+id, admin, map[string]any{"name": "数字编号律所二"}), 200).Map(t)
		u := testenv.Expect(t, e.Do("PATCH", "/api/v1/users/"+userIDs[0], admin, map[string]any{"display_name": "乙"}), 200).Map(t)
		for what, m := range map[string]map[string]any{"org": o, "user": u} {
			if m["created_at"] != "2024-05-24T09:00:00+08:00" || m["updated_at"] != "2024-05-24T10:30:15+08:00" {
				t.Errorf("%s after an edit: created_at %v, updated_at %v", what, m["created_at"], m["updated_at"])
			}
		}
		list := testenv.Expect(t, e.Do("GET", "/api/v1/users", admin, nil), 200)
		testenv.CheckConventions(t, "user list", list.Body)
		if strings.Contains(string(list.Body), `"created_at":"2024-05-24 `) || !strings.Contains(string(list.Body), `+08:00"`) {
			t.Errorf("times not in +08:00: %.300s", list.Body)
		}
	})
}

func fmtID(v any) string { s, _ := v.(string); return s }

// jsonNumber is a string the test client sends as a bare JSON number.
type jsonNumber string

func (n jsonNumber) MarshalJSON() ([]byte, error) { return []byte(n), nil }

func TestMethodOverride(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		path := "/api/v1/users/" + w.Users["staff"]
		for i, v := range []string{"PATCH", "patch"} {
			name := "经由POST改名" + v
			r := e.Send(testenv.Request{Method: "POST", Path: path, Token: w.Admin, Body: map[string]any{"display_name": name},
				Header: map[string]string{"X-HTTP-Method-Override": v}})
			testenv.Expect(t, r, 200)
			if got := testenv.Expect(t, e.Do("GET", path, w.Admin, nil), 200).Map(t)["display_name"]; got != name {
				t.Errorf("override %d: display_name %v, want %v", i, got, name)
			}
		}
		// Only PATCH may be asked for, and only on a POST.
		r := e.Send(testenv.Request{Method: "POST", Path: path, Token: w.Admin, Body: map[string]any{},
			Header: map[string]string{"X-HTTP-Method-Override": "DELETE"}})
		if testenv.Expect(t, r, 405).Code() != "method_not_allowed" {
			t.Errorf("override DELETE: %s", r.Body)
		}
		r = e.Send(testenv.Request{Method: "GET", Path: path, Token: w.Admin, Header: map[string]string{"X-HTTP-Method-Override": "PATCH"}})
		testenv.Expect(t, r, 200)
	})
}

func TestNotFoundForbiddenAndHeaders(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		staff := "/api/v1/users/" + w.Users["staff"]
		cases := []struct {
			name, method, path, token string
			status                    int
			code                      string
		}{
			{"unknown route", "GET", "/api/v1/no-such-thing", w.Admin, 404, "not_found"},
			{"unknown route, anonymous", "GET", "/nowhere", "", 404, "not_found"},
			{"wrong method", "DELETE", "/api/v1/users", w.Admin, 405, "method_not_allowed"},
			{"manager reads a user", "GET", staff, w.Tokens["manager"], 403, "role_forbidden"},
			{"auditor reads a user", "GET", staff, w.Tokens["auditor"], 403, "role_forbidden"},
			{"staff reads themselves", "GET", staff, w.Tokens["staff"], 403, "role_forbidden"},
			{"admin reads an unknown id", "GET", "/api/v1/users/987654", w.Admin, 404, "user_not_found"},
			{"admin reads a malformed id", "GET", "/api/v1/users/abc", w.Admin, 404, "not_found"},
			{"admin reads id 0", "GET", "/api/v1/users/0", w.Admin, 404, "not_found"},
			{"bad token", "GET", "/api/v1/me", "not.a.token", 401, "token_invalid"},
		}
		for _, c := range cases {
			r := e.Do(c.method, c.path, c.token, nil)
			if r.Status != c.status || r.Code() != c.code {
				t.Errorf("%s: %d %s, want %d %s", c.name, r.Status, r.Body, c.status, c.code)
			}
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				t.Errorf("%s: Content-Type %q", c.name, r.Header.Get("Content-Type"))
			}
			checkAnswer(t, e, c.name, r, c.status)
			if r.Header.Get("Cache-Control") != "no-store" && strings.HasPrefix(c.path, "/api/") {
				t.Errorf("%s: Cache-Control %q", c.name, r.Header.Get("Cache-Control"))
			}
		}
	})
}

func TestRequestID(t *testing.T) {
	e := testenv.New(t, testenv.SQLite)
	fresh := regexp.MustCompile(`^[0-9a-f]{24}$`)
	seen := map[string]bool{}
	for _, c := range []struct{ sent, want string }{
		{"", ""},
		{"edge-proxy.req_0123456789", "edge-proxy.req_0123456789"},
		{"short", ""},
		{"has spaces in it", ""},
		{strings.Repeat("a", 65), ""},
		{"inject\"quote-1234", ""},
		{"日志注入测试请求编号", ""},
	} {
		for _, path := range []string{"/healthz", "/api/v1/me", "/api/v1/nowhere"} {
			r := e.Send(testenv.Request{Method: "GET", Path: path, Header: map[string]string{"X-Request-ID": c.sent}})
			got := r.Header.Get("X-Request-ID")
			switch {
			case c.want != "" && got != c.want:
				t.Errorf("%s with %q: X-Request-ID %q, want it echoed", path, c.sent, got)
			case c.want == "" && !fresh.MatchString(got):
				t.Errorf("%s with %q: X-Request-ID %q, want a fresh one", path, c.sent, got)
			case c.want == "" && seen[got]:
				t.Errorf("%s: request id %q reused", path, got)
			}
			seen[got] = true
			if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("X-Frame-Options") != "DENY" ||
				r.Header.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("%s: security headers %v", path, r.Header)
			}
		}
	}
	if !strings.Contains(string(e.Logs.Bytes()), `"request_id":"edge-proxy.req_0123456789"`) {
		t.Error("the log does not carry the request id")
	}
}

func TestCORS(t *testing.T) {
	const site = "https://web.fayuan.example"
	preflight := map[string]string{"Origin": site, "Access-Control-Request-Method": "PATCH"}
	t.Run("off by default", func(t *testing.T) {
		e := testenv.New(t, testenv.SQLite)
		for _, r := range []*testenv.Response{
			e.Send(testenv.Request{Method: "GET", Path: "/healthz", Header: map[string]string{"Origin": site}}),
			e.Send(testenv.Request{Method: "OPTIONS", Path: "/api/v1/users", Header: preflight}),
		} {
			for k := range r.Header {
				if strings.HasPrefix(k, "Access-Control-") {
					t.Errorf("CORS header %s sent without configuration", k)
				}
			}
		}
	})
	t.Run("configured origin only", func(t *testing.T) {
		e := testenv.New(t, testenv.SQLite, func(c *config.Config) { c.CORSOrigins = []string{site} })
		r := e.Send(testenv.Request{Method: "GET", Path: "/healthz", Header: map[string]string{"Origin": site}})
		if r.Header.Get("Access-Control-Allow-Origin") != site || !strings.Contains(r.Header.Get("Vary"), "Origin") {
			t.Errorf("configured origin: %v", r.Header)
		}
		r = e.Send(testenv.Request{Method: "OPTIONS", Path: "/api/v1/users/5", Header: preflight})
		if r.Status != http.StatusNoContent || !strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), "PATCH") ||
			!strings.Contains(r.Header.Get("Access-Control-Allow-Headers"), "X-HTTP-Method-Override") {
			t.Errorf("preflight: %d %v", r.Status, r.Header)
		}
		for _, origin := range []string{"https://evil.example", site + ".evil.example", "http://web.fayuan.example"} {
			r := e.Send(testenv.Request{Method: "GET", Path: "/healthz", Header: map[string]string{"Origin": origin}})
			if v := r.Header.Get("Access-Control-Allow-Origin"); v != "" {
				t.Errorf("origin %s allowed: %q", origin, v)
			}
		}
	})
}
