package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"fayuan/config"
	"fayuan/internal/app"
	"fayuan/internal/clock"
)

// Start is the fake clock's starting time: 2024-05-24 09:00 +08:00, the first day of the
// notice's phone follow-up phase.
var Start = time.Date(2024, 5, 24, 1, 0, 0, 0, time.UTC)

// Env is a running server on a fresh database, with a fake clock and captured logs.
type Env struct {
	T        testing.TB
	Backend  Backend
	Database Database
	Config   *config.Config
	App      *app.App
	Clock    *clock.Fake
	Logs     *SyncBuffer
	Tripwire *Tripwire
	// AdminPassword is the password of user admin.
	AdminPassword string
}

// Option adjusts the configuration before the server is built.
type Option func(*config.Config)

// New builds a server on a fresh database of backend b. The log is scanned for every value
// registered with the tripwire when the test ends.
func New(t testing.TB, b Backend, opts ...Option) *Env {
	t.Helper()
	d := NewDatabase(t, b)
	cfg, err := config.Load("/nonexistent/config.yaml", func(k string) (string, bool) {
		switch k {
		case "FAYUAN_DATA_DIR":
			return d.Dir, true
		case "FAYUAN_DB_DRIVER":
			return d.Driver, true
		case "FAYUAN_DB_DSN":
			return d.DSN, true
		case "FAYUAN_ADMIN_PASSWORD":
			return "admin-password-1", true
		}
		return "", false
	})
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	cfg.LogLevel = "debug"
	cfg.ReminderTime = "" // tests run the reminder job themselves, never on a real-time ticker
	for _, o := range opts {
		o(cfg)
	}
	e := &Env{T: t, Backend: b, Database: d, Config: cfg, Clock: clock.NewFake(Start), Logs: &SyncBuffer{},
		Tripwire: NewTripwire(), AdminPassword: cfg.AdminPassword}
	e.App = e.build(cfg)
	t.Cleanup(func() { e.Tripwire.Scan(t, "log", e.Logs.Bytes()) })
	return e
}

// build makes one server process on e's database; tests that need two replicas call Replica.
func (e *Env) build(cfg *config.Config) *app.App {
	e.T.Helper()
	a, err := app.New(context.Background(), cfg, app.Options{LogOutput: e.Logs, Clock: e.Clock, PasswordCost: bcrypt.MinCost})
	if err != nil {
		e.T.Fatalf("app: %v", err)
	}
	e.T.Cleanup(a.Close)
	return a
}

// Replica builds a second server process on the same database, sharing the clock and secrets.
func (e *Env) Replica() *app.App {
	c := *e.Config
	return e.build(&c)
}

// Response is a recorded answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test when it cannot.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %d answer %q: %v", r.Status, truncate(r.Body), err)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Code is the error body's code field ("" when absent).
func (r *Response) Code() string {
	var e struct{ Code string }
	_ = json.Unmarshal(r.Body, &e)
	return e.Code
}

// Request is a request to send; Body may be a []byte, a string (sent raw) or a value encoded as JSON.
type Request struct {
	Method  string
	Path    string
	Body    any
	Token   string
	Header  map[string]string
	Handler http.Handler // default e.App.Handler
}

// Send runs a request through the real router and records the answer.
func (e *Env) Send(r Request) *Response {
	e.T.Helper()
	var body io.Reader
	ctype := ""
	switch b := r.Body.(type) {
	case nil:
	case []byte:
		body, ctype = bytes.NewReader(b), "application/json"
	case string:
		body, ctype = strings.NewReader(b), "application/json"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.T.Fatalf("encode body: %v", err)
		}
		body, ctype = bytes.NewReader(j), "application/json"
	}
	req := httptest.NewRequest(r.Method, r.Path, body)
	req.RemoteAddr = "192.0.2.10:41000"
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	h := r.Handler
	if h == nil {
		h = e.App.Handler
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return &Response{Status: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}

// Do sends a JSON request with a token.
func (e *Env) Do(method, path, token string, body any) *Response {
	e.T.Helper()
	return e.Send(Request{Method: method, Path: path, Token: token, Body: body})
}

// Expect fails the test unless the answer has the status; it returns the answer.
func Expect(t testing.TB, r *Response, status int) *Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, truncate(r.Body))
	}
	return r
}

func truncate(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// SyncBuffer is a goroutine-safe log sink.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// Bytes copies what was written.
func (s *SyncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}
