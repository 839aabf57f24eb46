package db

import (
	"time"

	"gorm.io/gorm"
)

// Snapshot types of version 12: case-file review (案卷评查).

type rubricTemplateV12 struct {
	ID        uint64    `gorm:"primaryKey"`
	Key       string    `gorm:"column:rubric_key;size:64;not null;uniqueIndex:idx_rubric_templates_version,priority:1"`
	Version   int       `gorm:"not null;uniqueIndex:idx_rubric_templates_version,priority:2"`
	Title     string    `gorm:"size:200;not null"`
	AppliesTo string    `gorm:"size:128;not null"`
	Body      string    `gorm:"type:text;not null"`
	Builtin   bool      `gorm:"not null;default:false"`
	CreatedBy *uint64   `gorm:"index"`
	CreatedAt time.Time `gorm:"not null"`
}

func (rubricTemplateV12) TableName() string { return "rubric_templates" }

type campaignRubricV12 struct {
	ID            uint64    `gorm:"primaryKey"`
	CampaignID    uint64    `gorm:"not null;uniqueIndex:idx_campaign_rubrics_slot,priority:1"`
	Slot          string    `gorm:"size:16;not null;uniqueIndex:idx_campaign_rubrics_slot,priority:2"`
	RubricKey     string    `gorm:"size:64;not null"`
	RubricVersion int       `gorm:"not null;default:0"`
	UpdatedBy     *uint64   `gorm:"index"`
	UpdatedAt     time.Time `gorm:"not null"`
}

func (campaignRubricV12) TableName() string { return "campaign_rubrics" }

type campaignReviewSettingsV12 struct {
	CampaignID         uint64    `gorm:"primaryKey;autoIncrement:false"`
	HandInDays         int       `gorm:"not null"`
	HandInDue          string    `gorm:"size:10;not null;default:''"`
	PerCase            int       `gorm:"not null"`
	Divergence         int64     `gorm:"not null"`
	ThirdOnGrades      bool      `gorm:"not null"`
	ThirdOnUnqualified bool      `gorm:"not null"`
	ThirdOnVeto        bool      `gorm:"not null"`
	UpdatedBy          *uint64   `gorm:"index"`
	UpdatedAt          time.Time `gorm:"not null"`
}

func (campaignReviewSettingsV12) TableName() string { return "campaign_review_settings" }

type reviewSampleV12 struct {
	ID         uint64    `gorm:"primaryKey"`
	CampaignID uint64    `gorm:"not null;index"`
	Seed       int64     `gorm:"not null"`
	Mode       string    `gorm:"size:16;not null"`
	Percent    int       `gorm:"not null;default:0"`
	CaseNos    string    `gorm:"type:text"`
	Picked     int       `gorm:"not null;default:0"`
	CreatedBy  uint64    `gorm:"not null"`
	CreatedAt  time.Time `gorm:"not null"`
}

func (reviewSampleV12) TableName() string { return "review_samples" }

type reviewFileV12 struct {
	ID          uint64 `gorm:"primaryKey"`
	CampaignID  uint64 `gorm:"not null;uniqueIndex:idx_review_files_case,priority:1;index:idx_review_files_status,priority:1"`
	CaseID      uint64 `gorm:"not null;uniqueIndex:idx_review_files_case,priority:2;index"`
	SampleID    uint64 `gorm:"not null;index"`
	Status      string `gorm:"size:16;not null;index:idx_review_files_status,priority:2"`
	HandedInAt  *time.Time
	HandedInBy  *uint64
	ReceivedAt  *time.Time
	ReceivedBy  *uint64
	NeedsThird  bool   `gorm:"not null;default:false"`
	ThirdStatus string `gorm:"size:16;not null;default:''"`
	FinalScore  *int64
	FinalGrade  string `gorm:"size:16;not null;default:''"`
	FinalVeto   bool   `gorm:"not null;default:false"`
	FinalAt     *time.Time
	Version     int       `gorm:"not null;default:1"`
	CreatedAt   time.Time `gorm:"not null"`
	UpdatedAt   time.Time `gorm:"not null"`
}

func (reviewFileV12) TableName() string { return "review_files" }

type reviewSheetV12 struct {
	ID            uint64 `gorm:"primaryKey"`
	CampaignID    uint64 `gorm:"not null;uniqueIndex:idx_review_sheets_slot,priority:1;uniqueIndex:idx_review_sheets_reviewer,priority:1;index:idx_review_sheets_mine,priority:1"`
	CaseID        uint64 `gorm:"not null;uniqueIndex:idx_review_sheets_slot,priority:2;uniqueIndex:idx_review_sheets_reviewer,priority:2;index"`
	Slot          int    `gorm:"not null;uniqueIndex:idx_review_sheets_slot,priority:3"`
	ReviewerID    uint64 `gorm:"not null;uniqueIndex:idx_review_sheets_reviewer,priority:3;index:idx_review_sheets_mine,priority:2"`
	Third         bool   `gorm:"not null;default:false"`
	RunID         uint64 `gorm:"not null;default:0;index"`
	RubricKey     string `gorm:"size:64;not null"`
	RubricVersion int    `gorm:"not null"`
	Status        string `gorm:"size:16;not null"`
	Version       int    `gorm:"not null;default:1"`
	VetoesJSON    string `gorm:"column:vetoes;type:text"`
	Score         int64  `gorm:"not null;default:1000"`
	Veto          bool   `gorm:"not null;default:false"`
	Grade         string `gorm:"size:16;not null;default:''"`
	Late          bool   `gorm:"not null;default:false"`
	SubmittedAt   *time.Time
	CreatedAt     time.Time `gorm:"not null"`
	UpdatedAt     time.Time `gorm:"not null"`
}

func (reviewSheetV12) TableName() string { return "review_sheets" }

type reviewItemV12 struct {
	ID            uint64 `gorm:"primaryKey"`
	SheetID       uint64 `gorm:"not null;uniqueIndex:idx_review_items_code,priority:1"`
	Code          string `gorm:"size:32;not null;uniqueIndex:idx_review_items_code,priority:2"`
	Deduction     int64  `gorm:"not null;default:0"`
	Reason        string `gorm:"size:500;not null;default:''"`
	NotApplicable bool   `gorm:"not null;default:false"`
}

func (reviewItemV12) TableName() string { return "review_items" }

type reviewerConflictV12 struct {
	ID         uint64    `gorm:"primaryKey"`
	CampaignID uint64    `gorm:"not null;index:idx_reviewer_conflicts,priority:1"`
	ReviewerID uint64    `gorm:"not null;index:idx_reviewer_conflicts,priority:2"`
	CaseID     *uint64   `gorm:"index"`
	HandlerID  *uint64   `gorm:"index"`
	Reason     string    `gorm:"size:500;not null;default:''"`
	CreatedAt  time.Time `gorm:"not null"`
}

func (reviewerConflictV12) TableName() string { return "reviewer_conflicts" }

// v12 adds the case-file review: rubric templates by key and version, each campaign's choice of
// template per case category and its review settings, the samples drawn (with their seeds), the files sampled and their
// hand-in and receipt (卷宗上报), the reviewers' scoresheets with their items, and the reviewers'
// declared conflicts.
func v12(tx *gorm.DB) error {
	return tx.Session(&gorm.Session{NewDB: true}).AutoMigrate(&rubricTemplateV12{}, &campaignRubricV12{}, &campaignReviewSettingsV12{}, &reviewSampleV12{},
		&reviewFileV12{}, &reviewSheetV12{}, &reviewItemV12{}, &reviewerConflictV12{})
}
