package model

// ProgressCase is one case's standing in one campaign, derived from its raw records (the case,
// its calls, exclusion, alerts, calls-phase assignment and other contact channels) inside every
// transaction that changes them. It exists for cases in the follow-up or review scope only.
// Progress sums ProgressCounter rows, which hold the sums of these rows' contributions.
type ProgressCase struct {
	CampaignID uint64 `gorm:"primaryKey;autoIncrement:false"`
	CaseID     uint64 `gorm:"primaryKey;autoIncrement:false"`
	InCalls    int    `gorm:"not null"`
	InReview   int    `gorm:"not null"`
	OrgID      uint64 `gorm:"not null"`
	Town       string `gorm:"size:64;not null"`
	Assignee   uint64 `gorm:"not null"` // the calls phase's assignee, 0 for none
	Reached    int    `gorm:"not null"` // by phone
	ReachedAny int    `gorm:"not null"`
	Excluded   int    `gorm:"not null"` // a confirmed exclusion
	Alerted    int    `gorm:"not null"`
	Caller     uint64 `gorm:"not null"`           // the lowest id of the users who reached it by phone
	Visited    int    `gorm:"not null;default:0"` // a visit with answers in the campaign
}

// ProgressCounter is a sum of ProgressCase contributions for one breakdown group (Dim "all",
// "org", "town", "staff" or "caller", Grp the group's key). A group has several slots (by case
// id) so concurrent calls on different cases seldom wait for one row; readers sum the slots.
type ProgressCounter struct {
	CampaignID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Dim        string `gorm:"primaryKey;size:8"`
	Grp        string `gorm:"primaryKey;size:64"`
	Slot       int    `gorm:"primaryKey;autoIncrement:false"`
	N          int64  `gorm:"not null"`
	Done       int64  `gorm:"not null"`
	ExcludedN  int64  `gorm:"not null"`
	ReachedAny int64  `gorm:"not null"`
	MustVisit  int64  `gorm:"not null"`
	InReview   int64  `gorm:"not null"`
	// Visited counts, in "all", the must-visit cases with a visit and, in "caller", the
	// caller's sample candidates with a visit.
	Visited int64 `gorm:"not null;default:0"`
	// SampleFp, in "caller", fingerprints the caller's candidates and which are visited (a sum
	// of hashes of their ids), so a sample drawn once is reused while they stay the same.
	SampleFp int64 `gorm:"not null;default:0"`
}
