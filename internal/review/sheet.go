package review

import (
	"fmt"
	"strings"
)

// Entry is a reviewer's judgement of one item: points deducted (in tenths) with a reason, or
// not applicable. Items without an entry keep their full marks.
type Entry struct {
	Item      string `json:"item"`
	Deduction Tenths `json:"deduction"`
	Reason    string `json:"reason,omitempty"`
	NA        bool   `json:"na,omitempty"`
}

// VetoMark applies one of the rubric's veto items to a sheet, with the reviewer's reason.
type VetoMark struct {
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// Sheet is one reviewer's scoresheet (评分表) on one rubric.
type Sheet struct {
	Entries []Entry    `json:"entries"`
	Vetoes  []VetoMark `json:"vetoes,omitempty"`
}

// ItemScore is one item's outcome on a scored sheet.
type ItemScore struct {
	Item      string `json:"item"`
	Max       Tenths `json:"max"`
	Deduction Tenths `json:"deduction"`
	Score     Tenths `json:"score"` // Max − Deduction, never below 0; 0 when NA
	NA        bool   `json:"na,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// Result is a scored sheet. Earned and Applicable are raw sums in tenths; Score is
// Earned ÷ Applicable × 100 rounded half up to 0.1. A veto forces Grade to unqualified but
// leaves Score as the points say, so the file's final score can still be a median.
type Result struct {
	Rubric     string      `json:"rubric"`
	Version    int         `json:"rubric_version"`
	Items      []ItemScore `json:"items"`
	Earned     Tenths      `json:"earned"`
	Applicable Tenths      `json:"applicable"`
	Score      Tenths      `json:"score"`
	Veto       bool        `json:"veto"`
	Vetoes     []VetoMark  `json:"vetoes,omitempty"`
	Grade      Grade       `json:"grade"`
	Reasons    []string    `json:"reasons"`
}

// Outcome returns what a file's final score needs from this sheet.
func (r Result) Outcome() Outcome {
	return Outcome{Score: r.Score, Veto: r.Veto}
}

// Score checks a sheet against its rubric and computes it. A deduction must be ≥ 0 and, when
// > 0, carry a reason; N/A is allowed only where the rubric allows it and carries no deduction;
// a deduction larger than the item's maximum leaves the item at 0. Every problem is returned in
// one *InvalidError.
func Score(rb *Rubric, s Sheet, bands Bands) (Result, error) {
	var p problems
	entries := map[string]Entry{}
	for i, e := range s.Entries {
		f := fmt.Sprintf("entries[%d]", i)
		it := rb.Item(e.Item)
		switch {
		case it == nil:
			p.add(f+".item", "评查表中没有条目 %q", e.Item)
			continue
		case hasKey(entries, e.Item):
			p.add(f+".item", "条目 %s 重复录入", e.Item)
			continue
		}
		entries[e.Item] = e
		switch {
		case e.Deduction < 0:
			p.add(f+".deduction", "条目 %s 的扣分不能为负数", e.Item)
		case e.NA && !it.NAAllowed:
			p.add(f+".na", "条目 %s 不允许标为不适用", e.Item)
		case e.NA && e.Deduction != 0:
			p.add(f+".deduction", "条目 %s 已标为不适用，不能再扣分", e.Item)
		case e.Deduction > 0 && strings.TrimSpace(e.Reason) == "":
			p.add(f+".reason", "条目 %s 扣分须写明理由", e.Item)
		}
	}
	vetoed := map[string]bool{}
	for i, v := range s.Vetoes {
		f := fmt.Sprintf("vetoes[%d]", i)
		switch {
		case rb.VetoDef(v.Code) == nil:
			p.add(f+".code", "评查表中没有否决事项 %q", v.Code)
		case vetoed[v.Code]:
			p.add(f+".code", "否决事项 %s 重复", v.Code)
		case strings.TrimSpace(v.Reason) == "":
			p.add(f+".reason", "否决事项 %s 须写明理由", v.Code)
		}
		vetoed[v.Code] = true
	}
	if err := p.err("sheet"); err != nil {
		return Result{}, err
	}

	res := Result{Rubric: rb.ID, Version: rb.Version, Items: make([]ItemScore, 0, len(rb.Items))}
	for _, it := range rb.Items {
		e := entries[it.Code]
		is := ItemScore{Item: it.Code, Max: it.Max, Deduction: e.Deduction, NA: e.NA, Reason: e.Reason}
		if !e.NA {
			is.Score = max(it.Max-e.Deduction, 0)
			res.Earned += is.Score
			res.Applicable += it.Max
			if e.Deduction > 0 {
				res.Reasons = append(res.Reasons, fmt.Sprintf("%s %s 扣 %s 分：%s", it.Code, it.Label, e.Deduction, e.Reason))
			}
		} else {
			res.Reasons = append(res.Reasons, fmt.Sprintf("%s %s 不适用，不计入满分", it.Code, it.Label))
		}
		res.Items = append(res.Items, is)
	}
	if res.Applicable == 0 {
		return Result{}, &InvalidError{What: "sheet", Problems: []Problem{{Field: "entries", Message: "全部条目均不适用，无法计分"}}}
	}
	res.Score = Tenths(divHalfUp(int64(res.Earned)*int64(FullMarks), int64(res.Applicable)))
	res.Grade = bands.Grade(res.Score)
	if res.Applicable != FullMarks {
		res.Reasons = append(res.Reasons, fmt.Sprintf("得分 %s ÷ 适用满分 %s × 100 = %s（四舍五入到 0.1 分）", res.Earned, res.Applicable, res.Score))
	}
	for _, v := range s.Vetoes {
		res.Veto = true
		res.Vetoes = append(res.Vetoes, v)
		res.Reasons = append(res.Reasons, fmt.Sprintf("一票否决：%s（%s）", rb.VetoDef(v.Code).Label, v.Reason))
	}
	if res.Veto {
		res.Grade = Unqualified
	}
	return res, nil
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}
