package service

import (
	"slices"

	"gorm.io/gorm"

	"fayuan/model"
)

// A scope is a query, never a snapshot: a case imported or corrected later joins or leaves the
// scope by its own source, category and closing date. InScope and scopeCond say the same thing,
// one for a case in hand and one for SQL; the tests hold them to each other.

// InScope reports whether a case falls in a scope: closed (open cases never do), of one of
// the sources and categories, and closed between ClosedFrom and ClosedTo, both days included.
func InScope(s model.Scope, c *model.Case) bool {
	if c.ClosedOn == nil || *c.ClosedOn == "" {
		return false
	}
	on := *c.ClosedOn
	return slices.Contains(s.Sources, c.Source) && slices.Contains(s.Categories, c.Category) &&
		on >= s.ClosedFrom && on <= s.ClosedTo
}

// scopeCond is InScope as a SQL condition on the cases table (or its alias). Dates are
// "YYYY-MM-DD" text, which compares as dates on every database.
func scopeCond(alias string, s model.Scope) (string, []any) {
	p := alias + "."
	return p + "closed_on IS NOT NULL AND " + p + "source IN ? AND " + p + "category IN ? AND " +
			p + "closed_on >= ? AND " + p + "closed_on <= ?",
		[]any{stringsOf(s.Sources), stringsOf(s.Categories), s.ClosedFrom, s.ClosedTo}
}

// phaseCases is the query of a phase's cases: its scope, and for calls and visits without
// the cases a confirmed exclusion took out. The visits phase narrows this further to the visit
// selection (campaign_visits.go).
func phaseCases(tx *gorm.DB, c *model.Campaign, p model.Phase) *gorm.DB {
	cond, args := scopeCond("cases", c.Scope(p))
	q := tx.Table("cases").Where(cond, args...)
	if p != model.PhaseReviews {
		q = q.Where("NOT EXISTS (SELECT 1 FROM campaign_exclusions x WHERE x.campaign_id = ? AND x.case_id = cases.id AND x.status = ?)",
			c.ID, model.ExclusionConfirmed)
	}
	return q
}

func stringsOf[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	if len(out) == 0 {
		out = append(out, "") // IN () is a syntax error; IN ('') matches nothing
	}
	return out
}
