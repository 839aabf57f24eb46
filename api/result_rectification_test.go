package api_test

import (
	"bytes"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"fayuan/internal/review"
	"fayuan/internal/testenv"
	"fayuan/model"
)

// A confirmed 不合格 result opens a rectification: interview (manager), the handler's written
// rectification, a manager's closing — in that order, each audited with before and after. The
// finance export carries every figure with its reasons.
func TestResultRectificationAndExport(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newResultWorld(t, b)
		e, w := rw.e, rw.w
		bad := rw.file(t, "", 150000)
		fine := rw.file(t, "", 150000)
		rw.sheets(t, bad, 65, 66, 64, false, false)
		rw.sheets(t, fine, 95, 93, 0, false, false)
		rw.publish(t)
		e.Clock.Advance(8 * 24 * time.Hour)
		relogin(e, w, "manager", "handler", "handler_b")
		var got resultItem
		rw.do(t, http.MethodPost, rw.path("/results/"+bad+"/confirm"), "manager", map[string]any{"version": 1}, http.StatusOK).JSON(t, &got)
		if got.Rectification == nil || got.Rectification.Status != "open" {
			t.Fatalf("不合格 without a rectification: %+v", got)
		}
		rect := "/api/v1/rectifications/" + got.Rectification.ID
		rw.do(t, http.MethodPost, rect+"/submission", "handler", map[string]any{"text": "已整改"}, http.StatusConflict) // before the interview
		rw.do(t, http.MethodPost, rect+"/close", "manager", map[string]any{"text": "结束"}, http.StatusConflict)
		rw.do(t, http.MethodPost, rect+"/interview", "manager", map[string]any{"date": "2024-07-01", "note": "约谈"}, http.StatusUnprocessableEntity) // after today
		rw.do(t, http.MethodPost, rect+"/interview", "manager", map[string]any{"date": "2024-05-31", "note": "已约谈承办人，指出会见笔录缺失问题"}, http.StatusOK)
		rw.do(t, http.MethodPost, rect+"/submission", "handler_b", map[string]any{"text": "不是我的"}, http.StatusNotFound)
		rw.do(t, http.MethodPost, rect+"/submission", "handler", map[string]any{"text": ""}, http.StatusUnprocessableEntity)
		rw.do(t, http.MethodPost, rect+"/submission", "handler", map[string]any{"text": "已补齐会见笔录，今后每次会见当日归档"}, http.StatusOK)
		r := rw.do(t, http.MethodPost, rect+"/close", "manager", map[string]any{"text": "整改到位，予以销号"}, http.StatusOK).Map(t)
		if r["status"] != "closed" {
			t.Errorf("closed: %v", r)
		}
		rw.do(t, http.MethodPost, rect+"/close", "manager", map[string]any{"text": "再次销号"}, http.StatusConflict)
		for _, action := range []string{"rectification.interview", "rectification.submit", "rectification.close"} {
			var l model.AuditLog
			if err := e.App.DB.Where("action = ?", action).Take(&l).Error; err != nil || l.BeforeHash == "" || l.AfterHash == "" {
				t.Errorf("%s: audit %+v, %v", action, l, err)
			}
		}

		// The finance export: the confirmed 不合格 with its reduction and reasons; the 优秀 still
		// inside nothing but marked as proposed, since nobody confirmed it.
		x := rw.do(t, http.MethodGet, rw.path("/export?kind=results"), "manager", nil, http.StatusOK)
		rw.do(t, http.MethodGet, rw.path("/export?kind=results"), "handler", nil, http.StatusForbidden)
		f, err := excelize.OpenReader(bytes.NewReader(x.Body))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("评查结果")
		if err != nil || len(rows) != 3 {
			t.Fatalf("rows %v (%v), want a header and 2", rows, err)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		byNo := map[string][]string{}
		for _, row := range rows[1:] {
			byNo[row[0]] = row
		}
		var badNo, fineNo string
		for _, it := range mustResults(t, rw).Items {
			if it.CaseID == bad {
				badNo = it.CaseNo
			} else {
				fineNo = it.CaseNo
			}
		}
		br, fr := byNo[badNo], byNo[fineNo]
		if br == nil || fr == nil {
			t.Fatalf("export rows %v lack %s or %s", rows, badNo, fineNo)
		}
		if br[col["最终得分"]] != "65.0" || br[col["下浮金额（元）"]] != "450.00" || br[col["应兑付（元）"]] != "1050.00" ||
			!strings.Contains(br[col["结果运用理由"]], "1500.00元 × 30% = 450.00元") || br[col["结果运用已确认"]] != "是" ||
			!strings.Contains(br[col["扣分项及理由"]], "扣分理由") {
			t.Errorf("不合格 row %q", br)
		}
		if fr[col["列入奖励名单"]] != "是" || !strings.HasPrefix(fr[col["结果运用已确认"]], "否") {
			t.Errorf("优秀 row (unconfirmed) %q", fr)
		}
	})
}

func mustResults(t *testing.T, rw *resultWorld) resultsPage {
	t.Helper()
	p, _ := rw.results(t, "manager")
	return p
}

// Agreement over real sheets: the figures review.Measure gives for the same scores, with each
// reviewer named for the manager (the ICC itself is checked against Shrout & Fleiss in
// internal/review).
func TestResultAgreement(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newResultWorld(t, b)
		f1, f2, f3 := rw.file(t, "", 0), rw.file(t, "", 0), rw.file(t, "", 0)
		rw.sheet(t, f1, "rev_a", 1, false, 80, false)
		rw.sheet(t, f1, "rev_b", 2, false, 90, false)
		rw.sheet(t, f2, "rev_a", 1, false, 70, false)
		rw.sheet(t, f2, "rev_b", 2, false, 74, false)
		rw.sheet(t, f2, "rev_c", 3, true, 76, false)
		rw.sheet(t, f3, "rev_c", 1, false, 88, false) // alone: not compared
		var a model.AgreementResponse
		rw.do(t, http.MethodGet, rw.path("/agreement"), "manager", nil, http.StatusOK).JSON(t, &a)
		// Pairs |80−90|, |70−74|, |70−76|, |74−76| → 22 ÷ 4; ICC from (80, 90), (70, 74) = 160 ÷ 218.
		if a.Files != 2 || a.Pairs != 4 || math.Abs(a.MeanAbsDiff-5.5) > 1e-9 || a.ICC == nil || math.Abs(*a.ICC-160.0/218.0) > 1e-9 {
			t.Errorf("agreement %+v (icc %v)", a, a.ICC)
		}
		want, err := review.Measure([]review.FileRatings{
			{File: "1", Ratings: []review.Rating{{Reviewer: "a", Score: 800}, {Reviewer: "b", Score: 900}}},
			{File: "2", Ratings: []review.Rating{{Reviewer: "a", Score: 700}, {Reviewer: "b", Score: 740}, {Reviewer: "c", Score: 760}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]string{"a": testenv.DisplayName("rev_a"), "b": testenv.DisplayName("rev_b"), "c": testenv.DisplayName("rev_c")}
		got := map[string]float64{}
		for _, r := range a.Reviewers {
			got[r.Name] = r.MeanSignedDiff
		}
		for _, r := range want.Reviewers {
			if g, ok := got[names[r.Reviewer]]; !ok || math.Abs(g-r.MeanSignedDiff) > 1e-9 {
				t.Errorf("reviewer %s: %v, want %v", names[r.Reviewer], g, r.MeanSignedDiff)
			}
		}
	})
}
