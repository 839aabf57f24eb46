package model

import "fayuan/internal/review"

// RubricRef names a template version.
type RubricRef struct {
	Key     string `json:"key"`
	Version int    `json:"version"`
	Title   string `json:"title,omitempty"`
}

// RubricTemplateResponse is one stored template version with its content.
type RubricTemplateResponse struct {
	Key       string         `json:"key"`
	Version   int            `json:"version"`
	Title     string         `json:"title"`
	AppliesTo []string       `json:"applies_to"`
	Builtin   bool           `json:"builtin"`
	CreatedAt Time           `json:"created_at"`
	Rubric    *review.Rubric `json:"rubric"`
}

// RubricChoice is a campaign's template for one slot; Version 0 follows the newest version.
type RubricChoice struct {
	Key     string `json:"key"`
	Version int    `json:"version"`
}

// ReviewTriggers are the campaign's conditions for a third reviewer. Divergence in points.
type ReviewTriggers struct {
	Divergence      review.Tenths `json:"divergence"`
	DifferentGrades bool          `json:"different_grades"`
	Unqualified     bool          `json:"unqualified"`
	Veto            bool          `json:"veto"`
}

// ReviewSettingsResponse is a campaign's review settings: templates per slot (criminal, civil,
// administrative, non_litigation, hearing), the hand-in deadline, reviewers per file and the
// third-reviewer triggers. HandInDue is the deadline in force: the set date, or the reviews
// phase's start plus HandInDays.
type ReviewSettingsResponse struct {
	Rubrics      map[string]RubricChoice `json:"rubrics"`
	HandInDays   int                     `json:"hand_in_days"`
	HandInDue    string                  `json:"hand_in_due"`
	HandInDueSet string                  `json:"hand_in_due_set"`
	PerCase      int                     `json:"per_case"`
	Triggers     ReviewTriggers          `json:"triggers"`
	GradeBands   GradeBands              `json:"grade_bands"`
}

// ReviewSettingsRequest changes the settings named; rubrics only for the slots listed.
type ReviewSettingsRequest struct {
	Rubrics    map[string]RubricChoice `json:"rubrics"`
	HandInDays *int                    `json:"hand_in_days"`
	HandInDue  *string                 `json:"hand_in_due"`
	PerCase    *int                    `json:"per_case"`
	Triggers   *ReviewTriggersInput    `json:"triggers"`
}

// ReviewTriggersInput changes the triggers named; an absent one keeps its stored value. Veto may
// only be true: a veto always calls a third reviewer.
type ReviewTriggersInput struct {
	Divergence      *review.Tenths `json:"divergence"`
	DifferentGrades *bool          `json:"different_grades"`
	Unqualified     *bool          `json:"unqualified"`
	Veto            *bool          `json:"veto"`
}

// SampleRequest draws files from the review scope: all of it, a percentage of each stratum
// (category × source), or the listed case numbers. Seed reproduces a drawing; without it one is
// drawn and stored.
type SampleRequest struct {
	All     bool     `json:"all"`
	Percent *int     `json:"percent"`
	CaseNos []string `json:"case_nos"`
	Seed    *int64   `json:"seed"`
}

// SampleResponse says what a drawing added.
type SampleResponse struct {
	ID      ID        `json:"id"`
	Mode    string    `json:"mode"`
	Seed    int64     `json:"seed"`
	Percent int       `json:"percent,omitempty"`
	InScope int       `json:"in_scope"`
	Picked  int       `json:"picked"`
	Added   int       `json:"added"`
	CaseIDs []ID      `json:"case_ids"`
	Strata  []Stratum `json:"strata"`
}

// Stratum is one category × source group of the review scope and how many of it were picked.
type Stratum struct {
	Category Category `json:"category"`
	Source   Source   `json:"source"`
	InScope  int      `json:"in_scope"`
	Picked   int      `json:"picked"`
}

// ReviewAssignRequest gives the campaign's sampled files to reviewers, per_case each (default
// 2), sampling first when sample is given (or when nothing was sampled yet: the whole scope).
// With case_ids, exactly the listed reviewers are put on exactly the listed files, and a
// recusal → 409.
type ReviewAssignRequest struct {
	ReviewerIDs []ID           `json:"reviewer_ids"`
	PerCase     int            `json:"per_case"`
	Sample      *SampleRequest `json:"sample"`
	CaseIDs     []ID           `json:"case_ids"`
}

// ReviewAssignResponse says what a run did: sheets created, and files left to nobody.
type ReviewAssignResponse struct {
	RunID        ID                   `json:"run_id"`
	Assigned     int                  `json:"assigned"`
	Files        int                  `json:"files"`
	Unassignable []ReviewUnassignable `json:"unassignable"`
	ByReviewer   []StaffLoad          `json:"by_reviewer"`
	Sample       *SampleResponse      `json:"sample,omitempty"`
}

// ReviewUnassignable is a file recusal leaves with too few reviewers: it is given to nobody.
type ReviewUnassignable struct {
	CaseID   ID     `json:"case_id"`
	CaseNo   string `json:"case_no"`
	Reason   string `json:"reason"`
	Message  string `json:"message"`
	Eligible int    `json:"eligible"`
	Needed   int    `json:"needed"`
}

// SheetSummary is one line of the sheet list.
type SheetSummary struct {
	ID         ID            `json:"id"`
	CaseID     ID            `json:"case_id"`
	CaseNo     string        `json:"case_no"`
	Template   RubricRef     `json:"template"`
	Status     string        `json:"status"`
	Version    int           `json:"version"`
	Third      bool          `json:"third"`
	FileStatus string        `json:"file_status"`
	Score      review.Tenths `json:"score"`
	Grade      string        `json:"grade"`
	ReviewerID *ID           `json:"reviewer_id,omitempty"`
	UpdatedAt  Time          `json:"updated_at"`
}

// SheetItem is one item of a sheet as the reviewer fills it in.
type SheetItem struct {
	Code          string             `json:"code"`
	Section       string             `json:"section"`
	Label         string             `json:"label"`
	Max           review.Tenths      `json:"max"`
	Deduction     review.Tenths      `json:"deduction"`
	Reason        string             `json:"reason"`
	NotApplicable bool               `json:"not_applicable"`
	NAAllowed     bool               `json:"na_allowed"`
	Deductions    []review.Deduction `json:"deductions"`
}

// SheetVeto is one veto item of the rubric and whether this sheet applies it.
type SheetVeto struct {
	Code    string `json:"code"`
	Label   string `json:"label"`
	Applied bool   `json:"applied"`
	Reason  string `json:"reason"`
}

// SheetResponse is one scoresheet. Score is computed by the review engine: deductions in
// tenths, rescaled over the applicable items, half up to 0.1; a veto makes the grade unqualified.
type SheetResponse struct {
	ID          ID            `json:"id"`
	CampaignID  ID            `json:"campaign_id"`
	CaseID      ID            `json:"case_id"`
	CaseNo      string        `json:"case_no"`
	Template    RubricRef     `json:"template"`
	Status      string        `json:"status"`
	Version     int           `json:"version"`
	Third       bool          `json:"third"`
	FileStatus  string        `json:"file_status"`
	Items       []SheetItem   `json:"items"`
	Vetoes      []SheetVeto   `json:"vetoes"`
	Veto        bool          `json:"veto"`
	Score       review.Tenths `json:"score"`
	Grade       string        `json:"grade"`
	GradeLabel  string        `json:"grade_label"`
	Reasons     []string      `json:"reasons"`
	Late        bool          `json:"late"`
	SubmittedAt *Time         `json:"submitted_at"`
	UpdatedAt   Time          `json:"updated_at"`
}

// SheetItemInput is one item's entry in a save.
type SheetItemInput struct {
	Code          string        `json:"code"`
	Deduction     review.Tenths `json:"deduction"`
	Reason        string        `json:"reason"`
	NotApplicable bool          `json:"not_applicable"`
}

// VetoInput applies a veto item with its reason.
type VetoInput struct {
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// SaveSheetRequest replaces a draft's entries: items not listed keep full marks; veto (or the
// list vetoes) applies veto items; submit locks the sheet. Version must be the current one.
type SaveSheetRequest struct {
	Version *int             `json:"version"`
	Items   []SheetItemInput `json:"items"`
	Veto    *VetoInput       `json:"veto"`
	Vetoes  []VetoInput      `json:"vetoes"`
	Submit  bool             `json:"submit"`
}

// ConflictRequest declares a reviewer's conflict with a case or with a handler (回避申报).
type ConflictRequest struct {
	CaseID    *ID    `json:"case_id"`
	HandlerID *ID    `json:"handler_id"`
	Reason    string `json:"reason"`
}

// ConflictResponse is a declared conflict.
type ConflictResponse struct {
	ID         ID     `json:"id"`
	ReviewerID ID     `json:"reviewer_id"`
	CaseID     *ID    `json:"case_id"`
	HandlerID  *ID    `json:"handler_id"`
	Reason     string `json:"reason"`
	CreatedAt  Time   `json:"created_at"`
}

// FileResponse is a sampled case file: hand-in, receipt and, once decided, its final result.
type FileResponse struct {
	CaseID      ID             `json:"case_id"`
	CaseNo      string         `json:"case_no"`
	Category    Category       `json:"category"`
	HandlerName string         `json:"handler_name"`
	OrgID       *ID            `json:"org_id"`
	OrgName     string         `json:"org_name"`
	Status      string         `json:"status"`
	DueOn       string         `json:"due_on"`
	Overdue     bool           `json:"overdue"`
	HandedInAt  *Time          `json:"handed_in_at"`
	ReceivedAt  *Time          `json:"received_at"`
	NeedsThird  bool           `json:"needs_third"`
	ThirdStatus string         `json:"third_status"`
	FinalScore  *review.Tenths `json:"final_score"`
	FinalGrade  string         `json:"final_grade"`
	FinalVeto   bool           `json:"final_veto"`
	Version     int            `json:"version"`
}

// OverdueOrg is one firm's (or office's) files not handed in by the deadline.
type OverdueOrg struct {
	OrgID   *ID            `json:"org_id"`
	OrgName string         `json:"org_name"`
	DueOn   string         `json:"due_on"`
	Files   []FileResponse `json:"files"`
}
