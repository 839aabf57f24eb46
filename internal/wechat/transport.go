package wechat

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/util"
)

// DefaultAPIBase is where WeChat's server API lives; Config.APIBase defaults to it.
const DefaultAPIBase = "https://api.weixin.qq.com"

// DefaultTimeout bounds one HTTP request to WeChat when Config.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// ErrHostRefused is returned by the rewrite transport for a request to a host
// outside *.weixin.qq.com; nothing is sent.
var ErrHostRefused = errors.New("wechat: request to a non-weixin host refused")

// RewriteTransport sends WeChat API requests to a configured base URL.
type RewriteTransport struct {
	base  *url.URL
	inner http.RoundTripper
	// passThrough keeps the original weixin host: with the real API as base,
	// folding mp.weixin.qq.com etc. onto api.weixin.qq.com would break them.
	passThrough bool
}

// NewRewriteTransport returns a RoundTripper that moves requests for
// *.weixin.qq.com onto base (scheme, host and path prefix; the request's own
// path and query are kept) and refuses every other host. A nil inner means
// http.DefaultTransport.
func NewRewriteTransport(base *url.URL, inner http.RoundTripper) (*RewriteTransport, error) {
	if base == nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("wechat: API base must be an absolute http(s) URL")
	}
	if base.RawQuery != "" || base.Fragment != "" || base.User != nil {
		return nil, fmt.Errorf("wechat: API base must not carry a query, fragment or user info")
	}
	if inner == nil {
		inner = http.DefaultTransport
	}
	b := *base
	def, _ := url.Parse(DefaultAPIBase)
	pass := strings.EqualFold(b.Host, def.Host) && b.Scheme == def.Scheme && strings.Trim(b.Path, "/") == ""
	return &RewriteTransport{base: &b, inner: inner, passThrough: pass}, nil
}

// RoundTrip implements http.RoundTripper.
func (t *RewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !isWeixinHost(req.URL.Hostname()) {
		if req.Body != nil {
			_ = req.Body.Close() // RoundTripper contract: close the body even on error
		}
		return nil, fmt.Errorf("%w: %q", ErrHostRefused, req.URL.Hostname())
	}
	if t.passThrough {
		return t.inner.RoundTrip(req)
	}
	// RoundTrippers must not modify the caller's request.
	out := req.Clone(req.Context())
	u := *req.URL
	u.Scheme = t.base.Scheme
	u.Host = t.base.Host
	if p := strings.TrimSuffix(t.base.Path, "/"); p != "" {
		u.Path = p + req.URL.Path
		u.RawPath = ""
	}
	out.URL = &u
	out.Host = ""
	return t.inner.RoundTrip(out)
}

func isWeixinHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if net.ParseIP(host) != nil {
		return false
	}
	return host == "weixin.qq.com" || strings.HasSuffix(host, ".weixin.qq.com")
}

// InstallHTTPClient points every SDK request at apiBase by replacing the SDK's
// process-global util.DefaultHTTPClient with a new client whose timeout bounds
// each whole request (many SDK calls ignore contexts, so this is the only
// guard). http.DefaultClient is left alone. An empty apiBase means
// DefaultAPIBase, a non-positive timeout DefaultTimeout. The variable is
// written without synchronisation (the SDK reads it bare), so install before
// any WeChat call is in flight: at startup, or in tests that are not parallel.
func InstallHTTPClient(apiBase string, timeout time.Duration) error {
	if apiBase == "" {
		apiBase = DefaultAPIBase
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	base, err := url.Parse(apiBase)
	if err != nil {
		return fmt.Errorf("wechat: bad API base: %v", err)
	}
	inner := http.DefaultTransport.(*http.Transport).Clone()
	rt, err := NewRewriteTransport(base, inner)
	if err != nil {
		return err
	}
	util.DefaultHTTPClient = &http.Client{
		Timeout:   timeout,
		Transport: rt,
		// WeChat never redirects; following one could carry the token elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return nil
}
