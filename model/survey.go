package model

import "time"

// SurveyLink is a per-case survey token handed to a recipient as a mini-program code or a web
// link. It is found by the token's SHA-256; the token itself is kept only encrypted with the
// personal-data key (TokenEnc), so the staff can show the same printed link again and the code
// image can be regenerated, while a database dump alone opens nobody's survey. The
// mini-program code image is kept with it, so every replica can serve it without object storage.
// Failures counts wrong identity checks; at SurveyMaxFailures the link is locked until the staff
// on the case or a manager unlocks it.
type SurveyLink struct {
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
	CodeImage  []byte `gorm:"type:mediumblob"` // a WeChat code is 30–100 KB: past a MySQL blob
	CodeType   string `gorm:"size:32;not null;default:''"`
}

// SurveyMaxFailures is how many wrong identity checks lock a survey link.
const SurveyMaxFailures = 5

// SurveyAnswer is the recipient's own answer to the four questions: one per case and campaign.
// Answering again within the window replaces it; every submission is kept as a
// SurveyAnswerVersion, whose id is the source of the alerts it opened.
type SurveyAnswer struct {
	ID           uint64    `gorm:"primaryKey"`
	CampaignID   uint64    `gorm:"not null;uniqueIndex:idx_survey_answers_case,priority:1"`
	CaseID       uint64    `gorm:"not null;uniqueIndex:idx_survey_answers_case,priority:2"`
	LinkID       uint64    `gorm:"not null"`
	VersionID    uint64    `gorm:"not null"` // the current SurveyAnswerVersion
	Version      int       `gorm:"not null;default:1"`
	AnsweredAt   time.Time `gorm:"not null"`
	AnswersJSON  string    `gorm:"column:answers;type:text;not null"`
	CreatedAt    time.Time `gorm:"not null"`
	UpdatedAt    time.Time `gorm:"not null;autoUpdateTime:false"`
	StaffUserID  *uint64   `gorm:"index"` // set when sent from a WeChat account bound to a staff user
	Verification string    `gorm:"size:16;not null;default:''"`
}

// SurveyAnswerVersion is one submission of a case's survey answer, kept when a later one
// replaces it. ClientID is the page's UUID, unique per case: a retried submission stores nothing.
type SurveyAnswerVersion struct {
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
	Verification string    `gorm:"size:16;not null;default:''"` // phone or id
}

// SurveySubscription is a recipient's one-time permission to be sent one message of a template
// about their survey (WeChat's 订阅消息): the openid that accepted and how many are left.
type SurveySubscription struct {
	ID         uint64    `gorm:"primaryKey"`
	CampaignID uint64    `gorm:"not null;uniqueIndex:idx_survey_subs_once,priority:1"`
	CaseID     uint64    `gorm:"not null;uniqueIndex:idx_survey_subs_once,priority:2"`
	OpenID     string    `gorm:"column:openid;size:64;not null;uniqueIndex:idx_survey_subs_once,priority:3"`
	TemplateID string    `gorm:"size:64;not null;uniqueIndex:idx_survey_subs_once,priority:4"`
	Remaining  int       `gorm:"not null;default:0"`
	UpdatedAt  time.Time `gorm:"not null"`
}

// Survey message kinds.
const (
	NotifySurveyThanks    = "survey_thanks"    // after the recipient's answer
	NotifySurveyConcluded = "survey_concluded" // an alert the answer opened was concluded
	NotifyStaffAssignment = "staff_assignment" // cases assigned to a staff member (in notifications)
)

// SurveyMessage records one subscribe message to a recipient, sent, failed or skipped: one per
// (kind, ref), ref being the answer version (thanks) or the alert (concluded).
type SurveyMessage struct {
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

// SurveyLinkResponse is a new survey link.
type SurveyLinkResponse struct {
	Token     string `json:"token"`
	URL       string `json:"url"`
	CodeURL   string `json:"code_url"` // signed, short-lived; empty when WeChat is not configured
	ExpiresAt Time   `json:"expires_at"`
}

// SurveyLinksChange is the answer of revoking or unlocking a case's survey links.
type SurveyLinksChange struct {
	Changed int `json:"changed"`
}

// SurveyView is what a survey token shows: before verifying, only the bureau's name and the
// questions — a code left at a house must not tell a passer-by what the case was.
type SurveyView struct {
	OrgName     string     `json:"org_name"`
	Intro       string     `json:"intro"`
	Questions   []Question `json:"questions"`
	Verified    bool       `json:"verified"`
	Cause       string     `json:"cause,omitempty"`
	HandlerName string     `json:"handler_name,omitempty"`
	ClosedOn    *string    `json:"closed_on,omitempty"`
	Answered    *bool      `json:"answered,omitempty"`
	Templates   []string   `json:"template_ids,omitempty"` // subscribe-message templates to offer, after verifying
}

// SurveyVerifyRequest proves the recipient's identity: the WeChat phone number (wx_code from
// wx.login and phone_code from getPhoneNumber) or the name with the ID number's last 4
// characters. wx_code may come with the name too, so the answer can be followed by messages.
type SurveyVerifyRequest struct {
	WxCode    string `json:"wx_code"`
	PhoneCode string `json:"phone_code"`
	Name      string `json:"name"`
	IDLast4   string `json:"id_last4"`
}

// SurveyVerifyResponse carries the survey token: a short-lived bearer credential for this one
// case's survey.
type SurveyVerifyResponse struct {
	SurveyToken string `json:"survey_token"`
	ExpiresIn   int    `json:"expires_in"`
}

// SurveyAnswerRequest is the recipient's answer. TemplateIDs are the subscribe-message
// templates the recipient has just accepted (wx.requestSubscribeMessage), if any.
type SurveyAnswerRequest struct {
	ClientID    string   `json:"client_id"`
	Answers     *Answers `json:"answers"`
	TemplateIDs []string `json:"template_ids"`
}

// SurveyAnswerResponse is the stored answer as the recipient sees it.
type SurveyAnswerResponse struct {
	ID         ID       `json:"id"`
	ClientID   string   `json:"client_id"`
	Version    int      `json:"version"`
	AnsweredAt Time     `json:"answered_at"`
	Answers    *Answers `json:"answers"`
}

// SurveyHistoryItem is a survey answer in a case's detail; earlier versions are kept.
type SurveyHistoryItem struct {
	ID           ID                     `json:"id"`
	CampaignID   ID                     `json:"campaign_id"`
	AnsweredAt   Time                   `json:"answered_at"`
	Answers      *Answers               `json:"answers,omitempty"`
	Verification string                 `json:"verification"`
	FromStaff    bool                   `json:"from_staff"`
	Late         bool                   `json:"late"`
	Version      int                    `json:"version"`
	Versions     []SurveyVersionSummary `json:"versions"`
}

// SurveyVersionSummary is one earlier or current submission.
type SurveyVersionSummary struct {
	Version    int      `json:"version"`
	AnsweredAt Time     `json:"answered_at"`
	Answers    *Answers `json:"answers,omitempty"`
}
