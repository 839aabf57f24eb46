package model

import "time"

// Alert kinds, with their severity: an illegal fee is worst.
const (
	AlertFee             = "fee"
	AlertNegligence      = "negligence"
	AlertDissatisfaction = "dissatisfaction"
)

// AlertSeverity ranks the kinds: fee 3 > negligence 2 > dissatisfaction 1.
var AlertSeverity = map[string]int{AlertFee: 3, AlertNegligence: 2, AlertDissatisfaction: 1}

// Alert channels: where the answer came from.
const (
	ChannelCall   = "call"
	ChannelVisit  = "visit"
	ChannelSurvey = "survey"
)

// Alert statuses and conclusions.
const (
	AlertOpen          = "open"
	AlertInvestigating = "investigating"
	AlertClosed        = "closed"

	ConclusionSubstantiated    = "substantiated"
	ConclusionNotSubstantiated = "not_substantiated"
	ConclusionReferred         = "referred"
)

// Alert is a recipient's report of an illegal fee, negligence or dissatisfaction, from any
// channel (SourceID is the call's, visit's or survey answer's id), chased until someone outside
// the handler's organisation records findings, a conclusion and the action taken. Nothing a
// later answer says closes or downgrades it. One alert per (channel, source, kind).
type Alert struct {
	ID             uint64     `gorm:"primaryKey"`
	CampaignID     uint64     `gorm:"not null;index:idx_alerts_campaign,priority:1"`
	CaseID         uint64     `gorm:"not null;index"`
	Kind           string     `gorm:"size:16;not null;uniqueIndex:idx_alerts_source,priority:3;index:idx_alerts_campaign,priority:2"`
	Severity       int        `gorm:"not null"`
	Channel        string     `gorm:"size:8;not null;uniqueIndex:idx_alerts_source,priority:1"`
	SourceID       uint64     `gorm:"not null;uniqueIndex:idx_alerts_source,priority:2"`
	HandlerID      *uint64    `gorm:"index"`
	HandlerName    string     `gorm:"size:64;not null;default:''"`
	HandlerOrgID   *uint64    `gorm:"index"`
	Words          string     `gorm:"size:2000;not null;default:''"` // the recipient's words
	Status         string     `gorm:"size:16;not null;index:idx_alerts_campaign,priority:3"`
	OpenedBy       uint64     `gorm:"not null"`
	OpenedAt       time.Time  `gorm:"not null"`
	DueAt          time.Time  `gorm:"not null"`
	InvestigatorID *uint64    `gorm:"index"`
	AssignedAt     *time.Time `gorm:""`
	Findings       string     `gorm:"type:text"`
	Conclusion     string     `gorm:"size:32;not null;default:''"`
	Action         string     `gorm:"size:1000;not null;default:''"`
	ConcludedBy    *uint64
	ConcludedAt    *time.Time
	UpdatedAt      time.Time `gorm:"autoUpdateTime:false"`
}

// AlertFilter is what a manager asks of a campaign's alerts.
type AlertFilter struct {
	Kind   string
	Status string
	OrgID  uint64
	Page   Page
}

// AlertResponse is an alert on the wire. The recipient is not named: a handler reading an
// alert never learns who reported them.
type AlertResponse struct {
	ID             ID      `json:"id"`
	CampaignID     ID      `json:"campaign_id"`
	CaseID         ID      `json:"case_id"`
	CaseNo         string  `json:"case_no"`
	Kind           string  `json:"kind"`
	Severity       int     `json:"severity"`
	Channel        string  `json:"channel"`
	SourceID       ID      `json:"source_id"`
	HandlerName    string  `json:"handler_name"`
	HandlerOrgID   *ID     `json:"handler_org_id"`
	Words          string  `json:"words"`
	Status         string  `json:"status"`
	Overdue        bool    `json:"overdue"`
	OpenedAt       Time    `json:"opened_at"`
	DueAt          Time    `json:"due_at"`
	InvestigatorID *ID     `json:"investigator_id"`
	AssignedAt     *Time   `json:"assigned_at"`
	Findings       string  `json:"findings"`
	Conclusion     *string `json:"conclusion"`
	Action         string  `json:"action"`
	ConcludedByID  *ID     `json:"concluded_by_id"`
	ConcludedAt    *Time   `json:"concluded_at"`
}

func idPtr(p *uint64) *ID {
	if p == nil {
		return nil
	}
	id := ID(*p)
	return &id
}

// NewAlertResponse converts an alert; overdue is judged at now.
func NewAlertResponse(a *Alert, caseNo string, now time.Time) AlertResponse {
	r := AlertResponse{ID: ID(a.ID), CampaignID: ID(a.CampaignID), CaseID: ID(a.CaseID), CaseNo: caseNo, Kind: a.Kind,
		Severity: a.Severity, Channel: a.Channel, SourceID: ID(a.SourceID), HandlerName: a.HandlerName,
		HandlerOrgID: idPtr(a.HandlerOrgID), Words: a.Words, Status: a.Status,
		Overdue:  a.Status != AlertClosed && now.After(a.DueAt),
		OpenedAt: NewTime(a.OpenedAt), DueAt: NewTime(a.DueAt), InvestigatorID: idPtr(a.InvestigatorID),
		AssignedAt: TimePtr(a.AssignedAt), Findings: a.Findings, Action: a.Action, ConcludedByID: idPtr(a.ConcludedBy),
		ConcludedAt: TimePtr(a.ConcludedAt)}
	if a.Conclusion != "" {
		c := a.Conclusion
		r.Conclusion = &c
	}
	return r
}

// AlertList is a page of alerts with the counts of the whole campaign by kind and by status
// (overdue counted apart), so the manager's dashboard needs one request.
type AlertList struct {
	Items    []AlertResponse `json:"items"`
	Total    int64           `json:"total"`
	Page     int             `json:"page"`
	PageSize int             `json:"page_size"`
	ByKind   map[string]int  `json:"by_kind"`
	ByStatus map[string]int  `json:"by_status"`
	Overdue  int             `json:"overdue"`
}

// AssignAlertRequest names the investigator of an alert.
type AssignAlertRequest struct {
	InvestigatorID ID `json:"investigator_id"`
}

// ConcludeAlertRequest closes an alert with what was found and done.
type ConcludeAlertRequest struct {
	Findings   string `json:"findings"`
	Conclusion string `json:"conclusion"`
	Action     string `json:"action"`
}
