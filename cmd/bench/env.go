package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gorm.io/gorm"

	"fayuan/config"
	"fayuan/internal/app"
	"fayuan/internal/db"
	"fayuan/internal/loadgen"
)

// Env is what a scenario's setup works with: the real server on a fresh database, served over
// loopback by a real http.Server, and the bare baseline beside it.
type Env struct {
	BaseURL       string // the fayuan server, e.g. http://127.0.0.1:41234
	BareURL       string // the bare net/http JSON handler
	App           *app.App
	Config        *config.Config
	AdminPassword string
	Workers       int          // how many workers the load generator will run
	ProgressCases int          // how many cases the progress scenario seeds
	Client        *http.Client // for setup calls; loopback only
	closers       []func()

	seeded *progressSeed // the progress scenario's data, which the work-list scenario reuses
}

// envOptions choose the database the server runs on.
type envOptions struct {
	DB       string // sqlite or mysql
	MySQLDSN string // server DSN without a database name, e.g. root@tcp(127.0.0.1:3306)/
	Workers  int
	// ProgressCases sizes the progress scenario's data.
	ProgressCases int
}

// startEnv creates a fresh database, builds the server with internal/app exactly as main does,
// and serves it and the bare handler on loopback listeners. Close undoes all of it.
func startEnv(ctx context.Context, o envOptions) (_ *Env, err error) {
	e := &Env{Workers: o.Workers, ProgressCases: cmp.Or(o.ProgressCases, 2000), Client: loadgen.NewClient(8)}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()
	dir, err := os.MkdirTemp("", "fayuan-bench-")
	if err != nil {
		return nil, err
	}
	e.closers = append(e.closers, func() { _ = os.RemoveAll(dir) })

	vars := map[string]string{
		"FAYUAN_DATA_DIR":       dir,
		"FAYUAN_DB_DRIVER":      o.DB,
		"FAYUAN_ADMIN_PASSWORD": "bench-" + randHex(12),
	}
	switch o.DB {
	case "sqlite":
		vars["FAYUAN_DB_DSN"] = filepath.Join(dir, "fayuan.db")
	case "mysql":
		dsn, drop, err := createMySQLSchema(ctx, o.MySQLDSN)
		if err != nil {
			return nil, err
		}
		e.closers = append(e.closers, drop)
		vars["FAYUAN_DB_DSN"] = dsn
	default:
		return nil, fmt.Errorf("-db: %q is not sqlite or mysql", o.DB)
	}
	// Other FAYUAN_* settings (pool size, log level...) come from the environment, so a run can
	// be tuned like a deployment; the database, data dir and admin password are the harness's.
	cfg, err := config.Load(filepath.Join(dir, "no-config.yaml"), func(k string) (string, bool) {
		if v, ok := vars[k]; ok {
			return v, true
		}
		if k == "FAYUAN_CONFIG" {
			return "", false
		}
		return os.LookupEnv(k)
	})
	if err != nil {
		return nil, err
	}
	e.Config, e.AdminPassword = cfg, cfg.AdminPassword

	a, err := app.New(ctx, cfg, app.Options{LogOutput: io.Discard})
	if err != nil {
		return nil, err
	}
	e.App = a
	e.closers = append(e.closers, a.Close)

	if e.BaseURL, err = e.serve(a.Handler); err != nil {
		return nil, err
	}
	if e.BareURL, err = e.serve(bareHandler()); err != nil {
		return nil, err
	}
	return e, nil
}

// serve runs h on a fresh loopback port with the same server settings as main.go.
func (e *Env) serve(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	go func() { _ = srv.Serve(ln) }()
	e.closers = append(e.closers, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return "http://" + ln.Addr().String(), nil
}

// bareHandler is the baseline: the least a Go JSON endpoint can do.
func bareHandler() http.Handler {
	type answer struct {
		ID       string   `json:"id"`
		Username string   `json:"username"`
		Roles    []string `json:"roles"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(answer{ID: "1", Username: "admin", Roles: []string{"admin"}})
	})
}

// Close stops the servers, closes the app and removes the database, in reverse order.
func (e *Env) Close() {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
	e.closers = nil
	e.Client.CloseIdleConnections()
}

// createMySQLSchema makes a fresh schema on the server and returns its DSN and its removal.
func createMySQLSchema(ctx context.Context, server string) (string, func(), error) {
	if !strings.HasSuffix(server, "/") {
		return "", nil, fmt.Errorf("-mysql-dsn: %q should end with / (a server, no database), e.g. root@tcp(127.0.0.1:3306)/", server)
	}
	admin, err := db.Open(ctx, db.Options{Driver: "mysql", DSN: server + "mysql", MaxOpen: 2})
	if err != nil {
		return "", nil, fmt.Errorf("-mysql-dsn: MariaDB/MySQL not reachable at %s: %v", server, err)
	}
	name := "fayuan_bench_" + randHex(6)
	if err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci").Error; err != nil {
		closeGorm(admin)
		return "", nil, fmt.Errorf("create database %s: %v", name, err)
	}
	drop := func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name)
		closeGorm(admin)
	}
	return server + name, drop, nil
}

// Call sends a JSON request to the server and decodes a 2xx answer into out (when not nil).
func (e *Env) Call(ctx context.Context, method, path, token string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.BaseURL+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s %s: status %d: %.300s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// Login logs a user in with a password and returns the access token.
func (e *Env) Login(ctx context.Context, username, password string) (string, error) {
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := e.Call(ctx, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": password}, &out); err != nil {
		return "", err
	}
	if out.AccessToken == "" {
		return "", errors.New("login answered no access token")
	}
	return out.AccessToken, nil
}

// AdminToken logs admin in.
func (e *Env) AdminToken(ctx context.Context) (string, error) {
	return e.Login(ctx, "admin", e.AdminPassword)
}

// Get is a request builder for GET url with a bearer token (none when token is empty).
func Get(url, token string) loadgen.RequestFunc {
	return func(ctx context.Context, _ int) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return req, nil
	}
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func closeGorm(g *gorm.DB) {
	if s, err := g.DB(); err == nil {
		_ = s.Close()
	}
}
