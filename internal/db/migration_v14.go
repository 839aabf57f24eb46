package db

import "gorm.io/gorm"

// Snapshot types of version 14: progress kept per case and summed per breakdown group in the
// transactions that write the raw records.
type progressCaseV14 struct {
	CampaignID uint64 `gorm:"primaryKey;autoIncrement:false"`
	CaseID     uint64 `gorm:"primaryKey;autoIncrement:false;index"`
	InCalls    int    `gorm:"not null"`
	InReview   int    `gorm:"not null"`
	OrgID      uint64 `gorm:"not null"`
	Town       string `gorm:"size:64;not null"`
	Assignee   uint64 `gorm:"not null"`
	Reached    int    `gorm:"not null"`
	ReachedAny int    `gorm:"not null"`
	Excluded   int    `gorm:"not null"`
	Alerted    int    `gorm:"not null"`
	Caller     uint64 `gorm:"not null"`
}

func (progressCaseV14) TableName() string { return "progress_cases" }

type progressCounterV14 struct {
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
}

func (progressCounterV14) TableName() string { return "progress_counters" }

// v14 adds the progress counters. Existing campaigns get theirs from a rebuild
// (service.RebuildProgress), which the server runs at start for campaigns that have none.
func v14(tx *gorm.DB) error {
	return tx.Session(&gorm.Session{NewDB: true}).AutoMigrate(&progressCaseV14{}, &progressCounterV14{})
}
