package service

import (
	"cmp"
	"slices"
)

// The planner shares cases among staff without touching the database: balanced (the least
// loaded eligible member first), with 回避, and for visits keeping a town's cases with one
// person so a day's trip covers a village cluster.

// member is a staff member as the planner sees them.
type member struct {
	ID       uint64
	Name     string
	OrgID    uint64
	Handlers map[uint64]bool // handler records linked to this member's account
	Load     int64           // cases held in the phase, this run's included
	Given    int             // cases this run gave them
}

// candidate is a case the planner may give.
type candidate struct {
	ID           uint64
	CaseNo       string
	Town         string
	HandlerID    *uint64
	HandlerOrgID *uint64
	Current      *uint64 // the member holding it now, for explicit reassignment
}

// recused reports whether m must not work on c: their organisation handled it, or they did.
func (m *member) recused(c candidate) bool {
	return (c.HandlerOrgID != nil && *c.HandlerOrgID == m.OrgID) || (c.HandlerID != nil && m.Handlers[*c.HandlerID])
}

// give is one decision of the planner.
type give struct {
	Case candidate
	To   *member
}

// plan shares cases among staff. With byTown, a town's cases form one group given to one
// member (split only where 回避 forces it); otherwise each case is its own group, the most
// constrained first so that the freely assignable cases even out the loads. It returns the
// gifts and the cases nobody may take.
func plan(cases []candidate, staff []*member, byTown bool) (gifts []give, nobody []candidate) {
	eligible := func(c candidate) int {
		n := 0
		for _, m := range staff {
			if !m.recused(c) {
				n++
			}
		}
		return n
	}
	var groups [][]candidate
	if byTown {
		index := map[string]int{}
		for _, c := range cases {
			if c.Town == "" {
				groups = append(groups, []candidate{c})
				continue
			}
			i, ok := index[c.Town]
			if !ok {
				i = len(groups)
				index[c.Town] = i
				groups = append(groups, nil)
			}
			groups[i] = append(groups[i], c)
		}
		slices.SortStableFunc(groups, func(a, b []candidate) int { return cmp.Compare(len(b), len(a)) })
	} else {
		sorted := slices.Clone(cases)
		slices.SortStableFunc(sorted, func(a, b candidate) int { return cmp.Compare(eligible(a), eligible(b)) })
		for _, c := range sorted {
			groups = append(groups, []candidate{c})
		}
	}
	for _, g := range groups {
		for len(g) > 0 {
			m := pickMember(g, staff)
			if m == nil {
				nobody = append(nobody, g...)
				break
			}
			var rest []candidate
			for _, c := range g {
				if m.recused(c) {
					rest = append(rest, c)
					continue
				}
				gifts = append(gifts, give{Case: c, To: m})
				m.Load++
				m.Given++
			}
			g = rest
		}
	}
	return gifts, nobody
}

// pickMember chooses who gets a group: the member who may take most of it, then the least
// loaded, then the first listed. nil when nobody may take any of it.
func pickMember(g []candidate, staff []*member) *member {
	var best *member
	bestN := 0
	for _, m := range staff {
		n := 0
		for _, c := range g {
			if !m.recused(c) {
				n++
			}
		}
		if n > bestN || (n == bestN && n > 0 && m.Load < best.Load) {
			best, bestN = m, n
		}
	}
	return best
}
