package db

import (
	"time"

	"gorm.io/gorm"
)

// Snapshot types of version 3.
type caseV3 struct {
	ID                 uint64  `gorm:"primaryKey"`
	CaseNo             string  `gorm:"size:64;not null;uniqueIndex"`
	Category           string  `gorm:"size:16;not null;index:idx_cases_scope,priority:2"`
	Source             string  `gorm:"size:16;not null;index:idx_cases_scope,priority:1"`
	Cause              string  `gorm:"size:200;not null"`
	ServiceType        string  `gorm:"size:32"`
	RecipientName      string  `gorm:"size:64;not null;index"`
	RecipientPhoneEnc  string  `gorm:"size:255"`
	RecipientPhoneHash string  `gorm:"size:64;index"`
	RecipientIDEnc     string  `gorm:"column:recipient_id_enc;size:255"`
	RecipientIDHash    string  `gorm:"column:recipient_id_hash;size:64;index"`
	RecipientGender    string  `gorm:"size:8"`
	RecipientBirthDate *string `gorm:"size:10"`
	RecipientGroup     string  `gorm:"size:16"`
	Town               string  `gorm:"size:64;index"`
	Village            string  `gorm:"size:64"`
	AddressEnc         string  `gorm:"size:1024"`
	HandlerID          *uint64 `gorm:"index"`
	HandlerName        string  `gorm:"size:64;index"`
	HandlerOrgID       *uint64 `gorm:"index"`
	AcceptedOn         *string `gorm:"size:10"`
	AssignedOn         *string `gorm:"size:10"`
	ClosedOn           *string `gorm:"size:10;index;index:idx_cases_scope,priority:3"`
	ArchivedOn         *string `gorm:"size:10"`
	ClosingMethod      string  `gorm:"size:32"`
	CourtOrOrgan       string  `gorm:"size:100"`
	SubsidyCents       int64   `gorm:"not null;default:0"`
	Notes              string  `gorm:"size:1000"`
	RowHash            string  `gorm:"size:64"`
	Version            int     `gorm:"not null;default:1"`
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (caseV3) TableName() string { return "cases" }

type handlerV3 struct {
	ID        uint64  `gorm:"primaryKey"`
	OrgID     uint64  `gorm:"not null;uniqueIndex:idx_handlers_org_name,priority:1"`
	Name      string  `gorm:"size:64;not null;uniqueIndex:idx_handlers_org_name,priority:2"`
	UserID    *uint64 `gorm:"index"`
	CreatedAt time.Time
}

func (handlerV3) TableName() string { return "handlers" }

type caseAssignmentV3 struct {
	ID         uint64    `gorm:"primaryKey"`
	CampaignID uint64    `gorm:"not null;uniqueIndex:idx_assign_once,priority:1"`
	Phase      string    `gorm:"size:16;not null;uniqueIndex:idx_assign_once,priority:2"`
	CaseID     uint64    `gorm:"not null;uniqueIndex:idx_assign_once,priority:3;index"`
	UserID     uint64    `gorm:"not null;index"`
	CreatedAt  time.Time `gorm:"not null"`
}

func (caseAssignmentV3) TableName() string { return "case_assignments" }

func v3(tx *gorm.DB) error {
	return tx.AutoMigrate(&caseV3{}, &handlerV3{}, &caseAssignmentV3{})
}
