package model

// CampaignSpec is a campaign's definition: what a template file holds, what GET answers (with
// the id and version beside it), and what POST and PATCH fill in.
type CampaignSpec struct {
	Name       string           `json:"name"`
	DocumentNo string           `json:"document_no"`
	TargetRate float64          `json:"target_rate"`
	GradeBands GradeBands       `json:"grade_bands"`
	Phases     []PhaseWindow    `json:"phases"`
	Scopes     Scopes           `json:"scopes"`
	Intro      string           `json:"intro"`
	Questions  []Question       `json:"questions"`
	Settings   CampaignSettings `json:"settings"`
}

// GradeBands are the lower bounds of the grades: a score ≥ Excellent is 优秀, and so on; below
// Qualified is 不合格.
type GradeBands struct {
	Excellent float64 `json:"excellent"`
	Good      float64 `json:"good"`
	Qualified float64 `json:"qualified"`
}

// PhaseWindow is a phase's first and last calendar day (Asia/Shanghai, the last day included).
type PhaseWindow struct {
	Phase Phase  `json:"phase"`
	Start string `json:"start"`
	End   string `json:"end"`
}

// Scope chooses cases by source, category and closing date (both bounds included).
type Scope struct {
	Sources    []Source   `json:"sources"`
	Categories []Category `json:"categories"`
	ClosedFrom string     `json:"closed_from"`
	ClosedTo   string     `json:"closed_to"`
}

// Scopes are the follow-up scope (calls and visits) and the review scope.
type Scopes struct {
	FollowUp Scope `json:"follow_up"`
	Review   Scope `json:"review"`
}

// Question is one question of the registration form, worded as every client must read it.
type Question struct {
	No      int              `json:"no"`
	Code    string           `json:"code"` // the answer's field
	Text    string           `json:"text"`
	Kind    string           `json:"kind"` // choice or text
	Options []QuestionOption `json:"options,omitempty"`
	// NoteField holds the details; NoteRequiredFor lists the options that need them.
	NoteField       string       `json:"note_field,omitempty"`
	NoteLabel       string       `json:"note_label,omitempty"`
	NoteRequiredFor []string     `json:"note_required_for,omitempty"`
	FollowUp        *SubQuestion `json:"follow_up,omitempty"`
}

// SubQuestion is asked after a question when its answer is When.
type SubQuestion struct {
	Code    string           `json:"code"`
	Text    string           `json:"text"`
	When    string           `json:"when"`
	Options []QuestionOption `json:"options"`
}

// QuestionOption is one answer to choose, with the words to show.
type QuestionOption struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// CampaignSettings are the campaign's tunable rules.
type CampaignSettings struct {
	// CallAttempts and CallAttemptDays: a case counts as unreachable by phone after this many
	// attempts spread over at least this many calendar days.
	CallAttempts       int `json:"call_attempts"`
	CallAttemptDays    int `json:"call_attempt_days"`
	MinRetryGapMinutes int `json:"min_retry_gap_minutes"`
	// SyncGraceHours: a record whose event lies inside its phase is still accepted this long
	// after the phase ends (an offline phone syncing late), and marked late.
	SyncGraceHours int `json:"sync_grace_hours"`
	// StaleAfterDays flags records uploaded this long after their event; FutureSkewMinutes
	// flags events this far ahead of the server's clock.
	StaleAfterDays    int `json:"stale_after_days"`
	FutureSkewMinutes int `json:"future_skew_minutes"`
	// VisitSamplePercent and VisitSampleMin: the share of each caller's reached cases visited to
	// verify the calls, and the least number per caller. VisitSeed makes the sample
	// reproducible; 0 in a template draws one when the campaign is created. Only managers see it.
	VisitSamplePercent int   `json:"visit_sample_percent"`
	VisitSampleMin     int   `json:"visit_sample_min"`
	VisitSeed          int64 `json:"visit_seed,omitempty"`
	// AlertDueDays: an alert still open this many days after it was opened is overdue.
	AlertDueDays int `json:"alert_due_days"`
}

// DefaultCampaignSettings are the settings a campaign gets unless told otherwise.
func DefaultCampaignSettings() CampaignSettings {
	return CampaignSettings{CallAttempts: 3, CallAttemptDays: 2, MinRetryGapMinutes: 120, SyncGraceHours: 72,
		StaleAfterDays: 7, FutureSkewMinutes: 5, VisitSamplePercent: 10, VisitSampleMin: 5, AlertDueDays: 15}
}

// CampaignResponse is a campaign on the wire.
type CampaignResponse struct {
	ID       ID     `json:"id"`
	Template string `json:"template"`
	CampaignSpec
	Version   int  `json:"version"`
	CreatedAt Time `json:"created_at"`
	UpdatedAt Time `json:"updated_at"`
}

// NewCampaignResponse converts a campaign; the visit seed is shown to managers only, so nobody
// who makes the calls can foresee which of them will be verified in person.
func NewCampaignResponse(c *Campaign, manager bool) CampaignResponse {
	r := CampaignResponse{ID: ID(c.ID), Template: c.Template, CampaignSpec: c.Spec(), Version: c.Version,
		CreatedAt: NewTime(c.CreatedAt), UpdatedAt: NewTime(c.UpdatedAt)}
	if !manager {
		r.Settings.VisitSeed = 0
	}
	return r
}

// CampaignFields are the definition's fields a client may set. Absent fields keep their value
// (the template's on create); an object given replaces the stored one whole, except settings,
// which change field by field; a phase listed replaces that phase only.
type CampaignFields struct {
	Name       *string        `json:"name"`
	DocumentNo *string        `json:"document_no"`
	TargetRate *float64       `json:"target_rate"`
	GradeBands *GradeBands    `json:"grade_bands"`
	Phases     []PhaseWindow  `json:"phases"`
	Scopes     *ScopesPatch   `json:"scopes"`
	Intro      *string        `json:"intro"`
	Questions  []Question     `json:"questions"`
	Settings   *SettingsPatch `json:"settings"`
}

// ScopesPatch replaces either scope or both.
type ScopesPatch struct {
	FollowUp *Scope `json:"follow_up"`
	Review   *Scope `json:"review"`
}

// SettingsPatch changes the settings named.
type SettingsPatch struct {
	CallAttempts       *int   `json:"call_attempts"`
	CallAttemptDays    *int   `json:"call_attempt_days"`
	MinRetryGapMinutes *int   `json:"min_retry_gap_minutes"`
	SyncGraceHours     *int   `json:"sync_grace_hours"`
	StaleAfterDays     *int   `json:"stale_after_days"`
	FutureSkewMinutes  *int   `json:"future_skew_minutes"`
	VisitSamplePercent *int   `json:"visit_sample_percent"`
	VisitSampleMin     *int   `json:"visit_sample_min"`
	VisitSeed          *int64 `json:"visit_seed"`
	AlertDueDays       *int   `json:"alert_due_days"`
}

// CreateCampaignRequest starts a campaign from a template ({"template": "zhashui-2024-53"}), from
// a full body, or from a template with some fields changed.
type CreateCampaignRequest struct {
	Template string `json:"template"`
	CampaignFields
}

// UpdateCampaignRequest edits a campaign. Version, when given, must be the current one. An edit
// whose scopes would drop cases that already have records needs Force and a Reason.
type UpdateCampaignRequest struct {
	CampaignFields
	Version *int   `json:"version"`
	Force   bool   `json:"force"`
	Reason  string `json:"reason"`
}

// ExtendPhaseRequest moves a phase's last day later.
type ExtendPhaseRequest struct {
	End    string `json:"end"`
	Reason string `json:"reason"`
}

// TemplateResponse names one campaign template.
type TemplateResponse struct {
	Key        string `json:"key"`
	Name       string `json:"name"`
	DocumentNo string `json:"document_no"`
}

// CreateExclusionRequest asks to take a case out of the follow-up denominator.
type CreateExclusionRequest struct {
	CaseID   ID              `json:"case_id"`
	Reason   ExclusionReason `json:"reason"`
	Note     string          `json:"note"`
	Evidence string          `json:"evidence"`
}

// ExclusionResponse is an exclusion on the wire.
type ExclusionResponse struct {
	ID            ID              `json:"id"`
	CampaignID    ID              `json:"campaign_id"`
	CaseID        ID              `json:"case_id"`
	CaseNo        string          `json:"case_no"`
	Reason        ExclusionReason `json:"reason"`
	ReasonLabel   string          `json:"reason_label"`
	Note          string          `json:"note"`
	Evidence      string          `json:"evidence"`
	Status        string          `json:"status"`
	RequestedByID ID              `json:"requested_by_id"`
	RequestedAt   Time            `json:"requested_at"`
	ConfirmedByID *ID             `json:"confirmed_by_id"`
	ConfirmedAt   *Time           `json:"confirmed_at"`
}

// NewExclusionResponse converts an exclusion.
func NewExclusionResponse(x *CampaignExclusion, caseNo string) ExclusionResponse {
	r := ExclusionResponse{ID: ID(x.ID), CampaignID: ID(x.CampaignID), CaseID: ID(x.CaseID), CaseNo: caseNo,
		Reason: x.Reason, ReasonLabel: ExclusionReasonLabels[x.Reason], Note: x.Note, Evidence: x.Evidence,
		Status: x.Status, RequestedByID: ID(x.RequestedBy), RequestedAt: NewTime(x.RequestedAt), ConfirmedAt: TimePtr(x.ConfirmedAt)}
	if x.ConfirmedBy != nil {
		id := ID(*x.ConfirmedBy)
		r.ConfirmedByID = &id
	}
	return r
}
