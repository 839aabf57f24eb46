package model

import (
	"encoding/json"
	"strings"
	"time"
)

// Phase is one stage of a campaign: phone follow-ups, field visits, case-file review.
type Phase string

// The phases, in the order the notice runs them.
const (
	PhaseCalls   Phase = "calls"
	PhaseVisits  Phase = "visits"
	PhaseReviews Phase = "reviews"
)

// Phases lists the phases in order.
var Phases = []Phase{PhaseCalls, PhaseVisits, PhaseReviews}

// PhaseLabels are the notice's names of the phases.
var PhaseLabels = map[Phase]string{PhaseCalls: "电话回访", PhaseVisits: "实地走访", PhaseReviews: "案卷评查"}

// Valid reports whether p is a known phase.
func (p Phase) Valid() bool { _, ok := PhaseLabels[p]; return ok }

// Campaign is one review & follow-up campaign (评查回访活动). Phases and scopes are plain
// columns, so "which campaigns have a phase ending in three days" and "which cases are in scope"
// stay simple SQL; the questions and the tunable settings are JSON, read whole with the campaign.
// Dates are "YYYY-MM-DD" in Asia/Shanghai, like the cases' dates.
type Campaign struct {
	ID             uint64  `gorm:"primaryKey"`
	Template       string  `gorm:"size:64;not null;default:''"`
	Name           string  `gorm:"size:200;not null"`
	DocumentNo     string  `gorm:"size:100;not null;default:''"`
	TargetRate     float64 `gorm:"not null"`
	GradeExcellent float64 `gorm:"not null"`
	GradeGood      float64 `gorm:"not null"`
	GradeQualified float64 `gorm:"not null"`

	CallsStart   string `gorm:"size:10;not null"`
	CallsEnd     string `gorm:"size:10;not null"`
	VisitsStart  string `gorm:"size:10;not null"`
	VisitsEnd    string `gorm:"size:10;not null"`
	ReviewsStart string `gorm:"size:10;not null"`
	ReviewsEnd   string `gorm:"size:10;not null"`

	FollowUpSources    string `gorm:"size:64;not null"`  // comma-separated Source values
	FollowUpCategories string `gorm:"size:128;not null"` // comma-separated Category values
	FollowUpClosedFrom string `gorm:"size:10;not null"`
	FollowUpClosedTo   string `gorm:"size:10;not null"`
	ReviewSources      string `gorm:"size:64;not null"`
	ReviewCategories   string `gorm:"size:128;not null"`
	ReviewClosedFrom   string `gorm:"size:10;not null"`
	ReviewClosedTo     string `gorm:"size:10;not null"`

	Intro         string `gorm:"size:1000;not null;default:''"`
	QuestionsJSON string `gorm:"column:questions;type:text;not null"`
	SettingsJSON  string `gorm:"column:settings;type:text;not null"`

	Version   int     `gorm:"not null;default:1"`
	CreatedBy *uint64 `gorm:"index"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Window returns the phase's first and last day.
func (c *Campaign) Window(p Phase) (start, end string) {
	switch p {
	case PhaseCalls:
		return c.CallsStart, c.CallsEnd
	case PhaseVisits:
		return c.VisitsStart, c.VisitsEnd
	case PhaseReviews:
		return c.ReviewsStart, c.ReviewsEnd
	}
	return "", ""
}

// SetWindow changes the phase's first and last day.
func (c *Campaign) SetWindow(p Phase, start, end string) {
	switch p {
	case PhaseCalls:
		c.CallsStart, c.CallsEnd = start, end
	case PhaseVisits:
		c.VisitsStart, c.VisitsEnd = start, end
	case PhaseReviews:
		c.ReviewsStart, c.ReviewsEnd = start, end
	}
}

// Scope returns the follow-up scope (calls and visits) or the review scope (reviews).
func (c *Campaign) Scope(p Phase) Scope {
	if p == PhaseReviews {
		return Scope{Sources: splitList[Source](c.ReviewSources), Categories: splitList[Category](c.ReviewCategories),
			ClosedFrom: c.ReviewClosedFrom, ClosedTo: c.ReviewClosedTo}
	}
	return Scope{Sources: splitList[Source](c.FollowUpSources), Categories: splitList[Category](c.FollowUpCategories),
		ClosedFrom: c.FollowUpClosedFrom, ClosedTo: c.FollowUpClosedTo}
}

// Settings decodes the campaign's settings; a setting missing from the stored JSON keeps its
// default, so settings added later need no data migration.
func (c *Campaign) Settings() CampaignSettings {
	s := DefaultCampaignSettings()
	_ = json.Unmarshal([]byte(c.SettingsJSON), &s)
	return s
}

// Spec is the campaign's definition as the API and the template files speak it.
func (c *Campaign) Spec() CampaignSpec {
	s := CampaignSpec{
		Name: c.Name, DocumentNo: c.DocumentNo, TargetRate: c.TargetRate,
		GradeBands: GradeBands{Excellent: c.GradeExcellent, Good: c.GradeGood, Qualified: c.GradeQualified},
		Scopes:     Scopes{FollowUp: c.Scope(PhaseCalls), Review: c.Scope(PhaseReviews)},
		Intro:      c.Intro, Questions: []Question{}, Settings: c.Settings(),
	}
	for _, p := range Phases {
		start, end := c.Window(p)
		s.Phases = append(s.Phases, PhaseWindow{Phase: p, Start: start, End: end})
	}
	_ = json.Unmarshal([]byte(c.QuestionsJSON), &s.Questions)
	return s
}

// Apply stores a (validated) definition in the campaign's columns.
func (c *Campaign) Apply(s CampaignSpec) {
	c.Name, c.DocumentNo, c.TargetRate, c.Intro = s.Name, s.DocumentNo, s.TargetRate, s.Intro
	c.GradeExcellent, c.GradeGood, c.GradeQualified = s.GradeBands.Excellent, s.GradeBands.Good, s.GradeBands.Qualified
	for _, w := range s.Phases {
		c.SetWindow(w.Phase, w.Start, w.End)
	}
	f, r := s.Scopes.FollowUp, s.Scopes.Review
	c.FollowUpSources, c.FollowUpCategories = joinList(f.Sources), joinList(f.Categories)
	c.FollowUpClosedFrom, c.FollowUpClosedTo = f.ClosedFrom, f.ClosedTo
	c.ReviewSources, c.ReviewCategories = joinList(r.Sources), joinList(r.Categories)
	c.ReviewClosedFrom, c.ReviewClosedTo = r.ClosedFrom, r.ClosedTo
	q, _ := json.Marshal(s.Questions)
	st, _ := json.Marshal(s.Settings)
	c.QuestionsJSON, c.SettingsJSON = string(q), string(st)
}

func splitList[T ~string](s string) []T {
	out := []T{}
	for _, x := range strings.Split(s, ",") {
		if x != "" {
			out = append(out, T(x))
		}
	}
	return out
}

func joinList[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ",")
}

// ExclusionReason is why a case leaves the follow-up denominator.
type ExclusionReason string

// The exclusion reasons.
const (
	ExclusionDeceased   ExclusionReason = "deceased"
	ExclusionMovedAway  ExclusionReason = "moved_away"
	ExclusionTerminated ExclusionReason = "terminated"
	ExclusionOther      ExclusionReason = "other"
)

// ExclusionReasonLabels are the Chinese words for each reason.
var ExclusionReasonLabels = map[ExclusionReason]string{
	ExclusionDeceased: "受援人已故", ExclusionMovedAway: "受援人已迁出", ExclusionTerminated: "案件终止", ExclusionOther: "其他",
}

// Exclusion statuses: a manager asks, a second manager confirms.
const (
	ExclusionPending   = "pending"
	ExclusionConfirmed = "confirmed"
)

// CampaignExclusion takes a case out of the follow-up denominator of one campaign once a second
// manager confirms it. It never changes the raw rate, only the adjusted one.
type CampaignExclusion struct {
	ID          uint64          `gorm:"primaryKey"`
	CampaignID  uint64          `gorm:"not null;uniqueIndex:idx_exclusion_once,priority:1;index:idx_exclusions_status,priority:1"`
	CaseID      uint64          `gorm:"not null;uniqueIndex:idx_exclusion_once,priority:2"`
	Reason      ExclusionReason `gorm:"size:16;not null"`
	Note        string          `gorm:"size:500;not null;default:''"`
	Evidence    string          `gorm:"size:1000;not null;default:''"`
	Status      string          `gorm:"size:16;not null;index:idx_exclusions_status,priority:2"`
	RequestedBy uint64          `gorm:"not null"`
	RequestedAt time.Time       `gorm:"not null"`
	ConfirmedBy *uint64
	ConfirmedAt *time.Time
}
