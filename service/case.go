package service

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"fayuan/internal/clock"
	fdb "fayuan/internal/db"
	"fayuan/internal/pii"
	"fayuan/internal/recipient"
	"fayuan/model"
)

// Cases manages legal-aid cases: managers create and edit them, and every role that works on
// cases reads the ones it may see, with the recipient's personal data masked to its need.
type Cases struct {
	db      *gorm.DB
	clock   clock.Clock
	audit   *Audit
	vault   *pii.Vault
	history []CaseHistory
}

// NewCases builds the case service.
func NewCases(db *gorm.DB, c clock.Clock, audit *Audit, vault *pii.Vault) *Cases {
	return &Cases{db: db, clock: c, audit: audit, vault: vault}
}

// CaseHistory is a feature that adds its records to a case's detail: calls, visits, survey
// answers, review results. Each appends to its own list of d in time order, showing only what
// by may see; the case is one by may see. Register it with AddHistory when wiring the server.
type CaseHistory interface {
	CaseHistory(ctx context.Context, by model.Actor, c *model.Case, d *model.CaseDetailResponse) error
}

// AddHistory registers features that fill a case detail's history lists.
func (s *Cases) AddHistory(h ...CaseHistory) { s.history = append(s.history, h...) }

var (
	errCaseNotFound = model.NotFound("case_not_found", "案件不存在")
	errCaseNoTaken  = model.Conflict("case_no_taken", "案号已存在")
	errRevealReason = model.InvalidField("reason", "请填写查看原因")
	errRevealField  = model.InvalidField("field", "只能查看 phone、id_number 或 address")
	caseReaderRoles = []model.Role{model.RoleManager, model.RoleStaff, model.RoleReviewer, model.RoleHandler}
)

// SealRecipient stores a recipient's phone, ID number and address on c the only way they may be
// stored: normalised, encrypted with the vault's current key, with the keyed search hash of
// phone and ID number, and gender and birth date derived from the ID number. An empty value
// clears the field. It normalises itself (idempotently), so callers may pass raw input; a bad
// phone or ID number is a 422 naming recipient.phone or recipient.id_number. The import calls
// it too, so a case stores the same bytes whichever way it came in.
func SealRecipient(v *pii.Vault, c *model.Case, phone, idNumber, address string) error {
	bad := map[string]string{}
	p, err := recipient.NormalizePhone(phone)
	if err != nil {
		bad["recipient.phone"] = err.Error()
	}
	id, err := recipient.NormalizeIDNumber(idNumber)
	if err != nil {
		bad["recipient.id_number"] = err.Error()
	}
	if len(bad) > 0 {
		return model.Invalid(bad)
	}
	if c.RecipientPhoneEnc, err = v.Encrypt(p); err != nil {
		return err
	}
	c.RecipientPhoneHash = v.Hash(p)
	if c.RecipientIDEnc, err = v.Encrypt(id); err != nil {
		return err
	}
	c.RecipientIDHash = v.Hash(id)
	gender, birth := recipient.IDInfo(id)
	c.RecipientGender = gender
	c.RecipientBirthDate = nil
	if birth != "" {
		c.RecipientBirthDate = &birth
	}
	if c.AddressEnc, err = v.Encrypt(strings.TrimSpace(address)); err != nil {
		return err
	}
	return nil
}

// Create adds a case (managers only).
func (s *Cases) Create(ctx context.Context, by model.Actor, req model.CreateCaseRequest) (*model.CaseDetailResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	f := newCaseForm(s.clock.Now())
	c := f.create(req)
	if req.Handler != nil && req.HandlerID != nil {
		f.bad["handler_id"] = "handler 与 handler_id 只能给一个"
	}
	if err := f.seal(s.vault, &c, req.Recipient.Phone, req.Recipient.IDNumber, req.Recipient.Address); err != nil {
		return nil, err
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	c.Version, c.CreatedAt, c.UpdatedAt = 1, now, now
	err := fdb.Transact(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		if err := setHandler(tx, &c, req.Handler, req.HandlerID, now); err != nil {
			return err
		}
		if err := tx.Create(&c).Error; err != nil {
			return duplicateAs(err, errCaseNoTaken)
		}
		if err := casesChanged(tx, []uint64{c.ID}); err != nil {
			return err
		}
		return s.audit.Record(tx, by, Entry{Action: "case.create", ObjectType: "case", ObjectID: c.ID, After: s.auditCase(&c)})
	})
	if err != nil {
		return nil, err
	}
	return s.detail(ctx, by, &c, levelManager)
}

// Update edits a case (managers only) under optimistic locking: req.Version must be the case's
// current version, and the write itself is conditional on it, so of two edits made from the
// same version exactly one wins and the other gets 409 with nothing written.
func (s *Cases) Update(ctx context.Context, by model.Actor, id model.ID, req model.UpdateCaseRequest) (*model.CaseDetailResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	if req.Version <= 0 {
		return nil, model.InvalidField("version", "请带上读取时的版本号 version")
	}
	if req.Handler != nil && req.HandlerID != nil {
		return nil, model.InvalidField("handler_id", "handler 与 handler_id 只能给一个")
	}
	var c model.Case
	err := fdb.Transact(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		if err := tx.Take(&c, uint64(id)).Error; err != nil {
			return notFoundAs(err, errCaseNotFound)
		}
		if c.Version != req.Version {
			return model.ErrVersionConflict
		}
		before := s.auditCase(&c)
		f := newCaseForm(s.clock.Now())
		if err := f.update(s.vault, &c, req); err != nil {
			return err
		}
		if err := f.err(); err != nil {
			return err
		}
		now := s.clock.Now()
		if err := setHandler(tx, &c, req.Handler, req.HandlerID, now); err != nil {
			return err
		}
		c.Version, c.UpdatedAt = req.Version+1, now
		res := tx.Model(&model.Case{}).Where("id = ? AND version = ?", c.ID, req.Version).Updates(caseColumns(&c))
		if res.Error != nil {
			return duplicateAs(res.Error, errCaseNoTaken)
		}
		if res.RowsAffected == 0 {
			return model.ErrVersionConflict // another edit committed between our read and our write
		}
		if err := casesChanged(tx, []uint64{c.ID}); err != nil {
			return err
		}
		return s.audit.Record(tx, by, Entry{Action: "case.update", ObjectType: "case", ObjectID: c.ID, Before: before, After: s.auditCase(&c)})
	})
	if err != nil {
		return nil, err
	}
	return s.detail(ctx, by, &c, levelManager)
}

// Get returns one case with its history, as by may see it. A case by may not see is 404, like
// one that does not exist. The staff member assigned to call or visit sees the phone in full,
// and that read is audited before the answer leaves.
func (s *Cases) Get(ctx context.Context, by model.Actor, id model.ID) (*model.CaseDetailResponse, error) {
	if !by.Is(caseReaderRoles...) {
		return nil, model.ErrRoleForbidden
	}
	var c model.Case
	if err := s.db.WithContext(ctx).Take(&c, uint64(id)).Error; err != nil {
		return nil, notFoundAs(err, errCaseNotFound)
	}
	lvl, ok, err := s.levelOf(ctx, by, &c)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errCaseNotFound
	}
	return s.detail(ctx, by, &c, lvl)
}

// detail builds the detail answer and, when it carries the phone in full, audits the read.
func (s *Cases) detail(ctx context.Context, by model.Actor, c *model.Case, lvl caseLevel) (*model.CaseDetailResponse, error) {
	orgs, err := loadOrgs(s.db.WithContext(ctx), c.HandlerOrgID)
	if err != nil {
		return nil, err
	}
	fullPhone := lvl == levelAssigned && c.RecipientPhoneEnc != ""
	r, err := s.response(c, lvl, fullPhone, orgs)
	if err != nil {
		return nil, err
	}
	d := &model.CaseDetailResponse{CaseResponse: r, Calls: []any{}, Visits: []any{}, SurveyAnswers: []any{}, Results: []any{}}
	for _, h := range s.history {
		if err := h.CaseHistory(ctx, by, c, d); err != nil {
			return nil, err
		}
	}
	if fullPhone {
		err := s.audit.Record(s.db.WithContext(ctx), by, Entry{Action: "case.read_phone", ObjectType: "case", ObjectID: c.ID})
		if err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Reveal shows a manager one personal field of a case in full, for a reason that is audited
// with the read. Nothing is answered unless the audit row is written.
func (s *Cases) Reveal(ctx context.Context, by model.Actor, id model.ID, req model.RevealRequest) (*model.RevealResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	reason := strings.TrimSpace(req.Reason)
	switch {
	case req.Field != model.RevealPhone && req.Field != model.RevealIDNumber && req.Field != model.RevealAddress:
		return nil, errRevealField
	case reason == "":
		return nil, errRevealReason
	case len([]rune(reason)) > 500:
		return nil, model.InvalidField("reason", "原因最多 500 字")
	}
	var out *model.RevealResponse
	err := fdb.Transact(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		var c model.Case
		if err := tx.Take(&c, uint64(id)).Error; err != nil {
			return notFoundAs(err, errCaseNotFound)
		}
		stored := map[string]string{model.RevealPhone: c.RecipientPhoneEnc, model.RevealIDNumber: c.RecipientIDEnc,
			model.RevealAddress: c.AddressEnc}[req.Field]
		v, err := s.vault.Decrypt(stored)
		if err != nil {
			return err
		}
		out = &model.RevealResponse{Field: req.Field, Value: v}
		return s.audit.Record(tx, by, Entry{Action: "case.reveal_" + req.Field, ObjectType: "case", ObjectID: c.ID, Reason: reason})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// auditCase is what a case's audit hashes cover. Personal data enters only as keyed hashes (the
// ciphertexts change with every encryption and would make every edit look like a change).
func (s *Cases) auditCase(c *model.Case) map[string]any {
	addr, _ := s.vault.Decrypt(c.AddressEnc)
	return map[string]any{"case_no": c.CaseNo, "category": c.Category, "source": c.Source, "cause": c.Cause,
		"service_type": c.ServiceType, "recipient_name": c.RecipientName, "phone_hash": c.RecipientPhoneHash,
		"id_hash": c.RecipientIDHash, "address_hash": s.vault.Hash(addr), "group": c.RecipientGroup, "town": c.Town,
		"village": c.Village, "handler_id": c.HandlerID, "handler_name": c.HandlerName, "handler_org_id": c.HandlerOrgID,
		"accepted_on": c.AcceptedOn, "assigned_on": c.AssignedOn, "closed_on": c.ClosedOn, "archived_on": c.ArchivedOn,
		"closing_method": c.ClosingMethod, "court_or_organ": c.CourtOrOrgan, "subsidy_cents": c.SubsidyCents,
		"notes": c.Notes, "version": c.Version}
}

// caseColumns are the columns an edit writes. A map rather than the struct, so updated_at is the
// service clock's time and zero values are written too.
func caseColumns(c *model.Case) map[string]any {
	return map[string]any{
		"case_no": c.CaseNo, "category": c.Category, "source": c.Source, "cause": c.Cause, "service_type": c.ServiceType,
		"recipient_name": c.RecipientName, "recipient_phone_enc": c.RecipientPhoneEnc,
		"recipient_phone_hash": c.RecipientPhoneHash, "recipient_id_enc": c.RecipientIDEnc,
		"recipient_id_hash": c.RecipientIDHash, "recipient_gender": c.RecipientGender,
		"recipient_birth_date": c.RecipientBirthDate, "recipient_group": c.RecipientGroup, "town": c.Town,
		"village": c.Village, "address_enc": c.AddressEnc, "handler_id": c.HandlerID, "handler_name": c.HandlerName,
		"handler_org_id": c.HandlerOrgID, "accepted_on": c.AcceptedOn, "assigned_on": c.AssignedOn,
		"closed_on": c.ClosedOn, "archived_on": c.ArchivedOn, "closing_method": c.ClosingMethod,
		"court_or_organ": c.CourtOrOrgan, "subsidy_cents": c.SubsidyCents, "notes": c.Notes,
		"version": c.Version, "updated_at": c.UpdatedAt,
	}
}
