// Package wechattest runs a fake WeChat server API on loopback for tests. It
// speaks WeChat's wire format: HTTP 200 always, errors as
// {"errcode":N,"errmsg":"…"}, appid/secret/access_token checked as WeChat does.
// Point a client at it with wechat.Config{APIBase: s.URL()}.
package wechattest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// SentMessage is a subscribe message the fake accepted.
type SentMessage struct {
	ToUser           string
	TemplateID       string
	Page             string
	Data             map[string]string
	MiniprogramState string
	Lang             string
}

type loginCode struct {
	openid, unionid string
	used            bool
}

type phoneCode struct {
	phone string
	used  bool
}

// Server is a fake WeChat API server.
type Server struct {
	srv    *httptest.Server
	appID  string
	secret string
	jpeg   []byte
	stop   chan struct{}

	mu            sync.Mutex
	codes         map[string]*loginCode
	failCodes     map[string]int
	phones        map[string]*phoneCode
	unsubscribed  map[string]bool
	validTokens   map[string]bool
	stableTok     string
	plainToken    string
	down          time.Duration
	httpStatus    int
	tokenFetches  int
	requests      int
	sessionKeys   []string
	messages      []SentMessage
	stableExpires int
}

// New starts a fake server with a random AppID and secret; it closes at the end of t.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		appID:         "wxfake" + randHex(8),
		secret:        randHex(16),
		jpeg:          smallJPEG(),
		stop:          make(chan struct{}),
		codes:         map[string]*loginCode{},
		failCodes:     map[string]int{},
		phones:        map[string]*phoneCode{},
		unsubscribed:  map[string]bool{},
		validTokens:   map[string]bool{},
		stableExpires: 7200,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sns/jscode2session", s.jscode2session)
	mux.HandleFunc("POST /cgi-bin/stable_token", s.stableTokenHandler)
	mux.HandleFunc("GET /cgi-bin/token", s.token)
	mux.HandleFunc("POST /wxa/business/getuserphonenumber", s.phoneNumber)
	mux.HandleFunc("POST /wxa/getwxacodeunlimit", s.wxaCodeUnlimit)
	mux.HandleFunc("POST /cgi-bin/message/subscribe/send", s.subscribeSend)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeErr(w, 40066, "invalid url")
	})
	s.srv = httptest.NewServer(s.gate(mux))
	t.Cleanup(s.Close)
	return s
}

// gate counts requests and applies SetDown and SetHTTPStatus.
func (s *Server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests++
		down, status := s.down, s.httpStatus
		s.mu.Unlock()
		if down > 0 {
			select {
			case <-time.After(down):
			case <-r.Context().Done(): // client gave up
				return
			case <-s.stop:
				return
			}
		}
		if status != 0 && status != http.StatusOK {
			http.Error(w, http.StatusText(status), status)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Close stops the server; hanging requests are released first.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.stop:
		s.mu.Unlock()
		return
	default:
		close(s.stop)
	}
	s.mu.Unlock()
	s.srv.Close()
}

// URL is the base URL to use as wechat.Config.APIBase.
func (s *Server) URL() string { return s.srv.URL }

// AppID is the only appid the fake accepts.
func (s *Server) AppID() string { return s.appID }

// Secret is the only app secret the fake accepts.
func (s *Server) Secret() string { return s.secret }

// AddCode registers a single-use wx.login code for openid.
func (s *Server) AddCode(code, openid string) { s.AddCodeWithUnionID(code, openid, "") }

// AddCodeWithUnionID is AddCode for an app bound to an open-platform account.
func (s *Server) AddCodeWithUnionID(code, openid, unionid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = &loginCode{openid: openid, unionid: unionid}
}

// FailCode makes every use of code (login or phone) answer errcode, e.g. 45011 or -1.
func (s *Server) FailCode(code string, errcode int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failCodes[code] = errcode
}

// AddPhoneCode registers a single-use getPhoneNumber code for phone (without country code).
func (s *Server) AddPhoneCode(code, phone string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.phones[code] = &phoneCode{phone: phone}
}

// SetDown makes every request hang d before answering (0 restores); a client
// giving up releases its request.
func (s *Server) SetDown(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = d
}

// SetHTTPStatus makes every request answer this non-200 HTTP status, as a
// broken proxy in front of WeChat would (0 or 200 restores).
func (s *Server) SetHTTPStatus(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.httpStatus = status
}

// SetTokenExpiresIn sets the expires_in the fake announces for new tokens.
func (s *Server) SetTokenExpiresIn(seconds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stableExpires = seconds
}

// InvalidateTokens makes every issued access token invalid (next use: 40001);
// the next token request issues a new one.
func (s *Server) InvalidateTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.validTokens = map[string]bool{}
	s.stableTok, s.plainToken = "", ""
}

// TokenFetches is how many token requests (stable_token and token) it served.
func (s *Server) TokenFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenFetches
}

// Requests is how many requests it received, of any kind.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// SubscribeMessages returns the subscribe messages it accepted, oldest first.
func (s *Server) SubscribeMessages() []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SentMessage, len(s.messages))
	copy(out, s.messages)
	return out
}

// Unsubscribe makes sending to openid answer 43101.
func (s *Server) Unsubscribe(openid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unsubscribed[openid] = true
}

// SessionKeys returns every session_key it issued, so tests can assert none leaks.
func (s *Server) SessionKeys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.sessionKeys...)
}

// AccessTokens returns the access tokens currently valid, so tests can assert none leaks.
func (s *Server) AccessTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for t := range s.validTokens {
		out = append(out, t)
	}
	return out
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randB64(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// smallJPEG encodes a real 16×16 JPEG, so callers can decode what they get.
func smallJPEG() []byte {
	img := image.NewGray(image.Rect(0, 0, 16, 16))
	for y := 0; y < 16; y++ {
		for x := 0; x < 16; x++ {
			if (x/4+y/4)%2 == 0 {
				img.SetGray(x, y, color.Gray{Y: 255})
			}
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
