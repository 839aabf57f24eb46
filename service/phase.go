package service

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"fayuan/model"
)

// The phase engine judges every record that belongs to a phase — a call, a visit, a survey
// answer, a scoresheet — by when it happened, not when it reached the server: a phone that
// worked offline in the villages uploads after the fact. Managers' corrections, investigations
// and objections are not judged by it.

// Flags a record carries for the manager to look at; it is accepted all the same.
const (
	FlagFutureTime  = "future_time"  // the event is later than the server's clock allows
	FlagStaleUpload = "stale_upload" // the event is long before its upload
)

// Verdict is the phase engine's judgement of an accepted record.
type Verdict struct {
	// Late means the event lay inside the phase but the record arrived after the phase ended,
	// within the sync grace.
	Late  bool     `json:"late"`
	Flags []string `json:"flags"`
}

// PhaseBounds is the phase's window as instants: from its first day's 00:00 to the end of its
// last day (exclusive), in Asia/Shanghai.
func PhaseBounds(c *model.Campaign, p model.Phase) (start, end time.Time, ok bool) {
	s, e := c.Window(p)
	from, ok1 := parseDate(s)
	to, ok2 := parseDate(e)
	if !ok1 || !ok2 {
		return time.Time{}, time.Time{}, false
	}
	return from, to.AddDate(0, 0, 1), true
}

// Judge decides whether a record of phase p whose event happened at eventAt, received at
// receivedAt, is accepted. An event outside the phase's days is refused with 409 phase_closed,
// and so is a record of an event inside them that arrives later than the sync grace after the
// phase's end; within the grace it is accepted and marked late. Events in the future (beyond a
// small clock skew) or long before their upload are flagged, never refused: a phone's clock can
// be wrong, and the manager decides.
func Judge(c *model.Campaign, p model.Phase, eventAt, receivedAt time.Time) (Verdict, error) {
	v := Verdict{Flags: []string{}}
	start, end, ok := PhaseBounds(c, p)
	if !ok {
		return v, model.NotFound("phase_not_found", "阶段不存在")
	}
	st := c.Settings()
	if eventAt.Before(start) || !eventAt.Before(end) {
		return v, phaseClosed(c, p, "此时间不在阶段内")
	}
	if !receivedAt.Before(end) {
		grace := time.Duration(st.SyncGraceHours) * time.Hour
		if receivedAt.After(end.Add(grace)) {
			return v, phaseClosed(c, p, fmt.Sprintf("阶段结束后 %d 小时内可补传离线记录，现已超过", st.SyncGraceHours))
		}
		v.Late = true
	}
	if eventAt.After(receivedAt.Add(time.Duration(st.FutureSkewMinutes) * time.Minute)) {
		v.Flags = append(v.Flags, FlagFutureTime)
	}
	if receivedAt.Sub(eventAt) > time.Duration(st.StaleAfterDays)*24*time.Hour {
		v.Flags = append(v.Flags, FlagStaleUpload)
	}
	return v, nil
}

// phaseClosed is the 409 whose message names the window, e.g. "电话回访阶段为 2024-05-24 至
// 2024-06-15，此时间不在阶段内".
func phaseClosed(c *model.Campaign, p model.Phase, why string) *model.Error {
	s, e := c.Window(p)
	return model.Conflict("phase_closed", fmt.Sprintf("%s阶段为 %s 至 %s，%s", model.PhaseLabels[p], s, e, why)).
		WithDetails(map[string]any{"phase": p, "start": s, "end": e})
}

// JudgeNow loads the campaign in tx and judges a record of phase p received now by the
// service's clock; the features recording calls, visits, answers and scoresheets call it inside
// their own transaction. An unknown campaign is 404.
func (s *Campaigns) JudgeNow(tx *gorm.DB, campaignID uint64, p model.Phase, eventAt time.Time) (*model.Campaign, Verdict, error) {
	var c model.Campaign
	if err := tx.Take(&c, campaignID).Error; err != nil {
		return nil, Verdict{}, notFoundAs(err, errCampaignNotFound)
	}
	v, err := Judge(&c, p, eventAt, s.clock.Now())
	return &c, v, err
}
