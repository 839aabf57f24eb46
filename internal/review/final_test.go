package review

import (
	"errors"
	"strings"
	"testing"
)

func o(score Tenths) Outcome      { return Outcome{Score: score} }
func vetoed(score Tenths) Outcome { return Outcome{Score: score, Veto: true} }

func TestThirdReviewerTriggers(t *testing.T) {
	cases := []struct {
		name string
		a, b Outcome
		why  string // fragment of the first reason; "" means no third reviewer
	}{
		{"close, same grade", o(850), o(820), ""},
		{"9.9 apart, same grade", o(999), o(900), ""},
		{"10.0 apart, same grade", o(1000), o(900), "相差 10.0 分"},
		{"different grades", o(805), o(795), "等次不同"},
		{"both unqualified", o(650), o(600), "不合格"},
		{"one veto, same points", vetoed(950), o(950), "等次不同"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			why := ThirdReasons(c.a, c.b, DefaultBands(), DefaultTriggers())
			f, err := FinalScore([]Outcome{c.a, c.b}, DefaultBands(), DefaultTriggers())
			if err != nil {
				t.Fatal(err)
			}
			if c.why == "" {
				if len(why) != 0 || f.NeedsThird {
					t.Errorf("unexpected third reviewer: %v", why)
				}
				return
			}
			if !f.NeedsThird || f.Grade != "" || len(why) == 0 || !strings.Contains(why[0], c.why) {
				t.Errorf("final %+v, reasons %q; want a third reviewer because %q", f, why, c.why)
			}
		})
	}
}

func TestThirdReviewerEachTriggerAlone(t *testing.T) {
	off := Triggers{}
	cases := []struct {
		name string
		on   Triggers
		a, b Outcome
	}{
		{"divergence", Triggers{Divergence: 100}, o(950), o(850)},
		{"different grades", Triggers{DifferentGrades: true}, o(900), o(899)},
		{"unqualified", Triggers{Unqualified: true}, o(690), o(680)},
		{"veto", Triggers{Veto: true}, vetoed(950), vetoed(950)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if why := ThirdReasons(c.a, c.b, DefaultBands(), off); len(why) != 0 {
				t.Errorf("with every trigger off: %q", why)
			}
			if why := ThirdReasons(c.a, c.b, DefaultBands(), c.on); len(why) != 1 {
				t.Errorf("with only %s on: %q, want exactly one reason", c.name, why)
			}
		})
	}
}

func TestFinalScore(t *testing.T) {
	noGradeTrigger := DefaultTriggers()
	noGradeTrigger.DifferentGrades = false
	cases := []struct {
		name   string
		sheets []Outcome
		trig   Triggers
		score  Tenths
		veto   bool
		grade  Grade
	}{
		{"mean of two", []Outcome{o(850), o(820)}, DefaultTriggers(), 835, false, Good},
		{"mean rounds half up", []Outcome{o(851), o(820)}, DefaultTriggers(), 836, false, Good},
		// 89.9 and 90.0 fall in different grades, so only a campaign that turns that trigger off
		// averages them: 89.95 rounds half up to 90.0, which is 优秀.
		{"mean 89.95 is 90.0 excellent", []Outcome{o(899), o(900)}, noGradeTrigger, 900, false, Excellent},
		{"median of three", []Outcome{o(950), o(820), o(880)}, DefaultTriggers(), 880, false, Good},
		{"median ignores an outlier", []Outcome{o(600), o(910), o(930)}, DefaultTriggers(), 910, false, Excellent},
		{"veto by two of three stands", []Outcome{vetoed(920), o(930), vetoed(910)}, DefaultTriggers(), 920, true, Unqualified},
		{"veto by one of three falls", []Outcome{vetoed(920), o(930), o(910)}, DefaultTriggers(), 920, false, Excellent},
		{"veto by all three", []Outcome{vetoed(500), vetoed(600), vetoed(700)}, DefaultTriggers(), 600, true, Unqualified},
		// The veto trigger cannot be switched off in the settings; without it, two vetoes still stand.
		{"two vetoes of two, no veto trigger", []Outcome{vetoed(950), vetoed(940)}, Triggers{}, 945, true, Unqualified},
		{"one veto of two, no trigger at all", []Outcome{vetoed(950), o(940)}, Triggers{}, 945, false, Excellent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := FinalScore(c.sheets, DefaultBands(), c.trig)
			if err != nil {
				t.Fatal(err)
			}
			if f.NeedsThird || f.Score != c.score || f.Veto != c.veto || f.Grade != c.grade || f.Sheets != len(c.sheets) {
				t.Errorf("got %+v, want %s veto=%v %s", f, c.score, c.veto, c.grade)
			}
			if len(f.Reasons) == 0 {
				t.Error("a final score must carry its reasons")
			}
		})
	}
	if got := MeanHalfUp(899, 900); got != 900 {
		t.Errorf("MeanHalfUp(89.9, 90.0) = %s, want 90.0", got)
	}
	for _, n := range []int{0, 1, 4} {
		if _, err := FinalScore(make([]Outcome, n), DefaultBands(), DefaultTriggers()); !errors.Is(err, ErrSheetCount) {
			t.Errorf("%d sheets: err = %v", n, err)
		}
	}
}

func TestCombinedScore(t *testing.T) {
	cases := []struct {
		scores []Tenths
		want   Tenths
	}{
		{[]Tenths{880}, 880},
		{[]Tenths{880, 905, 910}, 898},      // 269.5 ÷ 3 = 89.833… → 89.8
		{[]Tenths{880, 905, 912}, 899},      // 269.7 ÷ 3 = 89.9
		{[]Tenths{899, 900}, 900},           // 89.95 → 90.0, half up
		{[]Tenths{850, 851, 851, 851}, 851}, // 85.075 → 85.1
	}
	for _, c := range cases {
		if got, err := CombinedScore(c.scores); err != nil || got != c.want {
			t.Errorf("CombinedScore(%v) = %s, %v; want %s", c.scores, got, err, c.want)
		}
	}
	if _, err := CombinedScore(nil); err == nil {
		t.Error("no sheets should be refused")
	}
}
