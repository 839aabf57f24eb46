package api_test

import (
	"net/http"
	"testing"

	"fayuan/internal/review"
	"fayuan/internal/testenv"
)

// Grade boundaries through the API: a sheet's score is 100 − deductions, rounded half up to
// 0.1, and the notice's bands are lower bounds.
func TestReviewGradeBoundaries(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newReviewWorld(t, b)
		k := rw.kase(t, rw.w.Office, campaignCase{})
		rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("reviewer", "rev_centre")}, http.StatusOK)
		rw.receive(t, k)
		sh := rw.sheetOf(t, k, "reviewer")
		version := sh.Version
		for _, c := range []struct {
			deduct review.Tenths
			score  string
			grade  string
		}{
			{100, "90.0", "excellent"}, {101, "89.9", "good"}, {200, "80.0", "good"},
			{201, "79.9", "qualified"}, {300, "70.0", "qualified"}, {301, "69.9", "unqualified"},
		} {
			out, _ := rw.save(t, "reviewer", sh.ID, map[string]any{"version": version, "items": deductions(t, c.deduct)}, http.StatusOK)
			if out.Score.String() != c.score || out.Grade != c.grade {
				t.Errorf("deducting %s: score %s grade %s, want %s %s", c.deduct, out.Score, out.Grade, c.score, c.grade)
			}
			if out.Version != version+1 || out.Status != "draft" {
				t.Errorf("after a save: version %d status %s, want %d draft", out.Version, out.Status, version+1)
			}
			version = out.Version
		}
	})
}

// N/A rescaling and vetoes: the score is what the applicable items earned ÷ their maximum × 100,
// half up to 0.1; a veto makes the sheet 不合格 whatever the points; bad entries are 422 naming
// the item's field and change nothing.
func TestReviewSheetRescalingAndVeto(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newReviewWorld(t, b)
		k := rw.kase(t, rw.w.Office, campaignCase{})
		rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("reviewer", "rev_centre")}, http.StatusOK)
		rw.receive(t, k)
		sh := rw.sheetOf(t, k, "reviewer")
		version := sh.Version
		item := func(code string, d string, reason string, na bool) map[string]any {
			return map[string]any{"code": code, "deduction": rawNumber(d), "reason": reason, "not_applicable": na}
		}
		for _, c := range []struct {
			name   string
			body   map[string]any
			status int
			score  string
			grade  string
			field  string
		}{
			// E1–E3 (12 points) not applicable: 88 applicable, 2 deducted → 86 ÷ 88 × 100 = 97.727… → 97.7.
			{"na rescales", map[string]any{"items": []any{item("E1", "0", "", true), item("E2", "0", "", true), item("E3", "0", "", true),
				item("A1", "2", "缺经济困难证明", false)}}, 200, "97.7", "excellent", ""},
			// C2 (4) not applicable, 0.5 deducted: 95.5 ÷ 96 × 100 = 99.479… → 99.5.
			{"na half up", map[string]any{"items": []any{item("C2", "0", "", true), item("B1", "0.5", "约见迟延", false)}}, 200, "99.5", "excellent", ""},
			{"veto forces unqualified", map[string]any{"items": []any{item("A1", "1", "缺材料", false)},
				"veto": map[string]any{"code": "V1", "reason": "向受援人收取交通费"}}, 200, "99.0", "unqualified", ""},
			{"veto with na", map[string]any{"items": []any{item("E2", "0", "", true)},
				"veto": map[string]any{"code": "V2", "reason": "无故缺席庭审"}}, 200, "100.0", "unqualified", ""},
			{"na not allowed", map[string]any{"items": []any{item("A1", "0", "", true)}}, 422, "", "", "items[0].not_applicable"},
			{"deduction without reason", map[string]any{"items": []any{item("A1", "1", " ", false)}}, 422, "", "", "items[0].reason"},
			{"deduction above max", map[string]any{"items": []any{item("A1", "3.1", "过多", false)}}, 422, "", "", "items[0].deduction"},
			{"unknown item", map[string]any{"items": []any{item("Z9", "1", "无", false)}}, 422, "", "", "items[0].code"},
			{"unknown veto", map[string]any{"veto": map[string]any{"code": "V9", "reason": "无"}}, 422, "", "", "vetoes[0].code"},
			{"veto without reason", map[string]any{"veto": map[string]any{"code": "V1", "reason": ""}}, 422, "", "", "vetoes[0].reason"},
			{"negative", map[string]any{"items": []any{item("A1", "-1", "负数", false)}}, 422, "", "", "items[0].deduction"},
		} {
			c.body["version"] = version
			out, r := rw.save(t, "reviewer", sh.ID, c.body, c.status)
			if c.status != http.StatusOK {
				fields, _ := r.Map(t)["details"].(map[string]any)["fields"].(map[string]any)
				if _, ok := fields[c.field]; !ok {
					t.Errorf("%s: fields %v, want %s", c.name, fields, c.field)
				}
				if now := rw.sheetOf(t, k, "reviewer"); now.Version != version {
					t.Errorf("%s: a refused save changed the sheet (version %d → %d)", c.name, version, now.Version)
				}
				continue
			}
			if out.Score.String() != c.score || out.Grade != c.grade {
				t.Errorf("%s: score %s grade %s, want %s %s", c.name, out.Score, out.Grade, c.score, c.grade)
			}
			version = out.Version
		}
	})
}
