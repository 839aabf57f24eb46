package service

import (
	"context"
	"math"
	"sort"
	"time"

	"gorm.io/gorm"

	"fayuan/model"
)

// Progress is served from counters kept by the writes (progress_counters.go). The live query —
// one grouped pass over the in-scope cases (by organisation and town, testing each against the
// sets of reached, excluded, contacted and alerted cases), one over the calls assignments by
// staff member, and a few counts — computes the same from the raw records, for comparison.

// excludedSQL is "case c has a confirmed exclusion in the campaign".
const excludedSQL = "cases.id IN (SELECT x.case_id FROM campaign_exclusions x WHERE x.campaign_id = ? AND x.status = 'confirmed')"

// pace judges a phase's rate against its target from the calendar: total days of the phase,
// days elapsed counting today (0 before it starts), target in thousandths.
type pace struct {
	total, elapsed, daysLeft int64
	targetMilli              int64
}

func newPace(start, end string, now time.Time, target float64) pace {
	s, err1 := time.ParseInLocation("2006-01-02", start, model.Shanghai)
	e, err2 := time.ParseInLocation("2006-01-02", end, model.Shanghai)
	if err1 != nil || err2 != nil {
		return pace{}
	}
	n := now.In(model.Shanghai)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, model.Shanghai)
	days := func(a, b time.Time) int64 { return int64(math.Round(b.Sub(a).Hours() / 24)) }
	p := pace{total: days(s, e) + 1, targetMilli: int64(math.Round(target * 1000))}
	p.elapsed = min(max(days(s, today)+1, 0), p.total)
	p.daysLeft = max(days(today, e)+1, 0)
	return p
}

// met reports done/n ≥ target, in integers so that 90 of 100 meets 0.9.
func (p pace) met(done, n int64) bool { return done*1000 >= p.targetMilli*n }

// projected is the rate at the phase end if the pace so far holds, capped at 1, and whether it
// falls short of the target. Before the phase starts there is no pace: the rate, not behind.
func (p pace) projected(done, n int64) (float64, bool) {
	if n == 0 {
		return 0, false
	}
	if p.elapsed == 0 {
		return ratio(done, n), false
	}
	r := math.Min(1, float64(done*p.total)/float64(p.elapsed*n))
	return r, done*p.total*1000 < p.targetMilli*p.elapsed*n
}

func ratio(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Progress reports every phase's figures and the calls phase's breakdowns.
func (s *Campaigns) Progress(ctx context.Context, by model.Actor, id model.ID) (*model.Progress, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	return s.readProgress(ctx, id, false)
}

// readProgress reads a campaign's progress in one transaction, so every figure comes from the
// same snapshot (InnoDB's consistent read, SQLite's read transaction) even while calls are
// being recorded; live computes it from the raw records instead of the counters.
func (s *Campaigns) readProgress(ctx context.Context, id model.ID, live bool) (*model.Progress, error) {
	var out *model.Progress
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		out, err = s.progressOf(tx, uint64(id), live)
		return err
	})
	return out, err
}

func (s *Campaigns) progressOf(db *gorm.DB, id uint64, live bool) (*model.Progress, error) {
	var c model.Campaign
	if err := db.Take(&c, id).Error; err != nil {
		return nil, notFoundAs(err, errCampaignNotFound)
	}
	now := s.clock.Now()
	out := &model.Progress{CampaignID: model.ID(c.ID), AsOf: model.NewTime(now), ByOrg: []model.ProgressGroup{},
		ByStaff: []model.StaffProgress{}, ByTown: []model.ProgressGroup{}}
	cs := model.PhaseProgress{Phase: model.PhaseCalls}
	cs.Start, cs.End = c.Window(model.PhaseCalls)
	var mustVisit, sampled int64
	k, built, err := readCounters(db, c.ID)
	if err != nil {
		return nil, err
	}
	live = live || !built
	if live {
		err = s.callsProgress(db, &c, newPace(cs.Start, cs.End, now, c.TargetRate), &cs, out, &mustVisit)
	} else {
		err = s.callsProgressCounted(db, &c, k, newPace(cs.Start, cs.End, now, c.TargetRate), &cs, out, &mustVisit, &sampled)
	}
	if err != nil {
		return nil, err
	}
	out.Phases = append(out.Phases, cs)
	for _, p := range []model.Phase{model.PhaseVisits, model.PhaseReviews} {
		pp := model.PhaseProgress{Phase: p}
		pp.Start, pp.End = c.Window(p)
		pp.DaysLeft = int(newPace(pp.Start, pp.End, now, 0).daysLeft)
		var err error
		switch {
		case p == model.PhaseVisits && !live:
			pp.InScope = sampled + mustVisit
		case p == model.PhaseVisits:
			pp.InScope, err = sampledCount(db, &c)
			pp.InScope += mustVisit
		case !live:
			pp.InScope = k.all.inReview
		default:
			cond, args := scopeCond("cases", c.Scope(p))
			err = db.Table("cases").Where(cond, args...).Count(&pp.InScope).Error
		}
		if err != nil {
			return nil, err
		}
		// Extension point: done counts the recorded visits and submitted scoresheets once
		// those records exist; until then nothing is done.
		switch {
		case p == model.PhaseVisits && !live:
			pp.Done, pp.Rate, err = s.visitsDoneCounted(db, &c, k, pp.InScope)
		case p == model.PhaseVisits:
			pp.Done, pp.Rate, err = visitsDone(db, &c, pp.InScope)
		}
		if err != nil {
			return nil, err
		}
		if err := db.Model(&model.CaseAssignment{}).Where("campaign_id = ? AND phase = ?", c.ID, string(p)).Count(&pp.Assigned).Error; err != nil {
			return nil, err
		}
		out.Phases = append(out.Phases, pp)
	}
	return out, nil
}

// callsProgress fills the calls phase and the breakdowns in one grouped pass over the cases;
// mustVisit receives the count of the visit rule's unconditional part.
func (s *Campaigns) callsProgress(db *gorm.DB, c *model.Campaign, p pace, cs *model.PhaseProgress, out *model.Progress, mustVisit *int64) error {
	cond, args := scopeCond("cases", c.Scope(model.PhaseCalls))
	var groups []struct {
		OrgID    *uint64
		Town     string
		N        int64
		Done     int64
		Excluded int64
		Contact  int64
		Visit    int64
	}
	sub, subArgs := contactSQL(c.ID)
	sel := []any{c.ID, c.ID}
	sel = append(append(sel, subArgs...), c.ID, c.ID, c.ID)
	err := db.Table("cases").Select("cases.handler_org_id AS org_id, cases.town AS town, COUNT(*) AS n, "+
		"SUM(CASE WHEN "+reachedCallSQL+" THEN 1 ELSE 0 END) AS done, "+
		"SUM(CASE WHEN "+excludedSQL+" THEN 1 ELSE 0 END) AS excluded, "+
		"SUM(CASE WHEN cases.id IN ("+sub+") THEN 1 ELSE 0 END) AS contact, "+
		"SUM(CASE WHEN "+mustVisitSQL+" THEN 1 ELSE 0 END) AS visit", sel...).
		Where(cond, args...).Group("cases.handler_org_id, cases.town").Scan(&groups).Error
	if err != nil {
		return err
	}
	orgs, towns := map[uint64]*model.ProgressGroup{}, map[string]*model.ProgressGroup{}
	for _, g := range groups {
		cs.InScope, cs.Done, cs.Excluded = cs.InScope+g.N, cs.Done+g.Done, cs.Excluded+g.Excluded
		cs.ReachedAny, *mustVisit = cs.ReachedAny+g.Contact, *mustVisit+g.Visit
		var oid uint64
		if g.OrgID != nil {
			oid = *g.OrgID
		}
		for _, t := range []*model.ProgressGroup{group(orgs, oid, func() model.ProgressGroup { return orgGroup(oid) }),
			group(towns, g.Town, func() model.ProgressGroup { return model.ProgressGroup{Name: g.Town} })} {
			t.InScope, t.Done, t.Excluded = t.InScope+g.N, t.Done+g.Done, t.Excluded+g.Excluded
		}
	}
	cs.Rate = ratio(cs.Done, cs.InScope)
	target, met := c.TargetRate, p.met(cs.Done, cs.InScope)
	proj, behind := p.projected(cs.Done, cs.InScope)
	adj := ratio(cs.Done, cs.InScope-cs.Excluded)
	cs.Target, cs.Met, cs.ProjectedRate, cs.BehindPace, cs.AdjustedRate = &target, &met, &proj, &behind, &adj
	cs.DaysLeft = int(p.daysLeft)
	if err := s.nameOrgs(db, orgs); err != nil {
		return err
	}
	out.ByOrg, out.ByTown = finish(orgs, p), finish(towns, p)
	var staff []struct {
		UserID  uint64
		Name    string
		N       int64
		Reached int64
	}
	err = db.Table("case_assignments a").Joins("JOIN cases ON cases.id = a.case_id").Joins("LEFT JOIN users u ON u.id = a.user_id").
		Select("a.user_id AS user_id, MAX(u.display_name) AS name, COUNT(*) AS n, SUM(CASE WHEN "+reachedCallSQL+" THEN 1 ELSE 0 END) AS reached", c.ID).
		Where("a.campaign_id = ? AND a.phase = ?", c.ID, string(model.PhaseCalls)).Where(cond, args...).
		Group("a.user_id").Order("a.user_id").Scan(&staff).Error
	if err != nil {
		return err
	}
	for _, r := range staff {
		sp := model.StaffProgress{StaffID: model.ID(r.UserID), Name: r.Name, Assigned: r.N, Reached: r.Reached, Rate: ratio(r.Reached, r.N)}
		sp.ProjectedRate, sp.BehindPace = p.projected(r.Reached, r.N)
		cs.Assigned += r.N
		out.ByStaff = append(out.ByStaff, sp)
	}
	return nil
}

func orgGroup(id uint64) model.ProgressGroup {
	if id == 0 {
		return model.ProgressGroup{Name: "未登记机构"}
	}
	v := model.ID(id)
	return model.ProgressGroup{ID: &v}
}

func group[K comparable](m map[K]*model.ProgressGroup, k K, mk func() model.ProgressGroup) *model.ProgressGroup {
	g, ok := m[k]
	if !ok {
		v := mk()
		g = &v
		m[k] = g
	}
	return g
}

// nameOrgs fills the organisations' names.
func (s *Campaigns) nameOrgs(db *gorm.DB, orgs map[uint64]*model.ProgressGroup) error {
	var ids []uint64
	for id := range orgs {
		if id != 0 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var rows []model.Org
	if err := db.Select("id", "name").Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return err
	}
	for _, o := range rows {
		orgs[o.ID].Name = o.Name
	}
	return nil
}

// finish computes each group's rates and lists the groups by name.
func finish[K comparable](m map[K]*model.ProgressGroup, p pace) []model.ProgressGroup {
	out := make([]model.ProgressGroup, 0, len(m))
	for _, g := range m {
		g.Rate = ratio(g.Done, g.InScope)
		g.ProjectedRate, g.BehindPace = p.projected(g.Done, g.InScope)
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
