package wechattest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// errmsgs are WeChat's texts for the codes the fake answers.
var errmsgs = map[int]string{
	-1:    "system error",
	40001: "invalid credential, access_token is invalid or not latest",
	40002: "invalid grant_type",
	40003: "invalid openid",
	40013: "invalid appid",
	40029: "invalid code",
	40037: "invalid template_id",
	40125: "invalid appsecret",
	40163: "code been used",
	40169: "invalid length for scene, or the data is not json string",
	41001: "access_token missing",
	41008: "missing code",
	43101: "user refuse to accept the msg",
	44002: "empty post data",
	45009: "reach max api daily quota limit",
	45011: "api minute-quota reach limit  mustslower  retry next minute",
	47001: "data format error",
	47003: "argument invalid!",
}

// jsonType is what WeChat sends with JSON answers; the SDK's QR code call
// tells errors from images by its "application/json" prefix.
const jsonType = "application/json; encoding=utf-8"

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", jsonType)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, code int, detail ...string) {
	msg := errmsgs[code]
	if msg == "" {
		msg = "error"
	}
	if len(detail) > 0 {
		msg += " " + strings.Join(detail, " ")
	}
	writeJSON(w, map[string]any{"errcode": code, "errmsg": msg + " rid: " + randHex(6)})
}

// checkApp answers the error WeChat gives for a wrong appid or secret.
func (s *Server) checkApp(w http.ResponseWriter, appid, secret string) bool {
	switch {
	case appid != s.appID:
		writeErr(w, 40013)
	case secret != s.secret:
		writeErr(w, 40125)
	default:
		return true
	}
	return false
}

// checkToken answers 41001/40001 unless the request carries a valid token.
func (s *Server) checkToken(w http.ResponseWriter, r *http.Request) bool {
	tok := r.URL.Query().Get("access_token")
	s.mu.Lock()
	ok := s.validTokens[tok]
	s.mu.Unlock()
	switch {
	case tok == "":
		writeErr(w, 41001)
	case !ok:
		writeErr(w, 40001)
	default:
		return true
	}
	return false
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		writeErr(w, 47001)
		return false
	}
	return true
}

func (s *Server) jscode2session(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !s.checkApp(w, q.Get("appid"), q.Get("secret")) {
		return
	}
	if q.Get("grant_type") != "authorization_code" {
		writeErr(w, 40002)
		return
	}
	code := q.Get("js_code")
	if code == "" {
		writeErr(w, 41008)
		return
	}
	s.mu.Lock()
	fail, failing := s.failCodes[code]
	lc := s.codes[code]
	var key string
	var used bool
	if lc != nil && !failing {
		used = lc.used
		lc.used = true
		if !used {
			key = randB64(16)
			s.sessionKeys = append(s.sessionKeys, key)
		}
	}
	s.mu.Unlock()
	switch {
	case failing:
		writeErr(w, fail)
	case lc == nil:
		writeErr(w, 40029)
	case used:
		writeErr(w, 40163)
	default:
		ans := map[string]any{"openid": lc.openid, "session_key": key}
		if lc.unionid != "" {
			ans["unionid"] = lc.unionid
		}
		writeJSON(w, ans)
	}
}

// issue must be called with s.mu held.
func (s *Server) issue() string {
	tok := "fake-at-" + randHex(24)
	s.validTokens[tok] = true
	return tok
}

func (s *Server) stableTokenHandler(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.tokenFetches++
	s.mu.Unlock()
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if !decodeBody(w, r, &req) || !s.checkApp(w, req.AppID, req.Secret) {
		return
	}
	if req.GrantType != "client_credential" {
		writeErr(w, 40002)
		return
	}
	s.mu.Lock()
	// Like WeChat: the same stable token until it is forced or invalidated.
	if req.ForceRefresh || s.stableTok == "" {
		delete(s.validTokens, s.stableTok)
		s.stableTok = s.issue()
	}
	tok, exp := s.stableTok, s.stableExpires
	s.mu.Unlock()
	writeJSON(w, map[string]any{"access_token": tok, "expires_in": exp})
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.tokenFetches++
	s.mu.Unlock()
	q := r.URL.Query()
	if !s.checkApp(w, q.Get("appid"), q.Get("secret")) {
		return
	}
	if q.Get("grant_type") != "client_credential" {
		writeErr(w, 40002)
		return
	}
	s.mu.Lock()
	// Like WeChat: each call replaces the previous plain token; this is what
	// makes replicas fetching their own tokens fail each other with 40001.
	delete(s.validTokens, s.plainToken)
	s.plainToken = s.issue()
	tok, exp := s.plainToken, s.stableExpires
	s.mu.Unlock()
	writeJSON(w, map[string]any{"access_token": tok, "expires_in": exp})
}

func (s *Server) phoneNumber(w http.ResponseWriter, r *http.Request) {
	if !s.checkToken(w, r) {
		return
	}
	var req struct {
		Code string `json:"code"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	s.mu.Lock()
	fail, failing := s.failCodes[req.Code]
	pc := s.phones[req.Code]
	var used bool
	if pc != nil && !failing {
		used, pc.used = pc.used, true
	}
	s.mu.Unlock()
	switch {
	case req.Code == "":
		writeErr(w, 41008)
	case failing:
		writeErr(w, fail)
	case pc == nil:
		writeErr(w, 40029)
	case used:
		writeErr(w, 40163)
	default:
		writeJSON(w, map[string]any{
			"errcode": 0, "errmsg": "ok",
			"phone_info": map[string]any{
				"phoneNumber": pc.phone, "purePhoneNumber": pc.phone, "countryCode": "86",
				"watermark": map[string]any{"timestamp": time.Now().Unix(), "appid": s.appID},
			},
		})
	}
}

func (s *Server) wxaCodeUnlimit(w http.ResponseWriter, r *http.Request) {
	if !s.checkToken(w, r) {
		return
	}
	var req struct {
		Scene      string `json:"scene"`
		Page       string `json:"page"`
		EnvVersion string `json:"env_version"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	switch {
	case req.Scene == "" || len(req.Scene) > 32:
		writeErr(w, 40169)
	case req.EnvVersion != "" && req.EnvVersion != "release" && req.EnvVersion != "trial" && req.EnvVersion != "develop":
		writeErr(w, 47003, "env_version")
	default:
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(s.jpeg)
	}
}

// fakeLimits are the per-type lengths the fake enforces, so a client that skips
// its own checks meets the same 47003 WeChat would give.
var fakeLimits = map[string]int{"thing": 20, "phrase": 5, "number": 32, "character_string": 32, "letter": 32, "name": 20}

func (s *Server) subscribeSend(w http.ResponseWriter, r *http.Request) {
	if !s.checkToken(w, r) {
		return
	}
	var req struct {
		ToUser     string `json:"touser"`
		TemplateID string `json:"template_id"`
		Page       string `json:"page"`
		Data       map[string]struct {
			Value any `json:"value"`
		} `json:"data"`
		MiniprogramState string `json:"miniprogram_state"`
		Lang             string `json:"lang"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	msg := SentMessage{ToUser: req.ToUser, TemplateID: req.TemplateID, Page: req.Page,
		Data: map[string]string{}, MiniprogramState: req.MiniprogramState, Lang: req.Lang}
	for k, v := range req.Data {
		val := fmt.Sprint(v.Value)
		kind := strings.TrimRight(k, "0123456789")
		if max, ok := fakeLimits[kind]; (ok && utf8.RuneCountInString(val) > max) || v.Value == nil || val == "" {
			writeErr(w, 47003, "data."+k+".value invalid")
			return
		}
		msg.Data[k] = val
	}
	s.mu.Lock()
	refused := s.unsubscribed[req.ToUser]
	if req.ToUser != "" && req.TemplateID != "" && len(req.Data) > 0 && !refused {
		s.messages = append(s.messages, msg)
	}
	s.mu.Unlock()
	switch {
	case req.ToUser == "":
		writeErr(w, 40003)
	case req.TemplateID == "":
		writeErr(w, 40037)
	case len(req.Data) == 0:
		writeErr(w, 47003, "data")
	case refused:
		writeErr(w, 43101)
	default:
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": time.Now().UnixNano()})
	}
}
