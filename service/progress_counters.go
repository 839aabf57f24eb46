package service

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/model"
)

// Progress is served from counters kept in the same transaction as every write that changes
// them. Each write path calls CaseChanged (or casesChanged for many cases), which recomputes the
// case's ProgressCase row from the raw records and adds the difference between the old and new
// rows' contributions to the ProgressCounter rows. A rebuild recomputes everything from scratch,
// and the live query (Progress with live) computes the same figures from the raw records alone.
//
// Why the recompute is an INSERT … SELECT: InnoDB reads the source rows of a DML statement with
// locking reads, which see the latest committed rows, where a plain SELECT in a REPEATABLE READ
// transaction would see the snapshot of its first read and could miss a concurrent writer's
// committed exclusion or call. The old row is read FOR UPDATE first, so two writers of one case
// take turns, and the later one sees the earlier one's records.

// progressSlots is how many rows share one counter group: writers of different cases land on
// different rows, so concurrent calls seldom queue on one hot row.
const progressSlots = 16

// Counter dimensions.
const (
	dimAll    = "all"
	dimOrg    = "org"
	dimTown   = "town"
	dimStaff  = "staff"
	dimCaller = "caller"
	// dimMark's row says the campaign's counters were built; without it progress is computed live.
	dimMark = "built"
)

type counterKey struct {
	dim, grp string
	slot     int
}

// visited is, in "all", the must-visit cases with a visit and, in "caller", the caller's
// sample candidates with a visit (visitsDoneCounted draws the sample only for those callers);
// fp, in "caller", is candidateFp summed over the caller's candidates.
type counterVals struct{ n, done, excl, reachedAny, mustVisit, inReview, visited, fp int64 }

func (v *counterVals) add(o counterVals, sign int64) {
	v.n += sign * o.n
	v.done += sign * o.done
	v.excl += sign * o.excl
	v.reachedAny += sign * o.reachedAny
	v.mustVisit += sign * o.mustVisit
	v.inReview += sign * o.inReview
	v.visited += sign * o.visited
	v.fp += sign * o.fp
}

func (v counterVals) zero() bool { return v == counterVals{} }

// contribute adds a case's contributions to the counter groups, with sign +1 or -1. The visit
// rule's parts follow mustVisitSQL and sampledCount: not excluded, then unreached or alerted
// (must visit), or reached and not alerted (a candidate of its first caller's sample).
func contribute(m map[counterKey]counterVals, r *model.ProgressCase, sign int64) {
	slot := int(r.CaseID % progressSlots)
	put := func(dim, grp string, v counterVals) {
		k := counterKey{dim, grp, slot}
		cur := m[k]
		cur.add(v, sign)
		m[k] = cur
	}
	all := counterVals{inReview: int64(r.InReview)}
	if r.InCalls == 1 {
		g := counterVals{n: 1, done: int64(r.Reached), excl: int64(r.Excluded)}
		all.n, all.done, all.excl, all.reachedAny = g.n, g.done, g.excl, int64(r.ReachedAny)
		if r.Excluded == 0 && (r.Reached == 0 || r.Alerted == 1) {
			all.mustVisit, all.visited = 1, int64(r.Visited)
		}
		put(dimOrg, strconv.FormatUint(r.OrgID, 10), g)
		put(dimTown, r.Town, g)
		if r.Assignee != 0 {
			put(dimStaff, strconv.FormatUint(r.Assignee, 10), counterVals{n: 1, done: int64(r.Reached)})
		}
		if r.Excluded == 0 && r.Reached == 1 && r.Alerted == 0 && r.Caller != 0 {
			put(dimCaller, strconv.FormatUint(r.Caller, 10), counterVals{n: 1, visited: int64(r.Visited), fp: candidateFp(r.CaseID, r.Visited == 1)})
		}
	}
	put(dimAll, "", all)
}

// recomputeSQL selects the ProgressCase rows of a campaign's cases that match filter (a
// condition on cases' ids) and fall in either of its scopes, computed from the raw records.
func recomputeSQL(c *model.Campaign, filter string, fargs []any) (string, []any) {
	calls, callArgs := scopeCond("cases", c.Scope(model.PhaseCalls))
	review, reviewArgs := scopeCond("cases", c.Scope(model.PhaseReviews))
	reached := "EXISTS (SELECT 1 FROM calls k WHERE k.campaign_id = ? AND k.case_id = cases.id AND k.outcome = 'reached')"
	reachedAny := reached
	args := []any{c.ID}
	args = append(append(args, callArgs...), reviewArgs...)
	args = append(args, c.ID, c.ID, c.ID)
	for _, src := range contactSources {
		reachedAny += " OR EXISTS (SELECT 1 FROM " + src.Table + " WHERE " + src.Table + ".campaign_id = ? AND " +
			src.Table + ".case_id = cases.id AND (" + src.Cond + "))"
		args = append(args, c.ID)
	}
	args = append(append(args, c.ID, c.ID, c.ID, c.ID), fargs...)
	// The scopes are tested outside: inside, the filter (ids) is the only thing an index can
	// serve, so no planner walks a scope's index over every in-scope case to find a few ids.
	q := "SELECT * FROM (SELECT ? AS campaign_id, cases.id AS case_id, " +
		"CASE WHEN " + calls + " THEN 1 ELSE 0 END AS in_calls, " +
		"CASE WHEN " + review + " THEN 1 ELSE 0 END AS in_review, " +
		"COALESCE(cases.handler_org_id, 0) AS org_id, cases.town AS town, " +
		"COALESCE((SELECT a.user_id FROM case_assignments a WHERE a.campaign_id = ? AND a.phase = 'calls' AND a.case_id = cases.id), 0) AS assignee, " +
		"CASE WHEN " + reached + " THEN 1 ELSE 0 END AS reached, " +
		"CASE WHEN " + reachedAny + " THEN 1 ELSE 0 END AS reached_any, " +
		"CASE WHEN EXISTS (SELECT 1 FROM campaign_exclusions x WHERE x.campaign_id = ? AND x.case_id = cases.id AND x.status = 'confirmed') THEN 1 ELSE 0 END AS excluded, " +
		"CASE WHEN EXISTS (SELECT 1 FROM alerts al WHERE al.campaign_id = ? AND al.case_id = cases.id) THEN 1 ELSE 0 END AS alerted, " +
		"COALESCE((SELECT MIN(k.user_id) FROM calls k WHERE k.campaign_id = ? AND k.case_id = cases.id AND k.outcome = 'reached'), 0) AS caller, " +
		"CASE WHEN EXISTS (SELECT 1 FROM visits vs WHERE vs.campaign_id = ? AND vs.case_id = cases.id AND vs.answers IS NOT NULL AND vs.answers <> '') THEN 1 ELSE 0 END AS visited " +
		"FROM cases WHERE " + filter + ") t WHERE t.in_calls = 1 OR t.in_review = 1"
	return q, args
}

const progressCaseCols = "campaign_id, case_id, in_calls, in_review, org_id, town, assignee, reached, reached_any, excluded, alerted, caller, visited"

// CaseChanged recomputes one case's progress in tx; see contact.go.
func (s *Campaigns) caseChanged(tx *gorm.DB, campaignID, caseID uint64) error {
	var c model.Campaign
	if err := tx.Take(&c, campaignID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil // no campaign, no progress to keep
		}
		return err
	}
	return refreshProgress(tx, &c, []uint64{caseID})
}

// casesChanged recomputes the progress of cases whose own fields changed (scope membership,
// organisation, town) in every campaign, and copies their work-list keys onto their assignments.
func casesChanged(tx *gorm.DB, caseIDs []uint64) error {
	if len(caseIDs) == 0 {
		return nil
	}
	if err := caseKeysChanged(tx, caseIDs); err != nil {
		return err
	}
	var camps []model.Campaign
	if err := tx.Order("id").Find(&camps).Error; err != nil {
		return err
	}
	for i := range camps {
		for chunk := range slices.Chunk(caseIDs, 1000) {
			if err := refreshProgress(tx, &camps[i], chunk); err != nil {
				return err
			}
		}
	}
	return nil
}

// refreshProgress recomputes the ProgressCase rows of some cases of c and applies the
// difference to the counters.
func refreshProgress(tx *gorm.DB, c *model.Campaign, ids []uint64) error {
	var old []model.ProgressCase
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("campaign_id = ? AND case_id IN ?", c.ID, ids).
		Order("case_id").Find(&old).Error
	if err != nil {
		return err
	}
	// Written over in place (an upsert), not deleted and inserted again: one statement less on
	// the path of every reached call. A case that had a row is recomputed even out of both
	// scopes, so its row is written over with zeros (contributing nothing) and deleted after
	// (cases themselves are never deleted, so every id with a row is recomputed).
	q, args := recomputeSQL(c, "cases.id IN ?", []any{ids})
	if len(old) > 0 {
		had := make([]uint64, len(old))
		for i := range old {
			had[i] = old[i].CaseID
		}
		q, args = q+" OR t.case_id IN ?", append(args, had)
	}
	res := tx.Exec("INSERT INTO progress_cases ("+progressCaseCols+") "+q+progressCaseUpsert(tx), args...)
	if res.Error != nil {
		return res.Error
	}
	var cur []model.ProgressCase
	if res.RowsAffected > 0 || len(old) > 0 { // nothing written over nothing: no rows to read
		if err := tx.Where("campaign_id = ? AND case_id IN ?", c.ID, ids).Find(&cur).Error; err != nil {
			return err
		}
	}
	var gone []uint64
	cur = slices.DeleteFunc(cur, func(r model.ProgressCase) bool {
		if r.InCalls == 0 && r.InReview == 0 {
			gone = append(gone, r.CaseID)
			return true
		}
		return false
	})
	if len(gone) > 0 {
		if err := tx.Where("campaign_id = ? AND case_id IN ?", c.ID, gone).Delete(&model.ProgressCase{}).Error; err != nil {
			return err
		}
	}
	m := map[counterKey]counterVals{}
	for i := range old {
		contribute(m, &old[i], -1)
	}
	for i := range cur {
		contribute(m, &cur[i], 1)
	}
	return addCounters(tx, c.ID, m)
}

// progressCaseUpsert is the conflict clause that overwrites a case's existing row with the
// recomputed one.
func progressCaseUpsert(tx *gorm.DB) string {
	cols := strings.Split(progressCaseCols, ", ")[2:] // after campaign_id, case_id: the key
	set := make([]string, len(cols))
	for i, c := range cols {
		if tx.Dialector.Name() == "mysql" {
			set[i] = c + " = VALUES(" + c + ")"
		} else {
			set[i] = c + " = excluded." + c
		}
	}
	if tx.Dialector.Name() == "mysql" {
		return " ON DUPLICATE KEY UPDATE " + strings.Join(set, ", ")
	}
	return " ON CONFLICT (campaign_id, case_id) DO UPDATE SET " + strings.Join(set, ", ")
}

// addCounters adds m to the campaign's counter rows in one statement, rows in key order so that
// concurrent writers lock them in the same order.
func addCounters(tx *gorm.DB, campaignID uint64, m map[counterKey]counterVals) error {
	keys := make([]counterKey, 0, len(m))
	for k, v := range m {
		if !v.zero() {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.SortFunc(keys, func(a, b counterKey) int {
		return cmp.Or(cmp.Compare(a.dim, b.dim), cmp.Compare(a.grp, b.grp), cmp.Compare(a.slot, b.slot))
	})
	cols := []string{"n", "done", "excluded_n", "reached_any", "must_visit", "in_review", "visited", "sample_fp"}
	for chunk := range slices.Chunk(keys, 500) {
		q := "INSERT INTO progress_counters (campaign_id, dim, grp, slot, n, done, excluded_n, reached_any, must_visit, in_review, visited, sample_fp) VALUES "
		args := make([]any, 0, len(chunk)*12)
		for i, k := range chunk {
			if i > 0 {
				q += ", "
			}
			q += "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
			v := m[k]
			args = append(args, campaignID, k.dim, k.grp, k.slot, v.n, v.done, v.excl, v.reachedAny, v.mustVisit, v.inReview, v.visited, v.fp)
		}
		if tx.Dialector.Name() == "mysql" {
			q += " ON DUPLICATE KEY UPDATE "
			for i, c := range cols {
				if i > 0 {
					q += ", "
				}
				q += c + " = " + c + " + VALUES(" + c + ")"
			}
		} else {
			q += " ON CONFLICT (campaign_id, dim, grp, slot) DO UPDATE SET "
			for i, c := range cols {
				if i > 0 {
					q += ", "
				}
				q += c + " = progress_counters." + c + " + excluded." + c
			}
		}
		if err := tx.Exec(q, args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// rebuildProgress recomputes a campaign's ProgressCase rows and counters from the raw records.
func rebuildProgress(tx *gorm.DB, c *model.Campaign) error {
	for _, t := range []any{&model.ProgressCounter{}, &model.ProgressCase{}} {
		if err := tx.Where("campaign_id = ?", c.ID).Delete(t).Error; err != nil {
			return err
		}
	}
	// In ranges of case ids, walking the primary key: each case's calls, assignment and alerts
	// are then probed in index order, which keeps a million-case rebuild within the buffer pool
	// instead of reading the calls index at random.
	var maxID uint64
	if err := tx.Model(&model.Case{}).Select("COALESCE(MAX(id), 0)").Scan(&maxID).Error; err != nil {
		return err
	}
	const span = 50_000
	for lo := uint64(0); lo < maxID; lo += span {
		q, args := recomputeSQL(c, "cases.id > ? AND cases.id <= ?", []any{lo, lo + span})
		if tx.Dialector.Name() == "mysql" {
			q = strings.Replace(q, "FROM cases WHERE", "FROM cases FORCE INDEX (PRIMARY) WHERE", 1)
		}
		if err := tx.Exec("INSERT INTO progress_cases ("+progressCaseCols+") "+q, args...).Error; err != nil {
			return err
		}
	}
	m := map[counterKey]counterVals{{dimMark, "", 0}: {n: 1}}
	var after uint64
	for {
		var rows []model.ProgressCase
		if err := tx.Where("campaign_id = ? AND case_id > ?", c.ID, after).Order("case_id").Limit(10000).Find(&rows).Error; err != nil {
			return err
		}
		for i := range rows {
			contribute(m, &rows[i], 1)
		}
		if len(rows) < 10000 {
			break
		}
		after = rows[len(rows)-1].CaseID
	}
	return addCounters(tx, c.ID, m)
}

// assignmentsChanged recomputes the cases an assignment run gave: the calls phase's assignee is
// the by-staff breakdown.
func assignmentsChanged(tx *gorm.DB, c *model.Campaign, p model.Phase, gifts []give) error {
	if p != model.PhaseCalls || len(gifts) == 0 {
		return nil
	}
	ids := make([]uint64, len(gifts))
	for i, g := range gifts {
		ids[i] = g.Case.ID
	}
	slices.Sort(ids)
	for chunk := range slices.Chunk(ids, 1000) {
		if err := refreshProgress(tx, c, chunk); err != nil {
			return err
		}
	}
	return nil
}

// CasesChanged is casesChanged for code that writes cases outside this package's services
// (tests that store cases directly, maintenance tools).
func (s *Campaigns) CasesChanged(tx *gorm.DB, caseIDs ...uint64) error {
	return casesChanged(tx, caseIDs)
}
