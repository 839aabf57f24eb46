package api_test

import (
	"net/http"
	"testing"

	"fayuan/internal/testenv"
	"fayuan/model"
)

func TestCampaignPatchValidation(t *testing.T) {
	window := func(p, start, end string) map[string]any {
		return map[string]any{"phases": []map[string]any{{"phase": p, "start": start, "end": end}}}
	}
	scope := func(which string, changes map[string]any) map[string]any {
		s := map[string]any{"sources": []string{"application"}, "categories": []string{"civil"}, "closed_from": "2021-01-01", "closed_to": "2024-05-31"}
		for k, v := range changes {
			s[k] = v
		}
		return map[string]any{"scopes": map[string]any{which: s}}
	}
	bands := func(e, g, q float64) map[string]any {
		return map[string]any{"grade_bands": map[string]any{"excellent": e, "good": g, "qualified": q}}
	}
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"visits overlaps calls", window("visits", "2024-06-15", "2024-06-30"), "phases.visits.start"},
		{"reviews before visits", window("reviews", "2024-06-01", "2024-08-30"), "phases.reviews.start"},
		{"calls end before start", window("calls", "2024-05-24", "2024-05-23"), "phases.calls.end"},
		{"bad start date", window("reviews", "2024-7-1", "2024-08-30"), "phases.reviews.start"},
		{"impossible end date", window("visits", "2024-06-16", "2024-06-31"), "phases.visits.end"},
		{"unknown phase", window("hearings", "2024-09-01", "2024-09-30"), "phases"},
		{"bands not descending", bands(80, 85, 70), "grade_bands.good"},
		{"qualified above good", bands(90, 80, 80), "grade_bands.qualified"},
		{"band over 100", bands(101, 80, 70), "grade_bands.excellent"},
		{"band below 0", bands(90, 80, -1), "grade_bands.qualified"},
		{"target 0", map[string]any{"target_rate": 0}, "target_rate"},
		{"target over 1", map[string]any{"target_rate": 1.01}, "target_rate"},
		{"target negative", map[string]any{"target_rate": -0.5}, "target_rate"},
		{"scope dates reversed", scope("follow_up", map[string]any{"closed_from": "2024-06-01", "closed_to": "2024-05-31"}), "scopes.follow_up.closed_to"},
		{"scope bad date", scope("review", map[string]any{"closed_from": "2023/07/01"}), "scopes.review.closed_from"},
		{"scope unknown source", scope("follow_up", map[string]any{"sources": []string{"walk_in"}}), "scopes.follow_up.sources"},
		{"scope without categories", scope("review", map[string]any{"categories": []string{}}), "scopes.review.categories"},
		{"no questions", map[string]any{"questions": []any{}}, "questions"},
		{"question without text", map[string]any{"questions": []map[string]any{{"no": 1, "code": "q", "kind": "text"}}}, "questions[0].text"},
		{"zero call attempts", map[string]any{"settings": map[string]any{"call_attempts": 0}}, "settings.call_attempts"},
		{"sample over 100%", map[string]any{"settings": map[string]any{"visit_sample_percent": 101}}, "settings.visit_sample_percent"},
		{"forced without reason", map[string]any{"force": true, "name": "x"}, "reason"},
		{"empty name", map[string]any{"name": "  "}, "name"},
	}
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		cid := startCampaign(t, e, w)
		path := "/api/v1/campaigns/" + cid
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				expectField(t, e.Do(http.MethodPatch, path, w.Tokens["manager"], c.body), c.field)
			})
		}
		got := testenv.Expect(t, e.Do(http.MethodGet, path, w.Tokens["manager"], nil), http.StatusOK).Map(t)
		if got["version"] != float64(1) || countAudit(t, e, "campaign.update") != 0 {
			t.Errorf("refused edits changed the campaign: version %v", got["version"])
		}

		// A good edit through POST + X-HTTP-Method-Override, audited; a stale version is refused.
		r := testenv.Expect(t, e.Send(testenv.Request{Method: http.MethodPost, Path: path, Token: w.Tokens["manager"],
			Header: map[string]string{"X-HTTP-Method-Override": "PATCH"},
			Body: map[string]any{"version": 1, "target_rate": 1, "phases": []map[string]any{{"phase": "visits", "start": "2024-06-17", "end": "2024-07-01"},
				{"phase": "reviews", "start": "2024-07-02", "end": "2024-08-30"}}}}), http.StatusOK)
		var c model.CampaignResponse
		r.JSON(t, &c)
		if c.Version != 2 || c.TargetRate != 1 || c.Phases[1].Start != "2024-06-17" || c.Phases[2].Start != "2024-07-02" || c.Phases[0].End != "2024-06-15" || c.Name != noticeCampaign.Name {
			t.Errorf("after edit: %+v", c)
		}
		if countAudit(t, e, "campaign.update") != 1 {
			t.Error("edit not audited")
		}
		r = testenv.Expect(t, e.Do(http.MethodPatch, path, w.Tokens["manager"], map[string]any{"version": 1, "name": "过期的修改"}), 409)
		if r.Code() != "version_conflict" {
			t.Errorf("stale version: %s", r.Body)
		}
		testenv.Expect(t, e.Do(http.MethodPatch, path, w.Tokens["staff"], map[string]any{"name": "x"}), 403)
		testenv.Expect(t, e.Do(http.MethodPatch, "/api/v1/campaigns/999999", w.Tokens["manager"], map[string]any{"name": "x"}), 404)
	})
}

func TestCampaignScopeDropNeedsForce(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		cid := startCampaign(t, e, w)
		path := "/api/v1/campaigns/" + cid
		early, _ := putCase(t, e, campaignCase{Closed: "2021-03-01"})
		putCase(t, e, campaignCase{Closed: "2023-03-01"})
		if got := runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": []string{w.Users["staff"]}}); got.Assigned != 2 {
			t.Fatalf("assigned %d", got.Assigned)
		}
		narrower := map[string]any{"scopes": map[string]any{"follow_up": map[string]any{"sources": []string{"application"},
			"categories": []string{"criminal", "civil", "administrative", "non_litigation"}, "closed_from": "2022-01-01", "closed_to": "2024-05-31"}}}

		r := testenv.Expect(t, e.Do(http.MethodPatch, path, w.Tokens["manager"], narrower), 409)
		var body struct {
			Code    string
			Details struct{ Cases int }
		}
		r.JSON(t, &body)
		if body.Code != "scope_drops_records" || body.Details.Cases != 1 {
			t.Errorf("scope drop: %s", r.Body)
		}
		// Widening drops nothing and needs no force.
		testenv.Expect(t, e.Do(http.MethodPatch, path, w.Tokens["manager"], map[string]any{"scopes": map[string]any{"review": map[string]any{
			"sources": []string{"application", "notified"}, "categories": []string{"criminal", "civil", "administrative", "non_litigation"},
			"closed_from": "2023-01-01", "closed_to": "2024-05-31"}}}), http.StatusOK)

		narrower["force"] = true
		expectField(t, e.Do(http.MethodPatch, path, w.Tokens["manager"], narrower), "reason")
		narrower["reason"] = "局务会决定只回访 2022 年以后的案件"
		r = testenv.Expect(t, e.Do(http.MethodPatch, path, w.Tokens["manager"], narrower), http.StatusOK)
		if r.Map(t)["scopes"].(map[string]any)["follow_up"].(map[string]any)["closed_from"] != "2022-01-01" {
			t.Errorf("forced edit not applied: %s", r.Body)
		}
		var a model.AuditLog
		if err := e.App.DB.Where("action = ?", "campaign.update").Order("id DESC").Take(&a).Error; err != nil || a.Reason != narrower["reason"] || a.BeforeHash == a.AfterHash {
			t.Errorf("forced edit audit row: %+v %v", a, err)
		}
		// The record stays: the case keeps its assignment outside the scope.
		if phaseHolders(t, e, cid, "calls")[early] == 0 {
			t.Error("the dropped case lost its assignment")
		}
	})
}

func TestCampaignVisibility(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		cid := startCampaign(t, e, w)
		path := "/api/v1/campaigns/" + cid
		for _, who := range []string{"staff", "firm_staff", "reviewer", "handler", "auditor"} {
			r := testenv.Expect(t, e.Do(http.MethodGet, path, w.Tokens[who], nil), 404)
			if r.Code() != "campaign_not_found" {
				t.Errorf("%s: %s", who, r.Body)
			}
		}
		putCase(t, e, campaignCase{Closed: "2023-03-01"})
		runAssign(t, e, w, cid, map[string]any{"phase": "calls", "staff_ids": []string{w.Users["staff"]}})
		r := testenv.Expect(t, e.Do(http.MethodGet, path, w.Tokens["staff"], nil), http.StatusOK)
		var c model.CampaignResponse
		r.JSON(t, &c)
		if len(c.Questions) != 4 || c.Settings.VisitSeed != 0 {
			t.Errorf("staff's view: %d questions, seed %d (managers only)", len(c.Questions), c.Settings.VisitSeed)
		}
		testenv.Expect(t, e.Do(http.MethodGet, path, w.Tokens["firm_staff"], nil), 404)
		testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/campaigns/0", w.Tokens["manager"], nil), 404)
	})
}
