package main

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
)

// sqlStats counts the statements the server sends through gorm while a scenario is measured,
// by kind and table, with the time each kind spent waiting on the database: the per-step
// breakdown of a request. BEGIN and COMMIT do not pass through gorm's callbacks; the time
// they take is what remains of a request's latency.
type sqlStats struct {
	mu      sync.Mutex
	on      bool
	kinds   map[string]*sqlKind
	cpu     cpuClock
	self0   time.Duration
	db0     time.Duration
	started time.Time
}

type sqlKind struct {
	n     int
	total time.Duration
}

const sqlStatsStart = "bench:sqlstats_start"

// installSQLStats registers the counting callbacks on db; they count only while on.
func installSQLStats(db *gorm.DB) (*sqlStats, error) {
	s := &sqlStats{kinds: map[string]*sqlKind{}, cpu: newCPUClock()}
	before := func(tx *gorm.DB) { tx.InstanceSet(sqlStatsStart, time.Now()) }
	after := func(op string) func(*gorm.DB) {
		return func(tx *gorm.DB) {
			v, ok := tx.InstanceGet(sqlStatsStart)
			if !ok {
				return
			}
			d := time.Since(v.(time.Time))
			key := op + " " + tx.Statement.Table
			if tx.Statement.Table == "" {
				key = op + " " + sqlHead(tx.Statement.SQL.String())
			}
			if strings.Contains(tx.Statement.SQL.String(), "FOR UPDATE") {
				key += " FOR UPDATE"
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if !s.on {
				return
			}
			k := s.kinds[key]
			if k == nil {
				k = &sqlKind{}
				s.kinds[key] = k
			}
			k.n++
			k.total += d
		}
	}
	cb := db.Callback()
	reg := []struct {
		op     string
		before func(string, func(*gorm.DB)) error
		after  func(string, func(*gorm.DB)) error
	}{
		{"create", cb.Create().Before("*").Register, cb.Create().After("*").Register},
		{"query", cb.Query().Before("*").Register, cb.Query().After("*").Register},
		{"update", cb.Update().Before("*").Register, cb.Update().After("*").Register},
		{"delete", cb.Delete().Before("*").Register, cb.Delete().After("*").Register},
		{"row", cb.Row().Before("*").Register, cb.Row().After("*").Register},
		{"exec", cb.Raw().Before("*").Register, cb.Raw().After("*").Register},
	}
	for _, r := range reg {
		if err := r.before("bench:sqlstats_before", before); err != nil {
			return nil, err
		}
		if err := r.after("bench:sqlstats_after", after(r.op)); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// sqlHead is the first words of a raw statement, enough to name it.
func sqlHead(q string) string {
	f := strings.Fields(q)
	if len(f) > 3 {
		f = f[:3]
	}
	return strings.Join(f, " ")
}

func (s *sqlStats) start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.on, s.kinds = true, map[string]*sqlKind{}
	s.self0, s.db0 = s.cpu.read()
	s.started = time.Now()
}

// stop ends counting and describes what was counted per request of the scenario.
func (s *sqlStats) stop(requests int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.on = false
	self, db := s.cpu.read()
	if requests == 0 {
		return "no requests"
	}
	keys := make([]string, 0, len(s.kinds))
	var n int
	var total time.Duration
	for k, v := range s.kinds {
		keys = append(keys, k)
		n += v.n
		total += v.total
	}
	slices.SortFunc(keys, func(a, b string) int { return int(s.kinds[b].total - s.kinds[a].total) })
	var b strings.Builder
	fmt.Fprintf(&b, "%.2f statements per request through gorm (BEGIN/COMMIT not counted), %.3f ms of database time per request:\n",
		float64(n)/float64(requests), ms(total)/float64(requests))
	fmt.Fprintf(&b, "    CPU per request: %.3f ms in this process (server and generator), %.3f ms in the database server (with anything else it serves) over %.1f s\n",
		ms(self-s.self0)/float64(requests), ms(db-s.db0)/float64(requests), time.Since(s.started).Seconds())
	for _, k := range keys {
		v := s.kinds[k]
		fmt.Fprintf(&b, "    %6.2f/req  mean %7.3f ms  %-60s\n", float64(v.n)/float64(requests), ms(v.total)/float64(v.n), k)
	}
	return b.String()
}
