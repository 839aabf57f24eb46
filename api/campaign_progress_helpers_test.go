package api_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// progressBody is the part of GET …/progress the tests read.
type progressBody struct {
	Phases []struct {
		Phase         string   `json:"phase"`
		InScope       int64    `json:"in_scope"`
		Done          int64    `json:"done"`
		Rate          float64  `json:"rate"`
		Target        *float64 `json:"target"`
		DaysLeft      int      `json:"days_left"`
		Met           *bool    `json:"met"`
		ProjectedRate *float64 `json:"projected_rate"`
		BehindPace    *bool    `json:"behind_pace"`
		Excluded      int64    `json:"excluded"`
		AdjustedRate  *float64 `json:"adjusted_rate"`
		ReachedAny    int64    `json:"reached_any"`
		Assigned      int64    `json:"assigned"`
	} `json:"phases"`
	ByOrg   []progressGroup `json:"by_org"`
	ByTown  []progressGroup `json:"by_town"`
	ByStaff []struct {
		StaffID  string `json:"staff_id"`
		Assigned int64  `json:"assigned"`
		Reached  int64  `json:"reached"`
	} `json:"by_staff"`
}

type progressGroup struct {
	Name     string `json:"name"`
	InScope  int64  `json:"in_scope"`
	Done     int64  `json:"done"`
	Excluded int64  `json:"excluded"`
}

// progress reads the campaign's progress as the seeded manager.
func progress(t *testing.T, e *testenv.Env, w *testenv.World, campaign string) progressBody {
	t.Helper()
	r := testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/campaigns/"+campaign+"/progress", w.Tokens["manager"], nil), http.StatusOK)
	testenv.CheckConventions(t, "progress", r.Body)
	testenv.ScanForPersonalData(t, e, "progress", r.Body)
	var p progressBody
	r.JSON(t, &p)
	if len(p.Phases) != 3 || p.Phases[0].Phase != "calls" || p.Phases[1].Phase != "visits" || p.Phases[2].Phase != "reviews" {
		t.Fatalf("phases %+v", p.Phases)
	}
	return p
}

// checkSums holds the calls phase's breakdowns to its totals.
func checkSums(t *testing.T, p progressBody) {
	t.Helper()
	calls := p.Phases[0]
	for name, gs := range map[string][]progressGroup{"by_org": p.ByOrg, "by_town": p.ByTown} {
		var n, d, x int64
		for _, g := range gs {
			n, d, x = n+g.InScope, d+g.Done, x+g.Excluded
		}
		if n != calls.InScope || d != calls.Done || x != calls.Excluded {
			t.Errorf("%s sums to %d/%d/%d, calls phase says %d/%d/%d", name, n, d, x, calls.InScope, calls.Done, calls.Excluded)
		}
	}
	var a, r int64
	for _, s := range p.ByStaff {
		a, r = a+s.Assigned, r+s.Reached
	}
	if a != calls.Assigned {
		t.Errorf("by_staff assigned sums to %d, phase says %d", a, calls.Assigned)
	}
	if a == calls.InScope && r != calls.Done {
		t.Errorf("every case assigned, but by_staff reached sums to %d, done is %d", r, calls.Done)
	}
}

var putCallSeq atomic.Int64

// putCall stores a call straight in the database (for volume; the call API has its own tests),
// keeping the case's summary row as the call service would for a reached or first attempt.
func putCall(t *testing.T, e *testenv.Env, campaign string, caseID, user uint64, outcome string) {
	t.Helper()
	n := putCallSeq.Add(1)
	camp := parseWireID(t, campaign)
	now := e.Clock.Now()
	var a model.CaseAssignment
	held := e.App.DB.Where("campaign_id = ? AND phase = ? AND case_id = ?", camp, "calls", caseID).Take(&a).Error == nil
	c := model.Call{CampaignID: camp, CaseID: caseID, UserID: user, ClientID: fmt.Sprintf("9a000000-0000-4000-8000-%012d", n),
		BodyHash: "direct", CalledAt: now.Add(-time.Minute), Outcome: outcome, Extra: held && a.Status == model.AssignmentReached, CreatedAt: now}
	if err := e.App.DB.Create(&c).Error; err != nil {
		t.Fatalf("insert call: %v", err)
	}
	if err := e.App.Campaigns.CaseChanged(e.App.DB, camp, caseID); err != nil {
		t.Fatalf("insert call: progress: %v", err)
	}
	if held && !c.Extra {
		st := a.Status
		if outcome == model.OutcomeReached {
			st = model.AssignmentReached
		}
		err := e.App.DB.Model(&model.CaseAssignment{}).Where("id = ?", a.ID).
			UpdateColumns(map[string]any{"status": st, "attempts": a.Attempts + 1, "last_outcome": outcome, "last_attempt_at": c.CalledAt}).Error
		if err != nil {
			t.Fatal(err)
		}
	}
}

// exclude asks (manager) and confirms (centre_manager) an exclusion of a case.
func exclude(t *testing.T, e *testenv.Env, w *testenv.World, campaign string, caseID uint64) {
	t.Helper()
	r := testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/campaigns/"+campaign+"/exclusions", w.Tokens["manager"],
		map[string]any{"case_id": wireID(caseID), "reason": "deceased", "evidence": "死亡证明"}), http.StatusCreated)
	xid := r.Map(t)["id"].(string)
	testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/campaigns/"+campaign+"/exclusions/"+xid+"/confirm", w.Tokens["centre_manager"], nil), http.StatusOK)
}
