package db

import (
	"time"

	"gorm.io/gorm"
)

// Snapshot types of version 7.
type callV7 struct {
	ID      uint64 `gorm:"primaryKey"`
	Version int    `gorm:"not null;default:1"`
}

func (callV7) TableName() string { return "calls" }

type callVersionV7 struct {
	ID          uint64    `gorm:"primaryKey"`
	CallID      uint64    `gorm:"not null;uniqueIndex:idx_call_versions,priority:1"`
	Version     int       `gorm:"not null;uniqueIndex:idx_call_versions,priority:2"`
	Outcome     string    `gorm:"size:16;not null"`
	AnswersJSON string    `gorm:"column:answers;type:text"`
	Note        string    `gorm:"size:1000;not null;default:''"`
	RecordedBy  uint64    `gorm:"not null"`
	RecordedAt  time.Time `gorm:"not null"`
	Reason      string    `gorm:"size:1000;not null;default:''"`
}

func (callVersionV7) TableName() string { return "call_versions" }

// v7 adds the calls' correction counter and keeps every superseded version of a call.
func v7(tx *gorm.DB) error {
	if err := tx.Migrator().AddColumn(&callV7{}, "Version"); err != nil {
		return err
	}
	return tx.Session(&gorm.Session{NewDB: true}).AutoMigrate(&callVersionV7{})
}
