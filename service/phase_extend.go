package service

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"fayuan/model"
)

var errPhaseNotFound = model.NotFound("phase_not_found", "阶段不存在")

// ExtendPhase moves a phase's last day later, for a reason that is audited with the change. The
// new end may not come before the old one (422 end) nor reach into the next phase (409
// phases_overlap: move the next phase first).
func (s *Campaigns) ExtendPhase(ctx context.Context, by model.Actor, id model.ID, phase string, req model.ExtendPhaseRequest) (*model.CampaignResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	p := model.Phase(phase)
	if !p.Valid() {
		return nil, errPhaseNotFound
	}
	reason := strings.TrimSpace(req.Reason)
	bad := map[string]string{}
	if _, ok := parseDate(req.End); !ok {
		bad["end"] = "日期格式应为 YYYY-MM-DD"
	}
	if n := len([]rune(reason)); n == 0 || n > 500 {
		bad["reason"] = "请填写延长原因（最多 500 字）"
	}
	if len(bad) > 0 {
		return nil, model.Invalid(bad)
	}
	var c model.Campaign
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockCampaign(tx, uint64(id), &c); err != nil {
			return err
		}
		start, end := c.Window(p)
		if req.End < end {
			return model.InvalidField("end", fmt.Sprintf("新的结束日期不能早于原结束日期 %s", end))
		}
		if i := phaseIndex(p); i+1 < len(model.Phases) {
			next := model.Phases[i+1]
			nextStart, nextEnd := c.Window(next)
			if req.End >= nextStart {
				return model.Conflict("phases_overlap", fmt.Sprintf("%s阶段为 %s 至 %s，延长后会与其重叠，请先调整该阶段",
					model.PhaseLabels[next], nextStart, nextEnd)).WithDetails(map[string]any{"phase": next, "start": nextStart, "end": nextEnd})
			}
		}
		before := model.PhaseWindow{Phase: p, Start: start, End: end}
		c.SetWindow(p, start, req.End)
		c.Version++
		c.UpdatedAt = s.clock.Now()
		err := tx.Model(&c).Select("calls_end", "visits_end", "reviews_end", "version", "updated_at").UpdateColumns(&c).Error
		if err != nil {
			return err
		}
		return s.audit.Record(tx, by, Entry{Action: "campaign.phase_extend", ObjectType: "campaign", ObjectID: c.ID,
			Before: before, After: model.PhaseWindow{Phase: p, Start: start, End: req.End}, Reason: reason})
	})
	if err != nil {
		return nil, err
	}
	r := model.NewCampaignResponse(&c, true)
	return &r, nil
}

func phaseIndex(p model.Phase) int {
	for i, x := range model.Phases {
		if x == p {
			return i
		}
	}
	return -1
}
