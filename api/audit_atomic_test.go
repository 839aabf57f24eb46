package api_test

import (
	"strings"
	"testing"

	"gorm.io/gorm"

	"fayuan/internal/testenv"
)

// refuseAudit makes the database reject audit rows of one action, as a full disk or a broken
// replica would, and returns the function that lifts the refusal.
func refuseAudit(t *testing.T, e *testenv.Env, raw *gorm.DB, action string) func() {
	t.Helper()
	stmt := "CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_logs WHEN NEW.action = '" + action +
		"' BEGIN SELECT RAISE(ABORT, 'test trigger refused the audit insert'); END"
	if e.Backend == testenv.MySQL {
		stmt = "CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_logs FOR EACH ROW BEGIN IF NEW.action = '" + action +
			"' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'test trigger refused the audit insert'; END IF; END"
	}
	if err := raw.Exec(stmt).Error; err != nil {
		t.Fatalf("install trigger: %v", err)
	}
	return func() {
		if err := raw.Exec("DROP TRIGGER test_refuse_audit").Error; err != nil {
			t.Fatalf("drop trigger: %v", err)
		}
	}
}

// A write whose audit row cannot be stored does not happen: the answer is 500 internal, with
// no SQL in it, and the write is rolled back with it.
func TestWriteWithoutAuditRowLeavesNothing(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		raw := e.Database.Open(t)
		target := w.Users["firm_staff"]
		_, targetRefresh := e.Login("firm_staff", testenv.Password("firm_staff"))
		scalar := func(q string, args ...any) string {
			var s string
			if err := raw.Raw(q, args...).Scan(&s).Error; err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return s
		}
		cases := []struct {
			action, method, path string
			body                 map[string]any
			unchanged            func() bool
		}{
			{"org.create", "POST", "/api/v1/orgs", map[string]any{"name": "未审计律所", "kind": "law_firm"},
				func() bool { return scalar("SELECT COUNT(*) FROM orgs WHERE name = ?", "未审计律所") == "0" }},
			{"org.update", "PATCH", "/api/v1/orgs/" + w.FirmA, map[string]any{"name": "未审计改名", "disabled": true},
				func() bool { return scalar("SELECT name FROM orgs WHERE id = ?", w.FirmA) == "秦风律师事务所" }},
			{"user.create", "POST", "/api/v1/users", map[string]any{"username": "unaudited", "password": "password-123456",
				"display_name": "甲", "org_id": w.FirmA, "roles": []string{"staff"}},
				func() bool { return scalar("SELECT COUNT(*) FROM users WHERE username = ?", "unaudited") == "0" }},
			{"user.update", "PATCH", "/api/v1/users/" + target, map[string]any{"display_name": "未审计", "disabled": true},
				func() bool {
					return scalar("SELECT display_name FROM users WHERE id = ?", target) == "用户firm_staff" &&
						scalar("SELECT COUNT(*) FROM users WHERE id = ? AND disabled = ?", target, false) == "1"
				}},
			{"user.password_reset", "POST", "/api/v1/users/" + target + "/password", map[string]any{"password": "unaudited-password"},
				func() bool {
					return scalar("SELECT COUNT(*) FROM refresh_tokens WHERE user_id = ? AND revoked_at IS NOT NULL", target) == "0" &&
						scalar("SELECT auth_epoch FROM users WHERE id = ?", target) == "0"
				}},
		}
		for _, c := range cases {
			t.Run(c.action, func(t *testing.T) {
				before := rowCounts(t, e)
				lift := refuseAudit(t, e, raw, c.action)
				r := e.Do(c.method, c.path, w.Admin, c.body)
				lift()
				if r.Status != 500 || r.Code() != "internal" {
					t.Errorf("answer %d %s, want 500 internal", r.Status, r.Body)
				}
				low := strings.ToLower(string(r.Body))
				for _, leak := range []string{"audit", "trigger", "insert", "sql", "45000", "refused"} {
					if strings.Contains(low, leak) {
						t.Errorf("answer leaks %q: %s", leak, r.Body)
					}
				}
				if !c.unchanged() {
					t.Errorf("%s took effect without its audit row", c.action)
				}
				if after := rowCounts(t, e); !equalCounts(before, after) {
					t.Errorf("rows %v → %v", before, after)
				}
			})
		}
		if !strings.Contains(string(e.Logs.Bytes()), "test trigger refused the audit insert") {
			t.Error("the cause is not in the log")
		}
		// With the audit working again, the same writes go through, and the old password is still the one.
		testenv.Expect(t, e.Do("POST", "/api/v1/users/"+target+"/password", w.Admin, map[string]any{"password": "audited-password"}), 204)
		testenv.Expect(t, e.Do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": targetRefresh}), 401)
	})
}
