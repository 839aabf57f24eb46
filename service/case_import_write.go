package service

import (
	"slices"
	"time"

	"gorm.io/gorm"

	"fayuan/internal/caseimport"
	"fayuan/model"
)

// write carries out the plan inside tx: new organisations, new handlers (linked to their
// account when the organisation has exactly one handler account of that name), new cases in
// batched INSERTs, changed cases in batched upserts that bump their version. No query is made
// per row.
func (s *CaseImports) write(tx *gorm.DB, p *caseimport.Parsed, pl *importPlan, now time.Time) error {
	if tx.Dialector.Name() == "sqlite" && len(pl.creates)+len(pl.updates) > 1000 {
		if err := tx.Exec("PRAGMA cache_size = -16384").Error; err != nil {
			return err
		}
		defer tx.Exec("PRAGMA cache_size = -2000")
	}
	if len(pl.newOrgs) > 0 {
		var parent []uint64
		if err := tx.Model(&model.Org{}).Where("kind = ?", model.OrgBureau).Order("id").Limit(1).Pluck("id", &parent).Error; err != nil {
			return err
		}
		orgs := make([]model.Org, len(pl.newOrgs))
		for i, o := range pl.newOrgs {
			orgs[i] = *o
			orgs[i].CreatedAt, orgs[i].UpdatedAt = now, now
			if len(parent) > 0 {
				orgs[i].ParentID = &parent[0]
			}
		}
		if err := tx.Create(&orgs).Error; err != nil {
			return err
		}
		for i, o := range pl.newOrgs {
			*o = orgs[i]
		}
	}
	if err := s.createHandlers(tx, pl, now); err != nil {
		return err
	}
	if err := s.writeCases(tx, p, pl, pl.creates, false, now); err != nil {
		return err
	}
	return s.writeCases(tx, p, pl, pl.updates, true, now)
}

// writeCases inserts (or, with update, upserts) the cases of some rows in batches.
func (s *CaseImports) writeCases(tx *gorm.DB, p *caseimport.Parsed, pl *importPlan, rows []int, update bool, now time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	w, err := newCaseWriter(tx, update, updatedColumns(p.Present))
	if err != nil {
		return err
	}
	defer w.close()
	for chunk := range slices.Chunk(rows, w.batch) {
		batch, err := s.casesOf(p, pl, chunk, now)
		if err != nil {
			return err
		}
		if err := w.write(batch); err != nil {
			return err
		}
	}
	return nil
}

// createHandlers inserts the plan's new handlers, linking each to the one enabled handler
// account of its organisation with the same display name, when there is exactly one.
func (s *CaseImports) createHandlers(tx *gorm.DB, pl *importPlan, now time.Time) error {
	if len(pl.newHandlers) == 0 {
		return nil
	}
	orgIDs := map[uint64]bool{}
	for _, nh := range pl.newHandlers {
		orgIDs[nh.org.ID] = true
	}
	accounts := map[string][]uint64{} // by org id and name key
	ids := make([]uint64, 0, len(orgIDs))
	for id := range orgIDs {
		ids = append(ids, id)
	}
	for chunk := range slices.Chunk(ids, importChunk) {
		var users []model.User
		err := tx.Select("id", "org_id", "display_name").Where("org_id IN ? AND disabled = ?", chunk, false).
			Where(roleMatch(tx), string(model.RoleHandler)).Find(&users).Error
		if err != nil {
			return err
		}
		for _, u := range users {
			k := handlerKey(model.ID(u.OrgID).String(), u.DisplayName)
			accounts[k] = append(accounts[k], u.ID)
		}
	}
	rows := make([]model.Handler, len(pl.newHandlers))
	for i, nh := range pl.newHandlers {
		rows[i] = model.Handler{OrgID: nh.org.ID, Name: nh.h.Name, CreatedAt: now}
		if acc := accounts[handlerKey(model.ID(nh.org.ID).String(), nh.h.Name)]; len(acc) == 1 {
			rows[i].UserID = &acc[0]
		}
	}
	for chunk := range slices.Chunk(rows, importChunk) {
		if err := tx.Create(&chunk).Error; err != nil {
			return err
		}
	}
	for i, nh := range pl.newHandlers {
		*nh.h = rows[i]
	}
	return nil
}

// casesOf builds the cases of some rows, their personal data sealed.
func (s *CaseImports) casesOf(p *caseimport.Parsed, pl *importPlan, idx []int, now time.Time) ([]model.Case, error) {
	out := make([]model.Case, len(idx))
	for j, i := range idx {
		r := &p.Rows[i]
		h := pl.handlers[handlerKey(r.Org, r.Handler)]
		c := &out[j]
		*c = model.Case{CaseNo: r.CaseNo, Category: r.Category, Source: r.Source, Cause: r.Cause, ServiceType: r.ServiceType,
			RecipientName: r.Recipient, RecipientGroup: r.Group, Town: r.Town, Village: r.Village,
			HandlerID: &h.ID, HandlerName: h.Name, HandlerOrgID: &h.OrgID,
			AcceptedOn: date(r.AcceptedOn), AssignedOn: date(r.AssignedOn), ClosedOn: date(r.ClosedOn), ArchivedOn: date(r.ArchivedOn),
			ClosingMethod: r.ClosingMethod, CourtOrOrgan: r.CourtOrOrgan, SubsidyCents: r.SubsidyCents, Notes: r.Notes,
			RowHash: pl.hashes[i], Version: 1, CreatedAt: now, UpdatedAt: now}
		if no, ok := pl.storedNo[i]; ok {
			c.CaseNo = no // the stored spelling, so the upsert meets the very row on either database
		}
		if err := SealRecipient(s.vault, c, r.Phone, r.IDNumber, r.Address); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// date is a stored calendar date, nil for none.
func date(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
