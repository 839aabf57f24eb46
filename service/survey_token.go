package service

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// A survey token is 18 random bytes (144 bits) in unpadded base64url: 24 characters, all of
// them allowed in a mini-program code's scene (≤ 32), so the same token opens the web page and
// the mini-program. Only its SHA-256 is stored; a high-entropy token needs no slow hash.
const surveyTokenBytes = 18

var surveyTokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{24}$`)

func newSurveyToken() string {
	b := make([]byte, surveyTokenBytes)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSurveyToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// surveyClaims is the body of the bearer credential verify hands out. It is a JWT, so every
// replica accepts it without a session table, signed with a key derived for this purpose only:
// it can never pass as a staff access token (a different key, issuer and audience), and an
// access token can never pass as one. It names the one link (and so the case) it opens; the
// link is looked up on every use, so revoking the link ends it at once. OpenID is the WeChat
// account that verified, when one did: answers and subscriptions are tied to it.
type surveyClaims struct {
	LinkID uint64 `json:"lnk"`
	OpenID string `json:"oid,omitempty"`
	Method string `json:"vm"` // phone or id
	jwt.RegisteredClaims
}

const surveyAudience = "fayuan-survey"

// surveyBearerTTL is short: the page needs it for the few minutes of answering.
const surveyBearerTTL = 30 * time.Minute

type surveyTokens struct {
	key []byte
	now func() time.Time
}

func newSurveyTokens(secret []byte, now func() time.Time) *surveyTokens {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("fayuan survey bearer v1"))
	return &surveyTokens{key: m.Sum(nil), now: now}
}

func (t *surveyTokens) sign(linkID uint64, openID, method string) (string, error) {
	iat := t.now().Truncate(time.Second)
	c := surveyClaims{LinkID: linkID, OpenID: openID, Method: method, RegisteredClaims: jwt.RegisteredClaims{
		Subject: strconv.FormatUint(linkID, 10), Issuer: "fayuan", Audience: jwt.ClaimStrings{surveyAudience},
		IssuedAt: jwt.NewNumericDate(iat), ExpiresAt: jwt.NewNumericDate(iat.Add(surveyBearerTTL)),
	}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.key)
}

func (t *surveyTokens) parse(s string) (*surveyClaims, bool) {
	var c surveyClaims
	_, err := jwt.ParseWithClaims(s, &c, func(*jwt.Token) (any, error) { return t.key, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer("fayuan"), jwt.WithAudience(surveyAudience),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(t.now))
	if err != nil || c.LinkID == 0 {
		return nil, false
	}
	return &c, true
}
