package service

import (
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/model"
)

// handlerOrgKinds are the organisations whose people handle legal-aid cases: lawyers of law
// firms, legal workers of legal service offices, and the aid centre's own lawyers.
var handlerOrgKinds = []model.OrgKind{model.OrgLawFirm, model.OrgLegalServiceOffice, model.OrgAidCenter}

// setHandler points c at the handler given by name within an organisation or by id; with
// neither it leaves c's handler as it is.
func setHandler(tx *gorm.DB, c *model.Case, in *model.CaseHandlerInput, id *model.ID, now time.Time) error {
	var h *model.Handler
	switch {
	case in != nil:
		name := strings.TrimSpace(in.Name)
		bad := map[string]string{}
		if n := utf8.RuneCountInString(name); n == 0 || n > 64 {
			bad["handler.name"] = "承办人姓名应为 1–64 个字"
		}
		if in.OrgID == 0 {
			bad["handler.org_id"] = "请选择承办机构"
		}
		if len(bad) > 0 {
			return model.Invalid(bad)
		}
		var org model.Org
		if err := tx.Take(&org, uint64(in.OrgID)).Error; err != nil {
			return notFoundAs(err, model.InvalidField("handler.org_id", "承办机构不存在"))
		}
		if org.Disabled || !slices.Contains(handlerOrgKinds, org.Kind) {
			return model.InvalidField("handler.org_id", "承办机构应为律师事务所、法律服务所或法律援助中心")
		}
		var err error
		if h, err = EnsureHandler(tx, org.ID, name, now); err != nil {
			return err
		}
	case id != nil:
		var found model.Handler
		if err := tx.Take(&found, uint64(*id)).Error; err != nil {
			return notFoundAs(err, model.InvalidField("handler_id", "承办人不存在"))
		}
		if err := linkHandler(tx, &found); err != nil {
			return err
		}
		h = &found
	default:
		return nil
	}
	c.HandlerID, c.HandlerName, c.HandlerOrgID = &h.ID, h.Name, &h.OrgID
	return nil
}

// EnsureHandler returns the handler called name in organisation orgID, creating it when new:
// handlers are people known by name within their organisation, so two 王军 of two firms are two
// handlers. A handler not yet linked to an account is linked to the one enabled handler account
// of that organisation with the same display name, when there is exactly one. Safe when two
// transactions add the same new handler at once: the loser of the unique key reads the winner's.
func EnsureHandler(tx *gorm.DB, orgID uint64, name string, now time.Time) (*model.Handler, error) {
	var h model.Handler
	err := tx.Where("org_id = ? AND name = ?", orgID, name).Take(&h).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		h = model.Handler{OrgID: orgID, Name: name, CreatedAt: now}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&h)
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected == 0 {
			// A concurrent transaction created it; a locking read sees its committed row where
			// a plain read in MySQL's repeatable-read snapshot would not (SQLite ignores the lock).
			h = model.Handler{}
			err = tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("org_id = ? AND name = ?", orgID, name).Take(&h).Error
		} else {
			err = nil
		}
	}
	if err != nil {
		return nil, err
	}
	return &h, linkHandler(tx, &h)
}

// linkHandler links an unlinked handler to its account, when the organisation has exactly one
// enabled handler account with the handler's name.
func linkHandler(tx *gorm.DB, h *model.Handler) error {
	if h.UserID != nil {
		return nil
	}
	var ids []uint64
	err := tx.Model(&model.User{}).Where("org_id = ? AND display_name = ? AND disabled = ?", h.OrgID, h.Name, false).
		Where(roleMatch(tx), string(model.RoleHandler)).Limit(2).Pluck("id", &ids).Error
	if err != nil || len(ids) != 1 {
		return err
	}
	h.UserID = &ids[0]
	return tx.Model(&model.Handler{}).Where("id = ? AND user_id IS NULL", h.ID).Update("user_id", ids[0]).Error
}

// loadOrgs loads organisations by id, skipping nils.
func loadOrgs(db *gorm.DB, ids ...*uint64) (map[uint64]*model.Org, error) {
	var want []uint64
	for _, id := range ids {
		if id != nil {
			want = append(want, *id)
		}
	}
	out := map[uint64]*model.Org{}
	if len(want) == 0 {
		return out, nil
	}
	var orgs []model.Org
	if err := db.Where("id IN ?", want).Find(&orgs).Error; err != nil {
		return nil, err
	}
	for i := range orgs {
		out[orgs[i].ID] = &orgs[i]
	}
	return out, nil
}
