package api_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"fayuan/internal/review"
	"fayuan/internal/testenv"
	"fayuan/model"
)

// reviewWorld is the seeded world with a campaign in its reviews phase, extra reviewers in every
// kind of organisation and a handler of firm A whose cases are reviewed.
type reviewWorld struct {
	e        *testenv.Env
	w        *testenv.World
	campaign string
	handler  uint64 // handler record of the seeded "handler" (firm A), linked to the account
	// reviewers by name: reviewer (firm B, seeded), rev_a (firm A, the handler's firm),
	// rev_office (legal service office), rev_centre (aid centre).
	rev map[string]string
}

func newReviewWorld(t *testing.T, b testenv.Backend) *reviewWorld {
	t.Helper()
	e := testenv.New(t, b)
	w := e.Seed()
	rw := &reviewWorld{e: e, w: w, rev: map[string]string{"reviewer": w.Users["reviewer"]}}
	for _, u := range []struct{ name, org string }{{"rev_a", w.FirmA}, {"rev_office", w.Office}, {"rev_centre", w.AidCenter}} {
		rw.rev[u.name] = e.CreateUser(w.Admin, u.name, u.org, "reviewer")
	}
	rw.campaign = startCampaign(t, e, w)
	rw.handler = putHandler(t, e, parseWireID(t, w.FirmA), testenv.DisplayName("handler"), parseWireID(t, w.Users["handler"]))
	rw.at("2024-07-02T10:00:00+08:00")
	return rw
}

// at sets the clock and gives everyone fresh tokens.
func (rw *reviewWorld) at(when string) {
	rw.e.T.Helper()
	ts, err := time.Parse(time.RFC3339, when)
	if err != nil {
		rw.e.T.Fatal(err)
	}
	rw.e.Clock.Set(ts)
	relogin(rw.e, rw.w, "manager", "handler", "handler_b", "reviewer", "rev_a", "rev_office", "rev_centre")
}

func (rw *reviewWorld) token(name string) string { return rw.w.Tokens[name] }

// kase puts a closed civil case of the review scope, handled by firm A's handler unless org says
// otherwise (then by a handler of org without an account).
func (rw *reviewWorld) kase(t *testing.T, org string, k campaignCase) uint64 {
	t.Helper()
	if k.Closed == "" {
		k.Closed = "2024-03-15"
	}
	if org == "" || org == rw.w.FirmA {
		k.Handler, k.Org = rw.handler, parseWireID(t, rw.w.FirmA)
	} else {
		k.Org = parseWireID(t, org)
		k.Handler = putHandler(t, rw.e, k.Org, "承办人"+strconv.FormatInt(campaignCaseSeq.Add(1), 10), 0)
	}
	id, _ := putCase(t, rw.e, k)
	return id
}

type reviewAssignOut struct {
	RunID        string `json:"run_id"`
	Assigned     int    `json:"assigned"`
	Files        int    `json:"files"`
	Unassignable []struct {
		CaseID   string `json:"case_id"`
		Reason   string `json:"reason"`
		Eligible int    `json:"eligible"`
		Needed   int    `json:"needed"`
	} `json:"unassignable"`
	Sample *struct {
		Seed    int64    `json:"seed"`
		CaseIDs []string `json:"case_ids"`
	} `json:"sample"`
}

func (rw *reviewWorld) assign(t *testing.T, body map[string]any, status int) (reviewAssignOut, *testenv.Response) {
	t.Helper()
	r := testenv.Expect(t, rw.e.Do(http.MethodPost, "/api/v1/campaigns/"+rw.campaign+"/reviews/assign", rw.token("manager"), body), status)
	var out reviewAssignOut
	if status == http.StatusOK {
		testenv.CheckConventions(t, "reviews/assign", r.Body)
		r.JSON(t, &out)
	}
	return out, r
}

// reviewerIDs lists the wire ids of the named reviewers.
func (rw *reviewWorld) reviewerIDs(names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = rw.rev[n]
	}
	return out
}

// sheets loads a case's sheets from the database, by slot.
func (rw *reviewWorld) sheets(t *testing.T, caseID uint64) []model.ReviewSheet {
	t.Helper()
	var out []model.ReviewSheet
	if err := rw.e.App.DB.Where("campaign_id = ? AND case_id = ?", parseWireID(t, rw.campaign), caseID).Order("slot").Find(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

// sheetOf is the sheet of a case held by the named reviewer.
func (rw *reviewWorld) sheetOf(t *testing.T, caseID uint64, name string) model.ReviewSheet {
	t.Helper()
	for _, sh := range rw.sheets(t, caseID) {
		if sh.ReviewerID == parseWireID(t, rw.rev[name]) {
			return sh
		}
	}
	t.Fatalf("%s has no sheet on case %d", name, caseID)
	return model.ReviewSheet{}
}

// receive hands a file in as the handler and confirms it as the manager.
func (rw *reviewWorld) receive(t *testing.T, caseID uint64) {
	t.Helper()
	base := "/api/v1/campaigns/" + rw.campaign + "/files/" + wireID(caseID)
	tok := rw.token("handler")
	var k model.Case
	if err := rw.e.App.DB.Take(&k, caseID).Error; err != nil {
		t.Fatal(err)
	}
	if k.HandlerOrgID == nil || *k.HandlerOrgID != parseWireID(t, rw.w.FirmA) {
		tok = rw.token("manager")
	}
	testenv.Expect(t, rw.e.Do(http.MethodPost, base+"/hand-in", tok, nil), http.StatusOK)
	testenv.Expect(t, rw.e.Do(http.MethodPost, base+"/receive", rw.token("manager"), nil), http.StatusOK)
}

type sheetOut struct {
	ID      string        `json:"id"`
	Status  string        `json:"status"`
	Version int           `json:"version"`
	Score   review.Tenths `json:"score"`
	Grade   string        `json:"grade"`
	Veto    bool          `json:"veto"`
	Items   []struct {
		Code          string        `json:"code"`
		Max           review.Tenths `json:"max"`
		Deduction     review.Tenths `json:"deduction"`
		Reason        string        `json:"reason"`
		NotApplicable bool          `json:"not_applicable"`
	} `json:"items"`
	Template struct {
		Key     string `json:"key"`
		Version int    `json:"version"`
	} `json:"template"`
}

// save PUTs a sheet as the named reviewer and expects status.
func (rw *reviewWorld) save(t *testing.T, name string, sheetID uint64, body map[string]any, status int) (sheetOut, *testenv.Response) {
	t.Helper()
	r := testenv.Expect(t, rw.e.Do(http.MethodPut, "/api/v1/reviews/"+wireID(sheetID), rw.token(name), body), status)
	var out sheetOut
	if status == http.StatusOK {
		testenv.CheckConventions(t, "reviews/{id}", r.Body)
		r.JSON(t, &out)
	}
	return out, r
}

// deductions spreads total (in tenths) over the civil rubric's items from the first, each up
// to its maximum, with a reason: the sheet then scores 100 − total.
func deductions(t *testing.T, total review.Tenths) []map[string]any {
	t.Helper()
	rb, err := review.Default("civil-administrative")
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, it := range rb.Items {
		if total <= 0 {
			break
		}
		d := min(total, it.Max)
		total -= d
		out = append(out, map[string]any{"code": it.Code, "deduction": json10(d), "reason": "材料不全"})
	}
	return out
}

// json10 writes tenths as a JSON number of points.
func json10(t review.Tenths) any { return rawNumber(t.String()) }

type rawNumber string

func (n rawNumber) MarshalJSON() ([]byte, error) { return []byte(n), nil }

// score saves and submits a sheet scoring 100 − total as the named reviewer.
func (rw *reviewWorld) score(t *testing.T, name string, caseID uint64, total review.Tenths) sheetOut {
	t.Helper()
	sh := rw.sheetOf(t, caseID, name)
	out, _ := rw.save(t, name, sh.ID, map[string]any{"version": sh.Version, "items": deductions(t, total), "submit": true}, http.StatusOK)
	return out
}

// file reads a file's row.
func (rw *reviewWorld) file(t *testing.T, caseID uint64) model.ReviewFile {
	t.Helper()
	var f model.ReviewFile
	if err := rw.e.App.DB.Where("campaign_id = ? AND case_id = ?", parseWireID(t, rw.campaign), caseID).Take(&f).Error; err != nil {
		t.Fatal(err)
	}
	return f
}
