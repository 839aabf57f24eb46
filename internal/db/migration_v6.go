package db

import "gorm.io/gorm"

// Snapshot types of version 6: covering indexes for campaign progress, which groups the
// in-scope cases by organisation and town and probes each case's reached calls.
type caseV6 struct {
	Source       string  `gorm:"size:16;index:idx_cases_progress,priority:1"`
	Category     string  `gorm:"size:16;index:idx_cases_progress,priority:2"`
	ClosedOn     *string `gorm:"size:10;index:idx_cases_progress,priority:3"`
	HandlerOrgID *uint64 `gorm:"index:idx_cases_progress,priority:4"`
	Town         string  `gorm:"size:64;index:idx_cases_progress,priority:5"`
}

func (caseV6) TableName() string { return "cases" }

type callV6 struct {
	CampaignID uint64 `gorm:"index:idx_calls_outcome,priority:1"`
	CaseID     uint64 `gorm:"index:idx_calls_outcome,priority:2"`
	Outcome    string `gorm:"size:16;index:idx_calls_outcome,priority:3"`
	UserID     uint64 `gorm:"index:idx_calls_outcome,priority:4"`
}

func (callV6) TableName() string { return "calls" }

func v6(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, ix := range []struct {
		model any
		name  string
	}{{&caseV6{}, "idx_cases_progress"}, {&callV6{}, "idx_calls_outcome"}} {
		if !m.HasIndex(ix.model, ix.name) {
			if err := m.CreateIndex(ix.model, ix.name); err != nil {
				return err
			}
		}
	}
	return nil
}
