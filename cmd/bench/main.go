// Command bench measures the server under load: it starts the real server in-process on a fresh
// database (SQLite in a temp dir, or a new schema on a MariaDB/MySQL server, dropped after),
// serves it on loopback with a real http.Server, seeds what each named scenario needs, and drives
// a closed-loop load generator at it. In the same run it measures a bare net/http JSON handler
// with the same generator, and prints each scenario's throughput and latency beside it.
//
//	go run ./cmd/bench -db sqlite -scenario me -c 32 -d 10s
//	go run ./cmd/bench -db mysql -mysql-dsn 'root@tcp(127.0.0.1:3306)/' -scenario me,readyz -json bench-results/me.json
//
// The server and the generator share this process and its cores, and so does the bare baseline:
// the ratios compare like with like, the absolute figures depend on the machine.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"fayuan/internal/loadgen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	db, mysqlDSN, scenarios, jsonPath string
	cpuProfile                        string
	sqlStats                          bool
	workers, requests, progressCases  int
	duration, warmup                  time.Duration
	list                              bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	defDSN := os.Getenv("FAYUAN_TEST_MYSQL_DSN")
	if defDSN == "" {
		defDSN = "root@tcp(127.0.0.1:3306)/"
	}
	fs.StringVar(&o.db, "db", "sqlite", "database: sqlite or mysql")
	fs.StringVar(&o.mysqlDSN, "mysql-dsn", defDSN, "MariaDB/MySQL server DSN without a database name; a fresh schema is created there and dropped after (default from FAYUAN_TEST_MYSQL_DSN)")
	fs.StringVar(&o.scenarios, "scenario", "me", "comma-separated scenarios (-list shows them); the bare baseline is always measured")
	fs.IntVar(&o.workers, "c", 32, "concurrent closed-loop workers (connections)")
	fs.DurationVar(&o.duration, "d", 10*time.Second, "measuring time per scenario")
	fs.IntVar(&o.requests, "n", 0, "stop each scenario after this many requests (0: only -d bounds it)")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load before each scenario")
	fs.StringVar(&o.jsonPath, "json", "", "also write the results as JSON to this file")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured scenarios (not the baseline) to this file (go tool pprof)")
	fs.BoolVar(&o.sqlStats, "sql-stats", false, "count the server's SQL statements per request of each measured scenario, by kind, with their mean time")
	fs.IntVar(&o.progressCases, "progress-cases", 2000, "cases the progress scenario seeds (three calls each)")
	fs.BoolVar(&o.list, "list", false, "list the scenarios and exit")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case o.workers < 1 || o.workers > loadgen.MaxWorkers:
		return o, fmt.Errorf("-c: %d is not from 1 to %d", o.workers, loadgen.MaxWorkers)
	case o.duration <= 0 || o.duration > loadgen.MaxDuration:
		return o, fmt.Errorf("-d: %s is not above 0 and at most %s", o.duration, loadgen.MaxDuration)
	case o.warmup < 0 || o.warmup > loadgen.MaxDuration:
		return o, fmt.Errorf("-warmup: %s is not from 0 to %s", o.warmup, loadgen.MaxDuration)
	case o.progressCases < 1 || o.progressCases > 5_000_000:
		return o, fmt.Errorf("-progress-cases: %d is not from 1 to 5000000", o.progressCases)
	case o.requests < 0 || o.requests > loadgen.MaxRequests:
		return o, fmt.Errorf("-n: %d is not from 0 to %d", o.requests, loadgen.MaxRequests)
	}
	return o, nil
}

// row is one scenario's figures, as printed and as written to -json.
type row struct {
	Scenario   string      `json:"scenario"`
	Requests   int         `json:"requests"`
	Errors     int         `json:"errors"`
	RPS        float64     `json:"rps"`
	MeanMS     float64     `json:"mean_ms"`
	P50MS      float64     `json:"p50_ms"`
	P95MS      float64     `json:"p95_ms"`
	P99MS      float64     `json:"p99_ms"`
	MaxMS      float64     `json:"max_ms"`
	Statuses   map[int]int `json:"statuses"`
	FirstError string      `json:"first_error,omitempty"`
	RPSvsBare  float64     `json:"rps_vs_bare"` // scenario rps ÷ bare rps: higher is better, 1 = as fast as bare
	P99vsBare  float64     `json:"p99_vs_bare"` // scenario p99 ÷ bare p99: lower is better
}

// report is the -json file.
type report struct {
	Time       time.Time `json:"time"`
	DB         string    `json:"db"`
	Workers    int       `json:"workers"`
	Duration   string    `json:"duration"`
	Warmup     string    `json:"warmup"`
	Requests   int       `json:"requests_limit,omitempty"`
	GoVersion  string    `json:"go_version"`
	GOMAXPROCS int       `json:"gomaxprocs"`
	NumCPU     int       `json:"num_cpu"`
	Results    []row     `json:"results"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	reg := scenarios()
	if o.list {
		for _, n := range scenarioNames() {
			fmt.Fprintf(stdout, "%-10s %s\n", n, reg[n].About)
		}
		return nil
	}
	names := []string{bareName}
	for _, n := range strings.Split(o.scenarios, ",") {
		n = strings.TrimSpace(n)
		if n == "" || n == bareName {
			continue
		}
		if _, ok := reg[n]; !ok {
			return fmt.Errorf("-scenario: unknown %q (known: %s)", n, strings.Join(scenarioNames(), ", "))
		}
		names = append(names, n)
	}

	e, err := startEnv(ctx, envOptions{DB: o.db, MySQLDSN: o.mysqlDSN, Workers: o.workers, ProgressCases: o.progressCases})
	if err != nil {
		return err
	}
	defer e.Close()

	rep := report{Time: time.Now().UTC(), DB: o.db, Workers: o.workers, Duration: o.duration.String(),
		Warmup: o.warmup.String(), Requests: o.requests, GoVersion: runtime.Version(),
		GOMAXPROCS: runtime.GOMAXPROCS(0), NumCPU: runtime.NumCPU()}
	fmt.Fprintf(stderr, "bench: db=%s c=%d d=%s warmup=%s GOMAXPROCS=%d (server, baseline and generator share this process)\n",
		o.db, o.workers, o.duration, o.warmup, rep.GOMAXPROCS)
	var bare loadgen.Result
	var notes []string
	var stats *sqlStats
	if o.sqlStats {
		if stats, err = installSQLStats(e.App.DB); err != nil {
			return err
		}
	}
	for _, n := range names {
		s := reg[n]
		next, err := s.Setup(ctx, e)
		if err != nil {
			return fmt.Errorf("scenario %s: setup: %w", n, err)
		}
		fmt.Fprintf(stderr, "bench: %s …\n", n)
		var after func() string
		if s.Around != nil {
			after = s.Around(ctx, o.workers)
		}
		res, err := measure(ctx, o, s, next, n != bareName, stats)
		if err != nil {
			return fmt.Errorf("scenario %s: %w", n, err)
		}
		if stats != nil && n != bareName {
			notes = append(notes, n+": "+stats.stop(res.Requests))
		}
		if after != nil {
			notes = append(notes, n+": "+after())
		}
		if n == bareName {
			bare = res
		}
		rep.Results = append(rep.Results, toRow(n, res, bare))
		if ctx.Err() != nil {
			break
		}
	}
	printTable(stdout, rep.Results)
	for _, line := range notes {
		fmt.Fprintln(stdout, line)
	}
	if o.jsonPath != "" {
		if err := writeJSON(o.jsonPath, rep); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "bench: wrote %s\n", o.jsonPath)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	for _, r := range rep.Results {
		if r.Errors > 0 {
			return fmt.Errorf("scenario %s: %d of %d requests failed", r.Scenario, r.Errors, r.Requests)
		}
	}
	return nil
}

// measure runs one scenario's load, under the CPU profiler and the SQL counter when asked.
func measure(ctx context.Context, o options, s Scenario, next loadgen.RequestFunc, profile bool, stats *sqlStats) (loadgen.Result, error) {
	client := loadgen.NewClient(o.workers)
	defer client.CloseIdleConnections()
	lo := loadgen.Options{Workers: o.workers, Duration: o.duration, Requests: o.requests, Warmup: o.warmup, Check: s.Check, Client: client}
	profile = profile && o.cpuProfile != ""
	if !profile && stats == nil {
		return loadgen.Run(ctx, lo, next)
	}
	if lo.Warmup > 0 { // warm up outside the profile and the count
		if _, err := loadgen.Run(ctx, loadgen.Options{Workers: o.workers, Duration: lo.Warmup, Client: client, Check: s.Check}, next); err != nil {
			return loadgen.Result{}, err
		}
		lo.Warmup = 0
	}
	if stats != nil {
		stats.start()
	}
	if !profile {
		return loadgen.Run(ctx, lo, next)
	}
	name := o.cpuProfile
	if strings.Contains(o.scenarios, ",") {
		name = strings.TrimSuffix(name, filepath.Ext(name)) + "-" + s.Name + filepath.Ext(name)
	}
	f, err := os.Create(name)
	if err != nil {
		return loadgen.Result{}, err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return loadgen.Result{}, err
	}
	defer pprof.StopCPUProfile()
	return loadgen.Run(ctx, lo, next)
}

func toRow(name string, r, bare loadgen.Result) row {
	out := row{Scenario: name, Requests: r.Requests, Errors: r.Errors, RPS: r.RPS, MeanMS: ms(r.Mean),
		P50MS: ms(r.P50), P95MS: ms(r.P95), P99MS: ms(r.P99), MaxMS: ms(r.Max), Statuses: r.Statuses, FirstError: r.FirstError}
	if bare.RPS > 0 {
		out.RPSvsBare = r.RPS / bare.RPS
	}
	if bare.P99 > 0 {
		out.P99vsBare = float64(r.P99) / float64(bare.P99)
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func printTable(w io.Writer, rows []row) {
	width := len("scenario")
	for _, r := range rows {
		width = max(width, len(r.Scenario))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-*s\trequests\trps\tp50 ms\tp95 ms\tp99 ms\tmax ms\terrors\trps/bare\tp99/bare\t\n", width, "scenario")
	for _, r := range rows {
		fmt.Fprintf(tw, "%-*s\t%d\t%.0f\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t%.2fx\t%.2fx\t\n",
			width, r.Scenario, r.Requests, r.RPS, r.P50MS, r.P95MS, r.P99MS, r.MaxMS, r.Errors, r.RPSvsBare, r.P99vsBare)
	}
	_ = tw.Flush()
	for _, r := range rows {
		if r.Errors > 0 {
			fmt.Fprintf(w, "%s: %d errors, e.g. %s (statuses %v)\n", r.Scenario, r.Errors, r.FirstError, r.Statuses)
		}
	}
}

func writeJSON(path string, rep report) error {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
