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
// with a visit are a counter, and each caller with a visited candidate adds the visited cases of
// their sample. Drawing a sample needs all the caller's candidates, so a caller's count is kept
// (per process) under the counters' fingerprint of their candidates and visits, and recomputed
// from the caller's progress rows only when that changed: unchanged callers cost nothing.
func (s *Campaigns) visitsDoneCounted(db *gorm.DB, c *model.Campaign, k *counted, inScope int64) (int64, float64, error) {
	done := k.all.visited
	st := c.Settings()
	for key, v := range k.groups[dimCaller] {
		if v.n <= 0 || v.visited <= 0 {
			continue
		}
		caller, _ := strconv.ParseUint(key, 10, 64)
		want := sampleKey{n: v.n, visited: v.visited, fp: v.fp, seed: st.VisitSeed, pct: st.VisitSamplePercent, min: st.VisitSampleMin}
		if got, ok := s.samples.Load([2]uint64{c.ID, caller}); ok && got.(sampleDone).key == want {
			done += got.(sampleDone).done
			continue
		}
		n, err := sampledVisited(db, c, caller, st)
		if err != nil {
			return 0, 0, err
		}
		s.samples.Store([2]uint64{c.ID, caller}, sampleDone{want, n})
		done += n
	}
	return done, ratio(done, inScope), nil
}

// sampleKey is what a caller's visited sample depends on; sampleDone its count under that key.
type sampleKey struct {
	n, visited, fp int64
	seed           int64
	pct, min       int
}

type sampleDone struct {
	key  sampleKey
	done int64
}

// sampledVisited counts the visited cases of a caller's sample from their candidates' progress
// rows (those of contribute's "caller" group; caller is set on reached cases only).
func sampledVisited(db *gorm.DB, c *model.Campaign, caller uint64, st model.CampaignSettings) (int64, error) {
	rows, err := db.Model(&model.ProgressCase{}).Select("case_id, visited").
		Where("campaign_id = ? AND caller = ? AND in_calls = 1 AND excluded = 0 AND alerted = 0", c.ID, caller).Rows()
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var cands, visited []uint64
	for rows.Next() {
		var id uint64
		var v int
		if err := rows.Scan(&id, &v); err != nil {
			return 0, err
		}
		cands = append(cands, id)
		if v == 1 {
			visited = append(visited, id)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	sample := sampleReached(cands, sampleSize(len(cands), st), st.VisitSeed, caller)
	slices.Sort(sample)
	var n int64
	for _, id := range visited {
		if _, ok := slices.BinarySearch(sample, id); ok {
			n++
		}
	}
	return n, nil
}

// candidateFp is a sample candidate's share of its caller's fingerprint: a hash of its id, plus
// another when it is visited. 40-bit parts keep a million cases' sum within an int64.
func candidateFp(caseID uint64, visited bool) int64 {
	fp := int64(mix64(caseID) >> 24)
	if visited {
		fp += int64(mix64(caseID^0x5bd1e9955bd1e995) >> 24)
	}
	return fp
}

// mix64 is SplitMix64's finaliser.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
