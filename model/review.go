package model

import "time"

// Review file statuses (卷宗上报): sampled, handed in by the handler's side, received by the aid
// centre. Sheets open for scoring only once the file is received.
const (
	FileSampled  = "sampled"
	FileHandedIn = "handed_in"
	FileReceived = "received"
)

// Scoresheet statuses: a draft the reviewer may change, then submitted and locked.
const (
	SheetDraft     = "draft"
	SheetSubmitted = "submitted"
)

// Third-reviewer states of a file whose two sheets call for one.
const (
	ThirdAssigned     = "assigned"
	ThirdUnassignable = "unassignable"
)

// Rubric slots: the case categories a campaign chooses a file template for, and the hearing sheet.
const (
	SlotHearing = "hearing"
)

// RubricSlots lists the slots in display order.
var RubricSlots = []string{string(CategoryCriminal), string(CategoryCivil), string(CategoryAdministrative), string(CategoryNonLitigation), SlotHearing}

// DefaultRubricKeys are the shipped templates each slot uses unless the campaign chooses another.
var DefaultRubricKeys = map[string]string{
	string(CategoryCriminal): "criminal", string(CategoryCivil): "civil-administrative",
	string(CategoryAdministrative): "civil-administrative", string(CategoryNonLitigation): "civil-administrative",
	SlotHearing: "hearing",
}

// RubricTemplate is one version of a scoring template, stored as the validated JSON of
// internal/review.Rubric. Versions are only ever added: a sheet names the version it was scored on.
type RubricTemplate struct {
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

// CampaignRubric is a campaign's choice of template for one slot. RubricVersion 0 means the
// newest version when a sheet is created.
type CampaignRubric struct {
	ID            uint64    `gorm:"primaryKey"`
	CampaignID    uint64    `gorm:"not null;uniqueIndex:idx_campaign_rubrics_slot,priority:1"`
	Slot          string    `gorm:"size:16;not null;uniqueIndex:idx_campaign_rubrics_slot,priority:2"`
	RubricKey     string    `gorm:"size:64;not null"`
	RubricVersion int       `gorm:"not null;default:0"`
	UpdatedBy     *uint64   `gorm:"index"`
	UpdatedAt     time.Time `gorm:"not null"`
}

// CampaignReviewSettings are a campaign's review rules; a campaign without a row uses
// DefaultReviewSettings. Divergence is in tenths of a point (100 = 10 points).
type CampaignReviewSettings struct {
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

// TableName keeps the plural table name for a singular-looking type.
func (CampaignReviewSettings) TableName() string { return "campaign_review_settings" }

// DefaultReviewSettings are rubric.md's: files due 10 days into the reviews phase, two reviewers,
// a third when 10 points apart, in different grades, either 不合格 or a veto.
func DefaultReviewSettings(campaignID uint64) CampaignReviewSettings {
	return CampaignReviewSettings{CampaignID: campaignID, HandInDays: 10, PerCase: 2, Divergence: 100,
		ThirdOnGrades: true, ThirdOnUnqualified: true, ThirdOnVeto: true}
}

// ReviewSample is one drawing of files from the review scope, with the seed that reproduces it.
type ReviewSample struct {
	ID         uint64    `gorm:"primaryKey"`
	CampaignID uint64    `gorm:"not null;index"`
	Seed       int64     `gorm:"not null"`
	Mode       string    `gorm:"size:16;not null"` // all, percent, case_nos
	Percent    int       `gorm:"not null;default:0"`
	CaseNos    string    `gorm:"type:text"`
	Picked     int       `gorm:"not null;default:0"`
	CreatedBy  uint64    `gorm:"not null"`
	CreatedAt  time.Time `gorm:"not null"`
}

// ReviewFile is a sampled case file (卷宗) of a campaign: its hand-in and receipt, and once its
// sheets are in, its final result (FinalScore in tenths of a point). One row per (campaign, case).
type ReviewFile struct {
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

// ReviewSheet is one reviewer's scoresheet (评分表) on one file: the assignment and the scoring in
// one row. Slot numbers the file's sheets (1..per_case, then the third reviewer's), so a file is
// never given twice even by racing runs. Score is in tenths, as internal/review computes it.
type ReviewSheet struct {
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

// ReviewItem is one item's entry on a sheet; items without a row keep their full marks.
// Deduction is in tenths of a point.
type ReviewItem struct {
	ID            uint64 `gorm:"primaryKey"`
	SheetID       uint64 `gorm:"not null;uniqueIndex:idx_review_items_code,priority:1"`
	Code          string `gorm:"size:32;not null;uniqueIndex:idx_review_items_code,priority:2"`
	Deduction     int64  `gorm:"not null;default:0"`
	Reason        string `gorm:"size:500;not null;default:''"`
	NotApplicable bool   `gorm:"not null;default:false"`
}

// ReviewerConflict is a reviewer's declaration (回避申报) that they must not review a case, or any
// case of a handler, in a campaign.
type ReviewerConflict struct {
	ID         uint64    `gorm:"primaryKey"`
	CampaignID uint64    `gorm:"not null;index:idx_reviewer_conflicts,priority:1"`
	ReviewerID uint64    `gorm:"not null;index:idx_reviewer_conflicts,priority:2"`
	CaseID     *uint64   `gorm:"index"`
	HandlerID  *uint64   `gorm:"index"`
	Reason     string    `gorm:"size:500;not null;default:''"`
	CreatedAt  time.Time `gorm:"not null"`
}
