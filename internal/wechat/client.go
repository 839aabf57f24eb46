// Package wechat is a thin wrapper around the silenceper/wechat/v2 mini-program
// SDK: login, phone number, subscribe messages and QR codes, with WeChat
// errcodes turned into classifiable errors and secrets kept out of every error
// text. Only SDK subpackages are imported: the root package reconfigures the
// global logrus logger.
package wechat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/miniprogram"
	"github.com/silenceper/wechat/v2/miniprogram/auth"
	mpconfig "github.com/silenceper/wechat/v2/miniprogram/config"
	"github.com/silenceper/wechat/v2/miniprogram/qrcode"
	"github.com/silenceper/wechat/v2/miniprogram/subscribe"
)

// Config configures a Client.
type Config struct {
	AppID, AppSecret string
	// APIBase receives every *.weixin.qq.com request; default DefaultAPIBase.
	APIBase string
	// Timeout bounds each HTTP request as a whole; default DefaultTimeout. The
	// login must answer within 6 s, so keep it below that.
	Timeout time.Duration
	// EnvVersion is the version a QR code opens: release, trial or develop; default release.
	EnvVersion string
	// CheckPath makes WeChat refuse QR codes for pages missing from the
	// released version; leave it false for trial/develop builds.
	CheckPath bool
}

// Configured reports whether AppID and AppSecret are set.
func (c Config) Configured() bool { return c.AppID != "" && c.AppSecret != "" }

// Session is what a login yields; the session_key deliberately stays inside.
type Session struct {
	OpenID  string
	UnionID string // empty unless the app is bound to an open-platform account
}

// Client calls WeChat's mini-program server API.
type Client struct {
	cfg    Config
	log    *slog.Logger
	tokens *tokenSource
	auth   *auth.Auth
	qr     *qrcode.QRCode
	sub    *subscribe.Subscribe
}

// New returns a client whose access token lives in c, shared by every client
// (and replica) using the same cache. It installs the SDK HTTP client (see
// InstallHTTPClient), which is process-global: all clients in one process end
// up using the last APIBase and Timeout. logger receives only redacted text;
// nil discards.
func New(cfg Config, c cache.Cache, logger *slog.Logger) (*Client, error) {
	if !cfg.Configured() {
		return nil, ErrNotConfigured
	}
	if c == nil {
		return nil, errors.New("wechat: a cache is required") // the SDK panics on a nil cache
	}
	if cfg.APIBase == "" {
		cfg.APIBase = DefaultAPIBase
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	switch cfg.EnvVersion {
	case "":
		cfg.EnvVersion = "release"
	case "release", "trial", "develop":
	default:
		return nil, fmt.Errorf("wechat: EnvVersion %q is not release, trial or develop", cfg.EnvVersion)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := InstallHTTPClient(cfg.APIBase, cfg.Timeout); err != nil {
		return nil, err
	}
	cl := &Client{cfg: cfg, log: logger}
	tokens, err := newTokenSource(cfg.AppID, cfg.AppSecret, c, cl.classify)
	if err != nil {
		return nil, err
	}
	mp := miniprogram.NewMiniProgram(&mpconfig.Config{
		AppID: cfg.AppID, AppSecret: cfg.AppSecret, Cache: c,
		UseStableAK: true, // the SDK builds its stable handle; ours (tokenSource) replaces it below
	})
	mp.SetAccessTokenContextHandle(tokens)
	cl.tokens = tokens
	cl.auth = mp.GetAuth()
	cl.qr = mp.GetQRCode()
	cl.sub = mp.GetSubscribe()
	return cl, nil
}

// maxCodeLen caps login/phone codes; real ones are 32 characters.
const maxCodeLen = 256

// Code2Session exchanges a wx.login code for the user's openid (and unionid).
func (c *Client) Code2Session(ctx context.Context, code string) (Session, error) {
	const api = "jscode2session"
	if code == "" || len(code) > maxCodeLen {
		return Session{}, c.fail(api, &Error{Code: CodeInvalidCode, Msg: "empty or oversized code (checked locally)", API: api})
	}
	// The SDK pastes the code into the query unescaped; escaping stops a
	// crafted code from adding parameters (an identity for real codes).
	res, err := c.auth.Code2SessionContext(ctx, url.QueryEscape(code))
	if res.ErrCode != 0 {
		return Session{}, c.fail(api, c.wechatError(api, int(res.ErrCode), res.ErrMsg))
	}
	if err != nil {
		return Session{}, c.fail(api, c.classify(ctx, api, err))
	}
	if res.OpenID == "" {
		return Session{}, c.fail(api, c.unavailable(ctx, api, errors.New("answer without openid")))
	}
	return Session{OpenID: res.OpenID, UnionID: res.UnionID}, nil
}

// PhoneNumber exchanges a getPhoneNumber code for the user's phone number
// without country code (purePhoneNumber).
func (c *Client) PhoneNumber(ctx context.Context, code string) (string, error) {
	const api = "getuserphonenumber"
	if code == "" || len(code) > maxCodeLen {
		return "", c.fail(api, &Error{Code: CodeInvalidCode, Msg: "empty or oversized code (checked locally)", API: api})
	}
	var phone string
	err := c.withToken(ctx, api, func() error {
		res, err := c.auth.GetPhoneNumberContext(ctx, code)
		if err != nil {
			return err
		}
		phone = res.PhoneInfo.PurePhoneNumber
		return nil
	})
	if err == nil && phone == "" {
		err = c.fail(api, c.unavailable(ctx, api, errors.New("answer without purePhoneNumber")))
	}
	return phone, err
}

// sceneChars is what WeChat accepts in a scene (its docs: digits, letters and !#$&'()*+,/:;=?@-._~).
var sceneChars = regexp.MustCompile(`^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$`)

// badPage: WeChat wants the page without a leading slash and with parameters in the scene.
var badPage = regexp.MustCompile(`^/|[?#\s]`)

// WXACodeUnlimit returns an unlimited mini-program code (JPEG) opening page
// with scene. The SDK reports success only for Content-Type image/jpeg.
func (c *Client) WXACodeUnlimit(ctx context.Context, scene, page string) ([]byte, string, error) {
	const api = "getwxacodeunlimit"
	if !sceneChars.MatchString(scene) {
		return nil, "", fmt.Errorf("%w: scene must be 1-32 chars of [0-9A-Za-z!#$&'()*+,/:;=?@-._~], got %d chars", ErrInvalidArgument, utf8.RuneCountInString(scene))
	}
	if badPage.MatchString(page) {
		return nil, "", fmt.Errorf("%w: page must have no leading slash and no query", ErrInvalidArgument)
	}
	checkPath := c.cfg.CheckPath
	var img []byte
	err := c.withToken(ctx, api, func() error {
		var err error
		img, err = c.qr.GetWXACodeUnlimit(qrcode.QRCoder{
			Scene: scene, Page: page, CheckPath: &checkPath, EnvVersion: c.cfg.EnvVersion,
		})
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return img, "image/jpeg", nil
}

// withToken runs call, which uses the cached access token, and retries it once
// with a fresh token when WeChat rejects the token. The token is fetched here
// first, with ctx, because several SDK calls fetch it without one; the SDK then
// reads the same token from the cache.
func (c *Client) withToken(ctx context.Context, api string, call func() error) error {
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return c.fail(api, c.unavailable(ctx, api, err))
		}
		tok, err := c.tokens.GetAccessTokenContext(ctx)
		if err != nil {
			return c.fail(api, c.classify(ctx, api, err))
		}
		err = c.classify(ctx, api, call())
		if err == nil {
			return nil
		}
		if attempt == 0 && tokenRejected(err) {
			c.log.Info("wechat access token rejected, refetching once", "api", api, "errcode", Code(err))
			c.tokens.evict(ctx, tok)
			continue
		}
		return c.fail(api, err)
	}
}

// fail logs err (already redacted) and returns it.
func (c *Client) fail(api string, err error) error {
	level := slog.LevelWarn
	if errors.Is(err, ErrInvalidCode) || errors.Is(err, ErrNotSubscribed) {
		level = slog.LevelInfo // the user's doing, not an operational problem
	}
	c.log.Log(context.Background(), level, "wechat call failed", "api", api, "errcode", Code(err), "err", err.Error())
	return err
}
