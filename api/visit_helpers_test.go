package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// visitWorld is a callWorld whose clock has moved into the visits phase (2024-06-17 10:00).
type visitWorld struct{ *callWorld }

// newVisitWorld builds the world; calls, when given, run in the calls phase before the clock
// moves to the visits phase.
func newVisitWorld(t *testing.T, b testenv.Backend, calls func(cw *callWorld)) *visitWorld {
	t.Helper()
	cw := newCallWorld(t, b)
	if calls != nil {
		calls(cw)
	}
	cw.e.Clock.Advance(24*24*time.Hour + time.Hour) // 2024-05-24 09:00 → 2024-06-17 10:00
	cw.w.Admin = cw.e.AdminToken()
	relogin(cw.e, cw.w, "manager", "centre_manager", "staff", "firm_staff", "handler", "handler_b", "reviewer", "auditor")
	return &visitWorld{cw}
}

// visitCase stores an in-scope case of firm A assigned for visits to user (none when "").
func (vw *visitWorld) visitCase(t *testing.T, user, town string) string {
	t.Helper()
	id, _ := putCase(t, vw.e, campaignCase{Closed: "2022-01-01", Town: town, Handler: vw.handler, Org: parseWireID(t, vw.w.FirmA)})
	if user != "" {
		vw.assignVisit(t, wireID(id), user)
	}
	return wireID(id)
}

// assignVisit gives a case to user for the visits phase.
func (vw *visitWorld) assignVisit(t *testing.T, caseID, user string) {
	t.Helper()
	vw.e.AssignPhase(parseWireID(t, vw.campaign), "visits", caseID, vw.w.Users[user])
}

func (vw *visitWorld) visitPath(caseID string) string {
	return "/api/v1/campaigns/" + vw.campaign + "/cases/" + caseID + "/visits"
}

// visit posts a visit as user and expects status.
func (vw *visitWorld) visit(t *testing.T, user, caseID string, body map[string]any, status int) *testenv.Response {
	t.Helper()
	r := testenv.Expect(t, vw.e.Do(http.MethodPost, vw.visitPath(caseID), vw.w.Tokens[user], body), status)
	if status < 300 {
		testenv.CheckConventions(t, "visit", r.Body)
	}
	testenv.ScanForPersonalData(t, vw.e, "visit", r.Body)
	return r
}

// visitClientID is a well-formed UUID of its own for each n, apart from the calls' ones.
func visitClientID(n int) string { return fmt.Sprintf("7a2b3c4d-0000-4000-8000-%012d", n) }

// visitBody is a visit at visitedAt (RFC 3339) with answers and a location in 营盘镇.
func visitBody(n int, visitedAt string, ans map[string]any) map[string]any {
	return map[string]any{"client_id": visitClientID(n), "visited_at": visitedAt, "answers": ans,
		"location": map[string]any{"lat": 33.755, "lng": 109.01, "accuracy": 15, "coord_type": "wgs84", "address": "营盘镇朱家湾村"}}
}

// actorOf is the service-level actor of a seeded user, read from the database.
func actorOf(t *testing.T, vw *visitWorld, user string) model.Actor {
	t.Helper()
	var u model.User
	if err := vw.e.App.DB.Take(&u, parseWireID(t, vw.w.Users[user])).Error; err != nil {
		t.Fatal(err)
	}
	return model.Actor{UserID: u.ID, Username: u.Username, OrgID: u.OrgID, Roles: u.Roles()}
}

// parseID is a wire id as the services take it.
func parseID(t *testing.T, s string) model.ID { return model.ID(parseWireID(t, s)) }

// errCode is the code of a service error ("" for nil or a bug).
func errCode(err error) string {
	if e, ok := model.AsError(err); ok {
		return e.Code
	}
	return ""
}
