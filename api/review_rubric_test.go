package api_test

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// ownRubric is a small bureau rubric for civil files: two items of 60 and 40 points (or off).
func ownRubric(second float64) map[string]any {
	return map[string]any{"id": "county-civil", "title": "本县民事案卷评查表", "applies_to": []string{"civil", "administrative"},
		"sections": []any{map[string]any{"code": "A", "title": "办案质量", "max": 60 + second}},
		"items": []any{
			map[string]any{"code": "A1", "section": "A", "label": "代理意见", "max": 60, "na_allowed": false, "deductions": []any{map[string]any{"label": "无代理词", "points": 10}}},
			map[string]any{"code": "A2", "section": "A", "label": "归档", "max": second, "na_allowed": true, "deductions": []any{}},
		}, "vetoes": []any{map[string]any{"code": "V1", "label": "收取受援人钱财物"}}}
}

// Rubrics are data: the three defaults are stored; a bureau uploads its own (refused with 422
// naming the field when its items do not sum to 100), the campaign chooses it for a category,
// and a sheet keeps the version it was created on when a new version is uploaded.
func TestReviewRubricsAsData(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newReviewWorld(t, b)
		var list []model.RubricTemplateResponse
		testenv.Expect(t, rw.e.Do(http.MethodGet, "/api/v1/rubrics", rw.token("manager"), nil), http.StatusOK).JSON(t, &list)
		var keys []string
		for _, r := range list {
			keys = append(keys, r.Key)
		}
		if !slices.Equal(keys, []string{"civil-administrative", "criminal", "hearing"}) {
			t.Errorf("stored templates %v, want the three defaults", keys)
		}

		r := testenv.Expect(t, rw.e.Do(http.MethodPost, "/api/v1/rubrics", rw.token("manager"), ownRubric(39)), http.StatusUnprocessableEntity)
		fields := r.Map(t)["details"].(map[string]any)["fields"].(map[string]any)
		if _, ok := fields["items"]; !ok {
			t.Errorf("99 points: fields %v, want items", fields)
		}
		testenv.Expect(t, rw.e.Do(http.MethodPost, "/api/v1/rubrics", rw.token("manager"), map[string]any{"id": "x"}), http.StatusUnprocessableEntity)
		testenv.Expect(t, rw.e.Do(http.MethodPost, "/api/v1/rubrics", rw.token("reviewer"), ownRubric(40)), http.StatusForbidden)
		var v1 model.RubricTemplateResponse
		testenv.Expect(t, rw.e.Do(http.MethodPost, "/api/v1/rubrics", rw.token("manager"), ownRubric(40)), http.StatusCreated).JSON(t, &v1)
		if v1.Key != "county-civil" || v1.Version != 1 || v1.Rubric == nil || v1.Rubric.Items[0].Max != 600 {
			t.Fatalf("uploaded %+v", v1)
		}

		// A bad choice is refused; a good one applies to the campaign's civil files.
		r = testenv.Expect(t, rw.e.Do(http.MethodPut, "/api/v1/campaigns/"+rw.campaign+"/review-settings", rw.token("manager"),
			map[string]any{"rubrics": map[string]any{"criminal": map[string]any{"key": "county-civil"}, "civil": map[string]any{"key": "nope"}}}), http.StatusUnprocessableEntity)
		fields = r.Map(t)["details"].(map[string]any)["fields"].(map[string]any)
		if fields["rubrics.criminal"] == nil || fields["rubrics.civil"] == nil {
			t.Errorf("bad choices: fields %v", fields)
		}
		var set model.ReviewSettingsResponse
		testenv.Expect(t, rw.e.Do(http.MethodPut, "/api/v1/campaigns/"+rw.campaign+"/review-settings", rw.token("manager"),
			map[string]any{"rubrics": map[string]any{"civil": map[string]any{"key": "county-civil", "version": 1}}}), http.StatusOK).JSON(t, &set)
		if set.Rubrics["civil"].Key != "county-civil" || set.Rubrics["criminal"].Key != "criminal" || set.Rubrics["non_litigation"].Key != "civil-administrative" ||
			set.Rubrics["hearing"].Key != "hearing" || set.HandInDue != "2024-07-11" || set.PerCase != 2 {
			t.Errorf("settings %+v", set)
		}

		civil := rw.kase(t, rw.w.Office, campaignCase{})
		criminal := rw.kase(t, rw.w.Office, campaignCase{Category: model.CategoryCriminal})
		rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("reviewer", "rev_centre")}, http.StatusOK)
		rw.receive(t, civil)
		if sh := rw.sheetOf(t, criminal, "reviewer"); sh.RubricKey != "criminal" || sh.RubricVersion != 1 {
			t.Errorf("criminal file scored on %s v%d", sh.RubricKey, sh.RubricVersion)
		}
		sh := rw.sheetOf(t, civil, "reviewer")
		out, _ := rw.save(t, "reviewer", sh.ID, map[string]any{"version": sh.Version, "submit": true,
			"items": []any{map[string]any{"code": "A1", "deduction": 10, "reason": "无代理词"}, map[string]any{"code": "A2", "not_applicable": true}}}, http.StatusOK)
		// 50 of 60 applicable points → 83.3.
		if out.Template.Key != "county-civil" || out.Template.Version != 1 || out.Score.String() != "83.3" || len(out.Items) != 2 {
			t.Errorf("sheet on the bureau's rubric: %+v", out)
		}

		// Version 2 changes the maxima; the submitted sheet still reads as scored on version 1.
		v2body := ownRubric(40)
		v2body["items"].([]any)[0].(map[string]any)["label"] = "代理意见（修订）"
		var v2 model.RubricTemplateResponse
		testenv.Expect(t, rw.e.Do(http.MethodPost, "/api/v1/rubrics", rw.token("manager"), v2body), http.StatusCreated).JSON(t, &v2)
		if v2.Version != 2 {
			t.Errorf("second upload is version %d, want 2", v2.Version)
		}
		var again sheetOut
		testenv.Expect(t, rw.e.Do(http.MethodGet, "/api/v1/reviews/"+wireID(sh.ID), rw.token("reviewer"), nil), http.StatusOK).JSON(t, &again)
		if again.Template.Version != 1 || again.Score.String() != "83.3" {
			t.Errorf("after version 2: sheet on v%d scoring %s", again.Template.Version, again.Score)
		}
		if countAudit(t, rw.e, "rubric.upload") != 2 || countAudit(t, rw.e, "review.settings") != 1 || countAudit(t, rw.e, "review.submit") != 1 {
			t.Error("uploads, settings and submissions are audited")
		}
	})
}

// Sampling: a percentage of each category × source stratum, reproducible from the stored seed
// (same seed, same cases → same files); listed case numbers; unknown numbers → 422.
func TestReviewSampling(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newReviewWorld(t, b)
		var all []uint64
		for i := range 24 {
			k := campaignCase{Category: []model.Category{model.CategoryCivil, model.CategoryCriminal, model.CategoryAdministrative}[i%3],
				Source: []model.Source{model.SourceApplication, model.SourceNotified}[i/3%2]}
			if i == 23 {
				k.Category, k.Source = model.CategoryNonLitigation, model.SourceApplication // a stratum of one
			}
			all = append(all, rw.kase(t, rw.w.Office, k))
		}
		rw.kase(t, rw.w.Office, campaignCase{Closed: "2022-01-01"}) // outside the review scope
		second := startCampaign(t, rw.e, rw.w)
		sample := func(campaign string, body map[string]any, status int) model.SampleResponse {
			t.Helper()
			r := testenv.Expect(t, rw.e.Do(http.MethodPost, "/api/v1/campaigns/"+campaign+"/reviews/sample", rw.token("manager"), body), status)
			var out model.SampleResponse
			if status == http.StatusOK {
				r.JSON(t, &out)
			}
			return out
		}
		first := sample(rw.campaign, map[string]any{"percent": 50, "seed": 20240701}, http.StatusOK)
		again := sample(second, map[string]any{"percent": 50, "seed": 20240701}, http.StatusOK)
		if first.InScope != 24 || !slices.Equal(first.CaseIDs, again.CaseIDs) || first.Seed != 20240701 {
			t.Errorf("same seed, same cases: %v vs %v (in scope %d)", first.CaseIDs, again.CaseIDs, first.InScope)
		}
		if len(first.Strata) != 7 {
			t.Errorf("%d strata, want 7", len(first.Strata))
		}
		picked := 0
		for _, s := range first.Strata {
			if s.Picked == 0 || s.Picked != (s.InScope*50+50)/100 && !(s.InScope == 1 && s.Picked == 1) {
				t.Errorf("stratum %+v", s)
			}
			picked += s.Picked
		}
		if picked != first.Picked || first.Added != first.Picked {
			t.Errorf("picked %d added %d, strata sum %d", first.Picked, first.Added, picked)
		}
		other := sample(second, map[string]any{"percent": 50, "seed": 7}, http.StatusOK)
		if slices.Equal(other.CaseIDs, first.CaseIDs) {
			t.Error("another seed drew the same files")
		}
		drawn := sample(second, map[string]any{"percent": 10}, http.StatusOK)
		if drawn.Seed <= 0 {
			t.Errorf("no seed stored: %d", drawn.Seed)
		}
		var stored model.ReviewSample
		if err := rw.e.App.DB.Take(&stored, uint64(drawn.ID)).Error; err != nil || stored.Seed != drawn.Seed {
			t.Errorf("stored seed %d, answered %d", stored.Seed, drawn.Seed)
		}
		listed := sample(rw.campaign, map[string]any{"case_nos": []string{caseNo(t, rw, all[0]), caseNo(t, rw, all[1])}}, http.StatusOK)
		if listed.Picked != 2 {
			t.Errorf("listed case numbers picked %d", listed.Picked)
		}
		r := testenv.Expect(t, rw.e.Do(http.MethodPost, "/api/v1/campaigns/"+rw.campaign+"/reviews/sample", rw.token("manager"),
			map[string]any{"case_nos": []string{"无此案号"}}), http.StatusUnprocessableEntity)
		if !strings.Contains(string(r.Body), "无此案号") {
			t.Errorf("unknown case number not named: %s", r.Body)
		}
		sample(rw.campaign, map[string]any{"percent": 0}, http.StatusUnprocessableEntity)
		sample(rw.campaign, map[string]any{"percent": 10, "all": true}, http.StatusUnprocessableEntity)
	})
}

// The reviews export: one row per sheet with its score, deductions and the file's final result.
func TestReviewExport(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newReviewWorld(t, b)
		k := rw.kase(t, rw.w.Office, campaignCase{})
		rw.kase(t, "", campaignCase{})
		rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("reviewer", "rev_centre")}, http.StatusOK)
		rw.receive(t, k)
		rw.score(t, "reviewer", k, 30)
		rw.score(t, "rev_centre", k, 50)
		r := testenv.Expect(t, rw.e.Do(http.MethodGet, "/api/v1/campaigns/"+rw.campaign+"/export?kind=reviews", rw.token("manager"), nil), http.StatusOK)
		testenv.ScanForPersonalData(t, rw.e, "reviews export", r.Body)
		f, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("案卷评查")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 5 || rows[0][0] != "案号" {
			t.Fatalf("%d rows (want header and two sheets of each of two files): %v", len(rows), rows)
		}
		var scored [][]string
		for _, row := range rows[1:] {
			if row[0] == caseNo(t, rw, k) {
				scored = append(scored, row)
			}
		}
		if len(scored) != 2 || scored[0][10] != "97.0" || scored[1][10] != "95.0" || scored[0][14] != "96.0" || scored[0][15] != "优秀" ||
			!strings.Contains(scored[0][13], "扣 3.0 分") {
			t.Errorf("sheet rows %v", scored)
		}
		testenv.Expect(t, rw.e.Do(http.MethodGet, "/api/v1/campaigns/"+rw.campaign+"/export?kind=nope", rw.token("manager"), nil), http.StatusUnprocessableEntity)
	})
}
