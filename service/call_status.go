package service

import (
	"time"

	"gorm.io/gorm"

	"fayuan/model"
)

// FollowUpStatus is the follow-up state machine of one case in the calls phase. A reached case
// stays reached (later calls are extra contacts, never counted); a refusal stands unless the
// recipient is reached after all; otherwise the case becomes unreachable once it has had
// attempts calls spread over at least days distinct Asia/Shanghai days, and stays pending
// before that.
func FollowUpStatus(current, outcome string, attempts, days int, st model.CampaignSettings) string {
	switch {
	case current == model.AssignmentReached || outcome == model.OutcomeReached:
		return model.AssignmentReached
	case outcome == model.OutcomeRefused || current == model.AssignmentRefused:
		return model.AssignmentRefused
	case attempts >= st.CallAttempts && days >= st.CallAttemptDays:
		return model.AssignmentUnreachable
	}
	return model.AssignmentPending
}

// summarise counts call into the case's summary row a (locked by the caller) and saves it;
// times are the called_at of every counted call of the case, call's included.
func (s *Calls) summarise(tx *gorm.DB, a *model.CaseAssignment, call *model.Call, times []time.Time, st model.CampaignSettings) error {
	days := map[string]bool{}
	var last time.Time
	for _, t := range times {
		days[t.In(model.Shanghai).Format("2006-01-02")] = true
		if t.After(last) {
			last = t
		}
	}
	a.Attempts = len(times)
	a.Status = FollowUpStatus(a.Status, call.Outcome, a.Attempts, len(days), st)
	if !call.CalledAt.Before(last) || a.LastOutcome == "" {
		// An offline upload of an older attempt does not hide the latest outcome.
		a.LastOutcome = call.Outcome
	}
	a.LastAttemptAt = &last
	a.UpdatedAt = s.clock.Now()
	return tx.Model(&model.CaseAssignment{}).Where("id = ?", a.ID).Updates(map[string]any{
		"status": a.Status, "attempts": a.Attempts, "last_outcome": a.LastOutcome, "last_attempt_at": last, "updated_at": a.UpdatedAt,
	}).Error
}
