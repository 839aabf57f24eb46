package db

import (
	"time"

	"gorm.io/gorm"
)

// Snapshot types of version 13: hearing observations, organs' opinions, published results,
// rectifications and the campaigns' result settings.

type hearingV13 struct {
	ID            uint64    `gorm:"primaryKey"`
	CampaignID    uint64    `gorm:"not null;index:idx_hearings_campaign,priority:1"`
	CaseID        *uint64   `gorm:"index"`
	CaseNos       string    `gorm:"size:200;not null;default:''"`
	Court         string    `gorm:"size:100;not null"`
	Judges        string    `gorm:"size:200;not null;default:''"`
	HeardAt       time.Time `gorm:"not null"`
	Cause         string    `gorm:"size:200;not null;default:''"`
	HandlerID     uint64    `gorm:"not null;index:idx_hearings_campaign,priority:2"`
	HandlerOrgID  uint64    `gorm:"not null"`
	Unannounced   bool      `gorm:"not null;default:false"`
	RubricID      string    `gorm:"size:64;not null"`
	RubricVersion int       `gorm:"not null"`
	CombinedScore *int64
	Notes         string `gorm:"size:1000;not null;default:''"`
	CreatedBy     uint64 `gorm:"not null"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (hearingV13) TableName() string { return "hearings" }

type hearingObserverV13 struct {
	ID            uint64  `gorm:"primaryKey"`
	HearingID     uint64  `gorm:"not null;index"`
	Kind          string  `gorm:"size:16;not null"`
	UserID        *uint64 `gorm:"index"`
	Name          string  `gorm:"size:64;not null"`
	SheetJSON     string  `gorm:"column:sheet;type:text"`
	Score         *int64
	Grade         string `gorm:"size:16;not null;default:''"`
	Veto          bool   `gorm:"not null;default:false"`
	RubricID      string `gorm:"size:64;not null;default:''"`
	RubricVersion int    `gorm:"not null;default:0"`
	ScoredBy      *uint64
	ScoredAt      *time.Time
	CreatedAt     time.Time
}

func (hearingObserverV13) TableName() string { return "hearing_observers" }

type organOpinionV13 struct {
	ID         uint64  `gorm:"primaryKey"`
	CampaignID uint64  `gorm:"not null;index:idx_opinions_campaign,priority:1"`
	HandlerID  uint64  `gorm:"not null;index:idx_opinions_campaign,priority:2"`
	OrgID      *uint64 `gorm:"index"`
	OrganName  string  `gorm:"size:100;not null"`
	OpinionOn  string  `gorm:"size:10;not null"`
	Rating     string  `gorm:"size:16;not null"`
	Text       string  `gorm:"size:2000;not null"`
	CreatedBy  uint64  `gorm:"not null"`
	CreatedAt  time.Time
}

func (organOpinionV13) TableName() string { return "organ_opinions" }

type caseResultV13 struct {
	ID                     uint64    `gorm:"primaryKey"`
	CampaignID             uint64    `gorm:"not null;uniqueIndex:idx_results_case,priority:1"`
	CaseID                 uint64    `gorm:"not null;uniqueIndex:idx_results_case,priority:2"`
	HandlerID              *uint64   `gorm:"index"`
	FileScore              int64     `gorm:"not null"`
	Score                  int64     `gorm:"not null"`
	Grade                  string    `gorm:"size:16;not null"`
	Veto                   bool      `gorm:"not null;default:false"`
	DetailsJSON            string    `gorm:"column:details;type:text"`
	Status                 string    `gorm:"size:16;not null;index"`
	PublishedAt            time.Time `gorm:"not null"`
	WindowEndsAt           time.Time `gorm:"not null"`
	ObjectionReason        string    `gorm:"size:2000;not null;default:''"`
	ObjectedAt             *time.Time
	DecisionOutcome        string `gorm:"size:16;not null;default:''"`
	DecisionReason         string `gorm:"size:2000;not null;default:''"`
	DecidedBy              *uint64
	DecidedAt              *time.Time
	SeriouslyIrresponsible bool   `gorm:"not null;default:false"`
	ViolationsJSON         string `gorm:"column:violations;type:text"`
	ConsequenceJSON        string `gorm:"column:consequence;type:text"`
	ConfirmNote            string `gorm:"size:2000;not null;default:''"`
	ConfirmedBy            *uint64
	ConfirmedAt            *time.Time
	Version                int `gorm:"not null;default:1"`
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

func (caseResultV13) TableName() string { return "case_results" }

type rectificationV13 struct {
	ID            uint64  `gorm:"primaryKey"`
	ResultID      uint64  `gorm:"not null;uniqueIndex"`
	CampaignID    uint64  `gorm:"not null;index"`
	CaseID        uint64  `gorm:"not null"`
	HandlerID     *uint64 `gorm:"index"`
	Status        string  `gorm:"size:16;not null"`
	InterviewOn   string  `gorm:"size:10;not null;default:''"`
	InterviewNote string  `gorm:"size:2000;not null;default:''"`
	HandlerText   string  `gorm:"size:4000;not null;default:''"`
	SubmittedAt   *time.Time
	ClosingNote   string `gorm:"size:2000;not null;default:''"`
	ClosedBy      *uint64
	ClosedAt      *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (rectificationV13) TableName() string { return "rectifications" }

type resultSettingsV13 struct {
	CampaignID           uint64 `gorm:"primaryKey;autoIncrement:false"`
	ObjectionDays        int    `gorm:"not null"`
	HearingWeightPercent int    `gorm:"not null;default:0"`
	OpinionPoorTenths    int64  `gorm:"not null;default:0"`
	PolicyJSON           string `gorm:"column:policy;type:text"`
	Version              int    `gorm:"not null;default:1"`
	UpdatedAt            time.Time
}

func (resultSettingsV13) TableName() string { return "result_settings" }

// v13 adds hearing observations, organs' opinions, results, rectifications and result settings.
func v13(tx *gorm.DB) error {
	return tx.Session(&gorm.Session{NewDB: true}).AutoMigrate(&hearingV13{}, &hearingObserverV13{}, &organOpinionV13{}, &caseResultV13{}, &rectificationV13{}, &resultSettingsV13{})
}
