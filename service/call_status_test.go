package service_test

import (
	"testing"

	"fayuan/model"
	"fayuan/service"
)

// The status machine on its own, with the default rule (3 attempts on 2 days) and a stricter one.
func TestFollowUpStatus(t *testing.T) {
	def := model.DefaultCampaignSettings()
	strict := def
	strict.CallAttempts, strict.CallAttemptDays = 5, 3
	for _, tc := range []struct {
		current, outcome string
		attempts, days   int
		st               model.CampaignSettings
		want             string
	}{
		{"pending", "no_answer", 1, 1, def, "pending"},
		{"pending", "busy", 3, 1, def, "pending"},
		{"pending", "busy", 3, 2, def, "unreachable"},
		{"pending", "busy", 2, 2, def, "pending"},
		{"pending", "busy", 4, 2, strict, "pending"},
		{"pending", "busy", 5, 3, strict, "unreachable"},
		{"pending", "refused", 1, 1, def, "refused"},
		{"refused", "no_answer", 4, 3, def, "refused"},
		{"unreachable", "reached", 4, 3, def, "reached"},
		{"unreachable", "refused", 4, 3, def, "refused"},
		{"reached", "no_answer", 5, 3, def, "reached"},
		{"reached", "refused", 2, 2, def, "reached"},
	} {
		if got := service.FollowUpStatus(tc.current, tc.outcome, tc.attempts, tc.days, tc.st); got != tc.want {
			t.Errorf("%s + %s (%d attempts, %d days, rule %d/%d) = %s, want %s", tc.current, tc.outcome, tc.attempts, tc.days,
				tc.st.CallAttempts, tc.st.CallAttemptDays, got, tc.want)
		}
	}
}
