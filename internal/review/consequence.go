package review

import (
	"errors"
	"fmt"
	"strings"
)

// ReductionMode is how a campaign reduces the subsidy (下浮办案补贴).
type ReductionMode string

// The two ways of reducing a subsidy.
const (
	// ReducePercentByGrade takes a fixed share of the subsidy per grade.
	ReducePercentByGrade ReductionMode = "percent_by_grade"
	// ReducePerPoint takes a share per point deducted (100.0 − final score), up to a cap; it
	// applies to 不合格 files only, as rubric.md ties the reduction to 不合格.
	ReducePerPoint ReductionMode = "per_point"
)

// Policy is a campaign's consequence policy. Shares are in basis points (1/100 of a percent;
// 10000 is the whole subsidy) so that 2.5% is exact.
type Policy struct {
	RewardExcellent bool            `json:"reward_excellent"`
	Mode            ReductionMode   `json:"mode"`
	PercentByGrade  map[Grade]int64 `json:"percent_by_grade_bp,omitempty"`
	PerPointBP      int64           `json:"per_point_bp,omitempty"`
	CapBP           int64           `json:"cap_bp,omitempty"`
	// FeeAlertIsVeto makes a substantiated fee alert from the follow-ups the veto item
	// "taking money or goods from the recipient", so the file is 不合格 whatever the sheets say.
	FeeAlertIsVeto bool `json:"fee_alert_is_veto"`
}

// DefaultPolicy rewards 优秀, reduces a 不合格 file's subsidy by 30% and treats a substantiated fee
// alert as the money veto. The figures are a starting point; the bureau sets its own.
func DefaultPolicy() Policy {
	return Policy{RewardExcellent: true, Mode: ReducePercentByGrade,
		PercentByGrade: map[Grade]int64{Unqualified: 3000}, FeeAlertIsVeto: true}
}

// Validate refuses unknown modes and shares outside 0–10000 basis points.
func (p Policy) Validate() error {
	inRange := func(bp int64) bool { return bp >= 0 && bp <= 10000 }
	switch p.Mode {
	case ReducePercentByGrade:
		for g, bp := range p.PercentByGrade {
			if !inRange(bp) {
				return fmt.Errorf("percent_by_grade_bp[%s] = %d is outside 0–10000", g, bp)
			}
		}
	case ReducePerPoint:
		if !inRange(p.PerPointBP) || !inRange(p.CapBP) {
			return fmt.Errorf("per_point_bp %d and cap_bp %d must be within 0–10000", p.PerPointBP, p.CapBP)
		}
	default:
		return fmt.Errorf("unknown reduction mode %q", p.Mode)
	}
	return nil
}

// Facts are what the consequence of one file is decided from: its final result, its subsidy
// and what the follow-ups and the bureau established (根据评查结果和回访情况).
type Facts struct {
	Final        Final `json:"final"`
	SubsidyCents int64 `json:"subsidy_cents"`
	// FeeAlertSubstantiated: a follow-up alert of an illegal fee was looked into and found true.
	FeeAlertSubstantiated bool `json:"fee_alert_substantiated"`
	// SeriouslyIrresponsible: the bureau found the handling 办案严重不负责任.
	SeriouslyIrresponsible bool `json:"seriously_irresponsible"`
	// OtherViolations name further violations found, each in Chinese.
	OtherViolations []string `json:"other_violations,omitempty"`
}

// Consequence is the proposed consequence of a file: a manager confirms it before it applies.
// Money is in integer cents; PayableCents = SubsidyCents − ReductionCents, or 0 when withheld.
type Consequence struct {
	Grade          Grade    `json:"grade"`
	Reward         bool     `json:"reward"`
	Rectification  bool     `json:"rectification"`
	SubsidyCents   int64    `json:"subsidy_cents"`
	ReductionCents int64    `json:"reduction_cents"`
	PayableCents   int64    `json:"payable_cents"`
	Withheld       bool     `json:"withheld"`
	Referral       bool     `json:"referral"`
	Reasons        []string `json:"reasons"`
}

// ErrNotFinal is returned for a file still waiting for its third reviewer.
var ErrNotFinal = errors.New("the file has no final score yet")

// Decide applies the policy. Reductions are rounded half up to the cent. Withholding needs both
// a 严重不负责任 finding and another violation; a veto alone only makes the file 不合格.
func Decide(f Facts, p Policy) (Consequence, error) {
	if f.Final.NeedsThird || f.Final.Grade == "" {
		return Consequence{}, ErrNotFinal
	}
	if f.SubsidyCents < 0 {
		return Consequence{}, fmt.Errorf("subsidy %d cents is negative", f.SubsidyCents)
	}
	if err := p.Validate(); err != nil {
		return Consequence{}, err
	}
	c := Consequence{Grade: f.Final.Grade, SubsidyCents: f.SubsidyCents, PayableCents: f.SubsidyCents}
	c.Reasons = append(c.Reasons, fmt.Sprintf("评查得分 %s，等次%s", f.Final.Score, c.Grade.Label()))
	if f.Final.Veto {
		c.Grade = Unqualified // a standing veto is 不合格 whatever grade the caller passed
		c.Reasons = append(c.Reasons, "适用一票否决，等次为不合格；一票否决本身不导致不予兑付补贴")
	}
	violations := append([]string(nil), f.OtherViolations...)
	if f.FeeAlertSubstantiated {
		violations = append([]string{"回访反映违规收费经核实属实"}, violations...)
		if p.FeeAlertIsVeto && c.Grade != Unqualified {
			c.Grade = Unqualified
			c.Reasons = append(c.Reasons, "回访核实违规收费属实，属一票否决事项（收取受援人钱财物），等次改为不合格")
		}
	}
	if c.Grade == Excellent && p.RewardExcellent {
		c.Reward = true
		c.Reasons = append(c.Reasons, "等次优秀，列入奖励名单")
	}
	if c.Grade == Unqualified {
		c.Rectification = true
		c.Reasons = append(c.Reasons, "等次不合格，约谈整改")
	}
	if f.SeriouslyIrresponsible && len(violations) > 0 {
		c.Withheld, c.Referral, c.PayableCents = true, true, 0
		c.Reasons = append(c.Reasons, fmt.Sprintf("办案严重不负责任且有其他违规违纪行为（%s），不予兑付办案补贴 %s，并移送处理",
			joinCN(violations), yuan(f.SubsidyCents)))
		return c, nil
	}
	if f.SeriouslyIrresponsible {
		c.Reasons = append(c.Reasons, "认定办案严重不负责任，但无其他违规违纪行为，不适用不予兑付")
	} else if len(violations) > 0 {
		c.Reasons = append(c.Reasons, fmt.Sprintf("存在违规行为（%s），但未认定办案严重不负责任，不适用不予兑付", joinCN(violations)))
	}
	c.ReductionCents, c.Reasons = reduction(c, f, p)
	c.PayableCents = f.SubsidyCents - c.ReductionCents
	return c, nil
}

// reduction computes the subsidy reduction for c's grade, half up to the cent.
func reduction(c Consequence, f Facts, p Policy) (int64, []string) {
	why := c.Reasons
	switch p.Mode {
	case ReducePercentByGrade:
		bp := p.PercentByGrade[c.Grade]
		if bp == 0 {
			return 0, why
		}
		cut := divHalfUp(f.SubsidyCents*bp, 10000)
		return cut, append(why, fmt.Sprintf("等次%s下浮补贴 %s%%：%s × %s%% = %s（四舍五入到分）",
			c.Grade.Label(), percent(bp), yuan(f.SubsidyCents), percent(bp), yuan(cut)))
	case ReducePerPoint:
		if c.Grade != Unqualified || p.PerPointBP == 0 {
			return 0, why
		}
		deducted := int64(max(FullMarks-f.Final.Score, 0))
		cut := divHalfUp(f.SubsidyCents*deducted*p.PerPointBP, 10*10000)
		line := fmt.Sprintf("扣 %s 分，每分下浮 %s%%：%s × %s × %s%% = %s（四舍五入到分）",
			Tenths(deducted), percent(p.PerPointBP), yuan(f.SubsidyCents), Tenths(deducted), percent(p.PerPointBP), yuan(cut))
		if p.CapBP > 0 {
			if limit := divHalfUp(f.SubsidyCents*p.CapBP, 10000); cut > limit {
				cut = limit
				line += fmt.Sprintf("，超过上限 %s%%，按 %s 下浮", percent(p.CapBP), yuan(cut))
			}
		}
		return cut, append(why, line)
	}
	return 0, why
}

// yuan formats cents as yuan with two decimals.
func yuan(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d元", sign, cents/100, cents%100)
}

// percent formats basis points as a percentage, trimming zero decimals: 3000 → "30", 250 → "2.5".
func percent(bp int64) string {
	s := strings.TrimRight(fmt.Sprintf("%d.%02d", bp/100, bp%100), "0")
	return strings.TrimSuffix(s, ".")
}

func joinCN(list []string) string {
	return strings.Join(list, "；")
}
