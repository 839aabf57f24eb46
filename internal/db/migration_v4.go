package db

import (
	"time"

	"gorm.io/gorm"
)

// Snapshot types of version 4.
type campaignV4 struct {
	ID                 uint64  `gorm:"primaryKey"`
	Template           string  `gorm:"size:64;not null;default:''"`
	Name               string  `gorm:"size:200;not null"`
	DocumentNo         string  `gorm:"size:100;not null;default:''"`
	TargetRate         float64 `gorm:"not null"`
	GradeExcellent     float64 `gorm:"not null"`
	GradeGood          float64 `gorm:"not null"`
	GradeQualified     float64 `gorm:"not null"`
	CallsStart         string  `gorm:"size:10;not null"`
	CallsEnd           string  `gorm:"size:10;not null"`
	VisitsStart        string  `gorm:"size:10;not null"`
	VisitsEnd          string  `gorm:"size:10;not null"`
	ReviewsStart       string  `gorm:"size:10;not null"`
	ReviewsEnd         string  `gorm:"size:10;not null"`
	FollowUpSources    string  `gorm:"size:64;not null"`
	FollowUpCategories string  `gorm:"size:128;not null"`
	FollowUpClosedFrom string  `gorm:"size:10;not null"`
	FollowUpClosedTo   string  `gorm:"size:10;not null"`
	ReviewSources      string  `gorm:"size:64;not null"`
	ReviewCategories   string  `gorm:"size:128;not null"`
	ReviewClosedFrom   string  `gorm:"size:10;not null"`
	ReviewClosedTo     string  `gorm:"size:10;not null"`
	Intro              string  `gorm:"size:1000;not null;default:''"`
	QuestionsJSON      string  `gorm:"column:questions;type:text;not null"`
	SettingsJSON       string  `gorm:"column:settings;type:text;not null"`
	Version            int     `gorm:"not null;default:1"`
	CreatedBy          *uint64 `gorm:"index"`
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (campaignV4) TableName() string { return "campaigns" }

type campaignExclusionV4 struct {
	ID          uint64    `gorm:"primaryKey"`
	CampaignID  uint64    `gorm:"not null;uniqueIndex:idx_exclusion_once,priority:1;index:idx_exclusions_status,priority:1"`
	CaseID      uint64    `gorm:"not null;uniqueIndex:idx_exclusion_once,priority:2"`
	Reason      string    `gorm:"size:16;not null"`
	Note        string    `gorm:"size:500;not null;default:''"`
	Evidence    string    `gorm:"size:1000;not null;default:''"`
	Status      string    `gorm:"size:16;not null;index:idx_exclusions_status,priority:2"`
	RequestedBy uint64    `gorm:"not null"`
	RequestedAt time.Time `gorm:"not null"`
	ConfirmedBy *uint64
	ConfirmedAt *time.Time
}

func (campaignExclusionV4) TableName() string { return "campaign_exclusions" }

type assignmentRunV4 struct {
	ID           uint64    `gorm:"primaryKey"`
	CampaignID   uint64    `gorm:"not null;index"`
	Phase        string    `gorm:"size:16;not null"`
	ActorID      uint64    `gorm:"not null"`
	Mode         string    `gorm:"size:16;not null"`
	Assigned     int       `gorm:"not null"`
	Reassigned   int       `gorm:"not null"`
	Unassignable int       `gorm:"not null"`
	At           time.Time `gorm:"not null"`
}

func (assignmentRunV4) TableName() string { return "assignment_runs" }

type assignmentEventV4 struct {
	ID         uint64    `gorm:"primaryKey"`
	RunID      uint64    `gorm:"not null;index"`
	CampaignID uint64    `gorm:"not null;index:idx_assign_events_case,priority:1;index:idx_assign_events_from,priority:1"`
	Phase      string    `gorm:"size:16;not null"`
	CaseID     uint64    `gorm:"not null;index:idx_assign_events_case,priority:2"`
	FromUserID *uint64   `gorm:"index:idx_assign_events_from,priority:2"`
	ToUserID   uint64    `gorm:"not null"`
	At         time.Time `gorm:"not null;index:idx_assign_events_from,priority:3"`
}

func (assignmentEventV4) TableName() string { return "assignment_events" }

// caseAssignmentV4 holds the columns and indexes version 4 adds to case_assignments.
type caseAssignmentV4 struct {
	CampaignID    uint64 `gorm:"index:idx_assign_user,priority:1;index:idx_assign_status,priority:1"`
	Phase         string `gorm:"size:16;index:idx_assign_user,priority:3;index:idx_assign_status,priority:2"`
	UserID        uint64 `gorm:"index:idx_assign_user,priority:2"`
	RunID         uint64 `gorm:"not null;default:0;index:idx_case_assignments_run_id"`
	Status        string `gorm:"size:16;not null;default:'pending';index:idx_assign_status,priority:3"`
	Attempts      int    `gorm:"not null;default:0"`
	LastOutcome   string `gorm:"size:16;not null;default:''"`
	LastAttemptAt *time.Time
	UpdatedAt     *time.Time
}

func (caseAssignmentV4) TableName() string { return "case_assignments" }

func v4(tx *gorm.DB) error {
	if err := tx.AutoMigrate(&campaignV4{}, &campaignExclusionV4{}, &assignmentRunV4{}, &assignmentEventV4{}); err != nil {
		return err
	}
	m := tx.Migrator()
	for _, col := range []string{"RunID", "Status", "Attempts", "LastOutcome", "LastAttemptAt", "UpdatedAt"} {
		if !m.HasColumn(&caseAssignmentV4{}, col) {
			if err := m.AddColumn(&caseAssignmentV4{}, col); err != nil {
				return err
			}
		}
	}
	for _, idx := range []string{"idx_assign_user", "idx_assign_status", "idx_case_assignments_run_id"} {
		if !m.HasIndex(&caseAssignmentV4{}, idx) {
			if err := m.CreateIndex(&caseAssignmentV4{}, idx); err != nil {
				return err
			}
		}
	}
	return tx.Exec("UPDATE case_assignments SET updated_at = created_at WHERE updated_at IS NULL").Error
}
