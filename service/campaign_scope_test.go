package service_test

import (
	"testing"

	"fayuan/model"
	"fayuan/service"
)

func TestInScopeBoundaries(t *testing.T) {
	c := noticeCampaign(t)
	followUp, review := c.Scope(model.PhaseCalls), c.Scope(model.PhaseReviews)
	day := func(s string) *string { return &s }
	cases := []struct {
		name             string
		source           model.Source
		category         model.Category
		closed           *string
		followUp, review bool
	}{
		{"application closed 2020-12-31", "application", "civil", day("2020-12-31"), false, false},
		{"application closed 2021-01-01", "application", "civil", day("2021-01-01"), true, false},
		{"application closed 2023-06-30", "application", "criminal", day("2023-06-30"), true, false},
		{"application closed 2023-07-01", "application", "administrative", day("2023-07-01"), true, true},
		{"application closed 2024-05-31", "application", "non_litigation", day("2024-05-31"), true, true},
		{"application closed 2024-06-01", "application", "civil", day("2024-06-01"), false, false},
		{"notified closed 2024-01-10", "notified", "criminal", day("2024-01-10"), false, true},
		{"notified closed 2023-06-30", "notified", "criminal", day("2023-06-30"), false, false},
		{"notified closed 2024-05-31", "notified", "criminal", day("2024-05-31"), false, true},
		{"open application case", "application", "civil", nil, false, false},
		{"empty closing date", "application", "civil", day(""), false, false},
	}
	for _, tc := range cases {
		k := &model.Case{Source: tc.source, Category: tc.category, ClosedOn: tc.closed}
		if got := service.InScope(followUp, k); got != tc.followUp {
			t.Errorf("%s: follow-up scope %v, want %v", tc.name, got, tc.followUp)
		}
		if got := service.InScope(review, k); got != tc.review {
			t.Errorf("%s: review scope %v, want %v", tc.name, got, tc.review)
		}
	}
	// A category left out of a scope leaves its cases out.
	narrow := model.Scope{Sources: followUp.Sources, Categories: []model.Category{"civil"}, ClosedFrom: "2021-01-01", ClosedTo: "2024-05-31"}
	if service.InScope(narrow, &model.Case{Source: "application", Category: "criminal", ClosedOn: day("2022-01-01")}) {
		t.Error("criminal case in a civil-only scope")
	}
}
