// Package caseimport reads the legal-aid cases spreadsheets the bureaus get — .xlsx workbooks
// and CSV files saved by Chinese Windows Excel — into normalised rows, and reports every bad
// cell with the spreadsheet's own row number. It is pure: no database. The upload is spooled to
// a temporary file first (never held in memory), its type is read from its content, not its
// name, and a workbook's zip directory is checked before anything is inflated.
package caseimport

import (
	"strconv"
	"strings"

	"fayuan/model"
)

// Limits bound what one import may cost.
type Limits struct {
	MaxBytes int64 // the uploaded file
	MaxRows  int   // data rows, blank rows not counted
	// MaxUnzipped bounds a workbook's total inflated size and MaxRatio the inflated ÷ compressed
	// size of any sizeable part, so a zip bomb is refused from its directory alone.
	MaxUnzipped int64
	MaxRatio    int64
	// MaxInMemory bounds the parts excelize keeps in memory (everything but large worksheets
	// and shared strings, which it spills to TmpDir).
	MaxInMemory int64
	TmpDir      string // "" = the system's temporary directory
}

// DefaultLimits are the limits the server runs with unless configured otherwise.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 20 << 20, MaxRows: 200_000, MaxUnzipped: 1 << 30, MaxRatio: 100, MaxInMemory: 128 << 20}
}

// Field is one column the import understands.
type Field int

// The fields, in the order the template shows them: the contract's columns, then the optional
// extras.
const (
	CaseNo Field = iota
	Category
	Source
	Cause
	Recipient
	Phone
	IDNumber
	Town
	Village
	Handler
	Org
	ClosedOn
	ArchivedOn
	Subsidy
	AcceptedOn
	AssignedOn
	ServiceType
	Group
	Address
	ClosingMethod
	CourtOrOrgan
	Notes
	numFields
)

// Name is the column's header as the contract spells it.
func (f Field) Name() string { return columns[f].name }

// Required reports whether a file without this column is refused.
func (f Field) Required() bool { return columns[f].required }

// Fields lists every field in template order.
func Fields() []Field {
	out := make([]Field, numFields)
	for i := range out {
		out[i] = Field(i)
	}
	return out
}

// FieldSet is the set of columns a file has.
type FieldSet uint32

// Has reports whether f is in the set.
func (s FieldSet) Has(f Field) bool { return s&(1<<f) != 0 }

func (s *FieldSet) add(f Field) { *s |= 1 << f }

// Row is one good data row, normalised: dates "YYYY-MM-DD" or "", the phone and ID number in
// the canonical forms of package recipient, the subsidy in cents.
type Row struct {
	Line          int // the spreadsheet's row number
	CaseNo        string
	Category      model.Category
	Source        model.Source
	Cause         string
	Recipient     string
	Phone         string
	IDNumber      string
	Town          string
	Village       string
	Handler       string
	Org           string
	ClosedOn      string
	ArchivedOn    string
	SubsidyCents  int64
	AcceptedOn    string
	AssignedOn    string
	ServiceType   string
	Group         model.RecipientGroup
	Address       string
	ClosingMethod string
	CourtOrOrgan  string
	Notes         string
}

// value is the normalised text of one field of the row.
func (r *Row) value(f Field) string {
	switch f {
	case CaseNo:
		return r.CaseNo
	case Category:
		return string(r.Category)
	case Source:
		return string(r.Source)
	case Cause:
		return r.Cause
	case Recipient:
		return r.Recipient
	case Phone:
		return r.Phone
	case IDNumber:
		return r.IDNumber
	case Town:
		return r.Town
	case Village:
		return r.Village
	case Handler:
		return r.Handler
	case Org:
		return r.Org
	case ClosedOn:
		return r.ClosedOn
	case ArchivedOn:
		return r.ArchivedOn
	case Subsidy:
		return strconv.FormatInt(r.SubsidyCents, 10)
	case AcceptedOn:
		return r.AcceptedOn
	case AssignedOn:
		return r.AssignedOn
	case ServiceType:
		return r.ServiceType
	case Group:
		return string(r.Group)
	case Address:
		return r.Address
	case ClosingMethod:
		return r.ClosingMethod
	case CourtOrOrgan:
		return r.CourtOrOrgan
	case Notes:
		return r.Notes
	}
	return ""
}

// Canonical is the row as one string — the columns the file has, by name, in a fixed order —
// for the row hash that recognises an unchanged row on re-import. It holds personal data: hash
// it with a key, never store it.
func (r *Row) Canonical(present FieldSet) string {
	var b strings.Builder
	b.WriteString("v1")
	for f := Field(0); f < numFields; f++ {
		if present.Has(f) {
			b.WriteByte(0x1e)
			b.WriteString(columns[f].name)
			b.WriteByte(0x1f)
			b.WriteString(r.value(f))
		}
	}
	return b.String()
}

// Key folds a case number, an organisation's or a handler's name for matching, the way
// MySQL's case-insensitive collation compares them, so both databases match alike.
func Key(s string) string { return strings.ToUpper(s) }

// Parsed is what a file holds.
type Parsed struct {
	Rows      []Row               // the good rows, in file order
	Issues    []model.ImportIssue // every problem of a data row, by row then column
	BadRows   int                 // data rows with at least one issue
	DataRows  int                 // data rows read, blank rows not counted
	Present   FieldSet            // the columns the header has
	HeaderRow int
	// HeaderIssues are problems of the file as a whole (a missing or repeated column): no row
	// can be imported.
	HeaderIssues []model.ImportIssue
	position     map[string]int // column name → its index in the file, for ordering issues
}

// Issue makes an issue of a data row, for problems only the database can see.
func Issue(line int, f Field, msg string) model.ImportIssue {
	return model.ImportIssue{Row: line, Column: f.Name(), Message: msg}
}

// SortIssues orders issues by row, then by the column's position in the file.
func (p *Parsed) SortIssues(issues []model.ImportIssue) {
	sortIssues(issues, p.position)
}
