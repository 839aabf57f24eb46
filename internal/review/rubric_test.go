package review

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestDefaultsLoadAndSumTo100(t *testing.T) {
	all, err := Defaults()
	if err != nil {
		t.Fatalf("Defaults: %v", err)
	}
	want := map[string]struct {
		applies  string
		sections int
		items    int
		vetoes   int
	}{
		"civil-administrative": {"civil,administrative", 8, 26, 4},
		"criminal":             {"criminal", 9, 27, 5},
		"hearing":              {"hearing", 4, 12, 0},
	}
	if len(all) != len(want) {
		t.Fatalf("got %d default rubrics, want %d", len(all), len(want))
	}
	for _, rb := range all {
		w, ok := want[rb.ID]
		if !ok {
			t.Errorf("unexpected default rubric %q", rb.ID)
			continue
		}
		var sum Tenths
		for _, it := range rb.Items {
			sum += it.Max
		}
		if sum != FullMarks {
			t.Errorf("%s: items sum to %s", rb.ID, sum)
		}
		if got := strings.Join(rb.AppliesTo, ","); got != w.applies {
			t.Errorf("%s: applies_to %s, want %s", rb.ID, got, w.applies)
		}
		if len(rb.Sections) != w.sections || len(rb.Items) != w.items || len(rb.Vetoes) != w.vetoes {
			t.Errorf("%s: %d sections, %d items, %d vetoes; want %d, %d, %d", rb.ID,
				len(rb.Sections), len(rb.Items), len(rb.Vetoes), w.sections, w.items, w.vetoes)
		}
	}
}

func TestDefaultVetoesTieToCourtItems(t *testing.T) {
	for id, item := range map[string]string{"criminal": "F1", "civil-administrative": "E1"} {
		rb, err := Default(id)
		if err != nil {
			t.Fatal(err)
		}
		if it := rb.Item(item); it == nil || !it.Veto || !it.NAAllowed {
			t.Errorf("%s: court item %s should be a veto item that may be N/A", id, item)
		}
		var linked bool
		for _, v := range rb.Vetoes {
			linked = linked || v.Item == item
		}
		if !linked {
			t.Errorf("%s: no veto definition tied to %s", id, item)
		}
	}
	rb, _ := Default("criminal")
	if rb.VetoDef("V5") == nil || !strings.Contains(rb.VetoDef("V5").Label, "羁押") {
		t.Error("criminal rubric lacks the detained-defendant veto")
	}
}

// mutated returns the criminal default as JSON after change, to feed Load.
func mutated(t *testing.T, change func(rb *Rubric)) []byte {
	t.Helper()
	rb, err := Default("criminal")
	if err != nil {
		t.Fatal(err)
	}
	change(rb)
	b, err := json.Marshal(rb)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoadRefuses(t *testing.T) {
	cases := []struct {
		name  string
		input []byte
		field string // the Problem.Field that must be reported
		msg   string // a fragment of its message
	}{
		{"items sum to 99", mutated(t, func(rb *Rubric) { rb.Items[0].Max -= 10; rb.Sections[0].Max -= 10 }),
			"items", "99.0"},
		{"section max differs from its items", mutated(t, func(rb *Rubric) { rb.Sections[1].Max = 14 }),
			"sections[1].max", "与其条目合计 15.0 不符"},
		{"duplicate item code", mutated(t, func(rb *Rubric) { rb.Items[1].Code = rb.Items[0].Code }),
			"items[1].code", "重复"},
		{"duplicate section code", mutated(t, func(rb *Rubric) { rb.Sections[1].Code = "A" }),
			"sections[1].code", "重复"},
		{"negative item max", mutated(t, func(rb *Rubric) { rb.Items[2].Max = -2 }),
			"items[2].max", "负数"},
		{"negative deduction", mutated(t, func(rb *Rubric) { rb.Items[0].Deductions[0].Points = -1 }),
			"items[0].deductions[0].points", "负数"},
		{"deduction above the item max", mutated(t, func(rb *Rubric) { rb.Items[0].Deductions[0].Points = 30 }),
			"items[0].deductions[0].points", "不超过"},
		{"item in a missing section", mutated(t, func(rb *Rubric) { rb.Items[0].Section = "Z" }),
			"items[0].section", "不存在"},
		{"veto tied to a plain item", mutated(t, func(rb *Rubric) { rb.Vetoes[1].Item = "A1" }),
			"vetoes[1].item", "A1"},
		{"veto item without definition", mutated(t, func(rb *Rubric) { rb.Vetoes[1].Item = "" }),
			"items[16].veto", "F1"},
		{"unknown applies_to", mutated(t, func(rb *Rubric) { rb.AppliesTo = []string{"tax"} }),
			"applies_to[0]", "tax"},
		{"unknown field", []byte(`{"id":"x","bonus":1}`), "json", "bonus"},
		{"two decimals", []byte(`{"id":"x","sections":[{"code":"A","title":"t","max":9.95}]}`), "json", "一位小数"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rb, err := Load(bytes.NewReader(c.input))
			var inv *InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("Load = %v, %v; want an *InvalidError", rb, err)
			}
			for _, p := range inv.Problems {
				if p.Field == c.field && strings.Contains(p.Message, c.msg) {
					return
				}
			}
			t.Errorf("no problem %s containing %q in %v", c.field, c.msg, inv.Problems)
		})
	}
}

func TestLoadRoundTrip(t *testing.T) {
	b := mutated(t, func(*Rubric) {})
	rb, err := Load(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("a marshalled default should load again: %v", err)
	}
	if rb.Item("C3").Deductions[0].Points != 15 {
		t.Errorf("C3 typical deduction = %s, want 1.5", rb.Item("C3").Deductions[0].Points)
	}
}

func TestParseTenths(t *testing.T) {
	cases := []struct {
		in   string
		want Tenths
		ok   bool
	}{
		{"0", 0, true}, {"3", 30, true}, {"2.5", 25, true}, {"89.9", 899, true}, {"-1.5", -15, true},
		{"100.0", 1000, true}, {"0.05", 0, false}, {"1e1", 0, false}, {`"3"`, 0, false}, {"3.", 0, false},
		{".5", 0, false}, {"", 0, false}, {"-", 0, false},
	}
	for _, c := range cases {
		got, err := ParseTenths(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseTenths(%q) = %d, %v; want %d, ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
	if s := Tenths(-15).String(); s != "-1.5" {
		t.Errorf("Tenths(-15) = %s", s)
	}
}
