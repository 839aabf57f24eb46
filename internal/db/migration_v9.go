package db

import (
	"time"

	"gorm.io/gorm"
)

// Snapshot types of version 9.
type visitV9 struct {
	ID                  uint64    `gorm:"primaryKey"`
	CampaignID          uint64    `gorm:"not null;index:idx_visits_case,priority:1"`
	CaseID              uint64    `gorm:"not null;index:idx_visits_case,priority:2"`
	UserID              uint64    `gorm:"not null;uniqueIndex:idx_visits_client,priority:1"`
	ClientID            string    `gorm:"size:36;not null;uniqueIndex:idx_visits_client,priority:2"`
	BodyHash            string    `gorm:"size:64;not null"`
	VisitedAt           time.Time `gorm:"not null;index:idx_visits_case,priority:3"`
	Lat                 *float64
	Lng                 *float64
	Accuracy            *float64
	CoordType           string    `gorm:"size:8;not null;default:''"`
	Address             string    `gorm:"size:255;not null;default:''"`
	AnswersJSON         string    `gorm:"column:answers;type:text"`
	Verification        string    `gorm:"size:24;not null;default:''"`
	VerificationClaimed string    `gorm:"size:24;not null;default:''"`
	Differences         string    `gorm:"type:text"`
	CallID              *uint64   `gorm:"index"`
	Suggestions         string    `gorm:"size:2000;not null;default:''"`
	Note                string    `gorm:"size:1000;not null;default:''"`
	Late                bool      `gorm:"not null;default:false"`
	Flags               string    `gorm:"size:255;not null;default:''"`
	CreatedAt           time.Time `gorm:"not null"`
}

func (visitV9) TableName() string { return "visits" }

type visitParticipantV9 struct {
	ID      uint64  `gorm:"primaryKey"`
	VisitID uint64  `gorm:"not null;index"`
	UserID  *uint64 `gorm:"index"`
	Name    string  `gorm:"size:64;not null;default:''"`
}

func (visitParticipantV9) TableName() string { return "visit_participants" }

// v9 adds field visits and the people who went on them.
func v9(tx *gorm.DB) error {
	return tx.Session(&gorm.Session{NewDB: true}).AutoMigrate(&visitV9{}, &visitParticipantV9{})
}
