package api_test

// Like wechat_login_test.go: these tests swap the SDK's global HTTP client; no t.Parallel.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"fayuan/internal/testenv"
)

func TestWechatErrors(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newWxEnv(t, b, 2*time.Second)
		x.Seed()
		x.fake.AddCode("wx-staff-bind", "openid-staff")
		loggedInAs(t, x.Env, x.loginWx("staff", testenv.Password("staff"), "wx-staff-bind"), "staff")

		for _, tc := range []struct {
			name   string
			setup  func(t *testing.T) string // returns the code to send
			status int
			code   string
		}{
			{"unbound openid", func(t *testing.T) string { x.fake.AddCode("wx-stranger", "openid-stranger"); return "wx-stranger" },
				http.StatusForbidden, "wechat_not_bound"},
			{"40029 invalid code", func(t *testing.T) string { return "wx-never-issued" }, http.StatusUnauthorized, "wechat_code_invalid"},
			{"40029 answered by WeChat", func(t *testing.T) string { x.fake.FailCode("wx-bad", 40029); return "wx-bad" },
				http.StatusUnauthorized, "wechat_code_invalid"},
			{"40163 code used", func(t *testing.T) string {
				x.fake.AddCode("wx-once", "openid-staff")
				loggedInAs(t, x.Env, x.wechat("wx-once", ""), "staff")
				return "wx-once"
			}, http.StatusUnauthorized, "wechat_code_invalid"},
			{"45011 minute quota", func(t *testing.T) string { x.fake.FailCode("wx-slow", 45011); return "wx-slow" },
				http.StatusTooManyRequests, "wechat_rate_limited"},
			{"45009 daily quota", func(t *testing.T) string { x.fake.FailCode("wx-quota", 45009); return "wx-quota" },
				http.StatusTooManyRequests, "wechat_rate_limited"},
			{"-1 system busy", func(t *testing.T) string { x.fake.FailCode("wx-busy", -1); return "wx-busy" },
				http.StatusServiceUnavailable, "wechat_unavailable"},
			{"40125 wrong secret", func(t *testing.T) string { x.fake.FailCode("wx-secret", 40125); return "wx-secret" },
				http.StatusServiceUnavailable, "wechat_unavailable"},
			{"HTTP 502 from a proxy", func(t *testing.T) string {
				x.fake.AddCode("wx-proxy", "openid-staff")
				x.fake.SetHTTPStatus(http.StatusBadGateway)
				return "wx-proxy"
			}, http.StatusServiceUnavailable, "wechat_unavailable"},
			{"oversized code", func(t *testing.T) string { return strings.Repeat("a", 300) }, http.StatusUnauthorized, "wechat_code_invalid"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				defer x.fake.SetHTTPStatus(0)
				authWantErr(t, x.wechat(tc.setup(t), ""), tc.status, tc.code)
			})
		}

		// On a password login carrying wx_code, a bad code is refused with the login; WeChat
		// throttling us only skips the binding.
		x.fake.AddCode("wx-fs-bind", "openid-fs")
		authWantErr(t, x.loginWx("firm_staff", testenv.Password("firm_staff"), "wx-fs-never"), http.StatusUnauthorized, "wechat_code_invalid")
		x.fake.FailCode("wx-fs-slow", 45011)
		if _, u := loggedInAs(t, x.Env, x.loginWx("firm_staff", testenv.Password("firm_staff"), "wx-fs-slow"), "firm_staff"); u.WechatBound {
			t.Fatal("bound although WeChat refused the code")
		}
		// A wrong password is refused before WeChat is asked: the code stays unused.
		authWantErr(t, x.loginWx("firm_staff", wrongPassword(x.Env, "wx"), "wx-fs-bind"), http.StatusUnauthorized, "invalid_credentials")
		loggedInAs(t, x.Env, x.loginWx("firm_staff", testenv.Password("firm_staff"), "wx-fs-bind"), "firm_staff")

		// After all that, WeChat login works.
		x.fake.AddCode("wx-staff-last", "openid-staff")
		loggedInAs(t, x.Env, x.wechat("wx-staff-last", ""), "staff")
	})
}

func TestWechatDown(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newWxEnv(t, b, time.Second)
		x.Seed()
		x.fake.AddCode("wx-staff-bind", "openid-staff")
		loggedInAs(t, x.Env, x.loginWx("staff", testenv.Password("staff"), "wx-staff-bind"), "staff")

		x.fake.SetDown(10 * time.Second)
		x.fake.AddCode("wx-staff-down", "openid-staff")
		start := time.Now()
		r := x.wechat("wx-staff-down", "")
		if elapsed := time.Since(start); elapsed >= 6*time.Second {
			t.Fatalf("WeChat login with WeChat down took %v, want under 6 s", elapsed)
		}
		authWantErr(t, r, http.StatusServiceUnavailable, "wechat_unavailable")

		// Password login still works while WeChat is down, even from the mini-program, which
		// sends its wx_code: the binding is skipped, not the login.
		x.fake.AddCode("wx-fs-down", "openid-fs")
		start = time.Now()
		r = x.loginWx("firm_staff", testenv.Password("firm_staff"), "wx-fs-down")
		if elapsed := time.Since(start); elapsed >= 6*time.Second {
			t.Fatalf("password login with WeChat down took %v, want under 6 s", elapsed)
		}
		if _, u := loggedInAs(t, x.Env, r, "firm_staff"); u.WechatBound {
			t.Fatal("bound while WeChat was down")
		}

		// WeChat back: the login works again.
		x.fake.SetDown(0)
		x.fake.AddCode("wx-staff-up", "openid-staff")
		loggedInAs(t, x.Env, x.wechat("wx-staff-up", ""), "staff")
	})
}
