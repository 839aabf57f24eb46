package db

import "gorm.io/gorm"

// Snapshot types of version 16: whether a case was visited, kept on its progress row, so the
// visits phase's done is summed from counters instead of recomputed from the calls.
type progressCaseV16 struct {
	CampaignID uint64 `gorm:"primaryKey;autoIncrement:false;index:idx_progress_cases_caller,priority:1"`
	CaseID     uint64 `gorm:"primaryKey;autoIncrement:false;index:idx_progress_cases_caller,priority:7"`
	Caller     uint64 `gorm:"not null;index:idx_progress_cases_caller,priority:2"`
	InCalls    int    `gorm:"not null;index:idx_progress_cases_caller,priority:3"`
	Excluded   int    `gorm:"not null;index:idx_progress_cases_caller,priority:4"`
	Alerted    int    `gorm:"not null;index:idx_progress_cases_caller,priority:5"`
	Visited    int    `gorm:"not null;default:0;index:idx_progress_cases_caller,priority:6"`
}

func (progressCaseV16) TableName() string { return "progress_cases" }

type progressCounterV16 struct {
	Visited  int64 `gorm:"not null;default:0"`
	SampleFp int64 `gorm:"not null;default:0"`
}

func (progressCounterV16) TableName() string { return "progress_counters" }

// v16 adds the visited flag and counters (with the callers' sample fingerprints), and the index that lists a caller's sample candidates
// with their case ids without reading the rows. The existing counters lack the
// visits: their build marks go, so the server's start-up rebuild recomputes them; until then
// progress is computed live.
func v16(tx *gorm.DB) error {
	m := tx.Migrator()
	if !m.HasColumn(&progressCaseV16{}, "Visited") {
		if err := m.AddColumn(&progressCaseV16{}, "Visited"); err != nil {
			return err
		}
	}
	for _, col := range []string{"Visited", "SampleFp"} {
		if !m.HasColumn(&progressCounterV16{}, col) {
			if err := m.AddColumn(&progressCounterV16{}, col); err != nil {
				return err
			}
		}
	}
	if !m.HasIndex(&progressCaseV16{}, "idx_progress_cases_caller") {
		if err := m.CreateIndex(&progressCaseV16{}, "idx_progress_cases_caller"); err != nil {
			return err
		}
	}
	return tx.Exec("DELETE FROM progress_counters WHERE dim = 'built'").Error
}
