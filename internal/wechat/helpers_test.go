package wechat_test

// Tests here swap the process-global util.DefaultHTTPClient: none may call t.Parallel.

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"fayuan/internal/wechat"
	"fayuan/internal/wechat/wechattest"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/util"
)

// syncBuffer lets the slog handler be written from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// restoreHTTPClient puts the SDK's global client back after the test.
func restoreHTTPClient(t *testing.T) {
	t.Helper()
	old := util.DefaultHTTPClient
	t.Cleanup(func() { util.DefaultHTTPClient = old })
}

type fixture struct {
	srv    *wechattest.Server
	client *wechat.Client
	logs   *syncBuffer
}

// newFixture starts a fake WeChat and a client for it; at cleanup it checks
// that nothing secret reached the log.
func newFixture(t *testing.T, c cache.Cache, mods ...func(*wechat.Config)) *fixture {
	t.Helper()
	restoreHTTPClient(t)
	srv := wechattest.New(t)
	f := &fixture{srv: srv, logs: &syncBuffer{}}
	f.client = f.newClient(t, c, mods...)
	t.Cleanup(func() { assertNoLeak(t, srv, "log", f.logs.String()) })
	return f
}

func (f *fixture) newClient(t *testing.T, c cache.Cache, mods ...func(*wechat.Config)) *wechat.Client {
	t.Helper()
	if c == nil {
		c = wechat.NewMemoryCache()
	}
	cfg := wechat.Config{AppID: f.srv.AppID(), AppSecret: f.srv.Secret(), APIBase: f.srv.URL(), Timeout: 3 * time.Second}
	for _, m := range mods {
		m(&cfg)
	}
	logger := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cl, err := wechat.New(cfg, c, logger)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return cl
}

// assertNoLeak fails if text holds the app secret, an issued session key or access token.
func assertNoLeak(t *testing.T, srv *wechattest.Server, what, text string) {
	t.Helper()
	secrets := append([]string{srv.Secret()}, srv.SessionKeys()...)
	secrets = append(secrets, srv.AccessTokens()...)
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s leaks a secret value %q: %s", what, s, text)
		}
	}
}

func assertErr(t *testing.T, f *fixture, err error, target error, code int) {
	t.Helper()
	if err == nil {
		t.Fatalf("want error %v, got nil", target)
	}
	if target != nil && !errors.Is(err, target) {
		t.Errorf("error %q is not %v", err, target)
	}
	if code != 0 && wechat.Code(err) != code {
		t.Errorf("errcode = %d, want %d (%v)", wechat.Code(err), code, err)
	}
	assertNoLeak(t, f.srv, "error", err.Error())
}
