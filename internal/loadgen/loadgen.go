// Package loadgen is a closed-loop HTTP load generator for the benchmark harness: N workers each
// send a request, wait for its answer, and send the next, for a fixed time or request count.
// Every latency is recorded, so percentiles are exact rather than estimated from buckets.
//
// It only ever talks to loopback addresses: its transport refuses to dial anything else, and
// runs are bounded in time and count, so a mistyped URL cannot turn it on another host.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"sync"
	"syscall"
	"time"
)

// Limits keep a run bounded whatever the caller asks for.
const (
	MaxWorkers  = 1024
	MaxDuration = 5 * time.Minute
	MaxRequests = 10_000_000
)

// ErrNotLoopback is returned (and counted as the request's error) when a request would leave
// the machine.
var ErrNotLoopback = errors.New("loadgen: only loopback addresses may be targeted")

// RequestFunc builds the next request; worker is the worker's index (0..Workers-1), so a
// scenario can give each worker its own user or record. It is called concurrently.
type RequestFunc func(ctx context.Context, worker int) (*http.Request, error)

// CheckFunc decides whether an answer counts as a success; the body has been read.
type CheckFunc func(resp *http.Response, body []byte) error

// Options shape one run.
type Options struct {
	Workers  int           // concurrent closed-loop workers; default 1
	Duration time.Duration // how long to measure; 0 with Requests > 0 = until Requests are sent
	Requests int           // stop after this many measured requests in all; 0 = no count limit
	Warmup   time.Duration // requests sent before measuring, not recorded
	Timeout  time.Duration // per request; default 10s
	Check    CheckFunc     // default: any 2xx succeeds
	Client   *http.Client  // default: NewClient(Workers); requests to non-loopback hosts are refused either way
}

// Result is what one run measured.
type Result struct {
	Requests   int           // measured requests, errors included
	Errors     int           // no answer, an unreadable one, or one Check refused
	Elapsed    time.Duration // of the measured part
	RPS        float64       // measured requests per second
	Mean       time.Duration
	P50        time.Duration
	P95        time.Duration
	P99        time.Duration
	Max        time.Duration
	Statuses   map[int]int     // answer status → count
	FirstError string          // an example, for the operator
	Latencies  []time.Duration // every measured request, sorted
}

// NewClient is a keep-alive client sized for workers concurrent requests, dialling loopback only.
func NewClient(workers int) *http.Client {
	if workers < 1 {
		workers = 1
	}
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second, Control: loopbackOnly}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               nil, // never through a proxy: the target is on this machine
			DialContext:         d.DialContext,
			MaxIdleConns:        workers,
			MaxIdleConnsPerHost: workers,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// loopbackOnly runs on the resolved address just before connecting.
func loopbackOnly(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%w: %s", ErrNotLoopback, address)
	}
	return nil
}

// loopbackURL reports whether the request names a loopback host.
func loopbackURL(req *http.Request) bool {
	h := req.URL.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// Run drives the load and returns what it measured. It stops at ctx's end too, reporting what
// was measured so far.
func Run(ctx context.Context, o Options, next RequestFunc) (Result, error) {
	if next == nil {
		return Result{}, errors.New("loadgen: no request builder")
	}
	if o.Workers < 1 {
		o.Workers = 1
	}
	if o.Workers > MaxWorkers {
		return Result{}, fmt.Errorf("loadgen: %d workers, at most %d", o.Workers, MaxWorkers)
	}
	if o.Duration <= 0 && o.Requests <= 0 {
		return Result{}, errors.New("loadgen: set a duration or a request count")
	}
	if o.Duration > MaxDuration || o.Warmup > MaxDuration {
		return Result{}, fmt.Errorf("loadgen: duration and warm-up are at most %s", MaxDuration)
	}
	if o.Requests > MaxRequests {
		return Result{}, fmt.Errorf("loadgen: at most %d requests", MaxRequests)
	}
	if o.Duration <= 0 {
		o.Duration = MaxDuration // a count-bounded run still ends in time
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Check == nil {
		o.Check = func(resp *http.Response, _ []byte) error {
			if resp.StatusCode < 200 || resp.StatusCode > 299 {
				return fmt.Errorf("status %d", resp.StatusCode)
			}
			return nil
		}
	}
	client := o.Client
	if client == nil {
		client = NewClient(o.Workers)
		defer client.CloseIdleConnections()
	}

	if o.Warmup > 0 {
		wctx, cancel := context.WithTimeout(ctx, o.Warmup)
		drive(wctx, o, client, next, nil, false)
		cancel()
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
	}

	mctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var b *budget // nil: no count limit
	if o.Requests > 0 {
		b = &budget{left: o.Requests}
	}
	start := time.Now()
	samples := drive(mctx, o, client, next, b, true)
	elapsed := time.Since(start)
	return summarize(samples, elapsed), nil
}

// sample is one measured request.
type sample struct {
	latency time.Duration
	status  int // 0 when no answer came
	err     error
}

// budget hands out a fixed number of request slots among the workers.
type budget struct {
	mu   sync.Mutex
	left int
}

// take claims one slot; a nil budget never runs out.
func (b *budget) take() bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.left <= 0 {
		return false
	}
	b.left--
	return true
}

// drive runs the workers until ctx ends or the budget is spent; with record false (warm-up)
// nothing is kept.
func drive(ctx context.Context, o Options, client *http.Client, next RequestFunc, b *budget, record bool) [][]sample {
	perWorker := make([][]sample, o.Workers)
	var wg sync.WaitGroup
	for w := range o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []sample
			if record {
				mine = make([]sample, 0, 4096)
			}
			for ctx.Err() == nil && b.take() {
				s := one(ctx, o, client, next, w)
				if ctx.Err() != nil && s.err != nil {
					break // cut off by the end of the run, not the server's failure
				}
				if record {
					mine = append(mine, s)
				}
			}
			perWorker[w] = mine
		}()
	}
	wg.Wait()
	return perWorker
}

// one sends a single request and reads its answer to the end, so the connection is reused.
func one(ctx context.Context, o Options, client *http.Client, next RequestFunc, worker int) sample {
	rctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	req, err := next(rctx, worker)
	if err != nil {
		return sample{err: fmt.Errorf("build request: %w", err)}
	}
	if !loopbackURL(req) { // a second guard, for a caller's own Client
		return sample{err: fmt.Errorf("%w: %s", ErrNotLoopback, req.URL.Host)}
	}
	start := time.Now()
	resp, err := client.Do(req.WithContext(rctx))
	if err != nil {
		return sample{latency: time.Since(start), err: err}
	}
	body, rerr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	lat := time.Since(start)
	s := sample{latency: lat, status: resp.StatusCode}
	if rerr != nil {
		s.err = rerr
	} else {
		s.err = o.Check(resp, body)
	}
	return s
}

func summarize(perWorker [][]sample, elapsed time.Duration) Result {
	r := Result{Elapsed: elapsed, Statuses: map[int]int{}}
	var sum time.Duration
	for _, ws := range perWorker {
		for _, s := range ws {
			r.Requests++
			r.Latencies = append(r.Latencies, s.latency)
			sum += s.latency
			if s.status != 0 {
				r.Statuses[s.status]++
			}
			if s.err != nil {
				r.Errors++
				if r.FirstError == "" {
					r.FirstError = s.err.Error()
				}
			}
		}
	}
	if r.Requests == 0 {
		return r
	}
	slices.Sort(r.Latencies)
	r.Mean = sum / time.Duration(r.Requests)
	r.P50 = Percentile(r.Latencies, 50)
	r.P95 = Percentile(r.Latencies, 95)
	r.P99 = Percentile(r.Latencies, 99)
	r.Max = r.Latencies[len(r.Latencies)-1]
	if elapsed > 0 {
		r.RPS = float64(r.Requests) / elapsed.Seconds()
	}
	return r
}

// Percentile is the nearest-rank percentile p (0 < p ≤ 100) of sorted latencies.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(float64(len(sorted))*p/100)) - 1
	rank = max(0, min(rank, len(sorted)-1))
	return sorted[rank]
}
