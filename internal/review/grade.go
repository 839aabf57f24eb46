package review

import "fmt"

// Grade is a file's or a sheet's 等次.
type Grade string

// The four grades, best first.
const (
	Excellent   Grade = "excellent"
	Good        Grade = "good"
	Qualified   Grade = "qualified"
	Unqualified Grade = "unqualified"
)

// Label returns the grade in Chinese, as users read it.
func (g Grade) Label() string {
	switch g {
	case Excellent:
		return "优秀"
	case Good:
		return "良好"
	case Qualified:
		return "合格"
	case Unqualified:
		return "不合格"
	}
	return string(g)
}

// Bands are a campaign's grade lower bounds: a score ≥ Excellent is 优秀, ≥ Good 良好,
// ≥ Qualified 合格, anything lower 不合格.
type Bands struct {
	Excellent Tenths `json:"excellent"`
	Good      Tenths `json:"good"`
	Qualified Tenths `json:"qualified"`
}

// DefaultBands are the notice's bands: 90.0 / 80.0 / 70.0.
func DefaultBands() Bands {
	return Bands{Excellent: 900, Good: 800, Qualified: 700}
}

// Validate refuses bands that are out of 0–100 or not strictly descending.
func (b Bands) Validate() error {
	if b.Qualified < 0 || b.Excellent > FullMarks || !(b.Excellent > b.Good && b.Good > b.Qualified) {
		return fmt.Errorf("grade bands must satisfy 100 ≥ excellent > good > qualified ≥ 0, got %s/%s/%s",
			b.Excellent, b.Good, b.Qualified)
	}
	return nil
}

// Grade places an already rounded score in the bands (lower bounds, inclusive).
func (b Bands) Grade(score Tenths) Grade {
	switch {
	case score >= b.Excellent:
		return Excellent
	case score >= b.Good:
		return Good
	case score >= b.Qualified:
		return Qualified
	}
	return Unqualified
}
