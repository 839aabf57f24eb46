package main

import (
	"context"
	"sort"

	"fayuan/internal/loadgen"
)

// Scenario is one named load: Setup seeds what it needs on the fresh server (users, cases,
// campaigns...) and returns the builder of the requests the workers send. Setup runs once per
// run, before the warm-up; the builder is called concurrently, with the worker's index, so a
// scenario that writes can give each worker its own user or records (e.Workers of them).
type Scenario struct {
	Name  string
	About string
	Setup func(ctx context.Context, e *Env) (loadgen.RequestFunc, error)
	Check loadgen.CheckFunc // nil: any 2xx answer succeeds
	// Around, when set, runs just before the measured load (after the warm-up's setup) with
	// the number of workers; the function it returns runs after, and its line is printed.
	Around func(ctx context.Context, workers int) func() string
}

// bareName is the baseline every run measures first.
const bareName = "bare"

// scenarios is the registry. A feature adds its load here (cases list, progress, record a
// call...) with a Setup that seeds through the API, as a client would, via e.Call.
func scenarios() map[string]Scenario {
	list := []Scenario{
		{
			Name:  bareName,
			About: "baseline: a bare net/http handler writing a small JSON object, same process, same generator",
			Setup: func(_ context.Context, e *Env) (loadgen.RequestFunc, error) {
				return Get(e.BareURL+"/me", ""), nil
			},
		},
		{
			Name:  "me",
			About: "GET /api/v1/me as admin: JWT check, user lookup, roles and organisation",
			Setup: func(ctx context.Context, e *Env) (loadgen.RequestFunc, error) {
				tok, err := e.AdminToken(ctx)
				if err != nil {
					return nil, err
				}
				return Get(e.BaseURL+"/api/v1/me", tok), nil
			},
		},
		{
			Name:  "healthz",
			About: "GET /healthz: the router and middleware alone, no database",
			Setup: func(_ context.Context, e *Env) (loadgen.RequestFunc, error) {
				return Get(e.BaseURL+"/healthz", ""), nil
			},
		},
		{
			Name:  "readyz",
			About: "GET /readyz: one database ping per request",
			Setup: func(_ context.Context, e *Env) (loadgen.RequestFunc, error) {
				return Get(e.BaseURL+"/readyz", ""), nil
			},
		},
	}
	list = append(list, casesScenario())
	list = append(list, progressScenario())
	list = append(list, photosScenario())
	list = append(list, worklistScenario(), recordCallScenario(), insertScenario())
	m := make(map[string]Scenario, len(list))
	for _, s := range list {
		m[s.Name] = s
	}
	return m
}

// scenarioNames lists the registry, sorted.
func scenarioNames() []string {
	var names []string
	for n := range scenarios() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
