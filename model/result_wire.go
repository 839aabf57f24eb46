package model

import "fayuan/internal/review"

// ResultSettingsResponse are a campaign's result rules on the wire. hearing_weight_percent is
// the share (0–50%) of the handler's mean hearing score in each file's score, when the handler
// has scored hearings; opinion_poor_points are deducted per poor organ opinion of the handler.
// Both 0 (the default): hearings and opinions are shown beside the results, with no weight.
type ResultSettingsResponse struct {
	ObjectionDays        int           `json:"objection_days"`
	HearingWeightPercent int           `json:"hearing_weight_percent"`
	OpinionPoorPoints    review.Tenths `json:"opinion_poor_points"`
	Policy               review.Policy `json:"policy"`
	Version              int           `json:"version"`
}

// ResultSettingsRequest replaces the result rules; version guards against a stale copy.
type ResultSettingsRequest struct {
	ObjectionDays        int            `json:"objection_days"`
	HearingWeightPercent int            `json:"hearing_weight_percent"`
	OpinionPoorPoints    review.Tenths  `json:"opinion_poor_points"`
	Policy               *review.Policy `json:"policy"`
	Version              int            `json:"version"`
}

// PublishResponse says what publishing did: results published now, files still waiting for a
// final score (a third reviewer), and the handlers' notifications.
type PublishResponse struct {
	Published int      `json:"published"`
	Waiting   []string `json:"waiting_case_nos"`
	Notified  int      `json:"notified"`
}

// ObjectionRequest is a handler's objection to a result.
type ObjectionRequest struct {
	Reason string `json:"reason"`
}

// DecisionRequest is a manager's written decision on an objection: upheld, or amended to a new
// score (and, optionally, with the veto lifted or imposed).
type DecisionRequest struct {
	Outcome string         `json:"outcome"`
	Score   *review.Tenths `json:"score"`
	Veto    *bool          `json:"veto"`
	Reason  string         `json:"reason"`
}

// ConfirmRequest is a manager's confirmation of a result, with the bureau's findings the
// consequence depends on (办案严重不负责任, other violations besides a substantiated fee alert).
type ConfirmRequest struct {
	SeriouslyIrresponsible bool     `json:"seriously_irresponsible"`
	OtherViolations        []string `json:"other_violations"`
	Note                   string   `json:"note"`
	Version                int      `json:"version"`
}

// ResultObjection is an objection on the wire.
type ResultObjection struct {
	Reason string `json:"reason"`
	At     Time   `json:"at"`
}

// ResultDecision is a decision on the wire.
type ResultDecision struct {
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
	At      Time   `json:"at"`
}

// ResultResponse is one file's result. It never names the reviewers.
type ResultResponse struct {
	CaseID                 ID                     `json:"case_id"`
	CaseNo                 string                 `json:"case_no"`
	Handler                *HearingHandler        `json:"handler,omitempty"`
	FileScore              review.Tenths          `json:"file_score"`
	Score                  review.Tenths          `json:"score"`
	Grade                  string                 `json:"grade"`
	GradeLabel             string                 `json:"grade_label"`
	Veto                   bool                   `json:"veto"`
	Status                 string                 `json:"status"`
	Deductions             []ResultDeduction      `json:"deductions"`
	Reasons                []string               `json:"reasons"`
	PublishedAt            Time                   `json:"published_at"`
	ObjectionDeadline      Time                   `json:"objection_deadline"`
	Objection              *ResultObjection       `json:"objection,omitempty"`
	Decision               *ResultDecision        `json:"decision,omitempty"`
	Consequence            *review.Consequence    `json:"consequence"`
	ConsequenceConfirmed   bool                   `json:"consequence_confirmed"`
	SubsidyCents           int64                  `json:"subsidy_cents"`
	FeeAlertSubstantiated  bool                   `json:"fee_alert_substantiated"`
	SeriouslyIrresponsible bool                   `json:"seriously_irresponsible"`
	Rectification          *RectificationResponse `json:"rectification,omitempty"`
	Version                int                    `json:"version"`
}

// ResultsPage is the results list; for a handler (or a manager filtering by handler) it carries
// the hearings observed and the organs' opinions about that handler, shown beside the files.
type ResultsPage struct {
	List[ResultResponse]
	Hearings  []HearingResponse `json:"hearings,omitempty"`
	Opinions  []OpinionResponse `json:"opinions,omitempty"`
	Weighting string            `json:"weighting"`
}

// RectificationResponse is a rectification task on the wire.
type RectificationResponse struct {
	ID            ID     `json:"id"`
	CaseID        ID     `json:"case_id"`
	Status        string `json:"status"`
	InterviewOn   string `json:"interview_on,omitempty"`
	InterviewNote string `json:"interview_note,omitempty"`
	HandlerText   string `json:"handler_text,omitempty"`
	SubmittedAt   *Time  `json:"submitted_at,omitempty"`
	ClosingNote   string `json:"closing_note,omitempty"`
	ClosedAt      *Time  `json:"closed_at,omitempty"`
}

// InterviewRequest records the interview (约谈) of a rectification.
type InterviewRequest struct {
	Date string `json:"date"`
	Note string `json:"note"`
}

// RectificationTextRequest is the handler's written rectification, or a manager's closing note.
type RectificationTextRequest struct {
	Text string `json:"text"`
}

// AgreementResponse is how far a campaign's reviewers agree, with each reviewer named.
type AgreementResponse struct {
	Files       int                 `json:"files"`
	Pairs       int                 `json:"pairs"`
	MeanAbsDiff float64             `json:"mean_abs_diff"`
	ICC         *float64            `json:"icc_2_1"`
	Reviewers   []ReviewerAgreement `json:"reviewers"`
}

// ReviewerAgreement is one reviewer's mean signed distance from the file's other reviewers.
type ReviewerAgreement struct {
	ReviewerID     ID      `json:"reviewer_id"`
	Name           string  `json:"name"`
	Files          int     `json:"files"`
	MeanSignedDiff float64 `json:"mean_signed_diff"`
}

// CaseResultItem is a result in a case's detail, with the campaign that published it.
type CaseResultItem struct {
	CampaignID ID `json:"campaign_id"`
	ResultResponse
}
