package db

import (
	"time"

	"gorm.io/gorm"
)

// Snapshot types of version 11.
type surveyLinkV11 struct {
	ID         uint64    `gorm:"primaryKey"`
	CampaignID uint64    `gorm:"not null;index:idx_survey_links_case,priority:1"`
	CaseID     uint64    `gorm:"not null;index:idx_survey_links_case,priority:2"`
	TokenHash  string    `gorm:"size:64;not null;uniqueIndex"`
	TokenEnc   string    `gorm:"size:255;not null"`
	CreatedBy  uint64    `gorm:"not null"`
	CreatedAt  time.Time `gorm:"not null"`
	ExpiresAt  time.Time `gorm:"not null"`
	RevokedAt  *time.Time
	RevokedBy  *uint64
	Failures   int `gorm:"not null;default:0"`
	LockedAt   *time.Time
	CodeImage  []byte `gorm:"type:mediumblob"`
	CodeType   string `gorm:"size:32;not null;default:''"`
}

func (surveyLinkV11) TableName() string { return "survey_links" }

type surveyAnswerV11 struct {
	ID           uint64    `gorm:"primaryKey"`
	CampaignID   uint64    `gorm:"not null;uniqueIndex:idx_survey_answers_case,priority:1"`
	CaseID       uint64    `gorm:"not null;uniqueIndex:idx_survey_answers_case,priority:2"`
	LinkID       uint64    `gorm:"not null"`
	VersionID    uint64    `gorm:"not null"`
	Version      int       `gorm:"not null;default:1"`
	AnsweredAt   time.Time `gorm:"not null"`
	AnswersJSON  string    `gorm:"column:answers;type:text;not null"`
	CreatedAt    time.Time `gorm:"not null"`
	UpdatedAt    time.Time `gorm:"not null;autoUpdateTime:false"`
	StaffUserID  *uint64   `gorm:"index"`
	Verification string    `gorm:"size:16;not null;default:''"`
}

func (surveyAnswerV11) TableName() string { return "survey_answers" }

type surveyAnswerVersionV11 struct {
	ID           uint64    `gorm:"primaryKey"`
	AnswerID     uint64    `gorm:"not null;index"`
	CaseID       uint64    `gorm:"not null;uniqueIndex:idx_survey_versions_client,priority:1"`
	ClientID     string    `gorm:"size:36;not null;uniqueIndex:idx_survey_versions_client,priority:2"`
	BodyHash     string    `gorm:"size:64;not null"`
	Version      int       `gorm:"not null"`
	AnsweredAt   time.Time `gorm:"not null"`
	AnswersJSON  string    `gorm:"column:answers;type:text;not null"`
	Late         bool      `gorm:"not null;default:false"`
	Flags        string    `gorm:"size:255;not null;default:''"`
	StaffUserID  *uint64   `gorm:"index"`
	Verification string    `gorm:"size:16;not null;default:''"`
}

func (surveyAnswerVersionV11) TableName() string { return "survey_answer_versions" }

type surveySubscriptionV11 struct {
	ID         uint64    `gorm:"primaryKey"`
	CampaignID uint64    `gorm:"not null;uniqueIndex:idx_survey_subs_once,priority:1"`
	CaseID     uint64    `gorm:"not null;uniqueIndex:idx_survey_subs_once,priority:2"`
	OpenID     string    `gorm:"column:openid;size:64;not null;uniqueIndex:idx_survey_subs_once,priority:3"`
	TemplateID string    `gorm:"size:64;not null;uniqueIndex:idx_survey_subs_once,priority:4"`
	Remaining  int       `gorm:"not null;default:0"`
	UpdatedAt  time.Time `gorm:"not null"`
}

func (surveySubscriptionV11) TableName() string { return "survey_subscriptions" }

type surveyMessageV11 struct {
	ID         uint64    `gorm:"primaryKey"`
	CampaignID uint64    `gorm:"not null;index"`
	CaseID     uint64    `gorm:"not null;index"`
	Kind       string    `gorm:"size:32;not null;uniqueIndex:idx_survey_messages_once,priority:1"`
	RefID      uint64    `gorm:"not null;uniqueIndex:idx_survey_messages_once,priority:2"`
	TemplateID string    `gorm:"size:64;not null;default:''"`
	Status     string    `gorm:"size:32;not null"`
	ErrCode    int       `gorm:"not null;default:0"`
	Error      string    `gorm:"size:255;not null;default:''"`
	DataJSON   string    `gorm:"column:data;type:text"`
	CreatedAt  time.Time `gorm:"not null"`
	UpdatedAt  time.Time `gorm:"not null"`
}

func (surveyMessageV11) TableName() string { return "survey_messages" }

// v11 adds the recipients' own survey: per-case links (hashed tokens, code images, lockout),
// answers with their versions, and the recipients' subscribe messages.
func v11(tx *gorm.DB) error {
	return tx.Session(&gorm.Session{NewDB: true}).AutoMigrate(&surveyLinkV11{}, &surveyAnswerV11{},
		&surveyAnswerVersionV11{}, &surveySubscriptionV11{}, &surveyMessageV11{})
}
