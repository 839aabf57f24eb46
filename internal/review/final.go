package review

import (
	"errors"
	"fmt"
	"sort"
)

// Outcome is one sheet as the final score sees it: its rounded score and whether it applied a
// veto.
type Outcome struct {
	Score Tenths `json:"score"`
	Veto  bool   `json:"veto"`
}

// Triggers are a campaign's conditions for calling a third reviewer. Divergence is the gap in
// points (≥) that calls one; 0 switches that condition off. The booleans switch the other
// conditions on.
type Triggers struct {
	Divergence      Tenths `json:"divergence"`
	DifferentGrades bool   `json:"different_grades"`
	Unqualified     bool   `json:"unqualified"`
	Veto            bool   `json:"veto"`
}

// DefaultTriggers are rubric.md's: 10 points apart, different grades, either 不合格, or a veto.
func DefaultTriggers() Triggers {
	return Triggers{Divergence: 100, DifferentGrades: true, Unqualified: true, Veto: true}
}

// Final is a file's result. When NeedsThird is set the file has no score yet: Reasons say why a
// third reviewer is needed, and Score and Grade are empty.
type Final struct {
	Sheets     int      `json:"sheets"`
	NeedsThird bool     `json:"needs_third"`
	Score      Tenths   `json:"score"`
	Veto       bool     `json:"veto"`
	Grade      Grade    `json:"grade,omitempty"`
	Reasons    []string `json:"reasons"`
}

// ErrSheetCount is returned when a file is finalised from anything but two or three sheets.
var ErrSheetCount = errors.New("a final score needs two or three sheets")

// sheetGrade is a sheet's grade: a veto makes it unqualified whatever the points.
func sheetGrade(o Outcome, b Bands) Grade {
	if o.Veto {
		return Unqualified
	}
	return b.Grade(o.Score)
}

// ThirdReasons lists why two sheets call for a third reviewer under the triggers; empty means
// the two suffice.
func ThirdReasons(a, b Outcome, bands Bands, t Triggers) []string {
	var why []string
	gap := a.Score - b.Score
	if gap < 0 {
		gap = -gap
	}
	if t.Divergence > 0 && gap >= t.Divergence {
		why = append(why, fmt.Sprintf("两份评分相差 %s 分，达到 %s 分", gap, t.Divergence))
	}
	ga, gb := sheetGrade(a, bands), sheetGrade(b, bands)
	if t.DifferentGrades && ga != gb {
		why = append(why, fmt.Sprintf("两份评分等次不同（%s、%s）", ga.Label(), gb.Label()))
	}
	if t.Unqualified && (ga == Unqualified || gb == Unqualified) {
		why = append(why, "有评查人员评为不合格")
	}
	if t.Veto && (a.Veto || b.Veto) {
		why = append(why, "有评查人员适用一票否决")
	}
	return why
}

// MeanHalfUp is the mean of two scores rounded half up to 0.1: 89.9 and 90.0 give 90.0.
func MeanHalfUp(a, b Tenths) Tenths {
	return Tenths(divHalfUp(int64(a)+int64(b), 2))
}

// CombinedScore is the mean of any number of sheets, rounded half up to 0.1: a hearing
// observation's combined score over its observers' sheets.
func CombinedScore(scores []Tenths) (Tenths, error) {
	if len(scores) == 0 {
		return 0, errors.New("a combined score needs at least one sheet")
	}
	var sum int64
	for _, s := range scores {
		sum += int64(s)
	}
	return Tenths(divHalfUp(sum, int64(len(scores)))), nil
}

// FinalScore decides a file from its sheets, in the order they were submitted. With two: the
// mean (half up to 0.1), unless a trigger calls for a third reviewer. With three: the median,
// and a veto stands when at least two of the three apply it. The grade comes from the bands,
// 不合格 when the veto stands.
func FinalScore(sheets []Outcome, bands Bands, t Triggers) (Final, error) {
	switch len(sheets) {
	case 2:
		a, b := sheets[0], sheets[1]
		if why := ThirdReasons(a, b, bands, t); len(why) > 0 {
			return Final{Sheets: 2, NeedsThird: true, Reasons: why}, nil
		}
		f := Final{Sheets: 2, Score: MeanHalfUp(a.Score, b.Score)}
		f.Grade = bands.Grade(f.Score)
		f.Reasons = []string{fmt.Sprintf("两份评分 %s、%s 的平均分为 %s（四舍五入到 0.1 分），等次%s", a.Score, b.Score, f.Score, f.Grade.Label())}
		// Only reached when the veto trigger is off, which settings refuse; should it happen all
		// the same, two vetoes of two stand: the points never outweigh them.
		if a.Veto && b.Veto {
			f.Veto, f.Grade = true, Unqualified
			f.Reasons = []string{fmt.Sprintf("两份评分 %s、%s 的平均分为 %s（四舍五入到 0.1 分）", a.Score, b.Score, f.Score),
				"两名评查人员均适用一票否决，否决成立，等次不合格"}
		}
		return f, nil
	case 3:
		scores := []Tenths{sheets[0].Score, sheets[1].Score, sheets[2].Score}
		sort.Slice(scores, func(i, j int) bool { return scores[i] < scores[j] })
		vetoes := 0
		for _, s := range sheets {
			if s.Veto {
				vetoes++
			}
		}
		f := Final{Sheets: 3, Score: scores[1], Veto: vetoes >= 2}
		f.Reasons = []string{fmt.Sprintf("三份评分 %s、%s、%s 取中位数 %s", sheets[0].Score, sheets[1].Score, sheets[2].Score, f.Score)}
		switch {
		case f.Veto:
			f.Grade = Unqualified
			f.Reasons = append(f.Reasons, fmt.Sprintf("三名评查人员中 %d 名适用一票否决，否决成立，等次不合格", vetoes))
		case vetoes == 1:
			f.Grade = bands.Grade(f.Score)
			f.Reasons = append(f.Reasons, "仅一名评查人员适用一票否决，否决不成立")
		default:
			f.Grade = bands.Grade(f.Score)
		}
		if !f.Veto {
			f.Reasons = append(f.Reasons, "等次"+f.Grade.Label())
		}
		return f, nil
	}
	return Final{}, fmt.Errorf("%w, got %d", ErrSheetCount, len(sheets))
}
