package service

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fayuan/internal/pii"
	"fayuan/model"
)

// caseForm normalises and checks what a manager sends for a case, collecting every bad field
// so that one 422 names them all.
type caseForm struct {
	bad   map[string]string
	today string // in Asia/Shanghai: no date of a case lies after it
}

func newCaseForm(now time.Time) *caseForm {
	return &caseForm{bad: map[string]string{}, today: now.In(model.Shanghai).Format(time.DateOnly)}
}

func (f *caseForm) err() error {
	if len(f.bad) > 0 {
		return model.Invalid(f.bad)
	}
	return nil
}

// text trims v and checks its length in characters.
func (f *caseForm) text(field, v string, max int, required bool) string {
	v = strings.TrimSpace(v)
	switch n := utf8.RuneCountInString(v); {
	case required && n == 0:
		f.bad[field] = "不能为空"
	case n > max:
		f.bad[field] = "最多 " + strconv.Itoa(max) + " 个字"
	}
	return v
}

// date reads a calendar date YYYY-MM-DD; "" is no date.
func (f *caseForm) date(field, v string) *string {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil || d.Year() < 1900 {
		f.bad[field] = "日期格式应为 YYYY-MM-DD"
		return nil
	}
	v = d.Format(time.DateOnly)
	if v > f.today {
		f.bad[field] = "不能晚于今天"
	}
	return &v
}

// subsidy converts yuan to cents; more than two decimals is refused rather than rounded away.
func (f *caseForm) subsidy(v *float64) int64 {
	if v == nil {
		return 0
	}
	cents := math.Round(*v * 100)
	switch {
	case *v < 0:
		f.bad["subsidy"] = "不能为负数"
	case *v > 10_000_000:
		f.bad["subsidy"] = "金额过大"
	case math.Abs(*v*100-cents) > 1e-6:
		f.bad["subsidy"] = "最多两位小数（元）"
	default:
		return int64(cents)
	}
	return 0
}

func (f *caseForm) category(v model.Category) model.Category {
	if !v.Valid() {
		f.bad["category"] = "案件类别应为 criminal、civil、administrative 或 non_litigation"
	}
	return v
}

func (f *caseForm) source(v model.Source) model.Source {
	if !v.Valid() {
		f.bad["source"] = "案件来源应为 application 或 notified"
	}
	return v
}

func (f *caseForm) group(v model.RecipientGroup) model.RecipientGroup {
	if v != "" && !v.Valid() {
		f.bad["recipient.group"] = "受援人类别应为 elderly、disabled、minor、woman 或 other"
	}
	return v
}

func (f *caseForm) caseNo(v string) string {
	n := NormalizeCaseNo(v)
	switch l := utf8.RuneCountInString(n); {
	case l == 0:
		f.bad["case_no"] = "不能为空"
	case l > 64:
		f.bad["case_no"] = "最多 64 个字"
	}
	return n
}

// seal stores the personal fields, adding a bad phone or ID number to the form's fields.
func (f *caseForm) seal(v *pii.Vault, c *model.Case, phone, idNumber, address string) error {
	if utf8.RuneCountInString(strings.TrimSpace(address)) > 200 {
		f.bad["recipient.address"] = "最多 200 个字"
		return nil
	}
	err := SealRecipient(v, c, phone, idNumber, address)
	if e, ok := model.AsError(err); ok {
		if fields, ok := e.Details["fields"].(map[string]string); ok {
			for k, msg := range fields {
				f.bad[k] = msg
			}
			return nil
		}
	}
	return err
}

// dates checks that the case's dates follow each other: accepted, assigned, closed, archived;
// and that only a closed case is archived.
func (f *caseForm) dates(c *model.Case) {
	order := []struct {
		field string
		v     *string
	}{{"accepted_on", c.AcceptedOn}, {"assigned_on", c.AssignedOn}, {"closed_on", c.ClosedOn}, {"archived_on", c.ArchivedOn}}
	var last *string
	for _, d := range order {
		if d.v == nil || f.bad[d.field] != "" {
			continue
		}
		if last != nil && *d.v < *last {
			f.bad[d.field] = "不能早于之前的日期（受理、指派、结案、归档依次排列）"
		}
		last = d.v
	}
	if c.ArchivedOn != nil && c.ClosedOn == nil && f.bad["archived_on"] == "" {
		f.bad["archived_on"] = "未结案的案件不能归档"
	}
}

// create builds a new case from the request; the personal fields are sealed separately.
func (f *caseForm) create(req model.CreateCaseRequest) model.Case {
	c := model.Case{
		CaseNo:         f.caseNo(req.CaseNo),
		Category:       f.category(req.Category),
		Source:         f.source(req.Source),
		Cause:          f.text("cause", req.Cause, 200, true),
		ServiceType:    f.text("service_type", req.ServiceType, 32, false),
		RecipientName:  f.text("recipient.name", req.Recipient.Name, 64, true),
		RecipientGroup: f.group(req.Recipient.Group),
		Town:           f.text("recipient.town", req.Recipient.Town, 64, false),
		Village:        f.text("recipient.village", req.Recipient.Village, 64, false),
		AcceptedOn:     f.date("accepted_on", req.AcceptedOn),
		AssignedOn:     f.date("assigned_on", req.AssignedOn),
		ClosedOn:       f.date("closed_on", req.ClosedOn),
		ArchivedOn:     f.date("archived_on", req.ArchivedOn),
		ClosingMethod:  f.text("closing_method", req.ClosingMethod, 32, false),
		CourtOrOrgan:   f.text("court_or_organ", req.CourtOrOrgan, 100, false),
		SubsidyCents:   f.subsidy(req.Subsidy),
		Notes:          f.text("notes", req.Notes, 1000, false),
	}
	f.dates(&c)
	return c
}

// update applies the request's present fields to c, re-sealing the personal fields when one
// of them changes.
func (f *caseForm) update(v *pii.Vault, c *model.Case, req model.UpdateCaseRequest) error {
	if req.CaseNo != nil {
		c.CaseNo = f.caseNo(*req.CaseNo)
	}
	if req.Category != nil {
		c.Category = f.category(*req.Category)
	}
	if req.Source != nil {
		c.Source = f.source(*req.Source)
	}
	setText := func(dst *string, field string, v *string, max int, required bool) {
		if v != nil {
			*dst = f.text(field, *v, max, required)
		}
	}
	setDate := func(dst **string, field string, v *string) {
		if v != nil {
			*dst = f.date(field, *v)
		}
	}
	setText(&c.Cause, "cause", req.Cause, 200, true)
	setText(&c.ServiceType, "service_type", req.ServiceType, 32, false)
	setDate(&c.AcceptedOn, "accepted_on", req.AcceptedOn)
	setDate(&c.AssignedOn, "assigned_on", req.AssignedOn)
	setDate(&c.ClosedOn, "closed_on", req.ClosedOn)
	setDate(&c.ArchivedOn, "archived_on", req.ArchivedOn)
	setText(&c.ClosingMethod, "closing_method", req.ClosingMethod, 32, false)
	setText(&c.CourtOrOrgan, "court_or_organ", req.CourtOrOrgan, 100, false)
	setText(&c.Notes, "notes", req.Notes, 1000, false)
	if req.Subsidy != nil {
		c.SubsidyCents = f.subsidy(req.Subsidy)
	}
	f.dates(c)
	r := req.Recipient
	if r == nil {
		return nil
	}
	setText(&c.RecipientName, "recipient.name", r.Name, 64, true)
	setText(&c.Town, "recipient.town", r.Town, 64, false)
	setText(&c.Village, "recipient.village", r.Village, 64, false)
	if r.Group != nil {
		c.RecipientGroup = f.group(*r.Group)
	}
	if r.Phone == nil && r.IDNumber == nil && r.Address == nil {
		return nil
	}
	phone, err := v.Decrypt(c.RecipientPhoneEnc)
	if err != nil {
		return err
	}
	id, err := v.Decrypt(c.RecipientIDEnc)
	if err != nil {
		return err
	}
	addr, err := v.Decrypt(c.AddressEnc)
	if err != nil {
		return err
	}
	for _, p := range []struct{ dst, src *string }{{&phone, r.Phone}, {&id, r.IDNumber}, {&addr, r.Address}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	return f.seal(v, c, phone, id, addr)
}

// NormalizeCaseNo is the form a case number is stored and matched in: full-width letters, digits
// and punctuation folded to ASCII (Chinese brackets such as 〔〕 stay), spaces trimmed. The
// import uses it too, so a number typed in either width finds the same case.
func NormalizeCaseNo(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '！' && r <= '～':
			b.WriteRune(r - '！' + '!')
		case r == '\u3000':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}
