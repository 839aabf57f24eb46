package service

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// accessClaims is the access token's body. A struct, not a map, so the same inputs always sign
// to the same bytes — the grace window relies on that to hand back the very same pair.
type accessClaims struct {
	Epoch int `json:"ep"`
	jwt.RegisteredClaims
}

// tokens signs and checks access tokens and derives refresh tokens.
type tokens struct {
	jwtKey     []byte
	refreshKey []byte
	accessTTL  time.Duration
	now        func() time.Time
}

func newTokens(secret []byte, accessTTL time.Duration, now func() time.Time) *tokens {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("fayuan refresh token derivation"))
	return &tokens{jwtKey: secret, refreshKey: m.Sum(nil), accessTTL: accessTTL, now: now}
}

// access signs an access token issued at iat (whole seconds).
func (t *tokens) access(userID uint64, epoch int, iat time.Time) (string, error) {
	iat = iat.Truncate(time.Second)
	c := accessClaims{Epoch: epoch, RegisteredClaims: jwt.RegisteredClaims{
		Subject:   strconv.FormatUint(userID, 10),
		IssuedAt:  jwt.NewNumericDate(iat),
		ExpiresAt: jwt.NewNumericDate(iat.Add(t.accessTTL)),
		Issuer:    "fayuan",
	}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.jwtKey)
}

var errBadToken = errors.New("bad token")

// parseAccess checks the signature, algorithm and expiry against the injected clock.
func (t *tokens) parseAccess(s string) (userID uint64, epoch int, err error) {
	var c accessClaims
	_, err = jwt.ParseWithClaims(s, &c, func(*jwt.Token) (any, error) { return t.jwtKey, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer("fayuan"), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(t.now))
	if err != nil {
		return 0, 0, errBadToken
	}
	id, err := strconv.ParseUint(c.Subject, 10, 64)
	if err != nil || id == 0 {
		return 0, 0, errBadToken
	}
	return id, c.Epoch, nil
}

// newRefresh makes the first refresh token of a family.
func newRefresh() (plain, family string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	f := make([]byte, 16)
	_, _ = rand.Read(f)
	return "rt_" + base64.RawURLEncoding.EncodeToString(b), hex.EncodeToString(f)
}

// childRefresh derives the token that replaces parent. Whoever holds the parent could rotate it
// anyway, so deriving gives an attacker nothing, and it lets a retried rotation return the same
// child without storing any plaintext.
func (t *tokens) childRefresh(parent string) string {
	m := hmac.New(sha256.New, t.refreshKey)
	m.Write([]byte(parent))
	return "rt_" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// hashToken is how tokens and codes are stored.
func hashToken(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
