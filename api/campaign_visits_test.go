package api_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"fayuan/internal/testenv"
	"fayuan/model"
	"fayuan/service"
)

// The visit selection: every unreached case, every case with an alert (a 不满意 or a reported fee),
// and per caller a sample of the other reached cases — 10% rounded up, at least 5 — reproducible
// from the campaign's seed. Assignment and progress for visits follow it.
func TestVisitSelection(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		e, w := cw.e, cw.w
		camp := parseWireID(t, cw.campaign)
		staff, firmStaff := parseWireID(t, w.Users["staff"]), parseWireID(t, w.Users["firm_staff"])
		newCase := func(holder string) uint64 {
			id, _ := putCase(t, e, campaignCase{Closed: "2022-01-01", Handler: cw.handler, Org: parseWireID(t, w.FirmA)})
			e.AssignPhase(camp, "calls", wireID(id), w.Users[holder])
			return id
		}
		var unreached, alerted []uint64
		reachedBy := map[uint64][]uint64{}
		for i := range 10 {
			id := newCase("staff")
			if i%2 == 0 {
				putCall(t, e, cw.campaign, id, staff, "no_answer")
			}
			unreached = append(unreached, id)
		}
		for _, over := range []map[string]any{{"satisfied": "dissatisfied", "dissatisfied_about": "attitude"},
			{"charged_fee": "yes", "charged_fee_note": "收了两百元"}} {
			id := newCase("staff")
			cw.call(t, "staff", wireID(id), callBody(int(id)+30000, "2024-05-24T08:30:00+08:00", "reached", answers(over)), http.StatusCreated)
			alerted = append(alerted, id)
		}
		for caller, n := range map[uint64]int{staff: 60, firmStaff: 20} {
			holder := map[uint64]string{staff: "staff", firmStaff: "firm_staff"}[caller]
			for range n {
				id := newCase(holder)
				putCall(t, e, cw.campaign, id, caller, "reached")
				reachedBy[caller] = append(reachedBy[caller], id)
			}
		}
		gone := newCase("staff")
		exclude(t, e, w, cw.campaign, gone)

		svc := service.NewCampaigns(e.App.DB, e.Clock, service.NewAudit(e.App.DB, e.Clock), nil, nil)
		selection := func() []uint64 {
			t.Helper()
			sel, err := svc.VisitSelection(context.Background(), model.ID(camp))
			if err != nil {
				t.Fatal(err)
			}
			return sel
		}
		sel := selection()
		for _, id := range append(slices.Clone(unreached), alerted...) {
			if !slices.Contains(sel, id) {
				t.Errorf("case %d (unreached or alerted) not selected", id)
			}
		}
		if slices.Contains(sel, gone) {
			t.Errorf("the excluded case %d is selected", gone)
		}
		sampled := func(sel []uint64, caller uint64) []uint64 {
			var out []uint64
			for _, id := range reachedBy[caller] {
				if slices.Contains(sel, id) {
					out = append(out, id)
				}
			}
			return out
		}
		if n := len(sampled(sel, staff)); n != 6 { // 10% of 60
			t.Errorf("staff: %d of 60 reached sampled, want 6", n)
		}
		if n := len(sampled(sel, firmStaff)); n != 5 { // 10% of 20 is 2, the minimum is 5
			t.Errorf("firm_staff: %d of 20 reached sampled, want 5", n)
		}
		if len(sel) != 10+2+6+5 {
			t.Errorf("%d selected, want 23", len(sel))
		}
		if again := selection(); !slices.Equal(again, sel) {
			t.Errorf("same seed, another selection:\n%v\n%v", sel, again)
		}
		if v := progress(t, e, w, cw.campaign).Phases[1]; v.InScope != int64(len(sel)) || v.Done != 0 {
			t.Errorf("visits progress %+v, want in_scope %d", v, len(sel))
		}

		// Another seed draws another sample (the chance of the same 6 of 60 is 1 in 50 million);
		// the first seed draws the first one again.
		var c model.Campaign
		if err := e.App.DB.Take(&c, camp).Error; err != nil {
			t.Fatal(err)
		}
		seed := c.Settings().VisitSeed
		setSeed := func(s int64) {
			t.Helper()
			testenv.Expect(t, e.Do(http.MethodPatch, "/api/v1/campaigns/"+cw.campaign, w.Tokens["manager"],
				map[string]any{"settings": map[string]any{"visit_seed": s}}), http.StatusOK)
		}
		setSeed(seed + 1)
		other := selection()
		if slices.Equal(sampled(other, staff), sampled(sel, staff)) {
			t.Errorf("seeds %d and %d drew the same sample %v", seed, seed+1, sampled(sel, staff))
		}
		setSeed(seed)
		if back := selection(); !slices.Equal(back, sel) {
			t.Errorf("seed %d again: %v, first time %v", seed, back, sel)
		}

		// Assignment for visits gives exactly the selection; a listed case outside it is refused.
		got := runAssign(t, e, w, cw.campaign, map[string]any{"phase": "visits", "staff_ids": []string{w.Users["staff"]}})
		holders := phaseHolders(t, e, cw.campaign, "visits")
		if got.Assigned != len(sel) || len(holders) != len(sel) {
			t.Errorf("visits assignment gave %d (%d rows), want %d", got.Assigned, len(holders), len(sel))
		}
		for _, id := range sel {
			if _, ok := holders[id]; !ok {
				t.Errorf("selected case %d not assigned for visits", id)
			}
		}
		var outside uint64
		for _, id := range reachedBy[staff] {
			if !slices.Contains(sel, id) {
				outside = id
				break
			}
		}
		got = runAssign(t, e, w, cw.campaign, map[string]any{"phase": "visits", "staff_ids": []string{w.Users["staff"]}, "case_ids": []string{wireID(outside)}})
		if got.Assigned != 0 || len(got.Unassignable) != 1 || got.Unassignable[0].Reason != model.UnassignableOutOfScope {
			t.Errorf("a case outside the selection: %+v", got)
		}
		if v := progress(t, e, w, cw.campaign).Phases[1]; v.Assigned != int64(len(sel)) {
			t.Errorf("visits assigned %d, want %d", v.Assigned, len(sel))
		}
	})
}
