package db_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"fayuan/internal/db"
	"fayuan/internal/testenv"
	"fayuan/model"
)

var at = time.Date(2024, 3, 1, 2, 3, 4, 0, time.UTC)

// seedV1 writes rows as version 1 shaped them, with plain SQL: the live models may have moved on.
func seedV1(t *testing.T, g *gorm.DB) {
	t.Helper()
	for _, s := range []struct {
		sql  string
		args []any
	}{
		{"INSERT INTO orgs (id, name, kind, parent_id, disabled, created_at, updated_at) VALUES (1, '县司法局', 'bureau', NULL, ?, ?, ?)", []any{false, at, at}},
		{"INSERT INTO orgs (id, name, kind, parent_id, disabled, created_at, updated_at) VALUES (2, '秦风律师事务所', 'law_firm', 1, ?, ?, ?)", []any{true, at, at}},
		{"INSERT INTO users (id, username, display_name, password_hash, org_id, roles, disabled, created_at, updated_at) VALUES (7, 'old_staff', '老员工', '$2a$10$abcdefghijklmnopqrstuv', 2, 'staff,handler', ?, ?, ?)", []any{false, at, at}},
		{"INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at, rotated_at, revoked_at, created_at) VALUES (3, 7, 'fam1', 'hash-of-token', ?, ?, NULL, ?)", []any{at.Add(720 * time.Hour), at.Add(time.Minute), at}},
		{"INSERT INTO audit_logs (id, at, actor_id, actor_name, actor_roles, action, object_type, object_id, outcome, ip, request_id, before_hash, after_hash, reason) VALUES (5, ?, 7, 'old_staff', 'staff,handler', 'user.update', 'user', '7', 'ok', '192.0.2.1', 'req-v1-000001', 'b', 'a', '')", []any{at}},
	} {
		if err := g.Exec(s.sql, s.args...).Error; err != nil {
			t.Fatalf("v1 row: %v\n%s", err, s.sql)
		}
	}
}

// checkV1Data finds the version 1 rows intact through today's models.
func checkV1Data(t *testing.T, g *gorm.DB) {
	t.Helper()
	var orgs []model.Org
	if err := g.Order("id").Find(&orgs).Error; err != nil || len(orgs) != 2 {
		t.Fatalf("orgs %v %v", orgs, err)
	}
	if o := orgs[1]; o.Name != "秦风律师事务所" || o.Kind != model.OrgLawFirm || o.ParentID == nil || *o.ParentID != 1 || !o.Disabled || !o.CreatedAt.Equal(at) {
		t.Errorf("org after upgrade: %+v", o)
	}
	var u model.User
	if err := g.Take(&u, 7).Error; err != nil {
		t.Fatal(err)
	}
	if u.Username != "old_staff" || u.DisplayName != "老员工" || u.OrgID != 2 || u.RolesText != "staff,handler" ||
		u.PasswordHash != "$2a$10$abcdefghijklmnopqrstuv" || u.AuthEpoch != 0 || u.WechatOpenID != nil || !u.UpdatedAt.Equal(at) {
		t.Errorf("user after upgrade: %+v", u)
	}
	var rt model.RefreshToken
	if err := g.Take(&rt, 3).Error; err != nil {
		t.Fatal(err)
	}
	if rt.UserID != 7 || rt.FamilyID != "fam1" || rt.TokenHash != "hash-of-token" || rt.RotatedAt == nil ||
		!rt.RotatedAt.Equal(at.Add(time.Minute)) || rt.RevokedAt != nil || !rt.ExpiresAt.Equal(at.Add(720*time.Hour)) {
		t.Errorf("refresh token after upgrade: %+v", rt)
	}
	var a model.AuditLog
	if err := g.Take(&a, 5).Error; err != nil {
		t.Fatal(err)
	}
	if a.ActorID == nil || *a.ActorID != 7 || a.Action != "user.update" || a.RequestID != "req-v1-000001" || !a.At.Equal(at) {
		t.Errorf("audit row after upgrade: %+v", a)
	}
}

func TestUpgradeFromVersion1KeepsData(t *testing.T) {
	ctx := context.Background()
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		g := testenv.NewDatabase(t, b).Open(t)
		if err := db.Migrate(ctx, g, db.Migrations, 1); err != nil {
			t.Fatalf("migrate to 1: %v", err)
		}
		if v, _ := db.Version(g); v != 1 {
			t.Fatalf("version %d, want 1", v)
		}
		if g.Migrator().HasTable("login_attempts") || g.Migrator().HasColumn(&model.User{}, "auth_epoch") {
			t.Fatal("version 1 already has version 2's schema")
		}
		seedV1(t, g)

		if err := db.Migrate(ctx, g, db.Migrations, 0); err != nil {
			t.Fatalf("upgrade: %v", err)
		}
		if v, _ := db.Version(g); v != db.Latest(db.Migrations) {
			t.Fatalf("version %d, want %d", v, db.Latest(db.Migrations))
		}
		checkV1Data(t, g)

		// The new columns and tables work beside the old rows.
		open := "o-penid-123"
		if err := g.Model(&model.User{}).Where("id = 7").Updates(map[string]any{"auth_epoch": gorm.Expr("auth_epoch + 1"), "wechat_openid": open}).Error; err != nil {
			t.Errorf("new user columns: %v", err)
		}
		if err := g.Create(&model.LoginAttempt{Username: "old_staff", At: at, Outcome: "failure", IP: "192.0.2.1"}).Error; err != nil {
			t.Errorf("login_attempts: %v", err)
		}
		if err := g.Create(&model.WechatBindingCode{UserID: 7, CodeHash: "h", ExpiresAt: at, CreatedAt: at}).Error; err != nil {
			t.Errorf("wechat_binding_codes: %v", err)
		}
		if err := g.Exec("UPDATE audit_logs SET outcome = 'x' WHERE id = 5").Error; err == nil {
			t.Error("the upgraded audit log accepts UPDATE")
		}

		// A second run is a no-op.
		var applied []int
		g.Table("schema_migrations").Order("version").Pluck("version", &applied)
		if err := db.Migrate(ctx, g, db.Migrations, 0); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		var again []int
		g.Table("schema_migrations").Order("version").Pluck("version", &again)
		if !slices.Equal(applied, again) || len(again) != len(db.Migrations) {
			t.Errorf("schema_migrations %v → %v", applied, again)
		}
		var epoch int
		g.Table("users").Select("auth_epoch").Where("id = 7").Scan(&epoch)
		if epoch != 1 {
			t.Errorf("auth_epoch %d after the second run, want 1", epoch)
		}

		// The upgraded schema is the one a fresh database gets.
		fresh := testenv.NewDatabase(t, b).Open(t)
		if err := db.Migrate(ctx, fresh, db.Migrations, 0); err != nil {
			t.Fatal(err)
		}
		got, want := schemaOf(t, g), schemaOf(t, fresh)
		if len(want) < 40 {
			t.Fatalf("schema listing too short to compare: %v", want)
		}
		if !slices.Equal(got, want) {
			t.Errorf("upgraded schema differs from a fresh one:\nupgraded %v\nfresh    %v", diff(got, want), diff(want, got))
		}
	})
}

// schemaOf lists table.column:type for every table.
func schemaOf(t *testing.T, g *gorm.DB) []string {
	t.Helper()
	tables, err := g.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tb := range tables {
		cols, err := g.Migrator().ColumnTypes(tb)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cols {
			null, _ := c.Nullable()
			out = append(out, tb+"."+c.Name()+":"+strings.ToLower(c.DatabaseTypeName())+map[bool]string{true: " null"}[null])
		}
	}
	slices.Sort(out)
	return out
}

// diff is what a has that b lacks.
func diff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// Two replicas starting at once on an empty database (three processes on one SQLite file)
// all succeed, and the schema is built once.
func TestConcurrentMigrate(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		d := testenv.NewDatabase(t, b)
		conns := []*gorm.DB{d.Open(t), d.Open(t), d.Open(t)}
		errs := make([]error, len(conns))
		var wg sync.WaitGroup
		for i, g := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = db.Migrate(context.Background(), g, db.Migrations, 0)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
		}
		var versions []int
		conns[0].Table("schema_migrations").Order("version").Pluck("version", &versions)
		var want []int
		for _, m := range db.Migrations {
			want = append(want, m.Version)
		}
		if !slices.Equal(versions, want) {
			t.Errorf("schema_migrations %v, want %v", versions, want)
		}
		q := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_logs'"
		if b == testenv.MySQL {
			q = "SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_schema = DATABASE() AND event_object_table = 'audit_logs'"
		}
		var triggers int
		if err := conns[0].Raw(q).Scan(&triggers).Error; err != nil || triggers != 2 {
			t.Errorf("%d triggers on audit_logs (%v), want 2", triggers, err)
		}
	})
}

// A database migrated by a newer release is refused with a message naming both versions, and
// nothing is recorded: an older build would otherwise run on a schema it does not know and,
// once its own migrations caught up, skip the newer release's for good.
func TestMigrateRefusesNewerSchema(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		g := testenv.NewDatabase(t, b).Open(t)
		if err := db.Migrate(ctx, g, db.Migrations, 0); err != nil {
			t.Fatal(err)
		}
		older := db.Migrations[:len(db.Migrations)-1]
		err := db.Migrate(ctx, g, older, 0)
		if err == nil {
			t.Fatal("an older build migrated a newer schema without complaint")
		}
		latest := db.Latest(db.Migrations)
		if msg := err.Error(); !strings.Contains(msg, fmt.Sprint(latest)) || !strings.Contains(msg, fmt.Sprint(db.Latest(older))) {
			t.Errorf("message does not name both versions: %v", err)
		}
		if v, _ := db.Version(g); v != latest {
			t.Errorf("version %d after the refusal, want %d", v, latest)
		}
	})
}
