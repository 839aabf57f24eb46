package review

import (
	"errors"
	"math"
	"testing"
)

// Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges. Their Table 4 gives
// ICC(2,1) = 0.29 (BMS 11.24, JMS 32.49, EMS 1.02).
var shroutFleiss = [][]float64{
	{9, 2, 5, 8},
	{6, 1, 3, 2},
	{8, 4, 6, 8},
	{7, 1, 2, 6},
	{10, 5, 6, 9},
	{6, 2, 4, 7},
}

func TestICC21ShroutFleiss(t *testing.T) {
	got, err := ICC21(shroutFleiss)
	if err != nil {
		t.Fatal(err)
	}
	if math.Round(got*100)/100 != 0.29 {
		t.Errorf("ICC(2,1) = %.4f, want 0.29", got)
	}
}

func TestICC21Edges(t *testing.T) {
	perfect, err := ICC21([][]float64{{80, 80}, {90, 90}, {70, 70}})
	if err != nil || math.Abs(perfect-1) > 1e-12 {
		t.Errorf("identical raters: %v, %v; want 1", perfect, err)
	}
	if _, err := ICC21([][]float64{{80, 80}, {80, 80}}); !errors.Is(err, ErrICCUndefined) {
		t.Errorf("no variance: %v", err)
	}
	for name, x := range map[string][][]float64{
		"one target": {{1, 2}},
		"one rater":  {{1}, {2}},
		"ragged":     {{1, 2}, {3}},
	} {
		if _, err := ICC21(x); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestMeasure(t *testing.T) {
	files := []FileRatings{
		{File: "f1", Ratings: []Rating{{"A", 800}, {"B", 900}}},
		{File: "f2", Ratings: []Rating{{"A", 700}, {"B", 740}, {"C", 760}}},
		{File: "f3", Ratings: []Rating{{"C", 880}}}, // one sheet: skipped
	}
	a, err := Measure(files)
	if err != nil {
		t.Fatal(err)
	}
	// Pairs: |80−90| = 10; |70−74| = 4, |70−76| = 6, |74−76| = 2 → 22 ÷ 4 = 5.5.
	if a.Files != 2 || a.Pairs != 4 || math.Abs(a.MeanAbsDiff-5.5) > 1e-9 {
		t.Errorf("files %d pairs %d MAD %v; want 2, 4, 5.5", a.Files, a.Pairs, a.MeanAbsDiff)
	}
	// A: (80−90) and (70−75) → −7.5; B: +10 and (74−73) → +5.5; C: 76−72 → +4.
	want := []ReviewerStat{{"A", 2, -7.5}, {"B", 2, 5.5}, {"C", 1, 4}}
	if len(a.Reviewers) != len(want) {
		t.Fatalf("reviewers %+v", a.Reviewers)
	}
	for i, w := range want {
		g := a.Reviewers[i]
		if g.Reviewer != w.Reviewer || g.Files != w.Files || math.Abs(g.MeanSignedDiff-w.MeanSignedDiff) > 1e-9 {
			t.Errorf("reviewer %d = %+v, want %+v", i, g, w)
		}
	}
	// First vs second reviewer: rows (80, 90), (70, 74); grand mean 78.5. BMS 169, JMS 49,
	// EMS 9 → (169 − 9) ÷ (169 + 9 + 2·(49 − 9)/2) = 160 ÷ 218.
	if a.ICC == nil || math.Abs(*a.ICC-160.0/218.0) > 1e-9 {
		t.Errorf("ICC = %v, want %v", a.ICC, 160.0/218.0)
	}
	if _, err := Measure([]FileRatings{{File: "f", Ratings: []Rating{{"A", 800}, {"A", 820}}}}); err == nil {
		t.Error("a reviewer rating one file twice should be refused")
	}
	if a, _ := Measure(files[:1]); a.ICC != nil {
		t.Error("one file cannot give an ICC")
	}
}
