package loadgen

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunCountsRequestsAndErrors(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%10 == 0 {
			http.Error(w, "no", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()

	res, err := Run(context.Background(), Options{Workers: 4, Requests: 200, Duration: 30 * time.Second},
		func(ctx context.Context, _ int) (*http.Request, error) {
			return http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/x", nil)
		})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 200 {
		t.Fatalf("requests %d, want exactly 200", res.Requests)
	}
	if res.Errors != 20 || res.Statuses[500] != 20 || res.Statuses[200] != 180 {
		t.Fatalf("errors %d statuses %v, want 20 errors of 200", res.Errors, res.Statuses)
	}
	if len(res.Latencies) != 200 || !(res.P50 <= res.P95 && res.P95 <= res.P99 && res.P99 <= res.Max) || res.RPS <= 0 {
		t.Fatalf("inconsistent summary: %+v", res)
	}
}

func TestRunStopsAtDuration(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	start := time.Now()
	res, err := Run(context.Background(), Options{Workers: 2, Duration: 200 * time.Millisecond, Warmup: 50 * time.Millisecond},
		func(ctx context.Context, _ int) (*http.Request, error) {
			return http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("took %s for a 250ms run", took)
	}
	if res.Requests == 0 || res.Errors != 0 {
		t.Fatalf("requests %d errors %d (%s)", res.Requests, res.Errors, res.FirstError)
	}
}

func TestRunRefusesNonLoopback(t *testing.T) {
	// 192.0.2.0/24 is TEST-NET-1: never routed, and refused before any packet is sent.
	res, err := Run(context.Background(), Options{Workers: 1, Requests: 1, Duration: 5 * time.Second},
		func(ctx context.Context, _ int) (*http.Request, error) {
			return http.NewRequestWithContext(ctx, http.MethodGet, "http://192.0.2.1:8080/", nil)
		})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 1 {
		t.Fatalf("errors %d, want the request refused", res.Errors)
	}
	res, err = Run(context.Background(), Options{Workers: 1, Requests: 1, Duration: 5 * time.Second, Client: http.DefaultClient},
		func(ctx context.Context, _ int) (*http.Request, error) {
			return http.NewRequestWithContext(ctx, http.MethodGet, "http://example.invalid/", nil)
		})
	if err != nil || res.Errors != 1 || !strings.Contains(res.FirstError, "loopback") {
		t.Fatalf("a caller's client reached a named host: %v %+v", err, res)
	}
	if err := loopbackOnly("tcp", "192.0.2.1:8080", nil); !errors.Is(err, ErrNotLoopback) {
		t.Fatalf("loopbackOnly(192.0.2.1) = %v", err)
	}
	for _, a := range []string{"127.0.0.1:1", "[::1]:1", "127.8.9.10:80"} {
		if err := loopbackOnly("tcp", a, nil); err != nil {
			t.Fatalf("loopbackOnly(%s) = %v", a, err)
		}
	}
}

func TestRunRejectsUnboundedOptions(t *testing.T) {
	next := func(ctx context.Context, _ int) (*http.Request, error) { return nil, nil }
	for name, o := range map[string]Options{
		"no bound":         {Workers: 1},
		"too long":         {Workers: 1, Duration: MaxDuration + time.Second},
		"too many":         {Workers: MaxWorkers + 1, Duration: time.Second},
		"too many reqs":    {Workers: 1, Requests: MaxRequests + 1},
		"warm-up too long": {Workers: 1, Duration: time.Second, Warmup: MaxDuration + time.Second},
	} {
		if _, err := Run(context.Background(), o, next); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestPercentile(t *testing.T) {
	var l []time.Duration
	for i := 1; i <= 100; i++ {
		l = append(l, time.Duration(i))
	}
	for p, want := range map[float64]time.Duration{50: 50, 95: 95, 99: 99, 100: 100, 1: 1} {
		if got := Percentile(l, p); got != want {
			t.Errorf("p%v = %d, want %d", p, got, want)
		}
	}
	if Percentile(nil, 50) != 0 {
		t.Error("empty")
	}
}
