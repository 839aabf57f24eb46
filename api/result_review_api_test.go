package api_test

import (
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"fayuan/internal/review"
	"fayuan/internal/testenv"
	"fayuan/model"
)

// Results and agreement from sheets scored through the review API itself: files sampled,
// handed in and received, reviewers assigned, sheets saved and submitted in the reviews phase;
// then the agreement figures and the published results with every deduction's reason.
func TestResultsFromTheReviewAPI(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newResultWorld(t, b)
		e, w := rw.e, rw.w
		scores := [][2]float64{{80, 88}, {70, 74}, {91, 95}} // same grade, < 10 apart: no third reviewer
		var ids, nos []string
		for range scores {
			id, _ := putCase(t, e, campaignCase{Closed: "2024-03-01", Handler: rw.handler, Org: parseWireID(t, w.FirmA)})
			ids = append(ids, wireID(id))
			var k model.Case
			if err := e.App.DB.Take(&k, id).Error; err != nil {
				t.Fatal(err)
			}
			nos = append(nos, k.CaseNo)
		}
		e.Clock.Advance(38 * 24 * time.Hour) // 2024-07-01: the reviews phase
		tokens := map[string]string{}
		for _, u := range []string{"rev_a", "rev_b"} {
			tokens[u], _ = e.Login(u, testenv.Password(u))
		}
		relogin(e, w, "manager", "handler", "handler_b")
		rw.do(t, http.MethodPost, rw.path("/reviews/sample"), "manager", map[string]any{"case_nos": nos}, http.StatusOK)
		for _, id := range ids {
			rw.do(t, http.MethodPost, rw.path("/files/"+id+"/hand-in"), "manager", nil, http.StatusOK)
			rw.do(t, http.MethodPost, rw.path("/files/"+id+"/receive"), "manager", nil, http.StatusOK)
		}
		rw.do(t, http.MethodPost, rw.path("/reviews/assign"), "manager", map[string]any{"case_ids": ids, "per_case": 2,
			"reviewer_ids": []string{wireID(rw.reviewers["rev_a"]), wireID(rw.reviewers["rev_b"])}}, http.StatusOK)
		for r, user := range []string{"rev_a", "rev_b"} {
			var mine struct {
				Items []model.SheetSummary `json:"items"`
			}
			testenv.Expect(t, e.Do(http.MethodGet, rw.path("/reviews"), tokens[user], nil), http.StatusOK).JSON(t, &mine)
			if len(mine.Items) != len(ids) {
				t.Fatalf("%s has %d sheets, want %d", user, len(mine.Items), len(ids))
			}
			for _, sh := range mine.Items {
				i := indexOf(ids, wireID(uint64(sh.CaseID)))
				body := map[string]any{"version": sh.Version, "submit": true, "items": deductionsFor(rw.rubric, scores[i][r])}
				testenv.Expect(t, e.Do(http.MethodPut, "/api/v1/reviews/"+wireID(uint64(sh.ID)), tokens[user], body), http.StatusOK)
			}
		}

		var a model.AgreementResponse
		rw.do(t, http.MethodGet, rw.path("/agreement"), "manager", nil, http.StatusOK).JSON(t, &a)
		var files []review.FileRatings
		for i, s := range scores {
			files = append(files, review.FileRatings{File: ids[i], Ratings: []review.Rating{
				{Reviewer: "a", Score: review.Tenths(s[0] * 10)}, {Reviewer: "b", Score: review.Tenths(s[1] * 10)}}})
		}
		want, err := review.Measure(files)
		if err != nil {
			t.Fatal(err)
		}
		// |80−88|, |70−74|, |91−95| → 16 ÷ 3.
		if a.Files != 3 || a.Pairs != 3 || math.Abs(a.MeanAbsDiff-16.0/3) > 1e-9 || a.ICC == nil || math.Abs(*a.ICC-*want.ICC) > 1e-9 {
			t.Errorf("agreement %+v, want MAD 5.33 and ICC %v", a, *want.ICC)
		}
		for _, r := range a.Reviewers {
			wantDiff := map[string]float64{testenv.DisplayName("rev_a"): -16.0 / 3, testenv.DisplayName("rev_b"): 16.0 / 3}[r.Name]
			if r.Files != 3 || math.Abs(r.MeanSignedDiff-wantDiff) > 1e-9 {
				t.Errorf("reviewer %+v, want %v", r, wantDiff)
			}
		}

		if pub := rw.publish(t); pub["published"] != 3.0 {
			t.Fatalf("publish %v", pub)
		}
		page, raw := rw.results(t, "handler")
		r := page.byCase(t, ids[0])
		if r.Score != "84.0" || r.Grade != "good" || len(r.Deductions) == 0 || !strings.Contains(r.Deductions[0]["reason"].(string), "不到位") {
			t.Errorf("result from the API's sheets: %+v", r)
		}
		for _, secret := range []string{"rev_a", "rev_b", testenv.DisplayName("rev_a"), wireID(rw.reviewers["rev_a"]) + `"`} {
			if strings.Contains(string(raw.Body), secret) {
				t.Errorf("the handler's page shows %q", secret)
			}
		}
	})
}

// deductionsFor spreads 100 − points over the rubric's items, each with a reason.
func deductionsFor(rb *review.Rubric, points float64) []map[string]any {
	left := review.FullMarks - review.Tenths(points*10+0.5)
	var out []map[string]any
	for _, it := range rb.Items {
		if left <= 0 {
			break
		}
		d := min(left, it.Max)
		out = append(out, map[string]any{"code": it.Code, "deduction": d, "reason": "扣分理由：" + it.Label + "不到位"})
		left -= d
	}
	return out
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}
