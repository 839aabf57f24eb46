package review

import (
	"errors"
	"strings"
	"testing"
)

func final(score Tenths, veto bool) Final {
	g := DefaultBands().Grade(score)
	if veto {
		g = Unqualified
	}
	return Final{Sheets: 2, Score: score, Veto: veto, Grade: g}
}

func TestDecide(t *testing.T) {
	const subsidy = 150000 // 1500.00 元
	cases := []struct {
		name      string
		facts     Facts
		grade     Grade
		reward    bool
		rectify   bool
		reduction int64
		withheld  bool
		reason    string // a fragment the reasons must contain
	}{
		{"excellent", Facts{Final: final(930, false)}, Excellent, true, false, 0, false, "奖励名单"},
		{"good", Facts{Final: final(850, false)}, Good, false, false, 0, false, "等次良好"},
		{"qualified", Facts{Final: final(700, false)}, Qualified, false, false, 0, false, "等次合格"},
		{"unqualified", Facts{Final: final(650, false)}, Unqualified, false, true, 45000, false, "1500.00元 × 30% = 450.00元"},
		{"a veto alone", Facts{Final: final(950, true)}, Unqualified, false, true, 45000, false, "不导致不予兑付"},
		{"fee alert with unqualified, seriously irresponsible", Facts{Final: final(650, false),
			FeeAlertSubstantiated: true, SeriouslyIrresponsible: true}, Unqualified, false, true, 0, true, "不予兑付办案补贴 1500.00元"},
		{"seriously irresponsible and another violation", Facts{Final: final(750, false),
			SeriouslyIrresponsible: true, OtherViolations: []string{"伪造会见笔录"}}, Qualified, false, false, 0, true, "伪造会见笔录"},
		{"fee alert without the finding", Facts{Final: final(650, false), FeeAlertSubstantiated: true},
			Unqualified, false, true, 45000, false, "未认定办案严重不负责任"},
		{"fee alert makes a good file unqualified", Facts{Final: final(850, false), FeeAlertSubstantiated: true},
			Unqualified, false, true, 45000, false, "等次改为不合格"},
		{"a veto passed with a stale grade", Facts{Final: Final{Sheets: 3, Score: 950, Veto: true, Grade: Excellent}},
			Unqualified, false, true, 45000, false, "一票否决"},
		{"seriously irresponsible alone", Facts{Final: final(650, false), SeriouslyIrresponsible: true},
			Unqualified, false, true, 45000, false, "无其他违规违纪行为"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.facts.SubsidyCents = subsidy
			got, err := Decide(c.facts, DefaultPolicy())
			if err != nil {
				t.Fatal(err)
			}
			payable := subsidy - c.reduction
			if c.withheld {
				payable = 0
			}
			if got.Grade != c.grade || got.Reward != c.reward || got.Rectification != c.rectify ||
				got.ReductionCents != c.reduction || got.Withheld != c.withheld || got.Referral != c.withheld ||
				got.PayableCents != payable || got.SubsidyCents != subsidy {
				t.Errorf("got %+v", got)
			}
			if !strings.Contains(strings.Join(got.Reasons, "\n"), c.reason) {
				t.Errorf("reasons %q lack %q", got.Reasons, c.reason)
			}
		})
	}
}

// TestSubsidyArithmetic: reductions are integer cents rounded half up.
func TestSubsidyArithmetic(t *testing.T) {
	perGrade := func(bp int64) Policy {
		return Policy{Mode: ReducePercentByGrade, PercentByGrade: map[Grade]int64{Unqualified: bp, Qualified: 500}}
	}
	perPoint := func(bp, cap int64) Policy { return Policy{Mode: ReducePerPoint, PerPointBP: bp, CapBP: cap} }
	cases := []struct {
		name    string
		policy  Policy
		score   Tenths
		subsidy int64
		want    int64
	}{
		{"50% of 3.33 元 = 1.665 → 1.67", perGrade(5000), 600, 333, 167},
		{"12.5% of 12.34 元 = 1.5425 → 1.54", perGrade(1250), 600, 1234, 154},
		{"12.5% of 12.36 元 = 1.545 → 1.55", perGrade(1250), 600, 1236, 155},
		{"a campaign may reduce 合格 too: 5% of 1000.00", perGrade(3000), 750, 100000, 5000},
		{"no share for 良好", perGrade(3000), 850, 100000, 0},
		// 35.0 points deducted × 1% = 35% of 999.99 元 = 349.9965 → 350.00.
		{"per point", perPoint(100, 0), 650, 99999, 35000},
		// 30.5 deducted × 1% = 30.5% of 0.10 元 = 0.0305 → 0.03.
		{"per point, tenths of a point", perPoint(100, 0), 695, 10, 3},
		// 35% capped at 20% of 1000.00 元 = 200.00.
		{"per point with cap", perPoint(100, 2000), 650, 100000, 20000},
		{"per point spares 合格", perPoint(100, 0), 750, 100000, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Decide(Facts{Final: final(c.score, false), SubsidyCents: c.subsidy}, c.policy)
			if err != nil {
				t.Fatal(err)
			}
			if got.ReductionCents != c.want || got.PayableCents != c.subsidy-c.want {
				t.Errorf("reduction %d, payable %d; want %d", got.ReductionCents, got.PayableCents, c.want)
			}
			if c.want > 0 && !strings.Contains(strings.Join(got.Reasons, ""), "四舍五入到分") {
				t.Errorf("the rounding must be stated: %q", got.Reasons)
			}
		})
	}
}

func TestDecideRefuses(t *testing.T) {
	if _, err := Decide(Facts{Final: Final{Sheets: 2, NeedsThird: true}}, DefaultPolicy()); !errors.Is(err, ErrNotFinal) {
		t.Errorf("a file waiting for its third reviewer: %v", err)
	}
	if _, err := Decide(Facts{Final: final(900, false), SubsidyCents: -1}, DefaultPolicy()); err == nil {
		t.Error("a negative subsidy should be refused")
	}
	for _, p := range []Policy{
		{Mode: "lottery"},
		{Mode: ReducePercentByGrade, PercentByGrade: map[Grade]int64{Unqualified: 10001}},
		{Mode: ReducePerPoint, PerPointBP: -1},
	} {
		if _, err := Decide(Facts{Final: final(900, false)}, p); err == nil {
			t.Errorf("policy %+v should be refused", p)
		}
	}
}
