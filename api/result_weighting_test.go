package api_test

import (
	"net/http"
	"strings"
	"testing"

	"fayuan/internal/testenv"
)

// By default hearings and opinions are shown only; a campaign may weigh them in: here the
// handler's mean hearing score counts 20% and each poor organ opinion deducts 2 points.
func TestResultWeighting(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newResultWorld(t, b)
		shown, weighed := rw.file(t, "", 100000), rw.file(t, "", 100000)
		rw.sheets(t, shown, 75, 74, 0, false, false)
		rw.sheets(t, weighed, 75, 74, 0, false, false)
		rw.do(t, http.MethodPost, rw.path("/hearings"), "manager", map[string]any{"case_nos": "（2024）陕1026民初88号", "court": "柞水县人民法院",
			"heard_at": "2024-05-22T09:30:00+08:00", "handler_id": wireID(rw.handler), "observers": []map[string]any{
				{"kind": "lawyer", "name": "张律师", "sheet": map[string]any{"entries": []map[string]any{{"item": "A1", "deduction": 4, "reason": "准备不足"}}}},
			}}, http.StatusCreated) // 96.0
		rw.do(t, http.MethodPost, rw.path("/opinions"), "manager", map[string]any{"handler_id": wireID(rw.handler), "organ_name": "柞水县人民检察院",
			"date": "2024-05-21", "rating": "poor", "text": "多次迟到"}, http.StatusCreated)

		// Default: shown only.
		page, _ := rw.results(t, "handler")
		if page.Weighting != "庭审旁听和司法机关意见仅作参考，不计入得分" {
			t.Errorf("default weighting %q", page.Weighting)
		}
		// Publish one file with the default (the other's sheets kept out of sight), then weigh in
		// and publish the other: a published result keeps the rules it was published under.
		if err := rw.e.App.DB.Table("review_sheets").Where("case_id = ?", parseWireID(t, weighed)).Update("campaign_id", 0).Error; err != nil {
			t.Fatal(err)
		}
		rw.publish(t)
		rw.do(t, http.MethodPut, rw.path("/result-settings"), "manager", map[string]any{"objection_days": 7, "hearing_weight_percent": 20,
			"opinion_poor_points": 2, "version": 0}, http.StatusOK)
		if err := rw.e.App.DB.Table("review_sheets").Where("case_id = ?", parseWireID(t, weighed)).Update("campaign_id", rw.cid).Error; err != nil {
			t.Fatal(err)
		}
		rw.publish(t)
		page, _ = rw.results(t, "handler")
		if s := page.byCase(t, shown); s.Score != "74.5" {
			t.Errorf("published before the weighting: %+v", s)
		}
		// 74.5 × 80% + 96.0 × 20% = 78.8; one poor opinion: − 2.0 = 76.8.
		got := page.byCase(t, weighed)
		if got.Score != "76.8" || got.Grade != "qualified" || !strings.Contains(strings.Join(got.Reasons, "\n"), "庭审旁听平均分 96.0 × 20% = 78.8") {
			t.Errorf("weighted result %+v, want 76.8", got)
		}
		if !strings.Contains(page.Weighting, "20%") || len(page.Hearings) != 1 || len(page.Opinions) != 1 {
			t.Errorf("page %q, %d hearings, %d opinions", page.Weighting, len(page.Hearings), len(page.Opinions))
		}
	})
}
