package api_test

// These tests point the WeChat SDK's process-global HTTP client at a fake WeChat server, so
// none of them may call t.Parallel.

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"fayuan/config"
	"fayuan/internal/testenv"
	"fayuan/internal/wechat/wechattest"
)

// wxEnv is a server configured against a fake WeChat. Every answer it gives is kept and, when
// the test ends, scanned for the app secret, the session keys and the access tokens the fake
// issued; those are also added to the log tripwire.
type wxEnv struct {
	*testenv.Env
	fake *wechattest.Server

	mu     sync.Mutex
	bodies [][]byte
}

// newWxEnv starts a fake WeChat and a server using it with the given per-request timeout.
func newWxEnv(t *testing.T, b testenv.Backend, timeout time.Duration) *wxEnv {
	t.Helper()
	fake := wechattest.New(t)
	e := testenv.New(t, b, func(c *config.Config) {
		c.WechatAppID, c.WechatAppSecret, c.WechatAPIBase, c.WechatTimeout = fake.AppID(), fake.Secret(), fake.URL(), timeout
	})
	x := &wxEnv{Env: e, fake: fake}
	// Registered after testenv.New, so it runs before testenv's own scan of the log.
	t.Cleanup(func() {
		secrets := testenv.NewTripwire()
		add := func(what, v string) {
			secrets.Add(what, v)
			e.Tripwire.Add(what, v)
		}
		add("wechat app secret", fake.Secret())
		for _, k := range fake.SessionKeys() {
			add("wechat session_key", k)
		}
		for _, k := range fake.AccessTokens() {
			add("wechat access token", k)
		}
		x.mu.Lock()
		defer x.mu.Unlock()
		for _, body := range x.bodies {
			secrets.Scan(t, "response "+string(body), body)
		}
	})
	return x
}

// keep records an answer for the leak scan.
func (x *wxEnv) keep(r *testenv.Response) *testenv.Response {
	x.mu.Lock()
	x.bodies = append(x.bodies, r.Body)
	x.mu.Unlock()
	return r
}

// wechat posts a wx.login code (and a binding code when not empty) to the WeChat login.
func (x *wxEnv) wechat(code, binding string) *testenv.Response {
	x.T.Helper()
	body := map[string]string{"code": code}
	if binding != "" {
		body["binding_code"] = binding
	}
	return x.keep(x.Do(http.MethodPost, "/api/v1/auth/wechat", "", body))
}

// loginWx is a password login from the mini-program, carrying a wx.login code.
func (x *wxEnv) loginWx(username, password, code string) *testenv.Response {
	x.T.Helper()
	return x.keep(x.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": password, "wx_code": code}))
}

// wxUser is the user part of a token answer.
type wxUser struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	WechatBound bool   `json:"wechat_bound"`
}

// loggedInAs checks a 200 token answer for username and returns its user.
func loggedInAs(t *testing.T, e *testenv.Env, r *testenv.Response, username string) (authPair, wxUser) {
	t.Helper()
	p := authPairOf(t, e, r, "wechat login of "+username)
	var u wxUser
	if err := json.Unmarshal(p.User, &u); err != nil {
		t.Fatal(err)
	}
	if u.Username != username {
		t.Fatalf("logged in as %q, want %q", u.Username, username)
	}
	me := testenv.Expect(t, authMe(e, p.AccessToken), http.StatusOK).Map(t)
	if me["username"] != username || me["id"] != u.ID {
		t.Fatalf("me = %v, want %s", me, username)
	}
	return p, u
}

// bindingCode has the admin issue a WeChat binding code for userID.
func (x *wxEnv) bindingCode(t *testing.T, admin, userID string) string {
	t.Helper()
	r := testenv.Expect(t, x.Do(http.MethodPost, "/api/v1/users/"+userID+"/wechat-binding-code", admin, nil), http.StatusCreated)
	var out struct {
		Code      string `json:"code"`
		ExpiresAt string `json:"expires_at"`
	}
	r.JSON(t, &out)
	exp, err := time.Parse(time.RFC3339, out.ExpiresAt)
	if len(out.Code) != 10 || err != nil || !exp.Equal(x.Clock.Now().Add(24*time.Hour)) || !strings.HasSuffix(out.ExpiresAt, "+08:00") {
		t.Fatalf("binding code answer %s", r.Body)
	}
	x.Tripwire.Add("binding code", out.Code)
	return out.Code
}

func TestWechatNotConfigured(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		e.Seed()
		for _, body := range []map[string]string{{"code": "0a1b2c3d4e5f"}, {"code": ""}, {"code": "0a1b2c3d4e5f", "binding_code": "ABCDEFGHJK"}} {
			authWantErr(t, e.Do(http.MethodPost, "/api/v1/auth/wechat", "", body), http.StatusServiceUnavailable, "wechat_not_configured")
		}
		// The password login still works from the mini-program, which always sends its wx_code:
		// there is nothing to bind to, so the login goes on unbound.
		r := e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{
			"username": "staff", "password": testenv.Password("staff"), "wx_code": "0a1b2c3d4e5f"})
		if _, u := loggedInAs(t, e, r, "staff"); u.WechatBound {
			t.Fatal("bound without WeChat configured")
		}
	})
}

func TestWechatLoginAfterPasswordBinding(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newWxEnv(t, b, 2*time.Second)
		w := x.Seed()
		x.fake.AddCode("wx-staff-1", "openid-staff")
		bound := x.loginWx("staff", testenv.Password("staff"), "wx-staff-1")
		_, u := loggedInAs(t, x.Env, bound, "staff")
		if !u.WechatBound || u.ID != w.Users["staff"] {
			t.Fatalf("password login with wx_code: user %+v", u)
		}

		x.fake.AddCode("wx-staff-2", "openid-staff")
		wx := x.wechat("wx-staff-2", "")
		_, u = loggedInAs(t, x.Env, wx, "staff")
		if !u.WechatBound || u.ID != w.Users["staff"] {
			t.Fatalf("wechat login: user %+v", u)
		}

		// Another account's WeChat is still unbound.
		x.fake.AddCode("wx-manager-1", "openid-manager")
		authWantErr(t, x.wechat("wx-manager-1", ""), http.StatusForbidden, "wechat_not_bound")

		// Both the binding and the WeChat login are in the audit trail, with where they came from.
		for action, resp := range map[string]*testenv.Response{"user.wechat_bind": bound, "login.wechat": wx} {
			rows := auditOf(t, x.Env, w.Tokens["auditor"], action, time.Time{})
			if len(rows) != 1 || rows[0].ObjectID != w.Users["staff"] || rows[0].ActorName != "staff" ||
				rows[0].IP != "192.0.2.10" || rows[0].RequestID != resp.Header.Get("X-Request-ID") {
				t.Errorf("%s audit rows: %+v", action, rows)
			}
		}
		authWantErr(t, x.keep(x.Do(http.MethodPost, "/api/v1/auth/wechat", "", map[string]string{})),
			http.StatusUnprocessableEntity, "invalid_fields")
	})
}

func TestWechatBindingCode(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newWxEnv(t, b, 2*time.Second)
		w := x.Seed()
		fs := w.Users["firm_staff"]

		authWantErr(t, x.Do(http.MethodPost, "/api/v1/users/"+fs+"/wechat-binding-code", w.Tokens["manager"], nil),
			http.StatusForbidden, "role_forbidden")
		testenv.Expect(t, x.Do(http.MethodPost, "/api/v1/users/999999/wechat-binding-code", w.Admin, nil), http.StatusNotFound)

		code := x.bindingCode(t, w.Admin, fs)
		x.fake.AddCode("wx-fs-1", "openid-fs")
		// Typed on a phone, the code may come in lower case.
		_, u := loggedInAs(t, x.Env, x.wechat("wx-fs-1", strings.ToLower(code)), "firm_staff")
		if !u.WechatBound || u.ID != fs {
			t.Fatalf("binding code login: user %+v", u)
		}

		// The code works once: another WeChat cannot bind with it.
		x.fake.AddCode("wx-other-1", "openid-other")
		authWantErr(t, x.wechat("wx-other-1", code), http.StatusUnauthorized, "binding_code_invalid")
		x.fake.AddCode("wx-other-2", "openid-other")
		authWantErr(t, x.wechat("wx-other-2", ""), http.StatusForbidden, "wechat_not_bound")

		// Bound, firm_staff logs in with WeChat alone.
		x.fake.AddCode("wx-fs-2", "openid-fs")
		loggedInAs(t, x.Env, x.wechat("wx-fs-2", ""), "firm_staff")

		// A code unknown, or past its 24 hours, binds nothing.
		x.fake.AddCode("wx-rev-1", "openid-rev")
		authWantErr(t, x.wechat("wx-rev-1", "ABCDEFGHJK"), http.StatusUnauthorized, "binding_code_invalid")
		late := x.bindingCode(t, w.Admin, w.Users["reviewer"])
		x.Clock.Advance(24*time.Hour + time.Second)
		x.fake.AddCode("wx-rev-2", "openid-rev")
		authWantErr(t, x.wechat("wx-rev-2", late), http.StatusUnauthorized, "binding_code_invalid")
		x.fake.AddCode("wx-rev-3", "openid-rev")
		authWantErr(t, x.wechat("wx-rev-3", ""), http.StatusForbidden, "wechat_not_bound")
	})
}

func TestWechatOpenIDBoundElsewhere(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newWxEnv(t, b, 2*time.Second)
		w := x.Seed()
		x.fake.AddCode("wx-staff-1", "openid-staff")
		loggedInAs(t, x.Env, x.loginWx("staff", testenv.Password("staff"), "wx-staff-1"), "staff")

		// firm_staff on staff's phone: the password login carrying that WeChat is refused…
		x.fake.AddCode("wx-steal-1", "openid-staff")
		authWantErr(t, x.loginWx("firm_staff", testenv.Password("firm_staff"), "wx-steal-1"), http.StatusConflict, "wechat_bound_elsewhere")
		// …and so is a binding code for firm_staff: it does not log in as staff instead.
		code := x.bindingCode(t, w.Admin, w.Users["firm_staff"])
		x.fake.AddCode("wx-steal-2", "openid-staff")
		authWantErr(t, x.wechat("wx-steal-2", code), http.StatusConflict, "wechat_bound_elsewhere")

		// The refused binding used nothing up: the code still binds firm_staff's own WeChat.
		x.fake.AddCode("wx-fs-1", "openid-fs")
		loggedInAs(t, x.Env, x.wechat("wx-fs-1", code), "firm_staff")
		// staff's WeChat still logs in as staff.
		x.fake.AddCode("wx-staff-2", "openid-staff")
		loggedInAs(t, x.Env, x.wechat("wx-staff-2", ""), "staff")
	})
}

func TestWechatDisabledUser(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newWxEnv(t, b, 2*time.Second)
		w := x.Seed()
		x.fake.AddCode("wx-staff-1", "openid-staff")
		p, _ := loggedInAs(t, x.Env, x.loginWx("staff", testenv.Password("staff"), "wx-staff-1"), "staff")

		path := "/api/v1/users/" + w.Users["staff"]
		testenv.Expect(t, x.Do(http.MethodPatch, path, w.Admin, map[string]any{"disabled": true}), http.StatusOK)
		x.fake.AddCode("wx-staff-2", "openid-staff")
		authWantErr(t, x.wechat("wx-staff-2", ""), http.StatusForbidden, "wechat_not_bound")
		authWantErr(t, authMe(x.Env, p.AccessToken), http.StatusUnauthorized, "token_invalid")
		// A binding code issued before does not get round it.
		testenv.Expect(t, x.Do(http.MethodPatch, path, w.Admin, map[string]any{"disabled": false}), http.StatusOK)
		code := x.bindingCode(t, w.Admin, w.Users["staff"])
		testenv.Expect(t, x.Do(http.MethodPatch, path, w.Admin, map[string]any{"disabled": true}), http.StatusOK)
		x.fake.AddCode("wx-staff-3", "openid-staff-new")
		authWantErr(t, x.wechat("wx-staff-3", code), http.StatusForbidden, "wechat_not_bound")

		// Enabled again, the same WeChat logs in.
		testenv.Expect(t, x.Do(http.MethodPatch, path, w.Admin, map[string]any{"disabled": false}), http.StatusOK)
		x.fake.AddCode("wx-staff-4", "openid-staff")
		loggedInAs(t, x.Env, x.wechat("wx-staff-4", ""), "staff")
	})
}
