package router_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"fayuan/internal/testenv"
)

// The route × role table. Every route the engine registers has one line here, keyed by its
// method and gin pattern, giving the status each caller of testenv.Callers gets. A route
// added without a line fails TestRouteRoleTable; so does a line whose route is gone.
//
// To add a route: one line. Give path when the pattern has parameters (build it from the
// fixture, adding the objects it needs to fixture and newFixture), body when the route reads
// one (it may vary by caller so that repeated writes do not collide), and the expectations
// with only / loggedIn / anyone, adjusted with but.
var routes = map[string]route{
	"GET /healthz":                                       {want: anyone(200)},
	"GET /readyz":                                        {want: anyone(200)},
	"GET /swagger/*any":                                  {path: fixed("/swagger/index.html"), want: anyone(200)},
	"POST /api/v1/auth/login":                            {body: badLogin, want: anyone(401)},
	"POST /api/v1/auth/wechat":                           {body: static(`{"code":"0a1b2c3d4e"}`), want: anyone(503)},
	"POST /api/v1/auth/refresh":                          {body: static(`{"refresh_token":"not-a-refresh-token"}`), want: anyone(401)},
	"POST /api/v1/auth/logout":                           {body: static(`{"refresh_token":"not-a-refresh-token"}`), want: anyone(204)},
	"GET /api/v1/me":                                     {want: loggedIn(200)},
	"POST /api/v1/me/password":                           {body: static(`{"old_password":"not-my-password","new_password":"a-new-password-1"}`), want: loggedIn(422)},
	"POST /api/v1/me/subscriptions":                      {body: static(`{"template_ids":["not-a-configured-template"]}`), want: loggedIn(422)},
	"GET /api/v1/orgs":                                   {want: only(200, "admin")},
	"POST /api/v1/orgs":                                  {body: newOrg, want: only(201, "admin")},
	"PATCH /api/v1/orgs/:id":                             {path: func(f *fixture) string { return "/api/v1/orgs/" + f.org }, body: renameOrg, want: only(200, "admin")},
	"GET /api/v1/users":                                  {want: only(200, "admin")},
	"POST /api/v1/users":                                 {body: newUser, want: only(201, "admin")},
	"GET /api/v1/users/:id":                              {path: userPath(""), want: only(200, "admin")},
	"PATCH /api/v1/users/:id":                            {path: userPath(""), body: static(`{"display_name":"改过的名字"}`), want: only(200, "admin")},
	"POST /api/v1/users/:id/password":                    {path: userPath("/password"), body: static(`{"password":"reset-password-1"}`), want: only(204, "admin")},
	"POST /api/v1/users/:id/wechat-binding-code":         {path: userPath("/wechat-binding-code"), want: only(201, "admin")},
	"GET /api/v1/audit":                                  {want: only(200, "auditor")},
	"GET /api/v1/cases":                                  {want: loggedIn(200).but("admin", 403).but("auditor", 403)},
	"POST /api/v1/cases":                                 {body: newCase, want: only(201, "manager")},
	"GET /api/v1/cases/:id":                              {path: casePath(""), want: only(404, "staff", "reviewer", "handler", "other_org").but("manager", 200).but("staff", 200).but("handler", 200)},
	"PATCH /api/v1/cases/:id":                            {path: casePath(""), body: static(`{"version":1,"notes":"表格"}`), want: only(200, "manager")},
	"POST /api/v1/cases/:id/reveal":                      {path: casePath("/reveal"), body: static(`{"field":"address","reason":"表格核对"}`), want: only(200, "manager")},
	"POST /api/v1/cases/import":                          {body: static(`{}`), want: only(415, "manager")}, // a JSON body: the manager is told to send multipart
	"GET /api/v1/cases/import-template":                  {want: only(200, "manager")},
	"GET /api/v1/campaign-templates":                     {want: only(200, "manager")},
	"GET /api/v1/campaigns":                              {want: only(200, "manager")},
	"POST /api/v1/campaigns":                             {body: static(`{"template":"zhashui-2024-53"}`), want: only(201, "manager")},
	"GET /api/v1/campaigns/:id":                          {path: campaignPath(""), want: loggedIn(404).but("manager", 200).but("staff", 200)},
	"PATCH /api/v1/campaigns/:id":                        {path: campaignPath(""), body: static(`{"name":"表格改名的活动"}`), want: only(200, "manager")},
	"POST /api/v1/campaigns/:id/phases/:phase/extend":    {path: campaignPath("/phases/calls/extend"), body: static(`{"end":"2024-06-15","reason":"表格"}`), want: only(200, "manager")},
	"GET /api/v1/campaigns/:id/exclusions":               {path: campaignPath("/exclusions"), want: only(200, "manager")},
	"POST /api/v1/campaigns/:id/exclusions":              {path: campaignPath("/exclusions"), body: exclude, want: only(201, "manager")},
	"POST /api/v1/campaigns/:id/exclusions/:xid/confirm": {path: campaignPath("/exclusions/999999/confirm"), want: only(404, "manager")},
	"POST /api/v1/campaigns/:id/assignments":             {path: campaignPath("/assignments"), body: assignStaff, want: only(200, "manager")},
	"GET /api/v1/campaigns/:id/progress":                 {path: campaignPath("/progress"), want: only(200, "manager")},
	"POST /api/v1/campaigns/:id/progress/rebuild":        {path: campaignPath("/progress/rebuild"), want: only(200, "manager")},
	"GET /api/v1/campaigns/:id/notifications":            {path: campaignPath("/notifications"), want: only(200, "manager")},
	"GET /api/v1/campaigns/:id/follow-ups":               {path: campaignPath("/follow-ups?phase=calls"), want: only(404, "staff", "other_org").but("staff", 200)},
	"POST /api/v1/campaigns/:id/cases/:case_id/calls":    {path: callPath, body: newCall, want: only(201, "staff", "manager").but("other_org", 404)},
	"GET /api/v1/campaigns/:id/alerts":                   {path: campaignPath("/alerts"), want: only(200, "manager")},
	"GET /api/v1/campaigns/:id/flags":                    {path: campaignPath("/flags"), want: only(200, "manager")},
	"GET /api/v1/campaigns/:id/export":                   {path: campaignPath("/export?kind=calls"), want: only(200, "manager")},
	"GET /api/v1/campaigns/:id/cases/:case_id/form":      {path: formPath, want: only(404, "staff", "manager", "other_org").but("manager", 200).but("staff", 200)},
	"PATCH /api/v1/calls/:id":                            {path: fixed("/api/v1/calls/999999"), body: static(`{"version":1,"note":"表格"}`), want: only(404, "staff", "manager", "other_org")},
	"POST /api/v1/alerts/:id/assign":                     {path: fixed("/api/v1/alerts/999999/assign"), body: static(`{"investigator_id":"1"}`), want: only(404, "manager")},
	"POST /api/v1/alerts/:id/conclude":                   {path: fixed("/api/v1/alerts/999999/conclude"), body: static(`{"findings":"表格","conclusion":"referred","action":"表格"}`), want: only(404, "staff", "manager", "other_org")},
	"POST /api/v1/campaigns/:id/cases/:case_id/visits":   {path: visitPath, body: newVisit, want: only(404, "staff", "manager", "other_org").but("manager", 201)}, // staff: assigned for calls, not visits
	"GET /api/v1/visits/:id":                             {path: fixed("/api/v1/visits/999999"), want: only(404, "staff", "manager", "other_org")},
	"DELETE /api/v1/visits/:id":                          {path: fixed("/api/v1/visits/999999"), want: only(404, "staff", "manager", "other_org")},

	// The recipients' survey; the token routes are anonymous, guarded by the token.
	"POST /api/v1/campaigns/:id/cases/:case_id/survey-link":        {path: surveyLinkPath(""), want: only(200, "staff", "manager").but("other_org", 404)},
	"POST /api/v1/campaigns/:id/cases/:case_id/survey-link/revoke": {path: campaignPath("/cases/999999/survey-link/revoke"), want: only(404, "staff", "manager", "other_org")},
	"POST /api/v1/campaigns/:id/cases/:case_id/survey-link/unlock": {path: surveyLinkPath("/unlock"), want: only(200, "staff", "manager").but("other_org", 404)},
	"GET /api/v1/survey-codes/:id":                                 {path: fixed("/api/v1/survey-codes/1"), want: anyone(403)}, // no signature
	"GET /api/v1/survey/:token":                                    {path: surveyPath(""), want: anyone(200)},
	"POST /api/v1/survey/:token":                                   {path: surveyPath(""), body: static(`{"client_id":"00000000-0000-4000-8000-000000000001","answers":{}}`), want: anyone(401)},
	"POST /api/v1/survey/:token/verify":                            {path: surveyPath("/verify"), body: static(`{}`), want: anyone(422)},
	"GET /s/:token":                                                {path: func(f *fixture) string { return "/s/" + f.survey }, want: anyone(200)},
	"GET /api/v1/rubrics":                                          {want: only(200, "manager")},
	"POST /api/v1/rubrics":                                         {body: newRubric, want: only(201, "manager")},
	"GET /api/v1/campaigns/:id/review-settings":                    {path: campaignPath("/review-settings"), want: only(200, "manager")},
	"PUT /api/v1/campaigns/:id/review-settings":                    {path: campaignPath("/review-settings"), body: static(`{"hand_in_days":12}`), want: only(200, "manager")},
	"POST /api/v1/campaigns/:id/reviews/sample":                    {path: campaignPath("/reviews/sample"), body: static(`{"all":true}`), want: only(200, "manager")},
	"POST /api/v1/campaigns/:id/reviews/assign":                    {path: campaignPath("/reviews/assign"), body: assignReviewers, want: only(200, "manager")},
	"GET /api/v1/campaigns/:id/reviews":                            {path: campaignPath("/reviews"), want: only(200, "manager", "reviewer", "other_org")},
	"POST /api/v1/campaigns/:id/reviews/conflicts":                 {path: campaignPath("/reviews/conflicts"), body: declareConflict, want: only(201, "reviewer", "other_org")},
	"GET /api/v1/campaigns/:id/reviews/conflicts":                  {path: campaignPath("/reviews/conflicts"), want: only(200, "manager", "reviewer", "other_org")},
	"GET /api/v1/campaigns/:id/files":                              {path: campaignPath("/files"), want: only(200, "manager", "handler", "staff", "other_org")},
	"GET /api/v1/campaigns/:id/files/overdue":                      {path: campaignPath("/files/overdue"), want: only(200, "manager")},
	"POST /api/v1/campaigns/:id/files/:case_id/hand-in":            {path: campaignPath("/files/999999/hand-in"), want: only(404, "manager", "handler", "staff", "other_org")},
	"POST /api/v1/campaigns/:id/files/:case_id/receive":            {path: campaignPath("/files/999999/receive"), want: only(404, "manager")},
	"GET /api/v1/reviews/:id":                                      {path: fixed("/api/v1/reviews/999999"), want: only(404, "manager", "reviewer", "other_org")},
	"PUT /api/v1/reviews/:id":                                      {path: fixed("/api/v1/reviews/999999"), body: static(`{"version":1}`), want: only(404, "reviewer", "other_org")},

	// Hearing observations, organs' opinions, results and their consequences.
	"GET /api/v1/campaigns/:id/hearings":                           {path: campaignPath("/hearings"), want: only(200, "manager", "staff").but("other_org", 404)},
	"POST /api/v1/campaigns/:id/hearings":                          {path: campaignPath("/hearings"), body: newHearing, want: only(201, "manager", "staff").but("other_org", 404)},
	"GET /api/v1/campaigns/:id/hearings/:hid":                      {path: campaignPath("/hearings/999999"), want: only(404, "manager", "staff", "other_org")},
	"POST /api/v1/campaigns/:id/hearings/:hid/observers":           {path: campaignPath("/hearings/999999/observers"), body: static(`{"kind":"deputy","name":"表格代表"}`), want: only(404, "manager", "staff", "other_org")},
	"PUT /api/v1/campaigns/:id/hearings/:hid/observers/:oid/sheet": {path: campaignPath("/hearings/999999/observers/1/sheet"), body: static(`{"entries":[]}`), want: only(404, "manager", "staff", "other_org")},
	"GET /api/v1/campaigns/:id/opinions":                           {path: campaignPath("/opinions"), want: only(200, "manager")},
	"POST /api/v1/campaigns/:id/opinions":                          {path: campaignPath("/opinions"), body: newOpinion, want: only(201, "manager")},
	"GET /api/v1/campaigns/:id/result-settings":                    {path: campaignPath("/result-settings"), want: only(200, "manager")},
	"PUT /api/v1/campaigns/:id/result-settings":                    {path: campaignPath("/result-settings"), body: static(`{"objection_days":7,"version":0}`), want: only(200, "manager")},
	"POST /api/v1/campaigns/:id/results/publish":                   {path: campaignPath("/results/publish"), want: only(200, "manager")},
	"GET /api/v1/campaigns/:id/results":                            {path: campaignPath("/results"), want: only(200, "manager", "handler", "other_org")},
	"POST /api/v1/campaigns/:id/results/:case_id/objection":        {path: campaignPath("/results/999999/objection"), body: static(`{"reason":"表格异议"}`), want: only(404, "handler", "other_org")},
	"POST /api/v1/campaigns/:id/results/:case_id/decision":         {path: campaignPath("/results/999999/decision"), body: static(`{"outcome":"upheld","reason":"表格"}`), want: only(404, "manager")},
	"POST /api/v1/campaigns/:id/results/:case_id/confirm":          {path: campaignPath("/results/999999/confirm"), body: static(`{"version":1}`), want: only(404, "manager")},
	"GET /api/v1/campaigns/:id/agreement":                          {path: campaignPath("/agreement"), want: only(200, "manager")},
	"POST /api/v1/rectifications/:id/interview":                    {path: fixed("/api/v1/rectifications/999999/interview"), body: static(`{"date":"2024-05-20","note":"表格"}`), want: only(404, "manager")},
	"POST /api/v1/rectifications/:id/submission":                   {path: fixed("/api/v1/rectifications/999999/submission"), body: static(`{"text":"表格"}`), want: only(404, "handler", "other_org")},
	"POST /api/v1/rectifications/:id/close":                        {path: fixed("/api/v1/rectifications/999999/close"), body: static(`{"text":"表格"}`), want: only(404, "manager")},
	"POST /api/v1/visits/:id/photos":                               {path: fixed("/api/v1/visits/999999/photos"), want: only(404, "staff", "manager", "other_org")},
	"GET /api/v1/photos/:id":                                       {path: fixed("/api/v1/photos/999999"), want: loggedIn(404)},
	"GET /api/v1/photos/:id/thumb":                                 {path: fixed("/api/v1/photos/999999/thumb"), want: loggedIn(404)},
	"DELETE /api/v1/photos/:id":                                    {path: fixed("/api/v1/photos/999999"), want: only(404, "staff", "manager", "other_org")},
}

// route is one line of the table.
type route struct {
	path func(f *fixture) string             // nil: the pattern itself
	body func(f *fixture, caller string) any // nil: no body
	want want
}

// fixture holds the objects the table's paths and bodies refer to.
type fixture struct {
	w    *testenv.World
	org  string // an organisation the table may rename
	user string // an account the table may edit, reset and issue codes for; not a caller
	kase string // a case of the seeded handler (firm A), assigned to staff, with no phone
	// campaign is the notice's campaign, id 1: the one kase is assigned in.
	campaign string
	survey   string // a survey token of kase
	handler  string // the case's handler (handlers table)
}

func newFixture(e *testenv.Env, w *testenv.World) *fixture {
	org := e.CreateOrg(w.Admin, "表格用律师事务所", "law_firm", w.Bureau)
	kase := e.CreateCase(w.Tokens["manager"], map[string]any{"handler": testenv.LinkedHandler("handler", w.FirmA),
		"recipient": map[string]any{"phone": nil}})
	e.Assign(kase, w.Users["staff"])
	campaign := testenv.Expect(e.T, e.Do(http.MethodPost, "/api/v1/campaigns", w.Tokens["manager"], map[string]any{"template": "zhashui-2024-53"}), http.StatusCreated)
	var handler uint64
	if err := e.App.DB.Table("cases").Where("id = ?", kase).Select("handler_id").Scan(&handler).Error; err != nil {
		e.T.Fatal(err)
	}
	f := &fixture{w: w, org: org, user: e.CreateUser(w.Admin, "table_target", org, "handler"), kase: kase,
		campaign: campaign.Map(e.T)["id"].(string), handler: strconv.FormatUint(handler, 10)}
	link := testenv.Expect(e.T, e.Do(http.MethodPost, surveyLinkPath("")(f), w.Tokens["manager"], nil), http.StatusCreated)
	f.survey = link.Map(e.T)["token"].(string)
	return f
}

func surveyLinkPath(suffix string) func(*fixture) string {
	return func(f *fixture) string {
		return "/api/v1/campaigns/" + f.campaign + "/cases/" + f.kase + "/survey-link" + suffix
	}
}

func surveyPath(suffix string) func(*fixture) string {
	return func(f *fixture) string { return "/api/v1/survey/" + f.survey + suffix }
}

func visitPath(f *fixture) string {
	return "/api/v1/campaigns/" + f.campaign + "/cases/" + f.kase + "/visits"
}

// newVisit is a complete visit with a client_id of its own per caller.
func newVisit(_ *fixture, caller string) any {
	return map[string]any{"client_id": fmt.Sprintf("00000000-0000-4000-9000-%012d", slices.Index(testenv.Callers, caller)),
		"visited_at": "2024-06-17T09:00:00+08:00", "answers": map[string]any{"charged_fee": "no", "negligent": "no",
			"satisfied": "satisfied", "suggestion": "无", "answered_by": "recipient"}}
}

func campaignPath(suffix string) func(*fixture) string {
	return func(f *fixture) string { return "/api/v1/campaigns/" + f.campaign + suffix }
}

func callPath(f *fixture) string {
	return "/api/v1/campaigns/" + f.campaign + "/cases/" + f.kase + "/calls"
}

func formPath(f *fixture) string {
	return "/api/v1/campaigns/" + f.campaign + "/cases/" + f.kase + "/form"
}

// newCall is a no-answer attempt with a client_id of its own per caller.
func newCall(_ *fixture, caller string) any {
	return map[string]any{"client_id": fmt.Sprintf("00000000-0000-4000-8000-%012d", slices.Index(testenv.Callers, caller)),
		"called_at": "2024-05-24T09:00:00+08:00", "outcome": "no_answer"}
}

// newHearing observes the fixture's case with the staff account as the one observer.
func newHearing(f *fixture, _ string) any {
	return map[string]any{"case_id": f.kase, "court": "柞水县人民法院", "heard_at": "2024-05-20T09:30:00+08:00",
		"observers": []map[string]any{{"kind": "staff", "user_id": f.w.Users["staff"]}}}
}

func newOpinion(f *fixture, _ string) any {
	return map[string]any{"handler_id": f.handler, "org_id": f.w.Court, "date": "2024-05-20", "rating": "good", "text": "表格意见"}
}

func exclude(f *fixture, _ string) any {
	return map[string]any{"case_id": f.kase, "reason": "moved_away", "evidence": "表格核对"}
}

func assignStaff(f *fixture, _ string) any {
	return map[string]any{"phase": "calls", "staff_ids": []string{f.w.Users["staff"]}}
}

func assignReviewers(f *fixture, _ string) any {
	return map[string]any{"reviewer_ids": []string{f.w.Users["reviewer"]}}
}

func declareConflict(f *fixture, caller string) any {
	return map[string]any{"case_id": f.kase, "reason": "表格回避 " + caller}
}

// newRubric is a valid one-item rubric of its own key.
func newRubric(_ *fixture, caller string) any {
	return map[string]any{"id": "table-" + caller, "title": "表格评查表", "applies_to": []string{"civil"},
		"sections": []any{map[string]any{"code": "A", "title": "全部", "max": 100}},
		"items":    []any{map[string]any{"code": "A1", "section": "A", "label": "办案质量", "max": 100, "na_allowed": false, "deductions": []any{}}},
		"vetoes":   []any{}}
}

func casePath(suffix string) func(*fixture) string {
	return func(f *fixture) string { return "/api/v1/cases/" + f.kase + suffix }
}

func newCase(_ *fixture, caller string) any {
	return testenv.CaseFields(0, map[string]any{"case_no": "表格-" + caller})
}

// want maps each caller to the status it should get.
type want map[string]int

// only: the listed callers get status, anonymous 401, every other caller 403.
func only(status int, callers ...string) want {
	w := loggedIn(http.StatusForbidden)
	for _, c := range callers {
		w[c] = status
	}
	return w
}

// loggedIn: every caller with a token gets status, anonymous 401.
func loggedIn(status int) want {
	w := anyone(status)
	w["anonymous"] = http.StatusUnauthorized
	return w
}

// anyone: every caller gets status.
func anyone(status int) want {
	w := want{}
	for _, c := range testenv.Callers {
		w[c] = status
	}
	return w
}

// but returns a copy of w where caller gets status.
func (w want) but(caller string, status int) want {
	c := want{}
	for k, v := range w {
		c[k] = v
	}
	c[caller] = status
	return c
}

var _ = want.but // kept for later lines of the table

func fixed(p string) func(*fixture) string { return func(*fixture) string { return p } }

func userPath(suffix string) func(*fixture) string {
	return func(f *fixture) string { return "/api/v1/users/" + f.user + suffix }
}

func static(body string) func(*fixture, string) any {
	return func(*fixture, string) any { return body }
}

// badLogin fails for an unknown name of its own per caller, so no name reaches the lockout.
func badLogin(_ *fixture, caller string) any {
	return map[string]string{"username": "nobody_" + caller, "password": "wrong-password"}
}

func newOrg(f *fixture, caller string) any {
	return map[string]any{"name": "新机构-" + caller, "kind": "legal_service_office", "parent_id": f.w.Bureau}
}

func renameOrg(_ *fixture, caller string) any {
	return map[string]any{"name": "改名机构-" + caller}
}

func newUser(f *fixture, caller string) any {
	return map[string]any{"username": "new_" + caller, "password": "password-new-user", "display_name": "新用户",
		"org_id": f.w.AidCenter, "roles": []string{"staff"}}
}

func TestRouteRoleTable(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		tokens := e.CallerTokens(w)
		f := newFixture(e, w)

		registered := map[string]bool{}
		for _, r := range e.App.Engine.Routes() {
			key := r.Method + " " + r.Path
			registered[key] = true
			if _, ok := routes[key]; !ok {
				t.Errorf("route %s has no line in the route × role table (router/routes_test.go)", key)
			}
		}
		keys := make([]string, 0, len(routes))
		for key := range routes {
			keys = append(keys, key)
			if !registered[key] {
				t.Errorf("the route × role table names %s, which the router no longer has", key)
			}
		}
		sort.Strings(keys)

		for _, key := range keys {
			r := routes[key]
			if !registered[key] {
				continue
			}
			method, pattern, _ := strings.Cut(key, " ")
			path := pattern
			if r.path != nil {
				path = r.path(f)
			}
			for _, caller := range testenv.Callers {
				status, ok := r.want[caller]
				if !ok {
					t.Errorf("%s: no expectation for %s", key, caller)
					continue
				}
				if strings.HasPrefix(pattern, "/swagger/") && caller != "anonymous" {
					continue // static documentation: no roles to check
				}
				req := testenv.Request{Method: method, Path: path, Token: tokens[caller]}
				if r.body != nil {
					req.Body = r.body(f, caller)
				}
				where := key + " as " + caller
				got := e.Send(req)
				checkAnswer(t, e, where, got, status)
				if method == http.MethodPatch && caller == "anonymous" {
					req.Method, req.Header = http.MethodPost, map[string]string{"X-HTTP-Method-Override": "PATCH"}
					checkAnswer(t, e, where+" (POST with X-HTTP-Method-Override)", e.Send(req), status)
				}
			}
		}
	})
}

// checkAnswer checks what every answer owes the contract: the status, a request id, the
// security headers, the error body, ids as strings, times in +08:00, and no personal data.
func checkAnswer(t *testing.T, e *testenv.Env, where string, r *testenv.Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s: status %d, want %d; body %.300s", where, r.Status, status, r.Body)
	}
	if r.Header.Get("X-Request-ID") == "" {
		t.Errorf("%s: no X-Request-ID", where)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("%s: security headers missing: %v", where, r.Header)
	}
	if r.Status >= 400 {
		checkErrorBody(t, where, r)
	}
	testenv.CheckConventions(t, where, r.Body)
	testenv.ScanForPersonalData(t, e, where, r.Body)
}

// checkErrorBody requires the contract's error body: code and message, details optional.
func checkErrorBody(t *testing.T, where string, r *testenv.Response) {
	t.Helper()
	var body map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Errorf("%s: error answer is not a JSON object: %.200s", where, r.Body)
		return
	}
	var code, msg string
	_ = json.Unmarshal(body["code"], &code)
	_ = json.Unmarshal(body["message"], &msg)
	if code == "" || msg == "" {
		t.Errorf("%s: error body lacks code or message: %s", where, r.Body)
	}
	for k := range body {
		if !slices.Contains([]string{"code", "message", "details"}, k) {
			t.Errorf("%s: error body has unexpected field %q", where, k)
		}
	}
}
