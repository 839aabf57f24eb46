package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// The work list is read in order from the case keys copied onto the assignments: every page,
// of any size, must follow the order computed from the cases themselves, across all four
// categories (never called, due retry, retry not yet due, finished), after case edits,
// imports and reassignments.
func TestWorkListPagesFollowTheCasesOwnOrder(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		cid := startCampaign(t, e, w)
		mgr := w.Tokens["manager"]
		staff2 := e.CreateUser(w.Admin, "staff2", w.AidCenter, "staff")
		towns := []string{"营盘镇", "下梁镇", "曹坪镇"}
		var ids []string
		for i := range 14 {
			id, _ := putCase(t, e, campaignCase{Closed: "2022-03-03", Town: towns[i%3], Village: []string{"", "东村", "西村"}[i%2*(1+i%3%2)]})
			ids = append(ids, wireID(id))
		}
		impUpload(t, e, mgr, "", "cases.xlsx", impXLSX(t, impHeader, [][]any{impRow(1, "柞法援-导入-1", impDay(2022, 4, 1))}), http.StatusOK)
		var imported uint64
		e.App.DB.Model(&model.Case{}).Where("case_no = ?", "柞法援-导入-1").Pluck("id", &imported)
		ids = append(ids, wireID(imported))
		runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": []string{w.Users["staff"]}, "case_ids": ids})
		keysMatch(t, e, "after the assignment")

		// Every category, with the edges: a retry due exactly at the gap, a tried case with no
		// time, a finished case never tried (it counts as never called).
		now := e.Clock.Now()
		set := func(i int, cols map[string]any) {
			t.Helper()
			if err := e.App.DB.Model(&model.CaseAssignment{}).Where("case_id = ?", parseWireID(t, ids[i])).UpdateColumns(cols).Error; err != nil {
				t.Fatal(err)
			}
		}
		for i, at := range []time.Time{now.Add(-3 * time.Hour), now.Add(-2 * time.Hour), now.Add(-2*time.Hour + time.Second), now.Add(-time.Minute)} {
			set(i, map[string]any{"attempts": 1 + i%2, "last_outcome": "no_answer", "last_attempt_at": at})
		}
		set(4, map[string]any{"attempts": 2, "last_outcome": "no_answer", "last_attempt_at": nil})
		set(5, map[string]any{"attempts": 3, "status": "unreachable", "last_outcome": "no_answer", "last_attempt_at": now.Add(-5 * time.Hour)})
		set(6, map[string]any{"attempts": 1, "status": "reached", "last_outcome": "reached", "last_attempt_at": now.Add(-time.Hour)})
		set(7, map[string]any{"status": "reached"})
		checkWorkOrder(t, e, w, cid, "categories")

		// A case edit and a re-import move cases between towns; a reassignment moves one away and back.
		var k model.Case
		e.App.DB.Take(&k, parseWireID(t, ids[9]))
		testenv.Expect(t, e.Do(http.MethodPatch, "/api/v1/cases/"+ids[9], mgr, map[string]any{"version": k.Version,
			"recipient": map[string]any{"town": "红岩寺镇", "village": "北村"}}), http.StatusOK)
		keysMatch(t, e, "after a case edit")
		row := impRow(1, "柞法援-导入-1", impDay(2022, 4, 1))
		row[7], row[8] = "杏坪镇", "南村"
		impUpload(t, e, mgr, "", "cases.xlsx", impXLSX(t, impHeader, [][]any{row}), http.StatusOK)
		keysMatch(t, e, "after an import")
		runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": []string{staff2}, "case_ids": []string{ids[2], ids[10]}})
		runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": []string{w.Users["staff"]}, "case_ids": []string{ids[10]}})
		keysMatch(t, e, "after reassignments")
		e.Clock.Advance(90 * time.Minute) // two more retries fall due
		checkWorkOrder(t, e, w, cid, "after the edits")
	})
}

// keysMatch fails unless every assignment carries its case's town, village and number.
func keysMatch(t *testing.T, e *testenv.Env, when string) {
	t.Helper()
	var n int64
	err := e.App.DB.Raw("SELECT COUNT(*) FROM case_assignments a JOIN cases c ON c.id = a.case_id " +
		"WHERE a.town <> c.town OR a.village <> c.village OR a.case_no <> c.case_no").Scan(&n).Error
	if err != nil || n != 0 {
		t.Errorf("%s: %d assignments differ from their case's keys (%v)", when, n, err)
	}
}

// checkWorkOrder compares the staff member's work list, whole and in pages of every size
// from 1 to 6, with the order the cases themselves give (the spec, read by a join).
func checkWorkOrder(t *testing.T, e *testenv.Env, w *testenv.World, cid, when string) {
	t.Helper()
	now := e.Clock.Now().UTC()
	var want []uint64
	err := e.App.DB.Raw("SELECT a.case_id FROM case_assignments a JOIN cases c ON c.id = a.case_id "+
		"WHERE a.campaign_id = ? AND a.phase = 'calls' AND a.user_id = ? ORDER BY "+
		"CASE WHEN a.attempts = 0 THEN 0 WHEN a.status = 'pending' AND a.last_attempt_at <= ? THEN 1 WHEN a.status = 'pending' THEN 2 ELSE 3 END, "+
		"c.town, c.village, c.case_no, a.case_id", parseWireID(t, cid), parseWireID(t, w.Users["staff"]), now.Add(-2*time.Hour)).Scan(&want).Error
	if err != nil || len(want) < 10 {
		t.Fatalf("%s: reference order: %v %v", when, want, err)
	}
	relogin(e, w, "staff")
	get := func(q string) model.WorkList {
		t.Helper()
		r := testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/campaigns/"+cid+"/follow-ups?phase=calls"+q, w.Tokens["staff"], nil), http.StatusOK)
		var l model.WorkList
		r.JSON(t, &l)
		return l
	}
	for size := 1; size <= 6; size++ {
		var got []uint64
		for page := 1; page <= len(want)/size+2; page++ {
			l := get(fmt.Sprintf("&page=%d&page_size=%d", page, size))
			if l.Total != int64(len(want)) {
				t.Errorf("%s: total %d, want %d", when, l.Total, len(want))
			}
			for _, it := range l.Items {
				got = append(got, uint64(it.CaseID))
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s, pages of %d:\n got %v\nwant %v", when, size, got, want)
		}
	}
}
