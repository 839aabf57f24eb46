package api_test

import (
	"net/http"
	"sync"
	"testing"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// Recusal is automatic: a reviewer of the handler's firm, or one who declared a conflict, is
// never given the file; the load is balanced over the others; forcing a recused reviewer onto a
// file → 409 and nothing written. Every sheet given is audited.
func TestReviewAssignRecusal(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newReviewWorld(t, b)
		var firmA []uint64
		for range 6 {
			firmA = append(firmA, rw.kase(t, "", campaignCase{}))
		}
		declared := rw.kase(t, rw.w.FirmB, campaignCase{}) // rev_office declares a conflict with it
		testenv.Expect(t, rw.e.Do(http.MethodPost, "/api/v1/campaigns/"+rw.campaign+"/reviews/conflicts", rw.token("rev_office"),
			map[string]any{"case_id": wireID(declared), "reason": "承办人是我的亲属"}), http.StatusCreated)
		testenv.Expect(t, rw.e.Do(http.MethodPost, "/api/v1/campaigns/"+rw.campaign+"/reviews/conflicts", rw.token("rev_office"),
			map[string]any{"reason": "未指明"}), http.StatusUnprocessableEntity)

		out, _ := rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("rev_a", "reviewer", "rev_office", "rev_centre"), "per_case": 2}, http.StatusOK)
		if out.Assigned != 14 || out.Files != 7 || len(out.Unassignable) != 0 {
			t.Fatalf("assigned %d sheets on %d files, unassignable %v; want 14 on 7, none", out.Assigned, out.Files, out.Unassignable)
		}
		load := map[uint64]int{}
		for _, k := range firmA {
			sheets := rw.sheets(t, k)
			if len(sheets) != 2 {
				t.Fatalf("case %d has %d sheets, want 2", k, len(sheets))
			}
			for _, sh := range sheets {
				load[sh.ReviewerID]++
				if sh.ReviewerID == parseWireID(t, rw.rev["rev_a"]) {
					t.Errorf("rev_a of the handler's firm was given case %d", k)
				}
			}
		}
		for _, sh := range rw.sheets(t, declared) {
			load[sh.ReviewerID]++
			if sh.ReviewerID == parseWireID(t, rw.rev["rev_office"]) || sh.ReviewerID == parseWireID(t, rw.rev["reviewer"]) {
				t.Errorf("case %d of firm B given to a recused reviewer %d", declared, sh.ReviewerID)
			}
		}
		// 14 sheets: firm B's case only to rev_a and rev_centre, the 12 others over three.
		for _, name := range []string{"reviewer", "rev_office", "rev_centre"} {
			if n := load[parseWireID(t, rw.rev[name])]; n < 4 || n > 5 {
				t.Errorf("%s holds %d sheets, want a balanced 4–5 (loads %v)", name, n, load)
			}
		}
		if n := countAudit(t, rw.e, "review.assign"); n != 14 {
			t.Errorf("%d review.assign audit rows, want 14", n)
		}

		// A reviewer now sees the campaign they review in.
		testenv.Expect(t, rw.e.Do(http.MethodGet, "/api/v1/campaigns/"+rw.campaign, rw.token("rev_centre"), nil), http.StatusOK)
		// Declaring a conflict on a file already held withdraws the draft; the next run refills it.
		var held model.ReviewSheet
		for _, k := range firmA {
			for _, sh := range rw.sheets(t, k) {
				if sh.ReviewerID == parseWireID(t, rw.rev["rev_centre"]) {
					held = sh
				}
			}
		}
		if held.ID == 0 {
			t.Fatal("rev_centre holds no firm-A file")
		}
		testenv.Expect(t, rw.e.Do(http.MethodPost, "/api/v1/campaigns/"+rw.campaign+"/reviews/conflicts", rw.token("rev_centre"),
			map[string]any{"handler_id": wireID(rw.handler), "reason": "与承办人有合作关系"}), http.StatusCreated)
		for _, sh := range rw.sheets(t, held.CaseID) {
			if sh.ID == held.ID {
				t.Error("the declarant's draft sheet stayed")
			}
		}
		refill, _ := rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("rev_a", "reviewer", "rev_office", "rev_centre")}, http.StatusOK)
		for _, k := range firmA {
			for _, sh := range rw.sheets(t, k) {
				if sh.ReviewerID == parseWireID(t, rw.rev["rev_centre"]) {
					t.Errorf("rev_centre declared a conflict with the handler yet holds case %d", k)
				}
			}
		}
		if refill.Assigned == 0 && len(refill.Unassignable) == 0 {
			t.Error("the withdrawn files were neither refilled nor listed")
		}

		// Forcing rev_a onto a firm-A file: 409, nothing written.
		extra := rw.kase(t, "", campaignCase{})
		rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("reviewer"), "sample": map[string]any{"case_nos": []string{caseNo(t, rw, extra)}}, "case_ids": nil}, http.StatusOK)
		_, r := rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("rev_a"), "case_ids": []string{wireID(extra)}}, http.StatusConflict)
		if r.Code() != "recused" {
			t.Errorf("forcing a recused reviewer: code %s, want recused", r.Code())
		}
		for _, sh := range rw.sheets(t, extra) {
			if sh.ReviewerID == parseWireID(t, rw.rev["rev_a"]) {
				t.Error("the refused manual assignment wrote a sheet")
			}
		}
		// A declared conflict refuses a manual assignment too; an eligible one is accepted.
		_, r = rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("rev_office"), "case_ids": []string{wireID(declared)}}, http.StatusConflict)
		if r.Code() != "recused" {
			t.Errorf("declared conflict: code %s, want recused", r.Code())
		}
		before := len(rw.sheets(t, extra))
		ok, _ := rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("rev_office"), "case_ids": []string{wireID(extra)}}, http.StatusOK)
		if ok.Assigned != 1 || len(rw.sheets(t, extra)) != before+1 {
			t.Errorf("manual assignment of an eligible reviewer: assigned %d", ok.Assigned)
		}
	})
}

func caseNo(t *testing.T, rw *reviewWorld, id uint64) string {
	t.Helper()
	var k model.Case
	if err := rw.e.App.DB.Take(&k, id).Error; err != nil {
		t.Fatal(err)
	}
	return k.CaseNo
}

// A file recusal leaves with fewer eligible reviewers than per_case is unassignable: given to
// nobody, never half-reviewed. Concurrent runs never give a file twice.
func TestReviewAssignUnassignableAndConcurrent(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newReviewWorld(t, b)
		firmA := rw.kase(t, "", campaignCase{})
		office := rw.kase(t, rw.w.Office, campaignCase{})
		out, _ := rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("rev_a", "reviewer")}, http.StatusOK)
		if len(out.Unassignable) != 1 || out.Unassignable[0].CaseID != wireID(firmA) || out.Unassignable[0].Reason != "too_few_reviewers" ||
			out.Unassignable[0].Eligible != 1 || out.Unassignable[0].Needed != 2 {
			t.Fatalf("unassignable %+v, want firm A's case with 1 of 2 eligible", out.Unassignable)
		}
		if n := len(rw.sheets(t, firmA)); n != 0 {
			t.Errorf("the unassignable file has %d sheets, want 0", n)
		}
		if n := len(rw.sheets(t, office)); n != 2 {
			t.Errorf("the office's file has %d sheets, want 2", n)
		}

		// Ten concurrent runs over fresh files: each file ends with exactly two sheets.
		var fresh []uint64
		for range 5 {
			fresh = append(fresh, rw.kase(t, rw.w.Office, campaignCase{}))
		}
		rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("reviewer"), "sample": map[string]any{"all": true}, "per_case": 2}, http.StatusOK)
		var wg sync.WaitGroup
		total := make(chan int, 10)
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				names := []string{"reviewer", "rev_centre", "rev_a"}
				if i%2 == 1 {
					names = []string{"rev_a", "rev_centre", "reviewer"}
				}
				r := rw.e.Do(http.MethodPost, "/api/v1/campaigns/"+rw.campaign+"/reviews/assign", rw.token("manager"),
					map[string]any{"reviewer_ids": rw.reviewerIDs(names...)})
				if r.Status != http.StatusOK {
					t.Errorf("concurrent run: %d %s", r.Status, r.Body)
					return
				}
				var o reviewAssignOut
				r.JSON(t, &o)
				total <- o.Assigned
			}()
		}
		wg.Wait()
		close(total)
		sum := 0
		for n := range total {
			sum += n
		}
		for _, k := range fresh {
			if n := len(rw.sheets(t, k)); n != 2 {
				t.Errorf("case %d has %d sheets after concurrent runs, want 2", k, n)
			}
		}
		// The sampling run above gave nothing (one listed reviewer cannot make two), so the
		// concurrent runs together gave two sheets to each fresh file and to firm A's file, once.
		if n := len(rw.sheets(t, firmA)); n != 2 {
			t.Errorf("firm A's file has %d sheets, want 2", n)
		}
		if sum != 2*len(fresh)+2 {
			t.Errorf("concurrent runs report %d sheets given, want %d", sum, 2*len(fresh)+2)
		}
	})
}
