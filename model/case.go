package model

import "time"

// Category is the kind of legal-aid case (案件类别).
type Category string

// The categories.
const (
	CategoryCriminal       Category = "criminal"
	CategoryCivil          Category = "civil"
	CategoryAdministrative Category = "administrative"
	CategoryNonLitigation  Category = "non_litigation"
)

// CategoryLabels are the spreadsheet's and the screen's words for each category.
var CategoryLabels = map[Category]string{
	CategoryCriminal: "刑事", CategoryCivil: "民事", CategoryAdministrative: "行政", CategoryNonLitigation: "非诉讼",
}

// Source is how the case came to the aid centre (案件来源).
type Source string

// The sources: the recipient applied, or a court, procuratorate or police notified the centre.
const (
	SourceApplication Source = "application"
	SourceNotified    Source = "notified"
)

// SourceLabels are the Chinese words for each source.
var SourceLabels = map[Source]string{SourceApplication: "申请", SourceNotified: "通知/指派"}

// RecipientGroup is the recipient's group for the statistics the bureau reports.
type RecipientGroup string

// The groups.
const (
	GroupElderly  RecipientGroup = "elderly"
	GroupDisabled RecipientGroup = "disabled"
	GroupMinor    RecipientGroup = "minor"
	GroupWoman    RecipientGroup = "woman"
	GroupOther    RecipientGroup = "other"
)

// Case is one legal-aid case (法律援助案件). The recipient's phone, ID number and address are
// stored encrypted (…Enc) with a keyed hash (…Hash) for exact search; never in plaintext.
// Dates are calendar dates in Asia/Shanghai, stored as "YYYY-MM-DD" so they sort and compare
// the same on SQLite and MySQL. A case with no ClosedOn is open.
type Case struct {
	ID          uint64   `gorm:"primaryKey"`
	CaseNo      string   `gorm:"size:64;not null;uniqueIndex"`
	Category    Category `gorm:"size:16;not null;index:idx_cases_scope,priority:2"`
	Source      Source   `gorm:"size:16;not null;index:idx_cases_scope,priority:1"`
	Cause       string   `gorm:"size:200;not null"`
	ServiceType string   `gorm:"size:32"`

	RecipientName      string         `gorm:"size:64;not null;index"`
	RecipientPhoneEnc  string         `gorm:"size:255"`
	RecipientPhoneHash string         `gorm:"size:64;index"`
	RecipientIDEnc     string         `gorm:"column:recipient_id_enc;size:255"`
	RecipientIDHash    string         `gorm:"column:recipient_id_hash;size:64;index"`
	RecipientGender    string         `gorm:"size:8"` // male, female, or empty when no ID number
	RecipientBirthDate *string        `gorm:"size:10"`
	RecipientGroup     RecipientGroup `gorm:"size:16"`
	Town               string         `gorm:"size:64;index"`
	Village            string         `gorm:"size:64"`
	AddressEnc         string         `gorm:"size:1024"`

	HandlerID    *uint64 `gorm:"index"`
	HandlerName  string  `gorm:"size:64;index"`
	HandlerOrgID *uint64 `gorm:"index"`

	AcceptedOn    *string `gorm:"size:10"`
	AssignedOn    *string `gorm:"size:10"`
	ClosedOn      *string `gorm:"size:10;index;index:idx_cases_scope,priority:3"`
	ArchivedOn    *string `gorm:"size:10"`
	ClosingMethod string  `gorm:"size:32"`
	CourtOrOrgan  string  `gorm:"size:100"`
	SubsidyCents  int64   `gorm:"not null;default:0"`
	Notes         string  `gorm:"size:1000"`

	// RowHash is the hash of the normalised import row, so re-importing an unchanged row is
	// recognised without decrypting anything.
	RowHash   string `gorm:"size:64"`
	Version   int    `gorm:"not null;default:1"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Handler is a case handler (承办人), a lawyer or legal worker, known by name within their
// organisation: two 王军 in two firms are two people. UserID links the handler's account.
type Handler struct {
	ID        uint64  `gorm:"primaryKey"`
	OrgID     uint64  `gorm:"not null;uniqueIndex:idx_handlers_org_name,priority:1"`
	Name      string  `gorm:"size:64;not null;uniqueIndex:idx_handlers_org_name,priority:2"`
	UserID    *uint64 `gorm:"index"`
	CreatedAt time.Time
}

// CaseAssignment gives a case to a staff member for one phase of one campaign: one row per
// (campaign, phase, case), moved (never duplicated) on reassignment; assignment_events keep
// the history. Status, Attempts, LastOutcome and LastAttemptAt summarise the phase's records
// for the work list, kept by the feature that writes those records, in the same transaction.
type CaseAssignment struct {
	ID            uint64 `gorm:"primaryKey"`
	CampaignID    uint64 `gorm:"not null;uniqueIndex:idx_assign_once,priority:1;index:idx_assign_user,priority:1;index:idx_assign_status,priority:1"`
	Phase         string `gorm:"size:16;not null;uniqueIndex:idx_assign_once,priority:2;index:idx_assign_user,priority:3;index:idx_assign_status,priority:2"`
	CaseID        uint64 `gorm:"not null;uniqueIndex:idx_assign_once,priority:3;index"`
	UserID        uint64 `gorm:"not null;index;index:idx_assign_user,priority:2"`
	RunID         uint64 `gorm:"not null;default:0;index"`
	Status        string `gorm:"size:16;not null;default:'pending';index:idx_assign_status,priority:3"`
	Attempts      int    `gorm:"not null;default:0"`
	LastOutcome   string `gorm:"size:16;not null;default:''"`
	LastAttemptAt *time.Time
	CreatedAt     time.Time `gorm:"not null"`
	UpdatedAt     time.Time `gorm:"autoUpdateTime:false"`
	// The case's town, village and number, copied so that the work list is read in order from
	// one index (migration v15); service.copyCaseKeys keeps them equal to the case's.
	Town    string `gorm:"size:64;not null;default:''"`
	Village string `gorm:"size:64;not null;default:''"`
	CaseNo  string `gorm:"size:64;not null;default:''"`
}
