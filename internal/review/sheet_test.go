package review

import (
	"errors"
	"strings"
	"testing"
)

func mustDefault(t *testing.T, id string) *Rubric {
	t.Helper()
	rb, err := Default(id)
	if err != nil {
		t.Fatal(err)
	}
	return rb
}

func ded(item string, points Tenths) Entry {
	return Entry{Item: item, Deduction: points, Reason: "理由"}
}

func na(items ...string) []Entry {
	var out []Entry
	for _, it := range items {
		out = append(out, Entry{Item: it, NA: true})
	}
	return out
}

// TestGradeBoundaries: bands are inclusive lower bounds applied to a score already rounded half up
// to 0.1.
func TestGradeBoundaries(t *testing.T) {
	cases := []struct {
		score Tenths
		want  Grade
	}{
		{1000, Excellent}, {900, Excellent}, {899, Good}, {800, Good}, {799, Qualified},
		{700, Qualified}, {699, Unqualified}, {0, Unqualified},
	}
	for _, c := range cases {
		if got := DefaultBands().Grade(c.score); got != c.want {
			t.Errorf("Grade(%s) = %s, want %s", c.score, got, c.want)
		}
	}
	pass60 := Bands{Excellent: 900, Good: 750, Qualified: 600}
	if got := pass60.Grade(650); got != Qualified {
		t.Errorf("with a 60 pass line, 65.0 = %s, want qualified", got)
	}
	if err := (Bands{Excellent: 800, Good: 800, Qualified: 700}).Validate(); err == nil {
		t.Error("bands with equal bounds should be refused")
	}
}

func TestScore(t *testing.T) {
	cases := []struct {
		name    string
		rubric  string
		sheet   Sheet
		score   Tenths
		applies Tenths
		grade   Grade
	}{
		{"full marks", "criminal", Sheet{}, 1000, 1000, Excellent},
		{"10.0 deducted is 90.0", "criminal", Sheet{Entries: []Entry{ded("B1", 50), ded("E2", 50)}}, 900, 1000, Excellent},
		{"10.1 deducted is 89.9", "criminal", Sheet{Entries: []Entry{ded("B1", 50), ded("E2", 51)}}, 899, 1000, Good},
		{"30.1 deducted is 69.9", "criminal", Sheet{Entries: []Entry{ded("E1", 60), ded("E2", 60), ded("E3", 50), ded("C2", 50), ded("B2", 60), ded("G1", 20), ded("A2", 1)}}, 699, 1000, Unqualified},
		// Court section (10) N/A, 8 deducted: 82 ÷ 90 × 100 = 91.11… → 91.1.
		{"criminal court N/A", "criminal", Sheet{Entries: append(na("F1", "F2", "F3"), ded("B1", 50), ded("E2", 30))}, 911, 900, Excellent},
		// Civil H2 (4) N/A, 10 deducted: 86 ÷ 96 × 100 = 89.583… → 89.6.
		{"civil satisfaction N/A", "civil-administrative", Sheet{Entries: append(na("H2"), ded("D1", 60), ded("C1", 40))}, 896, 960, Good},
		// 20 points N/A, 0.6 deducted: 79.4 ÷ 80 × 100 = 99.25 → 99.3 (half up; half-even gives 99.2).
		{"half up on an exact tie", "civil-administrative", Sheet{Entries: append(na("E1", "E2", "E3", "C2", "H2"), ded("B2", 6))}, 993, 800, Excellent},
		// Hearing: advocacy section reduced by 15 with one item N/A (10): 75 ÷ 90 = 83.33… → 83.3.
		{"hearing with N/A", "hearing", Sheet{Entries: append(na("A2"), ded("A3", 150))}, 833, 900, Good},
		// Deducting 9 from a 5-point item leaves it at 0, not −4: 95.0.
		{"deduction clamps at 0", "criminal", Sheet{Entries: []Entry{ded("B1", 90)}}, 950, 1000, Excellent},
		{"veto forces unqualified", "criminal", Sheet{Vetoes: []VetoMark{{Code: "V1", Reason: "收取受援人红包 500 元"}}}, 1000, 1000, Unqualified},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Score(mustDefault(t, c.rubric), c.sheet, DefaultBands())
			if err != nil {
				t.Fatalf("Score: %v", err)
			}
			if res.Score != c.score || res.Applicable != c.applies || res.Grade != c.grade {
				t.Errorf("got %s of %s (%s), want %s of %s (%s)", res.Score, res.Applicable, res.Grade, c.score, c.applies, c.grade)
			}
			if res.Rubric != c.rubric || res.Version != 1 {
				t.Errorf("result keeps rubric %s v%d", res.Rubric, res.Version)
			}
			if res.Veto != (len(c.sheet.Vetoes) > 0) || res.Outcome().Veto != res.Veto {
				t.Errorf("veto = %v", res.Veto)
			}
		})
	}
}

func TestScoreClampedItemAndReasons(t *testing.T) {
	res, err := Score(mustDefault(t, "criminal"), Sheet{Entries: []Entry{ded("B1", 90)}}, DefaultBands())
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range res.Items {
		if it.Item == "B1" && (it.Score != 0 || it.Deduction != 90) {
			t.Errorf("B1 = %+v, want score 0 with the deduction 9.0 kept", it)
		}
	}
	if len(res.Reasons) != 1 || !strings.Contains(res.Reasons[0], "扣 9.0 分：理由") {
		t.Errorf("reasons = %q", res.Reasons)
	}
}

func TestScoreRefuses(t *testing.T) {
	cases := []struct {
		name   string
		rubric string
		sheet  Sheet
		field  string
	}{
		{"deduction without reason", "criminal", Sheet{Entries: []Entry{{Item: "B1", Deduction: 10, Reason: "  "}}}, "entries[0].reason"},
		{"N/A where not allowed", "criminal", Sheet{Entries: na("B1")}, "entries[0].na"},
		{"N/A with a deduction", "criminal", Sheet{Entries: []Entry{{Item: "F2", NA: true, Deduction: 10, Reason: "x"}}}, "entries[0].deduction"},
		{"negative deduction", "criminal", Sheet{Entries: []Entry{{Item: "B1", Deduction: -10, Reason: "x"}}}, "entries[0].deduction"},
		{"unknown item", "criminal", Sheet{Entries: []Entry{ded("Z9", 10)}}, "entries[0].item"},
		{"item entered twice", "criminal", Sheet{Entries: []Entry{ded("B1", 10), ded("B1", 10)}}, "entries[1].item"},
		{"veto without reason", "criminal", Sheet{Vetoes: []VetoMark{{Code: "V2"}}}, "vetoes[0].reason"},
		{"veto the rubric lacks", "hearing", Sheet{Vetoes: []VetoMark{{Code: "V1", Reason: "x"}}}, "vetoes[0].code"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Score(mustDefault(t, c.rubric), c.sheet, DefaultBands())
			var inv *InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("Score = %v, want *InvalidError", err)
			}
			if inv.Problems[0].Field != c.field {
				t.Errorf("problems %v, want field %s", inv.Problems, c.field)
			}
		})
	}
}

func TestScoreRefusesAllNA(t *testing.T) {
	rb := mustDefault(t, "hearing")
	var sheet Sheet
	for i := range rb.Items { // a bureau's table could allow N/A everywhere; the total is then 0 ÷ 0
		rb.Items[i].NAAllowed = true
		sheet.Entries = append(sheet.Entries, Entry{Item: rb.Items[i].Code, NA: true})
	}
	_, err := Score(rb, sheet, DefaultBands())
	var inv *InvalidError
	if !errors.As(err, &inv) || inv.Problems[0].Field != "entries" {
		t.Errorf("Score = %v, want the empty total refused", err)
	}
}
