package db

import (
	"time"

	"gorm.io/gorm"
)

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

// caseAssignmentV14 and caseV14 are the work list's covering indexes: a caller's assignments
// with the columns the list is ordered by, and each case's town, village and number by id, so
// a list of tens of thousands of cases is ordered without reading their full rows.
type caseAssignmentV14 struct {
	CampaignID    uint64     `gorm:"index:idx_assign_worklist,priority:1"`
	Phase         string     `gorm:"size:16;index:idx_assign_worklist,priority:2"`
	UserID        uint64     `gorm:"index:idx_assign_worklist,priority:3"`
	Attempts      int        `gorm:"index:idx_assign_worklist,priority:4"`
	Status        string     `gorm:"size:16;index:idx_assign_worklist,priority:5"`
	LastAttemptAt *time.Time `gorm:"index:idx_assign_worklist,priority:6"`
	CaseID        uint64     `gorm:"index:idx_assign_worklist,priority:7"`
}

func (caseAssignmentV14) TableName() string { return "case_assignments" }

type caseV14 struct {
	ID      uint64 `gorm:"index:idx_cases_worklist,priority:1"`
	Town    string `gorm:"size:64;index:idx_cases_worklist,priority:2"`
	Village string `gorm:"size:64;index:idx_cases_worklist,priority:3"`
	CaseNo  string `gorm:"size:64;index:idx_cases_worklist,priority:4"`
}

func (caseV14) TableName() string { return "cases" }

// v14 adds the progress counters and the work list's indexes. Existing campaigns get theirs from a rebuild
// (service.RebuildProgress), which the server runs at start for campaigns that have none.
func v14(tx *gorm.DB) error {
	if err := tx.Session(&gorm.Session{NewDB: true}).AutoMigrate(&progressCaseV14{}, &progressCounterV14{}); err != nil {
		return err
	}
	m := tx.Migrator()
	for _, ix := range []struct {
		model any
		name  string
	}{{&caseAssignmentV14{}, "idx_assign_worklist"}, {&caseV14{}, "idx_cases_worklist"}} {
		if !m.HasIndex(ix.model, ix.name) {
			if err := m.CreateIndex(ix.model, ix.name); err != nil {
				return err
			}
		}
	}
	return nil
}
