package service

import (
	"context"
	"slices"
	"strconv"

	"gorm.io/gorm"

	"fayuan/model"
)

// ProgressLive is Progress computed from the raw records alone, ignoring the counters: for
// comparison, and for a manager who suspects the counters drifted.
func (s *Campaigns) ProgressLive(ctx context.Context, by model.Actor, id model.ID) (*model.Progress, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	return s.readProgress(ctx, id, true)
}

// RebuildProgress recomputes a campaign's progress counters from the raw records, in one
// transaction with the campaign row locked. Audited: it is a maintenance act a bureau takes
// when it suspects drift.
func (s *Campaigns) RebuildProgress(ctx context.Context, by model.Actor, id model.ID) error {
	if !by.Is(model.RoleManager) {
		return model.ErrRoleForbidden
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c model.Campaign
		if err := lockCampaign(tx, uint64(id), &c); err != nil {
			return err
		}
		if err := rebuildProgress(tx, &c); err != nil {
			return err
		}
		return s.audit.Record(tx, by, Entry{Action: "campaign.progress_rebuild", ObjectType: "campaign", ObjectID: c.ID})
	})
}

// RebuildMissingProgress builds the counters of campaigns that have none (those created before
// the counters existed, or whose counters a migration reset). The server runs it in the
// background after it starts: a million-case campaign takes up to a minute, and until its
// counters exist its progress is served live, so nothing waits for it. Replicas starting
// together queue on the campaign's lock, and the later ones find the work done.
func (s *Campaigns) RebuildMissingProgress(ctx context.Context) error {
	var ids []uint64
	err := s.db.WithContext(ctx).Model(&model.Campaign{}).
		Where("NOT EXISTS (SELECT 1 FROM progress_counters p WHERE p.campaign_id = campaigns.id AND p.dim = ?)", dimMark).
		Order("id").Pluck("id", &ids).Error
	if err != nil {
		return err
	}
	for _, id := range ids {
		err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var c model.Campaign
			if err := lockCampaign(tx, id, &c); err != nil {
				return err
			}
			var marks int64
			if err := tx.Model(&model.ProgressCounter{}).Where("campaign_id = ? AND dim = ?", id, dimMark).Count(&marks).Error; err != nil {
				return err
			}
			if marks > 0 {
				return nil // built by another replica while this one waited for the lock
			}
			return rebuildProgress(tx, &c)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// counted is a campaign's counters summed over their slots.
type counted struct {
	all    counterVals
	groups map[string]map[string]counterVals // by dim, then group key
}

func readCounters(db *gorm.DB, campaignID uint64) (*counted, bool, error) {
	var rows []struct {
		Dim        string
		Grp        string
		N          int64
		Done       int64
		ExcludedN  int64
		ReachedAny int64
		MustVisit  int64
		InReview   int64
		Visited    int64
		SampleFp   int64
	}
	err := db.Model(&model.ProgressCounter{}).Select("dim, grp, SUM(n) AS n, SUM(done) AS done, SUM(excluded_n) AS excluded_n, "+
		"SUM(reached_any) AS reached_any, SUM(must_visit) AS must_visit, SUM(in_review) AS in_review, SUM(visited) AS visited, SUM(sample_fp) AS sample_fp").
		Where("campaign_id = ?", campaignID).Group("dim, grp").Scan(&rows).Error
	if err != nil {
		return nil, false, err
	}
	out := &counted{groups: map[string]map[string]counterVals{}}
	built := false
	for _, r := range rows {
		v := counterVals{r.N, r.Done, r.ExcludedN, r.ReachedAny, r.MustVisit, r.InReview, r.Visited, r.SampleFp}
		switch r.Dim {
		case dimMark:
			built = true
		case dimAll:
			out.all = v
		default:
			if out.groups[r.Dim] == nil {
				out.groups[r.Dim] = map[string]counterVals{}
			}
			out.groups[r.Dim][r.Grp] = v
		}
	}
	return out, built, nil
}

// callsProgressCounted is callsProgress from the counters; sampled receives the visit sample's
// size, reviews the review scope's size.
func (s *Campaigns) callsProgressCounted(db *gorm.DB, c *model.Campaign, k *counted, p pace, cs *model.PhaseProgress, out *model.Progress,
	mustVisit, sampled *int64) error {
	cs.InScope, cs.Done, cs.Excluded, cs.ReachedAny = k.all.n, k.all.done, k.all.excl, k.all.reachedAny
	*mustVisit = k.all.mustVisit
	st := c.Settings()
	for _, v := range k.groups[dimCaller] {
		if v.n > 0 {
			*sampled += int64(sampleSize(int(v.n), st))
		}
	}
	cs.Rate = ratio(cs.Done, cs.InScope)
	target, met := c.TargetRate, p.met(cs.Done, cs.InScope)
	proj, behind := p.projected(cs.Done, cs.InScope)
	adj := ratio(cs.Done, cs.InScope-cs.Excluded)
	cs.Target, cs.Met, cs.ProjectedRate, cs.BehindPace, cs.AdjustedRate = &target, &met, &proj, &behind, &adj
	cs.DaysLeft = int(p.daysLeft)
	orgs, towns := map[uint64]*model.ProgressGroup{}, map[string]*model.ProgressGroup{}
	for key, v := range k.groups[dimOrg] {
		if v.n == 0 {
			continue
		}
		oid, _ := strconv.ParseUint(key, 10, 64)
		g := group(orgs, oid, func() model.ProgressGroup { return orgGroup(oid) })
		g.InScope, g.Done, g.Excluded = v.n, v.done, v.excl
	}
	for key, v := range k.groups[dimTown] {
		if v.n == 0 {
			continue
		}
		g := group(towns, key, func() model.ProgressGroup { return model.ProgressGroup{Name: key} })
		g.InScope, g.Done, g.Excluded = v.n, v.done, v.excl
	}
	if err := s.nameOrgs(db, orgs); err != nil {
		return err
	}
	out.ByOrg, out.ByTown = finish(orgs, p), finish(towns, p)
	staff := map[uint64]counterVals{}
	var ids []uint64
	for key, v := range k.groups[dimStaff] {
		if v.n == 0 {
			continue
		}
		uid, _ := strconv.ParseUint(key, 10, 64)
		staff[uid] = v
		ids = append(ids, uid)
	}
	names := map[uint64]string{}
	if len(ids) > 0 {
		var users []model.User
		if err := db.Select("id", "display_name").Where("id IN ?", ids).Find(&users).Error; err != nil {
			return err
		}
		for _, u := range users {
			names[u.ID] = u.DisplayName
		}
	}
	slices.Sort(ids)
	for _, uid := range ids {
		v := staff[uid]
		sp := model.StaffProgress{StaffID: model.ID(uid), Name: names[uid], Assigned: v.n, Reached: v.done, Rate: ratio(v.done, v.n)}
		sp.ProjectedRate, sp.BehindPace = p.projected(v.done, v.n)
		cs.Assigned += v.n
		out.ByStaff = append(out.ByStaff, sp)
	}
	return nil
}
