package api_test

import (
	"net/http"
	"sync"
	"testing"

	"fayuan/internal/review"
	"fayuan/internal/testenv"
	"fayuan/model"
	"fayuan/service"
)

// Blind review: a reviewer cannot read (404) or write the other reviewer's sheet of the same
// file until both are submitted; someone not on the file never can.
func TestReviewBlindness(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newReviewWorld(t, b)
		k := rw.kase(t, rw.w.Office, campaignCase{})
		rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("reviewer", "rev_centre")}, http.StatusOK)
		rw.receive(t, k)
		a, bSheet := rw.sheetOf(t, k, "reviewer"), rw.sheetOf(t, k, "rev_centre")
		read := func(name string, id uint64, status int) {
			t.Helper()
			testenv.Expect(t, rw.e.Do(http.MethodGet, "/api/v1/reviews/"+wireID(id), rw.token(name), nil), status)
		}
		read("reviewer", a.ID, http.StatusOK)
		read("reviewer", bSheet.ID, http.StatusNotFound)
		read("rev_a", bSheet.ID, http.StatusNotFound)
		read("manager", bSheet.ID, http.StatusOK)
		rw.save(t, "reviewer", bSheet.ID, map[string]any{"version": bSheet.Version}, http.StatusNotFound)

		rw.score(t, "reviewer", k, 50)
		read("reviewer", bSheet.ID, http.StatusNotFound) // one submitted is not both
		rw.score(t, "rev_centre", k, 60)
		read("reviewer", bSheet.ID, http.StatusOK)
		read("rev_centre", a.ID, http.StatusOK)
		read("rev_office", a.ID, http.StatusNotFound)

		// A submitted sheet is locked for its reviewer.
		_, r := rw.save(t, "reviewer", a.ID, map[string]any{"version": a.Version + 1}, http.StatusConflict)
		if r.Code() != "sheet_submitted" {
			t.Errorf("saving a submitted sheet: %s, want sheet_submitted", r.Code())
		}
		// The list: a reviewer sees their own sheets, a manager all.
		var mine model.List[model.SheetSummary]
		testenv.Expect(t, rw.e.Do(http.MethodGet, "/api/v1/campaigns/"+rw.campaign+"/reviews", rw.token("reviewer"), nil), http.StatusOK).JSON(t, &mine)
		if mine.Total != 1 || mine.Items[0].ID != model.ID(a.ID) || mine.Items[0].Status != "submitted" || mine.Items[0].Template.Key != "civil-administrative" {
			t.Errorf("reviewer's list %+v", mine)
		}
		var all model.List[model.SheetSummary]
		testenv.Expect(t, rw.e.Do(http.MethodGet, "/api/v1/campaigns/"+rw.campaign+"/reviews", rw.token("manager"), nil), http.StatusOK).JSON(t, &all)
		if all.Total != 2 {
			t.Errorf("manager's list has %d sheets, want 2", all.Total)
		}
	})
}

// The final score: the mean of two (89.9 and 90.0 → 89.95 → 90.0 优秀 when different grades
// do not call a third); a divergence of 10 points creates a third sheet for an eligible reviewer
// and the median of the three decides; with nobody eligible the file is listed as needing one.
func TestReviewFinalScoreAndThirdReviewer(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newReviewWorld(t, b)
		mean := rw.kase(t, rw.w.Office, campaignCase{})
		split := rw.kase(t, rw.w.Office, campaignCase{})
		lonely := rw.kase(t, rw.w.Office, campaignCase{}) // rev_a declares a conflict: no third reviewer left
		rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("reviewer", "rev_centre")}, http.StatusOK)
		rw.receive(t, mean)
		rw.receive(t, split)
		rw.receive(t, lonely)
		testenv.Expect(t, rw.e.Do(http.MethodPost, "/api/v1/campaigns/"+rw.campaign+"/reviews/conflicts", rw.token("rev_a"),
			map[string]any{"case_id": wireID(lonely), "reason": "曾为该案提供咨询"}), http.StatusCreated)
		testenv.Expect(t, rw.e.Do(http.MethodPut, "/api/v1/campaigns/"+rw.campaign+"/review-settings", rw.token("manager"),
			map[string]any{"triggers": map[string]any{"divergence": 10, "different_grades": false, "unqualified": true, "veto": true}}), http.StatusOK)

		rw.score(t, "reviewer", mean, 101)   // 89.9
		rw.score(t, "rev_centre", mean, 100) // 90.0
		f := rw.file(t, mean)
		if f.FinalScore == nil || *f.FinalScore != 900 || f.FinalGrade != "excellent" || f.NeedsThird {
			t.Errorf("89.9 and 90.0: final %v %s third %v, want 90.0 excellent", f.FinalScore, f.FinalGrade, f.NeedsThird)
		}

		rw.score(t, "reviewer", split, 50) // 95.0
		if f := rw.file(t, split); f.FinalScore != nil || f.NeedsThird {
			t.Fatalf("one sheet in: final %v third %v, want nothing yet", f.FinalScore, f.NeedsThird)
		}
		rw.score(t, "rev_centre", split, 150) // 85.0, 10 points apart
		f = rw.file(t, split)
		sheets := rw.sheets(t, split)
		if !f.NeedsThird || f.ThirdStatus != "assigned" || f.FinalScore != nil || len(sheets) != 3 || !sheets[2].Third {
			t.Fatalf("divergent sheets: third %v %s final %v, %d sheets; want a third sheet", f.NeedsThird, f.ThirdStatus, f.FinalScore, len(sheets))
		}
		third := sheets[2]
		if third.ReviewerID == parseWireID(t, rw.rev["rev_office"]) || third.ReviewerID == parseWireID(t, rw.rev["reviewer"]) ||
			third.ReviewerID == parseWireID(t, rw.rev["rev_centre"]) {
			t.Errorf("third reviewer %d is recused or already on the file; only rev_a may take it", third.ReviewerID)
		}
		var thirdName string
		for name, id := range rw.rev {
			if parseWireID(t, id) == third.ReviewerID {
				thirdName = name
			}
		}
		// The first two cannot see each other's sheet while the third scores blind.
		testenv.Expect(t, rw.e.Do(http.MethodGet, "/api/v1/reviews/"+wireID(sheets[0].ID), rw.token(thirdName), nil), http.StatusNotFound)
		rw.score(t, thirdName, split, 120) // 88.0: median of 95.0, 85.0, 88.0
		f = rw.file(t, split)
		if f.FinalScore == nil || *f.FinalScore != 880 || f.FinalGrade != "good" {
			t.Errorf("median: final %v %s, want 88.0 good", f.FinalScore, f.FinalGrade)
		}
		rw.score(t, "reviewer", lonely, 0)
		rw.score(t, "rev_centre", lonely, 301) // 69.9 不合格 calls a third
		if f := rw.file(t, lonely); !f.NeedsThird || f.ThirdStatus != "unassignable" || f.FinalScore != nil || len(rw.sheets(t, lonely)) != 2 {
			t.Errorf("no eligible third: needs %v status %q final %v", f.NeedsThird, f.ThirdStatus, f.FinalScore)
		}
		// FinalFor, for the results: the median, and every sheet's deductions with their reasons.
		final, views, err := service.NewReviews(rw.e.App.DB, rw.e.Clock, nil, nil).FinalFor(rw.e.App.DB, parseWireID(t, rw.campaign), split)
		if err != nil || final == nil || final.Score.String() != "88.0" || final.Grade != review.Good || len(views) != 3 || !views[2].Third ||
			len(views[0].Deductions) == 0 || views[0].Deductions[0].Reason != "材料不全" || views[0].Deductions[0].Label == "" {
			t.Errorf("FinalFor: %+v %+v %v", final, views, err)
		}
		var files []model.FileResponse
		testenv.Expect(t, rw.e.Do(http.MethodGet, "/api/v1/campaigns/"+rw.campaign+"/files", rw.token("manager"), nil), http.StatusOK).JSON(t, &files)
		for _, fr := range files {
			if fr.CaseID == model.ID(split) && (fr.FinalScore == nil || fr.FinalScore.String() != "88.0" || fr.FinalGrade != "good") {
				t.Errorf("files list: %+v", fr)
			}
		}
	})
}

// Sheets open only once the file is handed in and received; files not handed in after the
// deadline are listed by firm; a save outside the reviews phase is refused.
func TestReviewFilesHandInAndOverdue(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newReviewWorld(t, b)
		a1, a2 := rw.kase(t, "", campaignCase{}), rw.kase(t, "", campaignCase{})
		off := rw.kase(t, rw.w.Office, campaignCase{})
		rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("reviewer", "rev_centre", "rev_office")}, http.StatusOK)
		sh := rw.sheetOf(t, a1, "reviewer")
		body := map[string]any{"version": sh.Version, "items": deductions(t, 10)}
		base := "/api/v1/campaigns/" + rw.campaign + "/files/"

		_, r := rw.save(t, "reviewer", sh.ID, body, http.StatusConflict)
		if r.Code() != "file_not_received" {
			t.Errorf("scoring a file not handed in: %s, want file_not_received", r.Code())
		}
		r = testenv.Expect(t, rw.e.Do(http.MethodPost, base+wireID(a1)+"/receive", rw.token("manager"), nil), http.StatusConflict)
		if r.Code() != "file_not_handed_in" {
			t.Errorf("receiving a file not handed in: %s", r.Code())
		}
		testenv.Expect(t, rw.e.Do(http.MethodPost, base+wireID(a1)+"/hand-in", rw.token("handler_b"), nil), http.StatusNotFound)
		testenv.Expect(t, rw.e.Do(http.MethodPost, base+wireID(a1)+"/hand-in", rw.token("handler"), nil), http.StatusOK)
		testenv.Expect(t, rw.e.Do(http.MethodPost, base+wireID(a1)+"/hand-in", rw.token("handler"), nil), http.StatusOK)
		rw.save(t, "reviewer", sh.ID, body, http.StatusConflict) // handed in, not yet received
		testenv.Expect(t, rw.e.Do(http.MethodPost, base+wireID(a1)+"/receive", rw.token("manager"), nil), http.StatusOK)
		out, _ := rw.save(t, "reviewer", sh.ID, body, http.StatusOK)
		if out.Score.String() != "99.0" {
			t.Errorf("score %s, want 99.0", out.Score)
		}
		if n := countAudit(t, rw.e, "review.file.hand_in") + countAudit(t, rw.e, "review.file.receive"); n != 2 {
			t.Errorf("%d hand-in/receive audit rows, want 2", n)
		}

		// The deadline is the reviews phase's start + 10 days: 2024-07-11. On the 12th a2 (firm A)
		// and the office's file are overdue, by firm; a1 is in.
		var handlerFiles []model.FileResponse
		testenv.Expect(t, rw.e.Do(http.MethodGet, "/api/v1/campaigns/"+rw.campaign+"/files", rw.token("handler"), nil), http.StatusOK).JSON(t, &handlerFiles)
		if len(handlerFiles) != 2 {
			t.Errorf("the handler sees %d files, want firm A's 2", len(handlerFiles))
		}
		rw.at("2024-07-12T09:00:00+08:00")
		var overdue []model.OverdueOrg
		testenv.Expect(t, rw.e.Do(http.MethodGet, base+"overdue", rw.token("manager"), nil), http.StatusOK).JSON(t, &overdue)
		got := map[string][]model.ID{}
		for _, o := range overdue {
			if o.DueOn != "2024-07-11" {
				t.Errorf("due on %s, want 2024-07-11", o.DueOn)
			}
			for _, f := range o.Files {
				got[o.OrgName] = append(got[o.OrgName], f.CaseID)
			}
		}
		if len(got) != 2 || len(got["秦风律师事务所"]) != 1 || got["秦风律师事务所"][0] != model.ID(a2) ||
			len(got["城关法律服务所"]) != 1 || got["城关法律服务所"][0] != model.ID(off) {
			t.Errorf("overdue by firm %v", got)
		}

		// Outside the reviews phase (and its sync grace) a save is refused.
		rw.at("2024-09-10T09:00:00+08:00")
		_, r = rw.save(t, "reviewer", sh.ID, map[string]any{"version": out.Version}, http.StatusConflict)
		if r.Code() != "phase_closed" {
			t.Errorf("save after the phase: %s, want phase_closed", r.Code())
		}
	})
}

// Two concurrent saves of one sheet with the same version: exactly one 409, and the sheet holds
// the winner's entries in full.
func TestReviewConcurrentSaves(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newReviewWorld(t, b)
		k := rw.kase(t, rw.w.Office, campaignCase{})
		rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("reviewer", "rev_centre")}, http.StatusOK)
		rw.receive(t, k)
		sh := rw.sheetOf(t, k, "reviewer")
		for round := range 5 {
			cur := rw.sheetOf(t, k, "reviewer")
			reasons := []string{"甲理由", "乙理由"}
			codes := make([]int, 2)
			var wg sync.WaitGroup
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := rw.e.Do(http.MethodPut, "/api/v1/reviews/"+wireID(sh.ID), rw.token("reviewer"), map[string]any{"version": cur.Version,
						"items": []any{map[string]any{"code": "A1", "deduction": 1, "reason": reasons[i]}, map[string]any{"code": "B1", "deduction": i + 1, "reason": reasons[i]}}})
					codes[i] = r.Status
				}()
			}
			wg.Wait()
			if !(codes[0] == 200 && codes[1] == 409 || codes[0] == 409 && codes[1] == 200) {
				t.Fatalf("round %d: statuses %v, want one 200 and one 409", round, codes)
			}
			winner := 0
			if codes[1] == 200 {
				winner = 1
			}
			var items []model.ReviewItem
			if err := rw.e.App.DB.Where("sheet_id = ?", sh.ID).Order("code").Find(&items).Error; err != nil {
				t.Fatal(err)
			}
			now := rw.sheetOf(t, k, "reviewer")
			if len(items) != 2 || items[0].Reason != reasons[winner] || items[1].Reason != reasons[winner] || items[1].Deduction != int64(10*(winner+1)) ||
				now.Version != cur.Version+1 || now.Score != int64(1000-10-10*(winner+1)) {
				t.Errorf("round %d: items %+v version %d score %d after the winner %d", round, items, now.Version, now.Score, winner)
			}
		}
	})
}
