package service

import (
	"context"
	"math/rand/v2"
	"slices"

	"gorm.io/gorm"

	"fayuan/model"
)

// The visits phase selects its cases from the calls' results (结合电话回访情况): every case of the
// follow-up scope (less confirmed exclusions) not reached by phone, every one with an alert
// (a 不满意 answer opens a dissatisfaction alert in the call's own transaction, so alerts cover
// both), and a seeded random sample of each caller's other reached cases, to verify the calls in
// person. The sample is drawn from the caller's reached cases that no other rule selects, so its
// size — and so the selection's size — follows from counts alone, which progress uses.

// reachedCallSQL is "the case was reached by phone in the campaign". It and the conditions
// below are uncorrelated IN subqueries: both databases build the set once (MariaDB materialises
// it, SQLite builds an ephemeral index) instead of probing per case.
const reachedCallSQL = "cases.id IN (SELECT k.case_id FROM calls k WHERE k.campaign_id = ? AND k.outcome = 'reached')"

// alertedSQL is "the case has an alert in the campaign", from any channel.
const alertedSQL = "cases.id IN (SELECT al.case_id FROM alerts al WHERE al.campaign_id = ?)"

// callersSQL is, per reached case, the user who reached it by phone (the lowest id if several did).
const callersSQL = "(SELECT k.case_id, MIN(k.user_id) AS caller FROM calls k WHERE k.campaign_id = ? AND k.outcome = 'reached' GROUP BY k.case_id) r"

// contactSQL is the set of the campaign's cases whose recipient was reached by any channel, as
// a UNION-able subquery of case ids, with its arguments: the reached calls plus every registered
// ContactSource.
func contactSQL(campaignID uint64) (string, []any) {
	q, args := "SELECT case_id FROM calls WHERE campaign_id = ? AND outcome = 'reached'", []any{campaignID}
	for _, src := range contactSources {
		q += " UNION SELECT case_id FROM " + src.Table + " WHERE campaign_id = ? AND (" + src.Cond + ")"
		args = append(args, campaignID)
	}
	return q, args
}

// VisitSelection is the visits phase's cases of a campaign, sorted by id. The same records and
// the same seed give the same selection.
func (s *Campaigns) VisitSelection(ctx context.Context, id model.ID) ([]uint64, error) {
	var c model.Campaign
	db := s.db.WithContext(ctx)
	if err := db.Take(&c, uint64(id)).Error; err != nil {
		return nil, notFoundAs(err, errCampaignNotFound)
	}
	return visitSelection(db, &c)
}

// visitSelection computes the selection inside tx.
func visitSelection(tx *gorm.DB, c *model.Campaign) ([]uint64, error) {
	var ids []uint64
	err := phaseCases(tx, c, model.PhaseCalls).Where("(NOT "+reachedCallSQL+" OR "+alertedSQL+")", c.ID, c.ID).
		Pluck("cases.id", &ids).Error
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID     uint64
		Caller uint64
	}
	err = phaseCases(tx, c, model.PhaseCalls).Joins("JOIN "+callersSQL+" ON r.case_id = cases.id", c.ID).
		Select("cases.id AS id, r.caller AS caller").Where("NOT "+alertedSQL, c.ID).Order("cases.id").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	byCaller := map[uint64][]uint64{}
	for _, r := range rows {
		byCaller[r.Caller] = append(byCaller[r.Caller], r.ID)
	}
	st := c.Settings()
	for caller, reached := range byCaller {
		ids = append(ids, sampleReached(reached, sampleSize(len(reached), st), st.VisitSeed, caller)...)
	}
	slices.Sort(ids)
	return ids, nil
}

// sampleSize is how many of a caller's n candidate cases are visited: the percentage rounded
// up, at least the minimum, at most all of them.
func sampleSize(n int, st model.CampaignSettings) int {
	k := (n*st.VisitSamplePercent + 99) / 100
	k = max(k, st.VisitSampleMin)
	return min(k, n)
}

// sampleReached draws k of ids (sorted ascending) with a PRNG seeded by the campaign's seed and
// the caller, so each caller's sample is reproducible on its own.
func sampleReached(ids []uint64, k int, seed int64, caller uint64) []uint64 {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	rng := rand.New(rand.NewPCG(uint64(seed), caller))
	for i := 0; i < k; i++ {
		j := i + rng.IntN(len(ids)-i)
		ids[i], ids[j] = ids[j], ids[i]
	}
	return ids[:k]
}

// mustVisitSQL is the rule's unconditional part: not excluded, and not reached or alerted.
const mustVisitSQL = "NOT " + excludedSQL + " AND (NOT " + reachedCallSQL + " OR " + alertedSQL + ")"

// sampledCount is how many reached cases the per-caller samples take: with the cases
// mustVisitSQL selects (counted in progress's grouped pass), len(visitSelection).
func sampledCount(tx *gorm.DB, c *model.Campaign) (int64, error) {
	var rows []struct {
		Caller uint64
		N      int
	}
	err := phaseCases(tx, c, model.PhaseCalls).Joins("JOIN "+callersSQL+" ON r.case_id = cases.id", c.ID).
		Select("r.caller AS caller, COUNT(*) AS n").Where("NOT "+alertedSQL, c.ID).Group("r.caller").Scan(&rows).Error
	if err != nil {
		return 0, err
	}
	st := c.Settings()
	var n int64
	for _, r := range rows {
		n += int64(sampleSize(r.N, st))
	}
	return n, nil
}

// keepVisitSelection narrows a visits assignment's candidates to the visit selection; listed
// (explicit) cases outside it are reported as out of the phase's scope.
func keepVisitSelection(tx *gorm.DB, c *model.Campaign, cands, unassignable []candidate, reasons map[uint64]string, explicit bool) (
	[]candidate, []candidate, error) {
	sel, err := visitSelection(tx, c)
	if err != nil {
		return nil, nil, err
	}
	kept := cands[:0:0]
	for _, k := range cands {
		if _, ok := slices.BinarySearch(sel, k.ID); ok {
			kept = append(kept, k)
		} else if explicit {
			unassignable = append(unassignable, k)
			reasons[k.ID] = model.UnassignableOutOfScope
		}
	}
	return kept, unassignable, nil
}
