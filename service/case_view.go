package service

import (
	"context"
	"strconv"

	"gorm.io/gorm"

	"fayuan/internal/pii"
	"fayuan/model"
)

// caseLevel is how much of a recipient's personal data a caller sees on a case, as the contract
// says: the least the caller needs for the job.
type caseLevel int

const (
	// levelRecognise is for reviewers and handlers: the name masked (王*英), to recognise the
	// case; no phone, no ID number, no birth date, no address.
	levelRecognise caseLevel = iota
	// levelManager: the name; phone, ID number and address masked; a reveal shows one in full.
	levelManager
	// levelAssigned is for the staff member assigned to call or visit: as a manager, plus the
	// phone in full on the case's detail (audited).
	levelAssigned
)

// phonePhases are the assignments that need the recipient's phone: calling and visiting.
var phonePhases = []string{"calls", "visits"}

// levelOf says whether by may see c and how much of it. Managers see every case; staff and
// reviewers the cases assigned to them; a handler the cases of the handler linked to their
// account within their own organisation. Assignments are a manager's explicit grant and,
// because of 回避, always point outside the assignee's own organisation, so they are the one
// way a firm's user sees a case of another organisation: the notice sends lawyers and legal
// workers on the field visits.
func (s *Cases) levelOf(ctx context.Context, by model.Actor, c *model.Case) (caseLevel, bool, error) {
	db := s.db.WithContext(ctx)
	if by.Is(model.RoleStaff, model.RoleReviewer) {
		var phases []string
		if err := db.Model(&model.CaseAssignment{}).Where("case_id = ? AND user_id = ?", c.ID, by.UserID).
			Pluck("phase", &phases).Error; err != nil {
			return 0, false, err
		}
		if lvl, ok := assignedLevel(by, phases); ok {
			return lvl, true, nil
		}
	}
	if by.Is(model.RoleManager) {
		return levelManager, true, nil
	}
	if by.Is(model.RoleHandler) && c.HandlerID != nil && c.HandlerOrgID != nil && *c.HandlerOrgID == by.OrgID {
		var n int64
		if err := db.Model(&model.Handler{}).Where("id = ? AND user_id = ? AND org_id = ?", *c.HandlerID, by.UserID, by.OrgID).
			Count(&n).Error; err != nil {
			return 0, false, err
		}
		if n > 0 {
			return levelRecognise, true, nil
		}
	}
	return 0, false, nil
}

// assignedLevel is the level an assignment in phases gives by, if any.
func assignedLevel(by model.Actor, phases []string) (caseLevel, bool) {
	if len(phases) == 0 {
		return 0, false
	}
	if by.Is(model.RoleStaff) {
		for _, p := range phases {
			for _, want := range phonePhases {
				if p == want {
					return levelAssigned, true
				}
			}
		}
	}
	if by.Is(model.RoleManager) {
		return levelManager, true
	}
	return levelRecognise, true
}

// response converts a case for a caller of level lvl; fullPhone unmasks the phone (the caller
// audits that read). Nothing personal leaves unmasked otherwise.
func (s *Cases) response(c *model.Case, lvl caseLevel, fullPhone bool, orgs map[uint64]*model.Org) (model.CaseResponse, error) {
	r := model.CaseResponse{
		ID: model.ID(c.ID), CaseNo: c.CaseNo, Category: c.Category, CategoryLabel: model.CategoryLabels[c.Category],
		Source: c.Source, SourceLabel: model.SourceLabels[c.Source], Cause: c.Cause, ServiceType: c.ServiceType,
		AcceptedOn: c.AcceptedOn, AssignedOn: c.AssignedOn, ClosedOn: c.ClosedOn, ArchivedOn: c.ArchivedOn,
		ClosingMethod: c.ClosingMethod, CourtOrOrgan: c.CourtOrOrgan, Subsidy: float64(c.SubsidyCents) / 100,
		Notes: c.Notes, Status: model.CaseOpen, Version: c.Version,
		CreatedAt: model.NewTime(c.CreatedAt), UpdatedAt: model.NewTime(c.UpdatedAt),
		Recipient: model.CaseRecipientResponse{Name: pii.MaskName(c.RecipientName), Gender: c.RecipientGender,
			Group: c.RecipientGroup, Town: c.Town, Village: c.Village},
	}
	if c.ClosedOn != nil {
		r.Status = model.CaseClosed
	}
	if c.HandlerID != nil {
		r.Handler = &model.CaseHandlerResponse{ID: model.ID(*c.HandlerID), Name: c.HandlerName}
		if c.HandlerOrgID != nil {
			r.Handler.Org = &model.OrgSketch{ID: model.ID(*c.HandlerOrgID)}
			if o := orgs[*c.HandlerOrgID]; o != nil {
				r.Handler.Org.Name = o.Name
			}
		}
	}
	if lvl == levelRecognise {
		return r, nil
	}
	rec := &r.Recipient
	rec.Name = c.RecipientName
	if c.RecipientBirthDate != nil && len(*c.RecipientBirthDate) >= 4 {
		if y, err := strconv.Atoi((*c.RecipientBirthDate)[:4]); err == nil {
			rec.BirthYear = &y
		}
	}
	phone, err := s.vault.Decrypt(c.RecipientPhoneEnc)
	if err != nil {
		return r, err
	}
	id, err := s.vault.Decrypt(c.RecipientIDEnc)
	if err != nil {
		return r, err
	}
	addr, err := s.vault.Decrypt(c.AddressEnc)
	if err != nil {
		return r, err
	}
	rec.Phone, rec.IDNumber, rec.Address = maskOrEmpty(phone, pii.MaskPhone), maskOrEmpty(id, pii.MaskIDNumber), maskAddress(addr)
	if fullPhone {
		rec.Phone = phone
	}
	return r, nil
}

func maskOrEmpty(v string, mask func(string) string) string {
	if v == "" {
		return ""
	}
	return mask(v)
}

// maskAddress keeps the start of an address — the county and township, which the case shows
// anyway — and hides the rest: the village group and house number.
func maskAddress(a string) string {
	r := []rune(a)
	if len(r) == 0 {
		return ""
	}
	keep := min(6, len(r)/2)
	return string(r[:keep]) + "****"
}

// assignedPhases loads by's assignments among the case ids, case by case.
func assignedPhases(db *gorm.DB, by model.Actor, ids []uint64) (map[uint64][]string, error) {
	out := map[uint64][]string{}
	if len(ids) == 0 || !by.Is(model.RoleStaff, model.RoleReviewer) {
		return out, nil
	}
	var rows []model.CaseAssignment
	if err := db.Select("case_id", "phase").Where("user_id = ? AND case_id IN ?", by.UserID, ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, a := range rows {
		out[a.CaseID] = append(out[a.CaseID], a.Phase)
	}
	return out, nil
}
