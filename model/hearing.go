package model

import "time"

// Observer kinds of a hearing observation: the aid centre's or the bureau's staff, lawyers and
// people's deputies (人大代表、政协委员 invited as supervisors).
const (
	ObserverStaff  = "staff"
	ObserverLawyer = "lawyer"
	ObserverDeputy = "deputy"
)

// Hearing is one hearing observation (庭审旁听): its own record, not a case-file review, since
// hearings in July and August are mostly in cases still open. The case is ours (CaseID) or known
// only by its numbers (CaseNos). CombinedScore is the mean of the observers' sheets in tenths.
type Hearing struct {
	ID            uint64    `gorm:"primaryKey"`
	CampaignID    uint64    `gorm:"not null;index:idx_hearings_campaign,priority:1"`
	CaseID        *uint64   `gorm:"index"`
	CaseNos       string    `gorm:"size:200;not null;default:''"`
	Court         string    `gorm:"size:100;not null"`
	Judges        string    `gorm:"size:200;not null;default:''"`
	HeardAt       time.Time `gorm:"not null"`
	Cause         string    `gorm:"size:200;not null;default:''"`
	HandlerID     uint64    `gorm:"not null;index:idx_hearings_campaign,priority:2"`
	HandlerOrgID  uint64    `gorm:"not null"`
	Unannounced   bool      `gorm:"not null;default:false"`
	RubricID      string    `gorm:"size:64;not null"`
	RubricVersion int       `gorm:"not null"`
	CombinedScore *int64
	Notes         string `gorm:"size:1000;not null;default:''"`
	CreatedBy     uint64 `gorm:"not null"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// HearingObserver is one observer of a hearing and their sheet. A staff observer is an account;
// a lawyer or a deputy is an account or a named person. Score is nil until the sheet is in.
type HearingObserver struct {
	ID            uint64  `gorm:"primaryKey"`
	HearingID     uint64  `gorm:"not null;index"`
	Kind          string  `gorm:"size:16;not null"`
	UserID        *uint64 `gorm:"index"`
	Name          string  `gorm:"size:64;not null"`
	SheetJSON     string  `gorm:"column:sheet;type:text"`
	Score         *int64
	Grade         string `gorm:"size:16;not null;default:''"`
	Veto          bool   `gorm:"not null;default:false"`
	RubricID      string `gorm:"size:64;not null;default:''"`
	RubricVersion int    `gorm:"not null;default:0"`
	ScoredBy      *uint64
	ScoredAt      *time.Time
	CreatedAt     time.Time
}

// OrganOpinion is a judicial organ's opinion of a handler (征询司法机关意见), recorded by a manager.
type OrganOpinion struct {
	ID         uint64  `gorm:"primaryKey"`
	CampaignID uint64  `gorm:"not null;index:idx_opinions_campaign,priority:1"`
	HandlerID  uint64  `gorm:"not null;index:idx_opinions_campaign,priority:2"`
	OrgID      *uint64 `gorm:"index"`
	OrganName  string  `gorm:"size:100;not null"`
	OpinionOn  string  `gorm:"size:10;not null"`
	Rating     string  `gorm:"size:16;not null"`
	Text       string  `gorm:"size:2000;not null"`
	CreatedBy  uint64  `gorm:"not null"`
	CreatedAt  time.Time
}

// Opinion ratings: the organ's overall view of the handler.
const (
	OpinionGood = "good"
	OpinionFair = "fair"
	OpinionPoor = "poor"
)

// OpinionRatingLabels are the ratings in Chinese.
var OpinionRatingLabels = map[string]string{OpinionGood: "好", OpinionFair: "一般", OpinionPoor: "差"}
