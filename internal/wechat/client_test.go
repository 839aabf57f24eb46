package wechat_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"fayuan/internal/wechat"

	"github.com/silenceper/wechat/v2/miniprogram"
	mpconfig "github.com/silenceper/wechat/v2/miniprogram/config"
	"github.com/silenceper/wechat/v2/util"
)

func TestNewNotConfigured(t *testing.T) {
	for _, cfg := range []wechat.Config{{}, {AppID: "wx1"}, {AppSecret: "s"}} {
		if cfg.Configured() {
			t.Errorf("%+v reports configured", cfg)
		}
		if _, err := wechat.New(cfg, wechat.NewMemoryCache(), nil); !errors.Is(err, wechat.ErrNotConfigured) {
			t.Errorf("New(%+v) = %v, want ErrNotConfigured", cfg, err)
		}
	}
}

func TestNewLeavesDefaultClientAlone(t *testing.T) {
	f := newFixture(t, nil)
	_ = f
	if http.DefaultClient.Transport != nil || http.DefaultClient.Timeout != 0 {
		t.Fatal("http.DefaultClient was modified")
	}
	if util.DefaultHTTPClient == http.DefaultClient {
		t.Fatal("util.DefaultHTTPClient still is http.DefaultClient")
	}
}

func TestCode2SessionOK(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.AddCode("code-1", "openid-1")
	f.srv.AddCodeWithUnionID("code-2", "openid-2", "union-2")
	s, err := f.client.Code2Session(context.Background(), "code-1")
	if err != nil || s.OpenID != "openid-1" || s.UnionID != "" {
		t.Fatalf("Code2Session = %+v, %v", s, err)
	}
	s, err = f.client.Code2Session(context.Background(), "code-2")
	if err != nil || s.OpenID != "openid-2" || s.UnionID != "union-2" {
		t.Fatalf("Code2Session = %+v, %v", s, err)
	}
	if len(f.srv.SessionKeys()) != 2 {
		t.Fatalf("fake issued %d session keys", len(f.srv.SessionKeys()))
	}
}

func TestCode2SessionErrors(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	f.srv.AddCode("once", "openid-1")
	f.srv.FailCode("busy", -1)
	f.srv.FailCode("throttled", 45011)

	_, err := f.client.Code2Session(ctx, "unknown")
	assertErr(t, f, err, wechat.ErrInvalidCode, 40029)

	if _, err := f.client.Code2Session(ctx, "once"); err != nil {
		t.Fatal(err)
	}
	_, err = f.client.Code2Session(ctx, "once")
	assertErr(t, f, err, wechat.ErrInvalidCode, 40163)

	_, err = f.client.Code2Session(ctx, "throttled")
	assertErr(t, f, err, wechat.ErrRateLimited, 45011)

	_, err = f.client.Code2Session(ctx, "busy")
	assertErr(t, f, err, wechat.ErrUnavailable, -1)

	_, err = f.client.Code2Session(ctx, "")
	assertErr(t, f, err, wechat.ErrInvalidCode, 0)
}

// A crafted code must reach WeChat as one js_code value, not add parameters.
func TestCode2SessionCodeInjection(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.AddCode("x", "openid-x")
	_, err := f.client.Code2Session(context.Background(), "x&appid=other")
	assertErr(t, f, err, wechat.ErrInvalidCode, 40029)
}

func TestCode2SessionDown(t *testing.T) {
	f := newFixture(t, nil, func(c *wechat.Config) { c.Timeout = time.Second })
	f.srv.AddCode("c", "o")
	f.srv.SetDown(10 * time.Second)
	start := time.Now()
	_, err := f.client.Code2Session(context.Background(), "c")
	assertErr(t, f, err, wechat.ErrUnavailable, 0)
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("took %v with a 1 s timeout", d)
	}
}

func TestContextCanceled(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.SetDown(10 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.client.Code2Session(ctx, "c")
	assertErr(t, f, err, wechat.ErrUnavailable, 0)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("err %v after %v", err, time.Since(start))
	}
}

func TestNon200IsUnavailableAndRedacted(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.AddCode("c-non200", "o")
	f.srv.SetHTTPStatus(http.StatusBadGateway)
	_, err := f.client.Code2Session(context.Background(), "c-non200")
	assertErr(t, f, err, wechat.ErrUnavailable, 0)
	if strings.Contains(err.Error(), "c-non200") {
		t.Errorf("js_code not redacted: %v", err)
	}
}

// The SDK itself puts secret= into its errors; Redact must clean them.
func TestRedactRealSDKError(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.SetHTTPStatus(http.StatusInternalServerError)
	mp := miniprogram.NewMiniProgram(&mpconfig.Config{AppID: f.srv.AppID(), AppSecret: f.srv.Secret(), Cache: wechat.NewMemoryCache()})
	_, raw := mp.GetAuth().Code2Session("the-js-code")
	if raw == nil || !strings.Contains(raw.Error(), f.srv.Secret()) {
		t.Fatalf("expected the raw SDK error to hold the secret, got %v", raw)
	}
	red := wechat.Redact(raw.Error())
	for _, bad := range []string{f.srv.Secret(), "the-js-code"} {
		if strings.Contains(red, bad) {
			t.Errorf("Redact left %q in %s", bad, red)
		}
	}
	if !strings.Contains(red, "secret=***") || !strings.Contains(red, "statusCode=500") {
		t.Errorf("Redact removed too much or too little: %s", red)
	}
}

func TestRedact(t *testing.T) {
	cases := map[string]string{
		"https://x/sns?appid=wx1&secret=abc&js_code=def&grant_type=g": "https://x/sns?appid=wx1&secret=***&js_code=***&grant_type=g",
		`Post "https://x/y?access_token=TOK": EOF`:                    `Post "https://x/y?access_token=***": EOF`,
		`{"session_key":"k+/=","openid":"o"}`:                         `{"session_key":"***","openid":"o"}`,
		"appsecret=zzz code=qq":                                       "appsecret=*** code=***",
		"errcode=40029 , errmsg=invalid code":                         "errcode=40029 , errmsg=invalid code",
		"SECRET%3Dabc":                                                "SECRET%3D***",
	}
	for in, want := range cases {
		if got := wechat.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWrongSecret(t *testing.T) {
	f := newFixture(t, nil)
	cl := f.newClient(t, wechat.NewMemoryCache(), func(c *wechat.Config) { c.AppSecret = "wrong-secret-value" })
	f.srv.AddPhoneCode("p", "13800000000")
	_, err := cl.PhoneNumber(context.Background(), "p")
	assertErr(t, f, err, nil, 40125)
	if strings.Contains(err.Error(), "wrong-secret-value") {
		t.Errorf("secret in error: %v", err)
	}
}

func TestPhoneNumberOneTokenFetch(t *testing.T) {
	f := newFixture(t, nil)
	const n = 50
	for i := range n {
		f.srv.AddPhoneCode(fmt.Sprintf("p%d", i), fmt.Sprintf("138%08d", i))
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			phone, err := f.client.PhoneNumber(context.Background(), fmt.Sprintf("p%d", i))
			if err == nil && phone != fmt.Sprintf("138%08d", i) {
				err = fmt.Errorf("phone %q for p%d", phone, i)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := f.srv.TokenFetches(); got != 1 {
		t.Fatalf("TokenFetches = %d, want 1", got)
	}
}

func TestPhoneNumberErrors(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.AddPhoneCode("p", "13800000000")
	if _, err := f.client.PhoneNumber(context.Background(), "p"); err != nil {
		t.Fatal(err)
	}
	_, err := f.client.PhoneNumber(context.Background(), "p")
	assertErr(t, f, err, wechat.ErrInvalidCode, 40163)
	_, err = f.client.PhoneNumber(context.Background(), "nope")
	assertErr(t, f, err, wechat.ErrInvalidCode, 40029)
}

func TestInvalidatedTokenRetriedOnce(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.AddPhoneCode("a", "13800000001")
	f.srv.AddPhoneCode("b", "13800000002")
	if _, err := f.client.PhoneNumber(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	f.srv.InvalidateTokens()
	phone, err := f.client.PhoneNumber(context.Background(), "b")
	if err != nil || phone != "13800000002" {
		t.Fatalf("after invalidation: %q, %v", phone, err)
	}
	if got := f.srv.TokenFetches(); got != 2 {
		t.Fatalf("TokenFetches = %d, want 2", got)
	}
	if !strings.Contains(f.logs.String(), "refetching once") {
		t.Errorf("eviction not logged: %s", f.logs.String())
	}
}

func TestWXACodeUnlimit(t *testing.T) {
	f := newFixture(t, nil, func(c *wechat.Config) { c.EnvVersion = "trial" })
	img, ct, err := f.client.WXACodeUnlimit(context.Background(), "case=12345", "pages/case/index")
	if err != nil {
		t.Fatal(err)
	}
	if ct != "image/jpeg" {
		t.Errorf("content type %q", ct)
	}
	if _, err := jpeg.Decode(bytes.NewReader(img)); err != nil {
		t.Fatalf("not a JPEG: %v", err)
	}
}

func TestWXACodeUnlimitRefusesBadScene(t *testing.T) {
	f := newFixture(t, nil)
	for _, scene := range []string{strings.Repeat("a", 33), "", "案件1", "a b", "a%20"} {
		_, _, err := f.client.WXACodeUnlimit(context.Background(), scene, "pages/index")
		assertErr(t, f, err, wechat.ErrInvalidArgument, 0)
	}
	_, _, err := f.client.WXACodeUnlimit(context.Background(), strings.Repeat("a", 32), "/pages/index")
	assertErr(t, f, err, wechat.ErrInvalidArgument, 0)
	if n := f.srv.Requests(); n != 0 {
		t.Fatalf("%d requests sent for refused arguments", n)
	}
}

func TestNewRejectsBadEnvVersion(t *testing.T) {
	restoreHTTPClient(t)
	_, err := wechat.New(wechat.Config{AppID: "a", AppSecret: "b", EnvVersion: "beta"}, wechat.NewMemoryCache(), nil)
	if err == nil {
		t.Fatal("EnvVersion beta accepted")
	}
}

// Failures of token-bearing calls must not show the token (it sits in the URL).
func TestTokenCallsDownRedacted(t *testing.T) {
	f := newFixture(t, nil, func(c *wechat.Config) { c.Timeout = 300 * time.Millisecond })
	f.srv.AddPhoneCode("p", "13800000000")
	if _, err := f.client.PhoneNumber(context.Background(), "p"); err != nil {
		t.Fatal(err) // caches a token
	}
	f.srv.SetDown(5 * time.Second)
	_, _, err := f.client.WXACodeUnlimit(context.Background(), "s", "pages/index")
	assertErr(t, f, err, wechat.ErrUnavailable, 0)
	err = f.client.SendSubscribe(context.Background(), msg(map[string]string{"thing1": "x"}))
	assertErr(t, f, err, wechat.ErrUnavailable, 0)
	f.srv.SetDown(0)
	f.srv.SetHTTPStatus(http.StatusServiceUnavailable)
	_, err = f.client.PhoneNumber(context.Background(), "p")
	assertErr(t, f, err, wechat.ErrUnavailable, 0)
	if !strings.Contains(err.Error(), "access_token=***") {
		t.Errorf("expected a redacted URL in %v", err)
	}
}
