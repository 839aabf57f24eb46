package api_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"fayuan/internal/testenv"
)

// trailRow is an audit answer's row, as these tests read it.
type trailRow struct {
	ID         string   `json:"id"`
	At         string   `json:"at"`
	ActorID    *string  `json:"actor_id"`
	ActorName  string   `json:"actor_name"`
	ActorRoles []string `json:"actor_roles"`
	Action     string   `json:"action"`
	ObjectType string   `json:"object_type"`
	ObjectID   string   `json:"object_id"`
	Outcome    string   `json:"outcome"`
	IP         string   `json:"ip"`
	RequestID  string   `json:"request_id"`
	BeforeHash string   `json:"before_hash"`
	AfterHash  string   `json:"after_hash"`
}

// trail reads the audit log as the auditor with a query.
func trail(t *testing.T, e *testenv.Env, auditor string, q url.Values) []trailRow {
	t.Helper()
	q.Set("page_size", "500")
	r := testenv.Expect(t, e.Do("GET", "/api/v1/audit?"+q.Encode(), auditor, nil), 200)
	testenv.ScanForPersonalData(t, e, "audit answer", r.Body)
	testenv.CheckConventions(t, "audit answer", r.Body)
	var list struct{ Items []trailRow }
	r.JSON(t, &list)
	return list.Items
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestEveryWriteIsAudited(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		auditor := w.Tokens["auditor"]
		adminID := "1"
		send := func(rid, method, path string, body any, status int) *testenv.Response {
			e.Clock.Advance(time.Minute + 1234567*time.Nanosecond) // a real clock has more digits than a DATETIME keeps
			return testenv.Expect(t, e.Send(testenv.Request{Method: method, Path: path, Token: w.Admin, Body: body,
				Header: map[string]string{"X-Request-ID": rid}}), status)
		}
		start := e.Clock.Now()
		org := send("trail-org-create", "POST", "/api/v1/orgs", map[string]any{"name": "审计律所", "kind": "law_firm", "parent_id": w.Bureau}, 201).Map(t)["id"].(string)
		send("trail-org-update", "PATCH", "/api/v1/orgs/"+org, map[string]any{"name": "审计律所（更名）"}, 200)
		send("trail-org-update2", "PATCH", "/api/v1/orgs/"+org, map[string]any{"disabled": true}, 200)
		user := send("trail-user-create", "POST", "/api/v1/users", map[string]any{"username": "audited", "password": "password-123456",
			"display_name": "甲", "org_id": w.FirmA, "roles": []string{"handler"}}, 201).Map(t)["id"].(string)
		send("trail-user-update", "PATCH", "/api/v1/users/"+user, map[string]any{"display_name": "乙"}, 200)
		send("trail-user-update2", "PATCH", "/api/v1/users/"+user, map[string]any{"disabled": true}, 200)
		send("trail-user-reset", "POST", "/api/v1/users/"+user+"/password", map[string]any{"password": "password-654321"}, 204)

		rows := map[string]trailRow{}
		for _, rid := range []string{"trail-org-create", "trail-org-update", "trail-org-update2", "trail-user-create",
			"trail-user-update", "trail-user-update2", "trail-user-reset"} {
			var mine []trailRow
			for _, r := range trail(t, e, auditor, url.Values{"from": {start.Format(time.RFC3339)}}) {
				if r.RequestID == rid {
					mine = append(mine, r)
				}
			}
			if len(mine) != 1 {
				t.Errorf("%s: %d audit rows, want 1", rid, len(mine))
				continue
			}
			rows[rid] = mine[0]
		}
		for rid, want := range map[string]struct{ action, typ, id string }{
			"trail-org-create": {"org.create", "org", org}, "trail-org-update": {"org.update", "org", org},
			"trail-user-create": {"user.create", "user", user}, "trail-user-update": {"user.update", "user", user},
			"trail-user-reset": {"user.password_reset", "user", user},
		} {
			r := rows[rid]
			if r.Action != want.action || r.ObjectType != want.typ || r.ObjectID != want.id || r.ActorID == nil || *r.ActorID != adminID ||
				r.ActorName != "admin" || strings.Join(r.ActorRoles, ",") != "admin" || r.IP != "192.0.2.10" || r.Outcome != "ok" {
				t.Errorf("%s: row %+v, want %v by admin from 192.0.2.10", rid, r, want)
			}
		}
		for _, rid := range []string{"trail-org-create", "trail-user-create"} {
			if r := rows[rid]; r.BeforeHash != "" || !sha256Hex.MatchString(r.AfterHash) {
				t.Errorf("%s: before %q after %q, want only an after hash", rid, r.BeforeHash, r.AfterHash)
			}
		}
		for _, rid := range []string{"trail-org-update", "trail-user-update"} {
			if r := rows[rid]; !sha256Hex.MatchString(r.BeforeHash) || !sha256Hex.MatchString(r.AfterHash) || r.BeforeHash == r.AfterHash {
				t.Errorf("%s: before %q after %q, want two different hashes", rid, r.BeforeHash, r.AfterHash)
			}
		}
		// The hashes chain: what one write left is what the next one found.
		for _, pair := range [][2]string{{"trail-org-create", "trail-org-update"}, {"trail-org-update", "trail-org-update2"},
			{"trail-user-create", "trail-user-update"}, {"trail-user-update", "trail-user-update2"}} {
			if rows[pair[0]].AfterHash != rows[pair[1]].BeforeHash {
				t.Errorf("%s after %q ≠ %s before %q", pair[0], rows[pair[0]].AfterHash, pair[1], rows[pair[1]].BeforeHash)
			}
		}
	})
}

func TestAuditFiltersAndAccess(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		auditor := w.Tokens["auditor"]
		for _, who := range []string{"manager", "staff", "handler", "reviewer"} {
			testenv.Expect(t, e.Do("GET", "/api/v1/audit", w.Tokens[who], nil), http.StatusForbidden)
		}
		testenv.Expect(t, e.Do("GET", "/api/v1/audit", w.Admin, nil), http.StatusForbidden)
		testenv.Expect(t, e.Do("GET", "/api/v1/audit", "", nil), http.StatusUnauthorized)
		e.Clock.Advance(time.Minute)
		t0 := e.Clock.Now()
		org := e.CreateOrg(w.Admin, "过滤律所", "law_firm", w.Bureau)
		e.Clock.Advance(2 * time.Minute)
		t1 := e.Clock.Now()
		u := e.CreateUser(w.Admin, "filtered", org, "staff")
		e.Clock.Advance(2 * time.Minute)
		t2 := e.Clock.Now()
		testenv.Expect(t, e.Do("PATCH", "/api/v1/users/"+u, w.Admin, map[string]any{"display_name": "丙"}), 200)

		rfc := func(x time.Time) string { return x.In(time.FixedZone("", 8*3600)).Format(time.RFC3339) }
		actions := func(q url.Values) string {
			var out []string
			for _, r := range trail(t, e, auditor, q) {
				out = append(out, r.Action+"@"+r.ObjectID)
			}
			return strings.Join(out, " ")
		}
		for _, c := range []struct {
			q    url.Values
			want string
		}{
			{url.Values{"from": {rfc(t0)}}, "user.update@" + u + " user.create@" + u + " org.create@" + org},
			{url.Values{"from": {rfc(t1)}, "to": {rfc(t2)}}, "user.create@" + u},
			{url.Values{"from": {t1.UTC().Format(time.RFC3339)}, "to": {t2.UTC().Format(time.RFC3339)}}, "user.create@" + u},
			{url.Values{"action": {"org.create"}, "from": {rfc(t0)}}, "org.create@" + org},
			{url.Values{"object_type": {"user"}, "object_id": {u}}, "user.update@" + u + " user.create@" + u},
			{url.Values{"actor_id": {"1"}, "from": {rfc(t1)}}, "user.update@" + u + " user.create@" + u},
			{url.Values{"actor_id": {w.Users["staff"]}, "action": {"user.create"}}, ""},
		} {
			if got := actions(c.q); got != c.want {
				t.Errorf("%v: %q, want %q", c.q, got, c.want)
			}
		}
		for _, q := range []string{"actor_id=abc", "from=yesterday", "to=2024-05-24", "page_size=501"} {
			r := e.Do("GET", "/api/v1/audit?"+q, auditor, nil)
			if r.Status != 422 {
				t.Errorf("%s: %d %s, want 422", q, r.Status, r.Body)
			}
		}
	})
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		e.Seed()
		raw := e.Database.Open(t)
		var before int64
		raw.Table("audit_logs").Count(&before)
		for _, stmt := range []string{
			"UPDATE audit_logs SET actor_name = 'mallory' WHERE id = 1",
			"UPDATE audit_logs SET outcome = 'ok'",
			"DELETE FROM audit_logs WHERE id = 1",
			"DELETE FROM audit_logs",
		} {
			if err := raw.Exec(stmt).Error; err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want refused as append-only", stmt, err)
			}
		}
		var after, mallory int64
		raw.Table("audit_logs").Count(&after)
		raw.Table("audit_logs").Where("actor_name = ?", "mallory").Count(&mallory)
		if before == 0 || after != before || mallory != 0 {
			t.Errorf("audit rows %d → %d, rewritten %d", before, after, mallory)
		}
		if err := raw.Exec("INSERT INTO audit_logs (at, action, outcome) VALUES (?, 'test.insert', 'ok')", time.Now().UTC()).Error; err != nil {
			t.Errorf("insert refused: %v", err)
		}
	})
}
