// Package signedurl makes and checks short-lived signed URLs for images: the mini-program's
// <image> cannot send an Authorization header, so the URL itself carries the permission.
package signedurl

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"time"

	"fayuan/internal/clock"
)

// DefaultTTL is the contract's default lifetime of a signed URL.
const DefaultTTL = 10 * time.Minute

var (
	// ErrExpired is a well-formed URL past its expiry.
	ErrExpired = errors.New("signed url expired")
	// ErrInvalid is a missing, malformed or altered signature.
	ErrInvalid = errors.New("signed url invalid")
)

// Signer signs paths with an HMAC key. The signature covers the path and the expiry, so
// neither can be changed; it does not cover the host, so the URL works behind any proxy.
type Signer struct {
	key   []byte
	ttl   time.Duration
	clock clock.Clock
}

// New builds a signer. The key should be derived from a server secret shared by all replicas;
// ttl 0 means DefaultTTL.
func New(key []byte, ttl time.Duration, c clock.Clock) *Signer {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return &Signer{key: append([]byte(nil), key...), ttl: ttl, clock: c}
}

// Sign returns path with exp and sig query parameters, and when it expires. path must not hold
// a query already.
func (s *Signer) Sign(path string) (string, time.Time) {
	exp := s.clock.Now().Add(s.ttl).Truncate(time.Second)
	e := strconv.FormatInt(exp.Unix(), 10)
	return path + "?exp=" + e + "&sig=" + s.mac(path, e), exp
}

// Verify checks exp and sig (the query of a signed URL) against path.
func (s *Signer) Verify(path string, q url.Values) error {
	e, sig := q.Get("exp"), q.Get("sig")
	if e == "" || sig == "" {
		return ErrInvalid
	}
	if !hmac.Equal([]byte(sig), []byte(s.mac(path, e))) {
		return ErrInvalid
	}
	unix, err := strconv.ParseInt(e, 10, 64)
	if err != nil {
		return ErrInvalid
	}
	if !s.clock.Now().Before(time.Unix(unix, 0)) {
		return ErrExpired
	}
	return nil
}

// Signed reports whether q carries a signature at all, so a handler can fall back to the
// Authorization header when it does not.
func Signed(q url.Values) bool { return q.Has("sig") || q.Has("exp") }

func (s *Signer) mac(path, exp string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(path))
	m.Write([]byte{0})
	m.Write([]byte(exp))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}
