package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"fayuan/internal/review"
	"fayuan/internal/testenv"
	"fayuan/model"
	"fayuan/service"
)

// resultWorld is a campaign with cases of firm A's handler, the shipped rubrics stored and
// three reviewers of firm B.
type resultWorld struct {
	*callWorld
	cid       uint64
	rubric    *review.Rubric
	reviewers map[string]uint64 // username → id
	seq       int
}

func newResultWorld(t *testing.T, b testenv.Backend) *resultWorld {
	t.Helper()
	return resultWorldOn(t, newCallWorld(t, b))
}

// resultWorldOn adds the rubrics and the reviewers to a call world.
func resultWorldOn(t *testing.T, cw *callWorld) *resultWorld {
	t.Helper()
	if err := service.NewReviews(cw.e.App.DB, cw.e.Clock, nil, nil).EnsureDefaultRubrics(context.Background()); err != nil {
		t.Fatal(err)
	}
	rb, err := review.Default("civil-administrative")
	if err != nil {
		t.Fatal(err)
	}
	rw := &resultWorld{callWorld: cw, cid: parseWireID(t, cw.campaign), rubric: rb, reviewers: map[string]uint64{}}
	for _, name := range []string{"rev_a", "rev_b", "rev_c"} {
		rw.reviewers[name] = parseWireID(t, cw.e.CreateUser(cw.w.Admin, name, cw.w.FirmB, "reviewer"))
	}
	return rw
}

// file stores a closed in-scope case of firm A's handler with a subsidy, assigned for calls to
// user when given.
func (rw *resultWorld) file(t *testing.T, user string, subsidyCents int64) string {
	t.Helper()
	id := rw.caseFor(t, user, "营盘镇")
	if err := rw.e.App.DB.Model(&model.Case{}).Where("id = ?", parseWireID(t, id)).Update("subsidy_cents", subsidyCents).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

// sheet stores a reviewer's submitted sheet on the civil rubric scoring points (deductions
// spread over the items, each with a reason), with a veto when veto is set.
func (rw *resultWorld) sheet(t *testing.T, caseID, reviewer string, slot int, third bool, points float64, veto bool) {
	t.Helper()
	rw.seq++
	left := review.FullMarks - review.Tenths(points*10+0.5)
	var s review.Sheet
	for _, it := range rw.rubric.Items {
		if left <= 0 {
			break
		}
		d := min(left, it.Max)
		s.Entries = append(s.Entries, review.Entry{Item: it.Code, Deduction: d, Reason: "扣分理由：" + it.Label + "不到位"})
		left -= d
	}
	if veto {
		s.Vetoes = []review.VetoMark{{Code: rw.rubric.Vetoes[0].Code, Reason: "否决理由：经查属实"}}
	}
	res, err := review.Score(rw.rubric, s, review.DefaultBands())
	if err != nil {
		t.Fatal(err)
	}
	vetoes, _ := json.Marshal(s.Vetoes)
	now := rw.e.Clock.Now()
	at := now.Add(time.Duration(rw.seq) * time.Second)
	sh := model.ReviewSheet{CampaignID: rw.cid, CaseID: parseWireID(t, caseID), Slot: slot, ReviewerID: rw.reviewers[reviewer], Third: third,
		RubricKey: rw.rubric.ID, RubricVersion: rw.rubric.Version, Status: model.SheetSubmitted, VetoesJSON: string(vetoes),
		Score: int64(res.Score), Veto: res.Veto, Grade: string(res.Grade), SubmittedAt: &at, CreatedAt: now, UpdatedAt: now}
	if err := rw.e.App.DB.Create(&sh).Error; err != nil {
		t.Fatal(err)
	}
	for _, en := range s.Entries {
		if err := rw.e.App.DB.Create(&model.ReviewItem{SheetID: sh.ID, Code: en.Item, Deduction: int64(en.Deduction), Reason: en.Reason}).Error; err != nil {
			t.Fatal(err)
		}
	}
}

// sheets stores the first two sheets (rev_a, rev_b) and, when third > 0, rev_c's third.
func (rw *resultWorld) sheets(t *testing.T, caseID string, a, b, third float64, vetoA, vetoB bool) {
	t.Helper()
	rw.sheet(t, caseID, "rev_a", 1, false, a, vetoA)
	rw.sheet(t, caseID, "rev_b", 2, false, b, vetoB)
	if third > 0 {
		rw.sheet(t, caseID, "rev_c", 3, true, third, false)
	}
}

func (rw *resultWorld) path(suffix string) string { return "/api/v1/campaigns/" + rw.campaign + suffix }

// resultItem is a result as the tests read it.
type resultItem struct {
	CaseID      string `json:"case_id"`
	CaseNo      string `json:"case_no"`
	Score       string `json:"-"`
	Grade       string `json:"grade"`
	Status      string `json:"status"`
	Veto        bool   `json:"veto"`
	Version     int    `json:"version"`
	Deductions  []map[string]any
	Reasons     []string `json:"reasons"`
	Consequence *struct {
		Grade          string   `json:"grade"`
		Reward         bool     `json:"reward"`
		Rectification  bool     `json:"rectification"`
		SubsidyCents   int64    `json:"subsidy_cents"`
		ReductionCents int64    `json:"reduction_cents"`
		PayableCents   int64    `json:"payable_cents"`
		Withheld       bool     `json:"withheld"`
		Referral       bool     `json:"referral"`
		Reasons        []string `json:"reasons"`
	} `json:"consequence"`
	ConsequenceConfirmed bool `json:"consequence_confirmed"`
	Rectification        *struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"rectification"`
}

// UnmarshalJSON keeps the score's literal text (e.g. 94.0).
func (r *resultItem) UnmarshalJSON(b []byte) error {
	type plain resultItem
	var aux struct {
		plain
		Score      json.Number      `json:"score"`
		Deductions []map[string]any `json:"deductions"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*r = resultItem(aux.plain)
	r.Score, r.Deductions = aux.Score.String(), aux.Deductions
	return nil
}

type resultsPage struct {
	Items     []resultItem     `json:"items"`
	Total     int              `json:"total"`
	Hearings  []map[string]any `json:"hearings"`
	Opinions  []map[string]any `json:"opinions"`
	Weighting string           `json:"weighting"`
}

// results reads the results page as user.
func (rw *resultWorld) results(t *testing.T, user string) (resultsPage, *testenv.Response) {
	t.Helper()
	r := testenv.Expect(t, rw.e.Do(http.MethodGet, rw.path("/results"), rw.w.Tokens[user], nil), http.StatusOK)
	testenv.CheckConventions(t, "results", r.Body)
	testenv.ScanForPersonalData(t, rw.e, "results", r.Body)
	var out resultsPage
	r.JSON(t, &out)
	return out, r
}

func (p resultsPage) byCase(t *testing.T, caseID string) resultItem {
	t.Helper()
	for _, it := range p.Items {
		if it.CaseID == caseID {
			return it
		}
	}
	t.Fatalf("no result for case %s in %+v", caseID, p.Items)
	return resultItem{}
}

// do sends a JSON request as user and expects status.
func (rw *resultWorld) do(t *testing.T, method, path, user string, body any, status int) *testenv.Response {
	t.Helper()
	r := testenv.Expect(t, rw.e.Do(method, path, rw.w.Tokens[user], body), status)
	if status < 300 {
		testenv.CheckConventions(t, fmt.Sprint(method, " ", path), r.Body)
	}
	return r
}

// publish publishes the campaign's results as the manager.
func (rw *resultWorld) publish(t *testing.T) map[string]any {
	t.Helper()
	return rw.do(t, http.MethodPost, rw.path("/results/publish"), "manager", nil, http.StatusOK).Map(t)
}
