package testenv

import (
	"net/http"
)

// Login logs in with a password and returns the access and refresh tokens.
func (e *Env) Login(username, password string) (access, refresh string) {
	e.T.Helper()
	r := Expect(e.T, e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": password}), http.StatusOK)
	var out struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	r.JSON(e.T, &out)
	e.Tripwire.Add("access token of "+username, out.AccessToken)
	e.Tripwire.Add("refresh token of "+username, out.RefreshToken)
	return out.AccessToken, out.RefreshToken
}

// AdminToken logs admin in.
func (e *Env) AdminToken() string {
	e.T.Helper()
	tok, _ := e.Login("admin", e.AdminPassword)
	return tok
}

// CreateOrg creates an organisation as admin and returns its id.
func (e *Env) CreateOrg(adminToken, name, kind string, parentID string) string {
	e.T.Helper()
	body := map[string]any{"name": name, "kind": kind}
	if parentID != "" {
		body["parent_id"] = parentID
	}
	r := Expect(e.T, e.Do(http.MethodPost, "/api/v1/orgs", adminToken, body), http.StatusCreated)
	return r.Map(e.T)["id"].(string)
}

// CreateUser creates an account as admin and returns its id. The password is "password-" + username.
func (e *Env) CreateUser(adminToken, username, orgID string, roles ...string) string {
	e.T.Helper()
	r := Expect(e.T, e.Do(http.MethodPost, "/api/v1/users", adminToken, map[string]any{
		"username": username, "password": Password(username), "display_name": "用户" + username, "org_id": orgID, "roles": roles,
	}), http.StatusCreated)
	e.Tripwire.Add("password of "+username, Password(username))
	return r.Map(e.T)["id"].(string)
}

// Password is the password CreateUser gives username.
func Password(username string) string { return "password-" + username }

// World is a small county: the bureau, the aid centre, two law firms, a legal service office, a
// judicial office and a court, with one user for each role.
type World struct {
	Admin                                              string // token
	Bureau, AidCenter, FirmA, FirmB, Office, JudOffice string // org ids
	Court                                              string
	Users                                              map[string]string // username → id
	Tokens                                             map[string]string // username → access token
}

// Seed builds the World. Usernames: manager (bureau), centre_manager (aid centre), staff
// (aid centre), firm_staff (firm A), reviewer (firm B), handler (firm A), handler_b (firm B),
// auditor (bureau).
func (e *Env) Seed() *World {
	e.T.Helper()
	w := &World{Users: map[string]string{}, Tokens: map[string]string{}}
	w.Admin = e.AdminToken()
	w.Bureau = "1"
	w.AidCenter = e.CreateOrg(w.Admin, "县法律援助中心", "aid_center", w.Bureau)
	w.FirmA = e.CreateOrg(w.Admin, "秦风律师事务所", "law_firm", w.Bureau)
	w.FirmB = e.CreateOrg(w.Admin, "乾佑律师事务所", "law_firm", w.Bureau)
	w.Office = e.CreateOrg(w.Admin, "城关法律服务所", "legal_service_office", w.Bureau)
	w.JudOffice = e.CreateOrg(w.Admin, "营盘镇司法所", "judicial_office", w.Bureau)
	w.Court = e.CreateOrg(w.Admin, "柞水县人民法院", "judicial_organ", "")
	for _, u := range []struct{ name, org, role string }{
		{"manager", w.Bureau, "manager"}, {"centre_manager", w.AidCenter, "manager"}, {"staff", w.AidCenter, "staff"},
		{"firm_staff", w.FirmA, "staff"}, {"reviewer", w.FirmB, "reviewer"}, {"handler", w.FirmA, "handler"},
		{"handler_b", w.FirmB, "handler"}, {"auditor", w.Bureau, "auditor"},
	} {
		w.Users[u.name] = e.CreateUser(w.Admin, u.name, u.org, u.role)
		w.Tokens[u.name], _ = e.Login(u.name, Password(u.name))
	}
	return w
}
