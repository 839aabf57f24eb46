package api_test

import (
	"net/http"
	"testing"

	"fayuan/internal/testenv"
	"fayuan/model"
	"fayuan/service"
)

func TestAssignmentFollowsTheScopes(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		cid := startCampaign(t, e, w)
		type want struct{ calls, reviews bool }
		cases := map[uint64]want{}
		put := func(source model.Source, closed string, w want) uint64 {
			id, _ := putCase(t, e, campaignCase{Source: source, Closed: closed})
			cases[id] = w
			return id
		}
		put("application", "2020-12-31", want{})
		put("application", "2021-01-01", want{calls: true})
		put("application", "2023-06-30", want{calls: true})
		put("application", "2024-05-31", want{calls: true, reviews: true})
		put("application", "2024-06-01", want{})
		put("application", "", want{}) // open
		put("notified", "2024-01-10", want{reviews: true})
		put("notified", "2023-06-30", want{})
		put("notified", "2023-07-01", want{reviews: true})

		runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": []string{w.Users["staff"]}})
		runAssign(t, e, w, cid, map[string]any{"phase": "reviews", "staff_ids": []string{w.Users["reviewer"]}})
		calls, reviews := phaseHolders(t, e, cid, "calls"), phaseHolders(t, e, cid, "reviews")
		var camp model.Campaign
		if err := e.App.DB.Take(&camp, parseWireID(t, cid)).Error; err != nil {
			t.Fatal(err)
		}
		for id, want := range cases {
			var k model.Case
			if err := e.App.DB.Take(&k, id).Error; err != nil {
				t.Fatal(err)
			}
			closed := "open"
			if k.ClosedOn != nil {
				closed = *k.ClosedOn
			}
			if got := calls[id] != 0; got != want.calls {
				t.Errorf("%s case closed %s: in the calls %v, want %v", k.Source, closed, got, want.calls)
			}
			if got := reviews[id] != 0; got != want.reviews {
				t.Errorf("%s case closed %s: in the reviews %v, want %v", k.Source, closed, got, want.reviews)
			}
			// The SQL scope and the Go one agree.
			if service.InScope(camp.Scope(model.PhaseCalls), &k) != want.calls || service.InScope(camp.Scope(model.PhaseReviews), &k) != want.reviews {
				t.Errorf("InScope disagrees on %s case closed %s", k.Source, closed)
			}
		}
		// A case imported later joins the scope by itself.
		late, _ := putCase(t, e, campaignCase{Closed: "2022-02-02"})
		got := runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": []string{w.Users["staff"]}})
		if got.Assigned != 1 || phaseHolders(t, e, cid, "calls")[late] == 0 {
			t.Errorf("late case: %+v", got)
		}
		if countAudit(t, e, "assignment.run") != 3 {
			t.Error("assignment runs not audited")
		}
	})
}

func TestAssignmentRecusal(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		cid := startCampaign(t, e, w)
		firmA, firmB := parseWireID(t, w.FirmA), parseWireID(t, w.FirmB)
		lawyerA := putHandler(t, e, firmA, "张律师", parseWireID(t, w.Users["handler"]))
		lawyerB := putHandler(t, e, firmB, "李律师", 0)
		// A handler record in firm B that is the aid-centre staff member themselves.
		staffAsHandler := putHandler(t, e, firmB, testenv.DisplayName("staff"), parseWireID(t, w.Users["staff"]))
		var aCases, bCases []uint64
		for range 3 {
			id, _ := putCase(t, e, campaignCase{Closed: "2023-01-01", Handler: lawyerA, Org: firmA})
			aCases = append(aCases, id)
			id, _ = putCase(t, e, campaignCase{Closed: "2023-01-01", Handler: lawyerB, Org: firmB})
			bCases = append(bCases, id)
		}
		own, _ := putCase(t, e, campaignCase{Closed: "2023-01-01", Handler: staffAsHandler, Org: firmB})

		// Only the firm-A staff member: firm A's cases are nobody's.
		got := runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": []string{w.Users["firm_staff"]}})
		if got.Assigned != 4 || len(got.Unassignable) != 3 {
			t.Fatalf("firm staff alone: %+v", got)
		}
		for _, u := range got.Unassignable {
			if u.Reason != "recused" || u.CaseNo == "" {
				t.Errorf("unassignable %+v", u)
			}
		}
		// Both: the aid-centre member takes firm A's cases; the case they handled stays away from them.
		got = runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": []string{w.Users["staff"], w.Users["firm_staff"]}})
		if got.Assigned != 3 || len(got.Unassignable) != 0 {
			t.Errorf("both: %+v", got)
		}
		held := phaseHolders(t, e, cid, "calls")
		firmStaff, staff := parseWireID(t, w.Users["firm_staff"]), parseWireID(t, w.Users["staff"])
		for _, id := range aCases {
			if held[id] != staff {
				t.Errorf("firm A case %d held by %d", id, held[id])
			}
		}
		for _, id := range append(bCases, own) {
			if held[id] != firmStaff {
				t.Errorf("case %d held by %d, want firm_staff", id, held[id])
			}
		}
		// Asking for the staff member's own case by name still refuses it; it stays where it was.
		got = runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": []string{w.Users["staff"]}, "case_ids": []string{wireID(own)}})
		if got.Assigned != 0 || len(got.Unassignable) != 1 || got.Unassignable[0].Reason != "recused" || phaseHolders(t, e, cid, "calls")[own] != firmStaff {
			t.Errorf("own case asked for: %+v", got)
		}
		// Visits: the same 回避, town by town.
		got = runAssign(t, e, w, cid, map[string]any{"phase": "visits", "staff_ids": []string{w.Users["firm_staff"]}})
		if got.Assigned != 4 || len(got.Unassignable) != 3 {
			t.Errorf("visits: %+v", got)
		}
	})
}

func TestAssignmentBalanceTownsAndHistory(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		cid := startCampaign(t, e, w)
		staff2 := e.CreateUser(w.Admin, "staff2", w.AidCenter, "staff")
		towns := map[string]int{"营盘镇": 4, "下梁镇": 3, "曹坪镇": 2, "杏坪镇": 1}
		townOf := map[uint64]string{}
		for town, n := range towns {
			for range n {
				id, _ := putCase(t, e, campaignCase{Closed: "2022-08-08", Town: town})
				townOf[id] = town
			}
		}
		team := []string{w.Users["staff"], staff2}
		got := runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": team})
		if got.Assigned != 10 || countPer(phaseHolders(t, e, cid, "calls")) != [2]int{5, 5} {
			t.Errorf("calls not balanced: %+v %v", got, phaseHolders(t, e, cid, "calls"))
		}
		got = runAssign(t, e, w, cid, map[string]any{"phase": "visits", "staff_ids": team})
		visits := phaseHolders(t, e, cid, "visits")
		if got.Assigned != 10 || countPer(visits) != [2]int{5, 5} {
			t.Errorf("visits not balanced: %v", visits)
		}
		who := map[string]uint64{}
		for id, u := range visits {
			if prev, ok := who[townOf[id]]; ok && prev != u {
				t.Errorf("town %s split between %d and %d", townOf[id], prev, u)
			}
			who[townOf[id]] = u
		}
		// Nothing left: a second run gives nothing and duplicates nothing.
		if again := runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": team}); again.Assigned != 0 {
			t.Errorf("second run assigned %d", again.Assigned)
		}

		// Reassignment moves one case and keeps its history; unknown and out-of-scope cases are named.
		var moved uint64
		for id, u := range phaseHolders(t, e, cid, "calls") {
			if u == parseWireID(t, w.Users["staff"]) {
				moved = id
				break
			}
		}
		outside, _ := putCase(t, e, campaignCase{Closed: "2019-01-01"})
		got = runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": []string{staff2},
			"case_ids": []any{wireID(moved), parseWireID(t, wireID(moved)), "999999", wireID(outside)}})
		if got.Assigned != 1 || got.Reassigned != 1 || len(got.Unassignable) != 2 ||
			got.Unassignable[0].Reason != "not_found" || got.Unassignable[1].Reason != "out_of_scope" {
			t.Errorf("explicit: %+v", got)
		}
		if phaseHolders(t, e, cid, "calls")[moved] != parseWireID(t, staff2) {
			t.Error("the case did not move")
		}
		var history []model.AssignmentEvent
		e.App.DB.Where("campaign_id = ? AND phase = ? AND case_id = ?", parseWireID(t, cid), "calls", moved).Order("id").Find(&history)
		if len(history) != 2 || history[0].FromUserID != nil || history[1].FromUserID == nil ||
			*history[1].FromUserID != parseWireID(t, w.Users["staff"]) || history[1].ToUserID != parseWireID(t, staff2) {
			t.Errorf("history %+v", history)
		}
		if again := runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": []string{staff2}, "case_ids": []string{wireID(moved)}}); again.Assigned != 0 {
			t.Errorf("moving to the holder again: %+v", again)
		}
	})
}

// countPer counts the cases of each holder, smaller first.
func countPer(held map[uint64]uint64) [2]int {
	n := map[uint64]int{}
	for _, u := range held {
		n[u]++
	}
	var out []int
	for _, v := range n {
		out = append(out, v)
	}
	if len(out) != 2 {
		return [2]int{-1, len(out)}
	}
	if out[0] > out[1] {
		out[0], out[1] = out[1], out[0]
	}
	return [2]int{out[0], out[1]}
}

func TestAssignmentRefusesWhoIsNotStaff(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		cid := startCampaign(t, e, w)
		putCase(t, e, campaignCase{Closed: "2022-08-08"})
		gone := e.CreateUser(w.Admin, "staff_gone", w.AidCenter, "staff")
		testenv.Expect(t, e.Do(http.MethodPatch, "/api/v1/users/"+gone, w.Admin, map[string]any{"disabled": true}), http.StatusOK)
		path := "/api/v1/campaigns/" + cid + "/assignments"
		for name, body := range map[string]map[string]any{
			"a manager":            {"phase": "calls", "staff_ids": []string{w.Users["manager"]}},
			"a handler":            {"phase": "calls", "staff_ids": []string{w.Users["staff"], w.Users["handler"]}},
			"a disabled account":   {"phase": "calls", "staff_ids": []string{gone}},
			"nobody":               {"phase": "calls", "staff_ids": []string{"999999"}},
			"no staff":             {"phase": "calls", "staff_ids": []string{}},
			"staff for reviews":    {"phase": "reviews", "staff_ids": []string{w.Users["staff"]}},
			"a reviewer for calls": {"phase": "calls", "staff_ids": []string{w.Users["reviewer"]}},
		} {
			r := e.Do(http.MethodPost, path, w.Tokens["manager"], body)
			if r.Status != 422 {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
				continue
			}
			expectField(t, r, "staff_ids")
		}
		expectField(t, e.Do(http.MethodPost, path, w.Tokens["manager"], map[string]any{"phase": "hearings", "staff_ids": []string{w.Users["staff"]}}), "phase")
		testenv.Expect(t, e.Do(http.MethodPost, path, w.Tokens["staff"], map[string]any{"phase": "calls", "staff_ids": []string{w.Users["staff"]}}), 403)
		testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/campaigns/999999/assignments", w.Tokens["manager"], map[string]any{"phase": "calls", "staff_ids": []string{w.Users["staff"]}}), 404)
		if n := len(phaseHolders(t, e, cid, "calls")); n != 0 || countAudit(t, e, "assignment.run") != 0 {
			t.Errorf("refused runs wrote %d assignments", n)
		}
	})
}
