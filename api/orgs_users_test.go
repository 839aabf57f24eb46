package api_test

import (
	"testing"

	"fayuan/internal/testenv"
)

// fields is the 422 answer's details.fields.
func invalidFields(t *testing.T, r *testenv.Response) map[string]any {
	t.Helper()
	f, _ := r.Map(t)["details"].(map[string]any)["fields"].(map[string]any)
	return f
}

// expectInvalid requires a 422 naming field.
func expectInvalid(t *testing.T, what string, r *testenv.Response, field string) {
	t.Helper()
	if r.Status != 422 || r.Code() != "invalid_fields" {
		t.Errorf("%s: %d %s, want 422 invalid_fields", what, r.Status, r.Body)
		return
	}
	if _, ok := invalidFields(t, r)[field]; !ok {
		t.Errorf("%s: 422 does not name %s: %s", what, field, r.Body)
	}
}

func TestRolesMustFitTheOrganisation(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		n := 0
		create := func(org string, roles ...string) *testenv.Response {
			n++
			return e.Do("POST", "/api/v1/users", w.Admin, map[string]any{"username": "fit_" + string(rune('a'+n)) + "_user",
				"password": "password-123456", "display_name": "甲", "org_id": org, "roles": roles})
		}
		before := rowCounts(t, e)
		for _, c := range []struct {
			what  string
			org   string
			roles []string
		}{
			{"manager in a law firm", w.FirmA, []string{"manager"}},
			{"manager in a legal service office", w.Office, []string{"manager"}},
			{"reviewer in the bureau", w.Bureau, []string{"reviewer"}},
			{"staff in the bureau", w.Bureau, []string{"staff"}},
			{"handler in the aid centre", w.AidCenter, []string{"handler"}},
			{"admin in the aid centre", w.AidCenter, []string{"admin"}},
			{"auditor in a law firm", w.FirmA, []string{"auditor"}},
			{"anyone in a court", w.Court, []string{"staff"}},
			{"one role of two does not fit", w.FirmA, []string{"staff", "manager"}},
			{"unknown role", w.FirmA, []string{"superuser"}},
			{"no role", w.FirmA, []string{}},
		} {
			expectInvalid(t, c.what, create(c.org, c.roles...), "roles")
		}
		if after := rowCounts(t, e); !equalCounts(before, after) {
			t.Errorf("refused accounts wrote rows: %v → %v", before, after)
		}
		for _, c := range []struct {
			org   string
			roles []string
		}{
			{w.Bureau, []string{"manager", "auditor"}}, {w.AidCenter, []string{"manager", "staff", "reviewer"}},
			{w.FirmA, []string{"staff", "reviewer", "handler"}}, {w.Office, []string{"handler"}}, {w.JudOffice, []string{"staff"}},
		} {
			testenv.Expect(t, create(c.org, c.roles...), 201)
		}
		// Edits are held to the same table: a role added, or a move to another kind of organisation.
		expectInvalid(t, "firm staff made manager", e.Do("PATCH", "/api/v1/users/"+w.Users["firm_staff"], w.Admin,
			map[string]any{"roles": []string{"staff", "manager"}}), "roles")
		expectInvalid(t, "centre manager moved to a firm", e.Do("PATCH", "/api/v1/users/"+w.Users["centre_manager"], w.Admin,
			map[string]any{"org_id": w.FirmA}), "roles")
	})
}

func TestDuplicateUsername(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		for _, name := range []string{"staff", "Staff", " staff "} {
			r := e.Do("POST", "/api/v1/users", w.Admin, map[string]any{"username": name, "password": "password-123456",
				"display_name": "重名", "org_id": w.FirmA, "roles": []string{"staff"}})
			if r.Status != 409 || r.Code() != "username_taken" {
				t.Errorf("username %q: %d %s, want 409 username_taken", name, r.Status, r.Body)
			}
		}
		r := e.Do("POST", "/api/v1/orgs", w.Admin, map[string]any{"name": "秦风律师事务所", "kind": "law_firm"})
		if r.Status != 409 || r.Code() != "org_name_taken" {
			t.Errorf("duplicate org name: %d %s", r.Status, r.Body)
		}
	})
}

func TestOrganisationsNestWithoutCycles(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		admin := e.AdminToken()
		a := e.CreateOrg(admin, "甲中心", "aid_center", "1")
		bb := e.CreateOrg(admin, "乙所", "legal_service_office", a)
		c := e.CreateOrg(admin, "丙所", "legal_service_office", bb)
		list := testenv.Expect(t, e.Do("GET", "/api/v1/orgs", admin, nil), 200).Map(t)["items"].([]any)
		parents := map[any]any{}
		for _, it := range list {
			m := it.(map[string]any)
			parents[m["id"]] = m["parent_id"]
		}
		if parents[a] != "1" || parents[bb] != a || parents[c] != bb || parents["1"] != nil {
			t.Errorf("nesting: %v", parents)
		}
		expectInvalid(t, "unknown parent", e.Do("POST", "/api/v1/orgs", admin, map[string]any{"name": "丁所", "kind": "law_firm", "parent_id": "9999"}), "parent_id")
		expectInvalid(t, "unknown kind", e.Do("POST", "/api/v1/orgs", admin, map[string]any{"name": "戊所", "kind": "court"}), "kind")
		for _, cy := range []struct{ what, id, parent string }{
			{"own parent", a, a}, {"child as parent", a, bb}, {"grandchild as parent", a, c}, {"root under a descendant", "1", c},
		} {
			expectInvalid(t, cy.what, e.Do("PATCH", "/api/v1/orgs/"+cy.id, admin, map[string]any{"parent_id": cy.parent}), "parent_id")
		}
		// A legal move, then a detach: the tree follows.
		if got := testenv.Expect(t, e.Do("PATCH", "/api/v1/orgs/"+c, admin, map[string]any{"parent_id": a}), 200).Map(t)["parent_id"]; got != a {
			t.Errorf("moved parent_id %v, want %v", got, a)
		}
		if got := testenv.Expect(t, e.Do("PATCH", "/api/v1/orgs/"+c, admin, map[string]any{"parent_id": "0"}), 200).Map(t)["parent_id"]; got != nil {
			t.Errorf("detached parent_id %v, want null", got)
		}
		testenv.Expect(t, e.Do("PATCH", "/api/v1/orgs/9999", admin, map[string]any{"name": "无"}), 404)
	})
}

func TestDisabledOrganisation(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		newUser := func(name, org string) *testenv.Response {
			return e.Do("POST", "/api/v1/users", w.Admin, map[string]any{"username": name, "password": "password-123456",
				"display_name": "甲", "org_id": org, "roles": []string{"staff"}})
		}
		r := testenv.Expect(t, e.Do("PATCH", "/api/v1/orgs/"+w.FirmB, w.Admin, map[string]any{"disabled": true}), 200)
		if r.Map(t)["disabled"] != true {
			t.Fatalf("disable: %s", r.Body)
		}
		before := rowCounts(t, e)
		expectInvalid(t, "user in a disabled org", newUser("in_disabled", w.FirmB), "org_id")
		expectInvalid(t, "user moved into a disabled org", e.Do("PATCH", "/api/v1/users/"+w.Users["firm_staff"], w.Admin,
			map[string]any{"org_id": w.FirmB}), "org_id")
		if after := rowCounts(t, e); !equalCounts(before, after) {
			t.Errorf("refused writes wrote rows: %v → %v", before, after)
		}
		// The accounts already there can still be managed, above all disabled.
		r = testenv.Expect(t, e.Do("PATCH", "/api/v1/users/"+w.Users["reviewer"], w.Admin, map[string]any{"disabled": true}), 200)
		if r.Map(t)["disabled"] != true {
			t.Errorf("disable a user of a disabled org: %s", r.Body)
		}
		testenv.Expect(t, e.Do("PATCH", "/api/v1/orgs/"+w.FirmB, w.Admin, map[string]any{"disabled": false}), 200)
		testenv.Expect(t, newUser("in_enabled", w.FirmB), 201)
	})
}
