package wechat_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fayuan/internal/wechat"

	"github.com/silenceper/wechat/v2/util"
)

type recordingRT struct {
	calls atomic.Int32
	last  atomic.Pointer[http.Request]
}

func (r *recordingRT) RoundTrip(req *http.Request) (*http.Response, error) {
	r.calls.Add(1)
	r.last.Store(req)
	return &http.Response{StatusCode: 200, Body: http.NoBody, Request: req, Header: http.Header{}}, nil
}

func TestRewriteTransport(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:9/prefix/")
	inner := &recordingRT{}
	rt, err := wechat.NewRewriteTransport(base, inner)
	if err != nil {
		t.Fatal(err)
	}
	cl := &http.Client{Transport: rt, Timeout: time.Second}

	resp, err := cl.Get("https://api.weixin.qq.com/sns/jscode2session?appid=a&js_code=b")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	got := inner.last.Load().URL.String()
	if got != "http://127.0.0.1:9/prefix/sns/jscode2session?appid=a&js_code=b" {
		t.Fatalf("rewritten to %s", got)
	}

	for _, bad := range []string{
		"https://example.com/cgi-bin/token",
		"https://weixin.qq.com.evil.example/x",
		"https://evilweixin.qq.com/x",
		"http://127.0.0.1:9/prefix/x",
	} {
		before := inner.calls.Load()
		_, err := cl.Get(bad)
		if !errors.Is(err, wechat.ErrHostRefused) {
			t.Errorf("%s: err = %v, want ErrHostRefused", bad, err)
		}
		if inner.calls.Load() != before {
			t.Errorf("%s: a request was sent", bad)
		}
	}
}

func TestInstalledClientRefusesOtherHosts(t *testing.T) {
	restoreHTTPClient(t)
	if err := wechat.InstallHTTPClient("http://127.0.0.1:9", time.Second); err != nil {
		t.Fatal(err)
	}
	_, err := util.HTTPGet("https://example.com/?secret=s3cr3t")
	if !errors.Is(err, wechat.ErrHostRefused) {
		t.Fatalf("err = %v, want ErrHostRefused", err)
	}
	if strings.Contains(wechat.Redact(err.Error()), "s3cr3t") {
		t.Fatalf("not redacted: %v", err)
	}
}

func TestInstallHTTPClientRejectsBadBase(t *testing.T) {
	restoreHTTPClient(t)
	for _, b := range []string{"ftp://x", "127.0.0.1:8080", "http://", "http://x/?q=1"} {
		if err := wechat.InstallHTTPClient(b, time.Second); err == nil {
			t.Errorf("base %q accepted", b)
		}
	}
}
