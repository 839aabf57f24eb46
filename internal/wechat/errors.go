package wechat

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/silenceper/wechat/v2/util"
)

// Sentinels for errors.Is; an *Error matches the one its errcode belongs to.
var (
	// ErrNotConfigured means AppID or AppSecret is missing.
	ErrNotConfigured = errors.New("wechat: mini-program AppID/AppSecret not configured")
	// ErrInvalidCode means a wx.login or getPhoneNumber code is unknown, expired or already used (40029, 40163).
	ErrInvalidCode = errors.New("wechat: invalid or used code")
	// ErrRateLimited means WeChat throttled us (45011 per-minute, 45009 daily quota).
	ErrRateLimited = errors.New("wechat: rate limited")
	// ErrUnavailable means WeChat could not be reached or answered badly: -1 (busy), timeout, connection error, non-200, garbage.
	ErrUnavailable = errors.New("wechat: unavailable")
	// ErrNotSubscribed means the user has not accepted this subscribe-message template (43101).
	ErrNotSubscribed = errors.New("wechat: user not subscribed to template")
	// ErrInvalidMessage means a subscribe message failed our local checks; nothing was sent.
	ErrInvalidMessage = errors.New("wechat: invalid subscribe message")
	// ErrInvalidArgument means another argument (e.g. a QR-code scene) failed local checks; nothing was sent.
	ErrInvalidArgument = errors.New("wechat: invalid argument")
)

// WeChat errcodes the package reacts to.
const (
	CodeSystemBusy        = -1
	CodeInvalidCredential = 40001 // access_token invalid or not the latest
	CodeInvalidToken      = 40014
	CodeInvalidCode       = 40029
	CodeInvalidAppSecret  = 40125
	CodeCodeUsed          = 40163
	CodeTokenExpired      = 42001
	CodeUserRefused       = 43101
	CodeDailyQuota        = 45009
	CodeRateLimited       = 45011
)

// Error is an errcode answered by WeChat. Msg is already redacted.
type Error struct {
	Code int
	Msg  string
	API  string // which call failed, for logs
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("wechat %s: errcode=%d errmsg=%s", e.API, e.Code, e.Msg)
}

// Is maps the errcode onto the package sentinels.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrInvalidCode:
		return e.Code == CodeInvalidCode || e.Code == CodeCodeUsed
	case ErrRateLimited:
		return e.Code == CodeRateLimited || e.Code == CodeDailyQuota
	case ErrUnavailable:
		return e.Code == CodeSystemBusy
	case ErrNotSubscribed:
		return e.Code == CodeUserRefused
	}
	return false
}

// Code returns the WeChat errcode inside err, or 0 when err carries none.
func Code(err error) int {
	var we *Error
	if errors.As(err, &we) {
		return we.Code
	}
	return 0
}

// tokenRejected reports whether WeChat refused the access token itself, the
// only case where evicting the cache and retrying can help.
func tokenRejected(err error) bool {
	switch Code(err) {
	case CodeInvalidCredential, CodeTokenExpired, CodeInvalidToken:
		return true
	}
	return false
}

var (
	// Query-style key=value; the leading class stops "errcode=" from matching "code=".
	redactQuery = regexp.MustCompile(`(?i)(^|[^a-z0-9_])(secret|appsecret|app_secret|access_token|js_code|code|session_key|sessionkey)(=|%3d)[^&\s"',;)]*`)
	// JSON-style "key":"value".
	redactJSON = regexp.MustCompile(`(?i)("(?:secret|appsecret|app_secret|access_token|js_code|code|session_key|sessionkey)"\s*:\s*")[^"]*"`)
	// The SDK's fmt.Errorf texts carry errcode and errmsg this way.
	sdkErrText = regexp.MustCompile(`errcode=(-?\d+)\s*,\s*errmsg=(.*)$`)
)

// Redact blanks secrets, access tokens, login codes and session keys in s. The
// SDK puts whole request URLs, secret included, into its errors for non-200
// answers, so every SDK text must pass through here before leaving the package.
func Redact(s string) string {
	s = redactQuery.ReplaceAllString(s, "${1}${2}${3}***")
	return redactJSON.ReplaceAllString(s, `${1}***"`)
}

// redact also blanks the literal secret, in case it shows up unkeyed.
func (c *Client) redact(s string) string {
	s = Redact(s)
	if c.cfg.AppSecret != "" {
		s = strings.ReplaceAll(s, c.cfg.AppSecret, "***")
	}
	return s
}

// classify turns whatever the SDK returned into an *Error, an ErrUnavailable
// wrap, or our own error, never passing the raw SDK error on (it may hold the
// secret or a token in its URL).
func (c *Client) classify(ctx context.Context, api string, err error) error {
	if err == nil {
		return nil
	}
	var we *Error
	if errors.As(err, &we) || errors.Is(err, ErrInvalidArgument) || errors.Is(err, ErrInvalidMessage) ||
		errors.Is(err, ErrUnavailable) || errors.Is(err, ErrInvalidCode) {
		return err // already ours
	}
	var ce *util.CommonError
	if errors.As(err, &ce) {
		return c.wechatError(api, int(ce.ErrCode), ce.ErrMsg)
	}
	if m := sdkErrText.FindStringSubmatch(err.Error()); m != nil {
		if code, convErr := strconv.Atoi(m[1]); convErr == nil && code != 0 {
			return c.wechatError(api, code, strings.TrimSpace(m[2]))
		}
	}
	return c.unavailable(ctx, api, err)
}

func (c *Client) wechatError(api string, code int, msg string) *Error {
	return &Error{Code: code, Msg: c.redact(msg), API: api}
}

func (c *Client) unavailable(ctx context.Context, api string, err error) error {
	text := c.redact(err.Error())
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%w: %w: %s: %s", ErrUnavailable, ctxErr, api, text)
	}
	return fmt.Errorf("%w: %s: %s", ErrUnavailable, api, text)
}
