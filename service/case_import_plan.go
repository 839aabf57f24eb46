package service

import (
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/internal/caseimport"
	"fayuan/model"
)

// importChunk is how many names or case numbers one IN query carries, and how many cases one
// INSERT writes on MySQL: well under its 65,535 placeholders.
const importChunk = 500

// sqliteInsertChunk is how many cases one INSERT writes on SQLite. The driver binds each
// placeholder by scanning the argument list, so a statement costs the square of its
// placeholders: 20 cases (620 placeholders) keep that below the insert itself.
const sqliteInsertChunk = 8

// insertChunk is the number of cases per INSERT on tx's database.
func insertChunk(tx *gorm.DB) int {
	if tx.Dialector.Name() == "sqlite" {
		return sqliteInsertChunk
	}
	return importChunk
}

// importPlan is what an import will do, worked out with reads only, so a dry run answers
// exactly what the real run would write.
type importPlan struct {
	creates     []int    // indexes into Parsed.Rows
	updates     []int    // indexes into Parsed.Rows
	hashes      []string // row hash by index, for creates and updates
	storedNo    map[int]string
	unchanged   int
	rejected    int
	issues      []model.ImportIssue
	orgs        map[string]*model.Org // by caseimport.Key(name); new ones get their id on write
	newOrgs     []*model.Org
	handlers    map[string]*model.Handler // by handlerKey
	newHandlers []newHandler
}

// newHandler is a handler to create, in an organisation that may be new itself.
type newHandler struct {
	h   *model.Handler
	org *model.Org
}

func handlerKey(org, name string) string { return caseimport.Key(org) + "\x00" + caseimport.Key(name) }

// orgKindFromName guesses a new organisation's kind from the end of its name.
func orgKindFromName(name string) model.OrgKind {
	switch {
	case strings.HasSuffix(name, "法律服务所"):
		return model.OrgLegalServiceOffice
	case strings.HasSuffix(name, "法律援助中心"), strings.HasSuffix(name, "法援中心"):
		return model.OrgAidCenter
	}
	return model.OrgLawFirm // 律师事务所, and the default
}

// plan matches the rows against the database: organisations by name, handlers by name within
// their organisation, cases by case number. lock takes MySQL row locks on the cases it will
// update (SQLite's IMMEDIATE transaction already holds the only write lock).
func (s *CaseImports) plan(tx *gorm.DB, p *caseimport.Parsed, lock bool) (*importPlan, error) {
	pl := &importPlan{orgs: map[string]*model.Org{}, handlers: map[string]*model.Handler{},
		hashes: make([]string, len(p.Rows)), storedNo: map[int]string{}}
	if err := s.planOrgs(tx, p, pl); err != nil {
		return nil, err
	}
	if err := s.planHandlers(tx, p, pl); err != nil {
		return nil, err
	}
	stored, err := s.existingCases(tx, p, lock)
	if err != nil {
		return nil, err
	}
	for i := range p.Rows {
		r := &p.Rows[i]
		if pl.orgs[caseimport.Key(r.Org)] == nil {
			continue // rejected in planOrgs
		}
		hash := s.vault.Hash(r.Canonical(p.Present))
		switch old, ok := stored[caseimport.Key(r.CaseNo)]; {
		case !ok:
			pl.creates, pl.hashes[i] = append(pl.creates, i), hash
		case old.RowHash == hash:
			pl.unchanged++
		default:
			pl.updates, pl.hashes[i], pl.storedNo[i] = append(pl.updates, i), hash, old.CaseNo
		}
	}
	return pl, nil
}

// planOrgs finds the rows' organisations, plans the new ones, and rejects rows naming an
// organisation whose people cannot handle cases (the bureau, a court…) or a disabled one.
func (s *CaseImports) planOrgs(tx *gorm.DB, p *caseimport.Parsed, pl *importPlan) error {
	names := distinct(p.Rows, func(r *caseimport.Row) string { return r.Org })
	for chunk := range slices.Chunk(names, importChunk) {
		var found []model.Org
		if err := tx.Where("name IN ?", chunk).Find(&found).Error; err != nil {
			return err
		}
		for i := range found {
			pl.orgs[caseimport.Key(found[i].Name)] = &found[i]
		}
	}
	refused := map[string]string{}
	for i := range p.Rows {
		r := &p.Rows[i]
		key := caseimport.Key(r.Org)
		o := pl.orgs[key]
		switch {
		case o == nil && refused[key] == "":
			o = &model.Org{Name: r.Org, Kind: orgKindFromName(r.Org)}
			pl.orgs[key] = o
			pl.newOrgs = append(pl.newOrgs, o)
		case o == nil:
		case o.Disabled:
			refused[key] = "承办机构「" + o.Name + "」已停用"
		case !slices.Contains(handlerOrgKinds, o.Kind):
			refused[key] = "「" + o.Name + "」是" + model.OrgKindLabels[o.Kind] + "，承办机构应为律师事务所、法律服务所或法律援助中心"
		}
		if msg := refused[key]; msg != "" {
			delete(pl.orgs, key)
			pl.issues = append(pl.issues, caseimport.Issue(r.Line, caseimport.Org, msg))
			pl.rejected++
		}
	}
	return nil
}

// planHandlers finds the rows' handlers within their organisations and plans the new ones.
func (s *CaseImports) planHandlers(tx *gorm.DB, p *caseimport.Parsed, pl *importPlan) error {
	byID := map[uint64]*model.Org{}
	for _, o := range pl.orgs {
		if o.ID != 0 {
			byID[o.ID] = o
		}
	}
	ids := make([]uint64, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	for chunk := range slices.Chunk(ids, importChunk) {
		var found []model.Handler
		if err := tx.Where("org_id IN ?", chunk).Find(&found).Error; err != nil {
			return err
		}
		for i := range found {
			pl.handlers[handlerKey(byID[found[i].OrgID].Name, found[i].Name)] = &found[i]
		}
	}
	for i := range p.Rows {
		r := &p.Rows[i]
		o := pl.orgs[caseimport.Key(r.Org)]
		key := handlerKey(r.Org, r.Handler)
		if o == nil || pl.handlers[key] != nil {
			continue
		}
		h := &model.Handler{Name: r.Handler}
		pl.handlers[key] = h
		pl.newHandlers = append(pl.newHandlers, newHandler{h: h, org: o})
	}
	return nil
}

// storedCase is what the plan needs of a case already in the database.
type storedCase struct {
	ID      uint64
	CaseNo  string
	RowHash string
}

// existingCases loads the cases the file names, by caseimport.Key of their number.
func (s *CaseImports) existingCases(tx *gorm.DB, p *caseimport.Parsed, lock bool) (map[string]storedCase, error) {
	nos := distinct(p.Rows, func(r *caseimport.Row) string { return r.CaseNo })
	out := make(map[string]storedCase, len(nos))
	for chunk := range slices.Chunk(nos, importChunk) {
		q := tx.Model(&model.Case{}).Select("id", "case_no", "row_hash").Where("case_no IN ?", chunk)
		if lock && tx.Dialector.Name() == "mysql" {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var found []storedCase
		if err := q.Find(&found).Error; err != nil {
			return nil, err
		}
		for _, c := range found {
			out[caseimport.Key(c.CaseNo)] = c
		}
	}
	return out, nil
}

// distinct lists the different values of field among rows, in order.
func distinct(rows []caseimport.Row, field func(*caseimport.Row) string) []string {
	seen := map[string]bool{}
	var out []string
	for i := range rows {
		v := field(&rows[i])
		if k := caseimport.Key(v); !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	return out
}
