package service

import (
	"slices"
	"strconv"

	"gorm.io/gorm"

	"fayuan/model"
)

// visitedSQL is "the case has a visit with answers in the campaign" (every visit carries them).
const visitedSQL = "cases.id IN (SELECT vs.case_id FROM visits vs WHERE vs.campaign_id = ? AND vs.answers IS NOT NULL AND vs.answers <> '')"

// visitsDone is the visits phase's done — the cases of the visit selection with a visit — and
// its rate over the selection's size inScope. Visits on cases outside the selection (a
// manager's own) are kept but not counted. It follows visitSelection without listing the whole
// selection, which on a large county is most of the cases: the rule's unconditional part is
// counted in SQL, and only the callers with a visited sampled case have their sample drawn.
func visitsDone(db *gorm.DB, c *model.Campaign, inScope int64) (int64, float64, error) {
	var done int64
	if err := phaseCases(db, c, model.PhaseCalls).Where("(NOT "+reachedCallSQL+" OR "+alertedSQL+")", c.ID, c.ID).
		Where(visitedSQL, c.ID).Count(&done).Error; err != nil {
		return 0, 0, err
	}
	var visited []struct {
		ID     uint64
		Caller uint64
	}
	reached := func() *gorm.DB {
		return phaseCases(db, c, model.PhaseCalls).Joins("JOIN "+callersSQL+" ON r.case_id = cases.id", c.ID).
			Select("cases.id AS id, r.caller AS caller").Where("NOT "+alertedSQL, c.ID)
	}
	if err := reached().Where(visitedSQL, c.ID).Scan(&visited).Error; err != nil {
		return 0, 0, err
	}
	byCaller := map[uint64][]uint64{}
	for _, v := range visited {
		byCaller[v.Caller] = append(byCaller[v.Caller], v.ID)
	}
	st := c.Settings()
	for caller, ids := range byCaller {
		var rows []struct{ ID uint64 }
		if err := reached().Where("r.caller = ?", caller).Scan(&rows).Error; err != nil {
			return 0, 0, err
		}
		cands := make([]uint64, len(rows))
		for i, r := range rows {
			cands[i] = r.ID
		}
		sample := sampleReached(cands, sampleSize(len(cands), st), st.VisitSeed, caller)
		slices.Sort(sample)
		for _, id := range ids {
			if _, ok := slices.BinarySearch(sample, id); ok {
				done++
			}
		}
	}
	return done, ratio(done, inScope), nil
}

// visitsDoneCounted is visitsDone from the counters and the per-case rows: the must-visit cases
// with a visit are a counter, and only the callers with a visited candidate have their sample
// drawn, from their candidates' progress rows (one pass over an index holding caller and case
// id, instead of grouping all the campaign's calls once per caller).
func visitsDoneCounted(db *gorm.DB, c *model.Campaign, k *counted, inScope int64) (int64, float64, error) {
	done := k.all.visited
	var callers []uint64
	for key, v := range k.groups[dimCaller] {
		if v.n > 0 && v.visited > 0 {
			id, _ := strconv.ParseUint(key, 10, 64)
			callers = append(callers, id)
		}
	}
	if len(callers) == 0 {
		return done, ratio(done, inScope), nil
	}
	slices.Sort(callers)
	var rows []struct {
		Caller  uint64
		CaseID  uint64
		Visited int
	}
	// The candidates of contribute's "caller" group: the caller is set only on reached cases.
	err := db.Model(&model.ProgressCase{}).Select("caller, case_id, visited").
		Where("campaign_id = ? AND caller IN ? AND in_calls = 1 AND excluded = 0 AND alerted = 0", c.ID, callers).
		Scan(&rows).Error
	if err != nil {
		return 0, 0, err
	}
	cands, visited := map[uint64][]uint64{}, map[uint64][]uint64{}
	for _, r := range rows {
		cands[r.Caller] = append(cands[r.Caller], r.CaseID)
		if r.Visited == 1 {
			visited[r.Caller] = append(visited[r.Caller], r.CaseID)
		}
	}
	st := c.Settings()
	for caller, ids := range visited {
		sample := sampleReached(cands[caller], sampleSize(len(cands[caller]), st), st.VisitSeed, caller)
		slices.Sort(sample)
		for _, id := range ids {
			if _, ok := slices.BinarySearch(sample, id); ok {
				done++
			}
		}
	}
	return done, ratio(done, inScope), nil
}
