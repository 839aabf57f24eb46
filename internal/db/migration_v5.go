package db

import (
	"time"

	"gorm.io/gorm"
)

// Snapshot types of version 5.
type callV5 struct {
	ID           uint64    `gorm:"primaryKey"`
	CampaignID   uint64    `gorm:"not null;index:idx_calls_case,priority:1"`
	CaseID       uint64    `gorm:"not null;index:idx_calls_case,priority:2"`
	UserID       uint64    `gorm:"not null;uniqueIndex:idx_calls_client,priority:1"`
	ClientID     string    `gorm:"size:36;not null;uniqueIndex:idx_calls_client,priority:2"`
	BodyHash     string    `gorm:"size:64;not null"`
	CalledAt     time.Time `gorm:"not null;index:idx_calls_case,priority:3"`
	Outcome      string    `gorm:"size:16;not null"`
	AnswersJSON  string    `gorm:"column:answers;type:text"`
	Note         string    `gorm:"size:1000;not null;default:''"`
	DurationS    *int
	RecordingRef string    `gorm:"size:255;not null;default:''"`
	Late         bool      `gorm:"not null;default:false"`
	Flags        string    `gorm:"size:255;not null;default:''"`
	Extra        bool      `gorm:"not null;default:false"`
	CreatedAt    time.Time `gorm:"not null"`
}

func (callV5) TableName() string { return "calls" }

type alertV5 struct {
	ID             uint64    `gorm:"primaryKey"`
	CampaignID     uint64    `gorm:"not null;index:idx_alerts_campaign,priority:1"`
	CaseID         uint64    `gorm:"not null;index"`
	Kind           string    `gorm:"size:16;not null;uniqueIndex:idx_alerts_source,priority:3;index:idx_alerts_campaign,priority:2"`
	Severity       int       `gorm:"not null"`
	Channel        string    `gorm:"size:8;not null;uniqueIndex:idx_alerts_source,priority:1"`
	SourceID       uint64    `gorm:"not null;uniqueIndex:idx_alerts_source,priority:2"`
	HandlerID      *uint64   `gorm:"index"`
	HandlerName    string    `gorm:"size:64;not null;default:''"`
	HandlerOrgID   *uint64   `gorm:"index"`
	Words          string    `gorm:"size:2000;not null;default:''"`
	Status         string    `gorm:"size:16;not null;index:idx_alerts_campaign,priority:3"`
	OpenedBy       uint64    `gorm:"not null"`
	OpenedAt       time.Time `gorm:"not null"`
	DueAt          time.Time `gorm:"not null"`
	InvestigatorID *uint64   `gorm:"index"`
	AssignedAt     *time.Time
	Findings       string `gorm:"type:text"`
	Conclusion     string `gorm:"size:32;not null;default:''"`
	Action         string `gorm:"size:1000;not null;default:''"`
	ConcludedBy    *uint64
	ConcludedAt    *time.Time
	UpdatedAt      time.Time
}

func (alertV5) TableName() string { return "alerts" }

func v5(tx *gorm.DB) error {
	return tx.AutoMigrate(&callV5{}, &alertV5{})
}
