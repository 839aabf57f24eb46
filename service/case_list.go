package service

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"fayuan/internal/recipient"
	"fayuan/model"
)

// allSources are every source a case may have.
var allSources = []model.Source{model.SourceApplication, model.SourceNotified}

var errSearchForbidden = model.Forbidden("search_forbidden", "只有管理人员可以按电话或身份证号查找案件")

// List answers the case list: the cases by may see, filtered, newest closing date first (open
// cases last), then by id, so pages never overlap or skip when dates tie.
//
// The query is built for a million cases on MariaDB (figures from a 1M-row table, in the report
// of issue 3):
//   - every filter is an equality or a range on an indexed column (closed_on; source, category,
//     closed_on together in idx_cases_scope; town; handler_id; handler_name; handler_org_id;
//     the keyed hashes), and the order closed_on, id is the closed_on index itself (InnoDB
//     appends the primary key to it), so a page is a short backward index scan, not a sort;
//   - a category without a source is asked as "source IN (both sources) AND category …", which
//     is the same set (source is never anything else) but lets idx_cases_scope serve it:
//     MariaDB has no skip scan, and without this a count of one category over a date range
//     reads the table row by row (seconds instead of milliseconds);
//   - a page is found as ids first (an index-only scan, however deep the offset) and the rows
//     are read by primary key after: reading whole rows to skip them made page 5,000 take
//     seconds;
//   - open cases all have a NULL closing date, so their order is by id alone, which the primary
//     key gives without sorting;
//   - q never becomes a leading-wildcard LIKE, which would read the whole table: it matches a
//     case number by prefix (an index range) and a recipient's or handler's name exactly (index
//     lookups). The three lookups are a UNION in a derived table joined on the primary key, as
//     an OR across three columns would make MySQL give up the indexes;
//   - the caller's scope is likewise a small derived table (their assignments, their handler's
//     cases) joined on the primary key, rather than "id IN (…) OR handler_id IN (…)", which
//     MariaDB runs as a dependent subquery per row;
//   - phone and ID number are matched by their keyed hash: the plaintext is not in the database.
//
// The total is an exact COUNT over the same conditions up to CaseCountCap; past it the list says
// total_capped. An exact count of a filter matching a quarter of a million cases reads that many
// index entries (close to a second on MariaDB), which a page of 20 does not need; the progress
// and export endpoints give exact figures.
func (s *Cases) List(ctx context.Context, by model.Actor, f model.CaseFilter) (*model.List[model.CaseResponse], error) {
	if !by.Is(caseReaderRoles...) {
		return nil, model.ErrRoleForbidden
	}
	if (f.Phone != "" || f.IDNumber != "") && !by.Is(model.RoleManager) {
		return nil, errSearchForbidden
	}
	out := &model.List[model.CaseResponse]{Items: []model.CaseResponse{}, Page: f.Page.Page, PageSize: f.Page.PageSize}
	db := s.db.WithContext(ctx)
	q, err := s.filter(db.Model(&model.Case{}), f, by.Is(model.RoleManager, model.RoleStaff))
	if err != nil {
		return nil, err
	}
	q, visible := scopeCases(q, by)
	if !visible {
		return out, nil
	}
	q = q.Session(&gorm.Session{}) // counted, then paged: each use starts from these conditions
	if err := countCapped(db, q, out); err != nil {
		return nil, err
	}
	dir := " DESC"
	if f.Ascending {
		dir = " ASC"
	}
	order := "cases.closed_on" + dir + ", cases.id" + dir
	if f.Status == model.CaseOpen {
		order = "cases.id" + dir
	}
	var pageIDs []uint64
	if err := q.Order(order).Offset(f.Page.Offset()).Limit(f.Page.PageSize).Pluck("cases.id", &pageIDs).Error; err != nil {
		return nil, err
	}
	rows, err := casesInOrder(db, pageIDs)
	if err != nil {
		return nil, err
	}
	orgIDs := make([]*uint64, len(rows))
	for i := range rows {
		orgIDs[i] = rows[i].HandlerOrgID
	}
	orgs, err := loadOrgs(db, orgIDs...)
	if err != nil {
		return nil, err
	}
	phases, err := assignedPhases(db, by, pageIDs)
	if err != nil {
		return nil, err
	}
	out.Items = make([]model.CaseResponse, len(rows))
	for i := range rows {
		lvl, ok := assignedLevel(by, phases[rows[i].ID])
		switch {
		case by.Is(model.RoleManager) && (!ok || lvl == levelRecognise):
			lvl = levelManager
		case !ok:
			lvl = levelRecognise // a handler's own case
		}
		// A list shows many cases at once, so even the assigned staff member sees phones
		// masked here; the full phone is on the case's detail, where its read is audited.
		if out.Items[i], err = s.response(&rows[i], lvl, false, orgs); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// filter applies f's conditions, checking each value (422 naming the parameter).
// seesNames is false for handlers and reviewers, who see recipients' names masked: q must not
// let them confirm a guessed full name either.
func (s *Cases) filter(q *gorm.DB, f model.CaseFilter, seesNames bool) (*gorm.DB, error) {
	bad := map[string]string{}
	date := func(field, v string) string {
		if v == "" {
			return ""
		}
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			bad[field] = "日期格式应为 YYYY-MM-DD"
			return ""
		}
		return v
	}
	from, to := date("closed_from", f.ClosedFrom), date("closed_to", f.ClosedTo)
	if from != "" && to != "" && from > to {
		bad["closed_to"] = "不能早于 closed_from"
	}
	for _, c := range f.Categories {
		if !c.Valid() {
			bad["category"] = "案件类别应为 criminal、civil、administrative 或 non_litigation"
		}
	}
	for _, x := range f.Sources {
		if !x.Valid() {
			bad["source"] = "案件来源应为 application 或 notified"
		}
	}
	if f.Status != "" && f.Status != model.CaseOpen && f.Status != model.CaseClosed {
		bad["status"] = "状态应为 open 或 closed"
	}
	phone, err := recipient.NormalizePhone(f.Phone)
	if err != nil {
		bad["phone"] = err.Error()
	}
	idNumber, err := recipient.NormalizeIDNumber(f.IDNumber)
	if err != nil {
		bad["id_number"] = err.Error()
	}
	if len(bad) > 0 {
		return nil, model.Invalid(bad)
	}
	if from != "" {
		q = q.Where("cases.closed_on >= ?", from)
	}
	if to != "" {
		q = q.Where("cases.closed_on <= ?", to)
	}
	if len(f.Categories) > 0 {
		q = q.Where("cases.category IN ?", f.Categories)
	}
	switch {
	case len(f.Sources) > 0:
		q = q.Where("cases.source IN ?", f.Sources)
	case len(f.Categories) > 0:
		q = q.Where("cases.source IN ?", allSources) // the same set, through idx_cases_scope (see List)
	}
	if f.HandlerID != 0 {
		q = q.Where("cases.handler_id = ?", uint64(f.HandlerID))
	}
	if name := strings.TrimSpace(f.HandlerName); name != "" {
		q = q.Where("cases.handler_name = ?", name)
	}
	if f.OrgID != 0 {
		q = q.Where("cases.handler_org_id = ?", uint64(f.OrgID))
	}
	if town := strings.TrimSpace(f.Town); town != "" {
		q = q.Where("cases.town = ?", town)
	}
	switch f.Status {
	case model.CaseOpen:
		q = q.Where("cases.closed_on IS NULL")
	case model.CaseClosed:
		q = q.Where("cases.closed_on IS NOT NULL")
	}
	if phone != "" {
		q = q.Where("cases.recipient_phone_hash = ?", s.vault.Hash(phone))
	}
	if idNumber != "" {
		q = q.Where("cases.recipient_id_hash = ?", s.vault.Hash(idNumber))
	}
	if text := strings.TrimSpace(f.Q); text != "" && !seesNames {
		q = q.Joins("JOIN (SELECT id FROM cases WHERE case_no LIKE ? ESCAPE '!'"+
			" UNION SELECT id FROM cases WHERE handler_name = ?) AS matched ON matched.id = cases.id",
			escapeLike(NormalizeCaseNo(text))+"%", text)
	} else if text != "" {
		q = q.Joins("JOIN (SELECT id FROM cases WHERE case_no LIKE ? ESCAPE '!'"+
			" UNION SELECT id FROM cases WHERE recipient_name = ?"+
			" UNION SELECT id FROM cases WHERE handler_name = ?) AS matched ON matched.id = cases.id",
			escapeLike(NormalizeCaseNo(text))+"%", text, text)
	}
	return q, nil
}

// scopeCases limits q to the cases by may see (see levelOf for the rule); visible is false when
// by may see none at all.
func scopeCases(q *gorm.DB, by model.Actor) (*gorm.DB, bool) {
	if by.Is(model.RoleManager) {
		return q, true
	}
	var parts []string
	var args []any
	if by.Is(model.RoleStaff, model.RoleReviewer) {
		parts = append(parts, "SELECT DISTINCT case_id AS id FROM case_assignments WHERE user_id = ?")
		args = append(args, by.UserID)
	}
	if by.Is(model.RoleHandler) {
		parts = append(parts, "SELECT own.id FROM cases own JOIN handlers h ON h.id = own.handler_id"+
			" WHERE h.user_id = ? AND h.org_id = ? AND own.handler_org_id = ?")
		args = append(args, by.UserID, by.OrgID, by.OrgID)
	}
	if len(parts) == 0 {
		return q, false
	}
	return q.Joins("JOIN ("+strings.Join(parts, " UNION ")+") AS visible ON visible.id = cases.id", args...), true
}

// casesInOrder reads the cases with the ids by primary key, in the ids' order.
func casesInOrder(db *gorm.DB, ids []uint64) ([]model.Case, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var found []model.Case
	if err := db.Where("id IN ?", ids).Find(&found).Error; err != nil {
		return nil, err
	}
	byID := make(map[uint64]*model.Case, len(found))
	for i := range found {
		byID[found[i].ID] = &found[i]
	}
	rows := make([]model.Case, 0, len(ids))
	for _, id := range ids {
		if c := byID[id]; c != nil { // deleted between the two reads: skip it
			rows = append(rows, *c)
		}
	}
	return rows, nil
}

// CaseCountCap is where the case list stops counting.
const CaseCountCap = 10000

// countCapped counts the rows of q, stopping at CaseCountCap.
func countCapped(db *gorm.DB, q *gorm.DB, out *model.List[model.CaseResponse]) error {
	var n int64
	sub := q.Session(&gorm.Session{}).Select("cases.id").Limit(CaseCountCap + 1)
	if err := db.Table("(?) AS capped", sub).Count(&n).Error; err != nil {
		return err
	}
	if n > CaseCountCap {
		n, out.TotalCapped = CaseCountCap, true
	}
	out.Total = n
	return nil
}
