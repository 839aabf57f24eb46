package model

import "fayuan/internal/review"

// HearingRequest records a hearing observation. The case is one of ours (case_id) or, when it
// is not in the system, its numbers as text (case_nos); the handler defaults to the case's.
type HearingRequest struct {
	CaseID      *ID             `json:"case_id"`
	CaseNos     string          `json:"case_nos"`
	Court       string          `json:"court"`
	Judges      string          `json:"judges"`
	HeardAt     *Time           `json:"heard_at"`
	Cause       string          `json:"cause"`
	HandlerID   *ID             `json:"handler_id"`
	Unannounced bool            `json:"unannounced"`
	Notes       string          `json:"notes"`
	Observers   []ObserverInput `json:"observers"`
}

// ObserverInput is one observer: an account (user_id) or a named person (name, lawyers and
// deputies only), with their sheet on the hearing template if they have scored.
type ObserverInput struct {
	Kind   string        `json:"kind"` // staff, lawyer or deputy
	UserID *ID           `json:"user_id"`
	Name   string        `json:"name"`
	Sheet  *review.Sheet `json:"sheet"`
}

// HearingHandler is the handler a hearing is about.
type HearingHandler struct {
	ID      ID     `json:"id"`
	Name    string `json:"name"`
	OrgID   ID     `json:"org_id"`
	OrgName string `json:"org_name"`
}

// HearingResponse is a hearing observation on the wire. For the handler it is about, observers
// carry no name or account (omitted).
type HearingResponse struct {
	ID            ID                 `json:"id"`
	CampaignID    ID                 `json:"campaign_id"`
	CaseID        *ID                `json:"case_id,omitempty"`
	CaseNos       string             `json:"case_nos"`
	CaseOpen      *bool              `json:"case_open,omitempty"`
	Court         string             `json:"court"`
	Judges        string             `json:"judges"`
	HeardAt       Time               `json:"heard_at"`
	Cause         string             `json:"cause"`
	Handler       HearingHandler     `json:"handler"`
	Unannounced   bool               `json:"unannounced"`
	Mode          string             `json:"mode"` // 四不两直 or 预先通知
	RubricID      string             `json:"rubric_id"`
	RubricVersion int                `json:"rubric_version"`
	Observers     []ObserverResponse `json:"observers"`
	CombinedScore *review.Tenths     `json:"combined_score"`
	CombinedGrade string             `json:"combined_grade,omitempty"`
	Notes         string             `json:"notes,omitempty"`
	CreatedAt     Time               `json:"created_at"`
}

// ObserverResponse is one observer and their scored sheet, if any.
type ObserverResponse struct {
	ID     ID             `json:"id"`
	Kind   string         `json:"kind"`
	UserID *ID            `json:"user_id,omitempty"`
	Name   string         `json:"name,omitempty"`
	Score  *review.Tenths `json:"score"`
	Grade  string         `json:"grade,omitempty"`
	Sheet  *review.Result `json:"sheet,omitempty"`
}

// OpinionRequest records a judicial organ's opinion of a handler: the organ is an organisation
// of kind judicial_organ (org_id) or named (organ_name).
type OpinionRequest struct {
	HandlerID *ID    `json:"handler_id"`
	OrgID     *ID    `json:"org_id"`
	OrganName string `json:"organ_name"`
	Date      string `json:"date"`
	Rating    string `json:"rating"` // good, fair or poor
	Text      string `json:"text"`
}

// OpinionResponse is an organ's opinion on the wire.
type OpinionResponse struct {
	ID          ID             `json:"id"`
	CampaignID  ID             `json:"campaign_id"`
	Handler     HearingHandler `json:"handler"`
	OrgID       *ID            `json:"org_id,omitempty"`
	OrganName   string         `json:"organ_name"`
	Date        string         `json:"date"`
	Rating      string         `json:"rating"`
	RatingLabel string         `json:"rating_label"`
	Text        string         `json:"text"`
	CreatedAt   Time           `json:"created_at"`
}
