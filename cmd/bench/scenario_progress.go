package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	"fayuan/model"
)

// progressSeed is what the progress scenario stored: its campaign, whose calls phase holds
// cases BENCH-… assigned to bench_staff_00..49.
type progressSeed struct {
	campaign string
	cases    int
}

// liveLimit bounds the one live computation Setup times.
const liveLimit = 3 * time.Minute

// rebuildAndTimeLive rebuilds the campaign's progress counters from the seeded raw rows, then
// times one live computation of the progress (unless FAYUAN_BENCH_LIVE=0), printing both.
func rebuildAndTimeLive(ctx context.Context, e *Env, campaign, token string) error {
	// The service, not the route: a million-case rebuild outlasts the server's write timeout.
	id, err := strconv.ParseUint(campaign, 10, 64)
	if err != nil {
		return err
	}
	t0 := time.Now()
	by := model.Actor{Username: "bench", Roles: model.Roles{model.RoleManager}}
	if err := e.App.Campaigns.RebuildProgress(ctx, by, model.ID(id)); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "progress: counters rebuilt from the raw rows in %s\n", time.Since(t0).Round(time.Millisecond))
	// The first request draws every caller's visit sample (then kept while the caller's
	// candidates and visits stay the same); the measured ones reuse them.
	t0 = time.Now()
	if err := e.Call(ctx, http.MethodGet, "/api/v1/campaigns/"+campaign+"/progress", token, nil, nil); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "progress: first request (drawing the callers' visit samples) took %s\n", time.Since(t0).Round(time.Millisecond))
	if os.Getenv("FAYUAN_BENCH_LIVE") == "0" {
		return nil
	}
	lctx, cancel := context.WithTimeout(ctx, liveLimit)
	defer cancel()
	var live, counted struct {
		Phases []struct {
			InScope int64 `json:"in_scope"`
			Done    int64 `json:"done"`
		} `json:"phases"`
	}
	t0 = time.Now()
	err = e.Call(lctx, http.MethodGet, "/api/v1/campaigns/"+campaign+"/progress?live=true", token, nil, &live)
	d := time.Since(t0).Round(time.Millisecond)
	if lctx.Err() != nil {
		fmt.Fprintf(os.Stderr, "progress: live computation from the raw rows did not finish in %s\n", liveLimit)
		return nil
	}
	if err != nil {
		return err
	}
	if err := e.Call(ctx, http.MethodGet, "/api/v1/campaigns/"+campaign+"/progress", token, nil, &counted); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "progress: live computation from the raw rows (?live=true) took %s; live %+v, counters %+v\n", d, live.Phases, counted.Phases)
	return nil
}
