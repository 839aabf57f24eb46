package review

import (
	"errors"
	"fmt"
	"sort"
)

// Rating is one reviewer's final sheet score on a file.
type Rating struct {
	Reviewer string `json:"reviewer"`
	Score    Tenths `json:"score"`
}

// FileRatings are a file's ratings in the order the sheets were assigned (first, second, third).
type FileRatings struct {
	File    string   `json:"file"`
	Ratings []Rating `json:"ratings"`
}

// ReviewerStat is how far one reviewer sits from the others: the mean, over the files they
// scored, of their score minus the mean of the file's other reviewers, in points. Positive means
// more lenient than their peers.
type ReviewerStat struct {
	Reviewer       string  `json:"reviewer"`
	Files          int     `json:"files"`
	MeanSignedDiff float64 `json:"mean_signed_diff"`
}

// Agreement summarises a campaign's reviewer agreement. Statistics are float64 points: they
// describe, they never decide a grade or money. ICC is nil when it cannot be computed (fewer
// than two double-scored files, or no variance at all).
type Agreement struct {
	Files       int            `json:"files"` // files with at least two ratings
	Pairs       int            `json:"pairs"`
	MeanAbsDiff float64        `json:"mean_abs_diff"`
	ICC         *float64       `json:"icc_2_1"`
	Reviewers   []ReviewerStat `json:"reviewers"`
}

// ErrICCUndefined is returned when the ICC's denominator vanishes, e.g. every score is equal.
var ErrICCUndefined = errors.New("ICC(2,1) is undefined for these data")

// ICC21 is the intraclass correlation ICC(2,1) of Shrout & Fleiss (1979): two-way random
// effects, absolute agreement, single rater. x has one row per target (file) and one column per
// rater, all rows of the same length k ≥ 2, n ≥ 2 rows:
//
//	ICC(2,1) = (BMS − EMS) / (BMS + (k−1)·EMS + k·(JMS − EMS)/n)
func ICC21(x [][]float64) (float64, error) {
	n := len(x)
	if n < 2 {
		return 0, fmt.Errorf("ICC(2,1) needs at least 2 targets, got %d", n)
	}
	k := len(x[0])
	if k < 2 {
		return 0, fmt.Errorf("ICC(2,1) needs at least 2 raters, got %d", k)
	}
	var grand float64
	rows := make([]float64, n)
	cols := make([]float64, k)
	for i, row := range x {
		if len(row) != k {
			return 0, fmt.Errorf("target %d has %d ratings, want %d", i, len(row), k)
		}
		for j, v := range row {
			rows[i] += v
			cols[j] += v
			grand += v
		}
	}
	N := float64(n * k)
	grand /= N
	var sst, ssr, ssc float64
	for i, row := range x {
		for _, v := range row {
			sst += (v - grand) * (v - grand)
		}
		d := rows[i]/float64(k) - grand
		ssr += float64(k) * d * d
	}
	for j := range cols {
		d := cols[j]/float64(n) - grand
		ssc += float64(n) * d * d
	}
	sse := sst - ssr - ssc
	bms := ssr / float64(n-1)
	jms := ssc / float64(k-1)
	ems := sse / float64((n-1)*(k-1))
	den := bms + float64(k-1)*ems + float64(k)*(jms-ems)/float64(n)
	if den == 0 {
		return 0, ErrICCUndefined
	}
	return (bms - ems) / den, nil
}

// Measure computes a campaign's agreement. The mean absolute difference is over every pair of
// ratings of a file; the ICC takes each file's first and second rating as raters 1 and 2 (peer
// reviewers differ from file to file, so this reads "first versus second reviewer"); each
// reviewer is compared with the mean of the file's other reviewers. Files with fewer than two
// ratings are skipped; a reviewer rating a file twice is an error.
func Measure(files []FileRatings) (Agreement, error) {
	var a Agreement
	var absSum float64
	var matrix [][]float64
	type acc struct {
		sum   float64
		files int
	}
	by := map[string]*acc{}
	for _, f := range files {
		rs := f.Ratings
		if len(rs) < 2 {
			continue
		}
		seen := map[string]bool{}
		var total float64
		for _, r := range rs {
			if seen[r.Reviewer] {
				return Agreement{}, fmt.Errorf("file %s: reviewer %s rated it twice", f.File, r.Reviewer)
			}
			seen[r.Reviewer] = true
			total += points(r.Score)
		}
		a.Files++
		for i := range rs {
			for j := i + 1; j < len(rs); j++ {
				d := points(rs[i].Score - rs[j].Score)
				if d < 0 {
					d = -d
				}
				absSum += d
				a.Pairs++
			}
			others := (total - points(rs[i].Score)) / float64(len(rs)-1)
			s := by[rs[i].Reviewer]
			if s == nil {
				s = &acc{}
				by[rs[i].Reviewer] = s
			}
			s.sum += points(rs[i].Score) - others
			s.files++
		}
		matrix = append(matrix, []float64{points(rs[0].Score), points(rs[1].Score)})
	}
	if a.Pairs > 0 {
		a.MeanAbsDiff = absSum / float64(a.Pairs)
	}
	if icc, err := ICC21(matrix); err == nil {
		a.ICC = &icc
	}
	for name, s := range by {
		a.Reviewers = append(a.Reviewers, ReviewerStat{Reviewer: name, Files: s.files, MeanSignedDiff: s.sum / float64(s.files)})
	}
	sort.Slice(a.Reviewers, func(i, j int) bool { return a.Reviewers[i].Reviewer < a.Reviewers[j].Reviewer })
	return a, nil
}

func points(t Tenths) float64 { return float64(t) / 10 }
