package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// callWorld is a campaign with cases of firm A's handler, ready for calls.
type callWorld struct {
	e        *testenv.Env
	w        *testenv.World
	campaign string
	handler  uint64 // firm A's handler record
}

func newCallWorld(t *testing.T, b testenv.Backend) *callWorld {
	t.Helper()
	e := testenv.New(t, b)
	w := e.Seed()
	cw := &callWorld{e: e, w: w, campaign: startCampaign(t, e, w)}
	cw.handler = putHandler(t, e, parseWireID(t, w.FirmA), "承办人", parseWireID(t, w.Users["handler"]))
	return cw
}

// caseFor stores an in-scope case of firm A and assigns it for calls to user (none when "").
func (cw *callWorld) caseFor(t *testing.T, user string, town string) string {
	t.Helper()
	id, _ := putCase(t, cw.e, campaignCase{Closed: "2022-01-01", Town: town, Handler: cw.handler, Org: parseWireID(t, cw.w.FirmA)})
	if user != "" {
		cw.e.AssignPhase(parseWireID(t, cw.campaign), "calls", wireID(id), cw.w.Users[user])
	}
	return wireID(id)
}

func (cw *callWorld) callPath(caseID string) string {
	return "/api/v1/campaigns/" + cw.campaign + "/cases/" + caseID + "/calls"
}

// call posts a call attempt as user and expects status.
func (cw *callWorld) call(t *testing.T, user, caseID string, body map[string]any, status int) *testenv.Response {
	t.Helper()
	r := testenv.Expect(t, cw.e.Do(http.MethodPost, cw.callPath(caseID), cw.w.Tokens[user], body), status)
	if status < 300 { // a 422's details name fields such as called_at with messages, not times
		testenv.CheckConventions(t, "call", r.Body)
	}
	testenv.ScanForPersonalData(t, cw.e, "call", r.Body)
	return r
}

// clientID is a well-formed UUID of its own for each n.
func clientID(n int) string { return fmt.Sprintf("6f1c2a3b-0000-4000-8000-%012d", n) }

// answers is a complete answer of an honest "no" to everything; over changes fields, nil removes one.
func answers(over map[string]any) map[string]any {
	a := map[string]any{"charged_fee": "no", "negligent": "no", "satisfied": "satisfied", "suggestion": "无",
		"answered_by": "recipient"}
	for k, v := range over {
		if v == nil {
			delete(a, k)
		} else {
			a[k] = v
		}
	}
	return a
}

// callBody is an attempt at called_at (RFC 3339) with an outcome and, when given, answers.
func callBody(n int, calledAt, outcome string, ans map[string]any) map[string]any {
	b := map[string]any{"client_id": clientID(n), "called_at": calledAt, "outcome": outcome}
	if ans != nil {
		b["answers"] = ans
	}
	return b
}

// assignmentRow reads a case's calls summary straight from the database.
func (cw *callWorld) assignmentRow(t *testing.T, caseID string) model.CaseAssignment {
	t.Helper()
	var a model.CaseAssignment
	err := cw.e.App.DB.Where("campaign_id = ? AND phase = ? AND case_id = ?", parseWireID(t, cw.campaign), "calls", parseWireID(t, caseID)).Take(&a).Error
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// countRows counts a table's rows matching where.
func countRows(t *testing.T, e *testenv.Env, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := e.App.DB.Table(table).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// errFields is the 422 answer's details.fields.
func errFields(t *testing.T, r *testenv.Response) map[string]string {
	t.Helper()
	var body struct {
		Details struct {
			Fields map[string]string `json:"fields"`
		} `json:"details"`
	}
	r.JSON(t, &body)
	return body.Details.Fields
}
