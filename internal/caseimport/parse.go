package caseimport

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"fayuan/internal/recipient"
	"fayuan/model"
)

// source is a sheet read row by row.
type source interface {
	// Next advances to the next row; false at the end or on an error.
	Next() bool
	// Cells are the current row's cells, as text (date cells as their raw serial).
	Cells() []string
	// Line is the current row's number as the spreadsheet shows it.
	Line() int
	Err() error
	Close() error
	date1904() bool
}

// headerSearch is how many rows above the header a title may take.
const headerSearch = 10

// Parse reads the spooled upload into normalised rows and their issues. A file that cannot be
// read as a spreadsheet, or that has too many rows, is an error (*model.Error); bad rows and a
// bad header are reported in the result. The header is the first row naming 案号 within the
// first ten (titles may sit above it). today ("YYYY-MM-DD", Asia/Shanghai) bounds every date,
// as the case form does.
func Parse(ctx context.Context, u *Upload, lim Limits, today string) (*Parsed, error) {
	src, err := open(u, lim)
	if err != nil {
		return nil, err
	}
	defer src.Close()

	p := &Parsed{position: map[string]int{}}
	var first []string
	firstLine := 0
	for src.Next() {
		cells := src.Cells()
		if firstLine == 0 && !blank(cells) {
			first, firstLine = append([]string(nil), cells...), src.Line()
		}
		if isHeader(cells) {
			first, firstLine = append([]string(nil), cells...), src.Line()
			break
		}
		if src.Line() >= headerSearch {
			break
		}
	}
	if err := src.Err(); err != nil {
		return nil, err
	}
	if firstLine == 0 {
		return nil, &model.Error{Status: http.StatusUnprocessableEntity, Code: "file_empty", Message: "文件中没有任何内容"}
	}
	p.HeaderRow = firstLine
	l, issues := readHeader(first, firstLine)
	p.Present = l.present
	for _, f := range l.order {
		p.position[f.Name()] = l.index[f]
	}
	if len(issues) > 0 {
		p.HeaderIssues = issues
		return p, nil
	}

	seen := map[string]int{} // case number key → the row it first appeared on
	shared := interner{}
	for src.Next() {
		cells := src.Cells()
		if blank(cells) {
			continue
		}
		if p.DataRows++; p.DataRows > lim.MaxRows {
			return nil, (&model.Error{Status: http.StatusUnprocessableEntity, Code: "too_many_rows",
				Message: "文件超过 " + strconv.Itoa(lim.MaxRows) + " 行，请分成几个文件导入"}).WithDetails(map[string]any{"max_rows": lim.MaxRows})
		}
		if p.DataRows%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		row, bad := readRow(cells, src.Line(), &l, src.date1904(), today)
		shared.row(&row)
		if row.CaseNo != "" {
			key := Key(row.CaseNo)
			if prev, dup := seen[key]; dup {
				bad = append(bad, Issue(row.Line, CaseNo, "案号与第 "+strconv.Itoa(prev)+" 行重复"))
			} else {
				seen[key] = row.Line
			}
		}
		if len(bad) > 0 {
			p.BadRows++
			p.Issues = append(p.Issues, bad...)
			continue
		}
		p.Rows = append(p.Rows, row)
	}
	if err := src.Err(); err != nil {
		return nil, err
	}
	p.SortIssues(p.Issues)
	return p, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimFunc(c, isSpace) != "" {
			return false
		}
	}
	return true
}

// readRow normalises one data row, checking every present column in file order, then the
// order of its dates.
func readRow(cells []string, line int, l *layout, date1904 bool, today string) (Row, []model.ImportIssue) {
	r := Row{Line: line}
	var issues []model.ImportIssue
	bad := FieldSet(0)
	for _, f := range l.order {
		raw := ""
		if i := l.index[f]; i < len(cells) {
			raw = cells[i]
		}
		if err := setField(&r, f, raw, date1904); err != nil {
			issues = append(issues, Issue(line, f, err.Error()))
			bad.add(f)
		}
	}
	return r, append(issues, checkDates(&r, l.present&^bad, today)...)
}

// checkDates applies the case form's rules to the dates the row has (and got right): none
// after today; accepted, assigned, closed and archived in that order; only a closed case
// archived.
func checkDates(r *Row, ok FieldSet, today string) []model.ImportIssue {
	var issues []model.ImportIssue
	last := ""
	for _, d := range []struct {
		f Field
		v string
	}{{AcceptedOn, r.AcceptedOn}, {AssignedOn, r.AssignedOn}, {ClosedOn, r.ClosedOn}, {ArchivedOn, r.ArchivedOn}} {
		switch {
		case !ok.Has(d.f) || d.v == "":
		case d.v > today:
			issues = append(issues, Issue(r.Line, d.f, "不能晚于今天"))
		case d.v < last:
			issues = append(issues, Issue(r.Line, d.f, "不能早于之前的日期（受理、指派、结案、归档依次排列）"))
		default:
			last = d.v
		}
	}
	if ok.Has(ArchivedOn) && r.ArchivedOn != "" && r.ClosedOn == "" && ok.Has(ClosedOn) {
		issues = append(issues, Issue(r.Line, ArchivedOn, "未结案的案件不能归档"))
	}
	return issues
}

var errScientific = errors.New("身份证号被 Excel 存成了数字（科学计数法），末几位已丢失；请把该列设为文本后重新填写")

// setField parses raw into r's field f.
func setField(r *Row, f Field, raw string, date1904 bool) (err error) {
	switch f {
	case CaseNo:
		r.CaseNo, err = required(ident(raw), 64)
	case Category:
		r.Category, err = parseCategory(raw)
	case Source:
		r.Source, err = parseSource(raw)
	case Cause:
		r.Cause, err = required(text(raw), 200)
	case Recipient:
		r.Recipient, err = required(ident(raw), 64)
	case Phone:
		r.Phone, err = recipient.NormalizePhone(squeeze(raw))
	case IDNumber:
		if s := squeeze(raw); strings.ContainsAny(s, "Ee") && strings.Contains(s, "+") {
			return errScientific
		}
		r.IDNumber, err = recipient.NormalizeIDNumber(squeeze(raw))
	case Town:
		r.Town, err = optional(ident(raw), 64)
	case Village:
		r.Village, err = optional(ident(raw), 64)
	case Handler:
		r.Handler, err = required(ident(raw), 64)
	case Org:
		r.Org, err = required(ident(raw), 100)
	case ClosedOn:
		r.ClosedOn, err = parseDate(raw, date1904)
	case ArchivedOn:
		r.ArchivedOn, err = parseDate(raw, date1904)
	case Subsidy:
		r.SubsidyCents, err = parseMoney(raw)
	case AcceptedOn:
		r.AcceptedOn, err = parseDate(raw, date1904)
	case AssignedOn:
		r.AssignedOn, err = parseDate(raw, date1904)
	case ServiceType:
		r.ServiceType, err = optional(text(raw), 32)
	case Group:
		r.Group, err = parseGroup(raw)
	case Address:
		r.Address, err = optional(text(raw), 200)
	case ClosingMethod:
		r.ClosingMethod, err = optional(text(raw), 32)
	case CourtOrOrgan:
		r.CourtOrOrgan, err = optional(ident(raw), 100)
	case Notes:
		r.Notes, err = optional(text(raw), 1000)
	}
	return err
}

var errRequired = errors.New("不能为空")

func required(s string, n int) (string, error) {
	if s == "" {
		return "", errRequired
	}
	return optional(s, n)
}

func optional(s string, n int) (string, error) {
	if err := maxLen(s, n); err != nil {
		return "", err
	}
	return s, nil
}

// interner shares one copy of the values that repeat from row to row (places, handlers,
// organisations, causes, dates): a 100,000-row file holds a few thousand of them.
type interner map[string]string

const maxInterned = 100_000

func (in interner) str(s *string) {
	if v, ok := in[*s]; ok {
		*s = v
	} else if len(in) < maxInterned {
		in[*s] = *s
	}
}

func (in interner) row(r *Row) {
	for _, s := range []*string{&r.Cause, &r.Town, &r.Village, &r.Handler, &r.Org, &r.ClosedOn, &r.ArchivedOn,
		&r.AcceptedOn, &r.AssignedOn, &r.ServiceType, &r.ClosingMethod, &r.CourtOrOrgan} {
		in.str(s)
	}
}
