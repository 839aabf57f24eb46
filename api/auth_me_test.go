package api_test

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"fayuan/internal/testenv"
)

func TestMe(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		for _, tc := range []struct {
			user, org, orgName, orgKind, role, label string
		}{
			{"staff", w.AidCenter, "县法律援助中心", "aid_center", "staff", "回访人员"},
			{"handler_b", w.FirmB, "乾佑律师事务所", "law_firm", "handler", "案件承办人"},
			{"auditor", w.Bureau, "县司法局", "bureau", "auditor", "审计人员"},
		} {
			t.Run(tc.user, func(t *testing.T) {
				var me struct {
					ID          any
					Username    string
					DisplayName string `json:"display_name"`
					Roles       []string
					RoleLabels  []string `json:"role_labels"`
					Org         struct{ ID, Name, Kind any }
					WechatBound *bool `json:"wechat_bound"`
				}
				testenv.Expect(t, authMe(e, w.Tokens[tc.user]), http.StatusOK).JSON(t, &me)
				if me.ID != w.Users[tc.user] || me.Username != tc.user || me.DisplayName != "用户"+tc.user ||
					strings.Join(me.Roles, ",") != tc.role || strings.Join(me.RoleLabels, ",") != tc.label ||
					me.Org.ID != tc.org || me.Org.Name != tc.orgName || me.Org.Kind != tc.orgKind ||
					me.WechatBound == nil || *me.WechatBound {
					t.Fatalf("me = %+v", me)
				}
			})
		}
	})
}

// forge signs claims with key and method, as an attacker (or a test) would.
func forge(t *testing.T, m jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMeRefusesBadTokens(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		now := e.Clock.Now()
		claims := func(sub string, exp time.Time) jwt.MapClaims {
			return jwt.MapClaims{"sub": sub, "iss": "fayuan", "ep": 0, "iat": now.Unix(), "exp": exp.Unix()}
		}
		key := e.Config.JWTSecret
		staff := w.Users["staff"]
		valid := forge(t, jwt.SigningMethodHS256, key, claims(staff, now.Add(10*time.Minute)))
		e.Tripwire.Add("forged token", valid)
		// The forging is right: with the server's key, the token is accepted. So the refusals
		// below are for the one thing each case changes.
		if got := testenv.Expect(t, authMe(e, valid), http.StatusOK).Map(t)["username"]; got != "staff" {
			t.Fatalf("forged valid token is %v", got)
		}

		parts := strings.Split(w.Tokens["staff"], ".")
		adminPayload := base64.RawURLEncoding.EncodeToString([]byte(`{"ep":0,"iss":"fayuan","sub":"1","exp":` +
			jwtNum(now.Add(10*time.Minute)) + `,"iat":` + jwtNum(now) + `}`))
		noExp := jwt.MapClaims{"sub": staff, "iss": "fayuan", "ep": 0, "iat": now.Unix()}
		otherIssuer := claims(staff, now.Add(10*time.Minute))
		otherIssuer["iss"] = "someone-else"
		oldEpoch := claims(staff, now.Add(10*time.Minute))
		oldEpoch["ep"] = -1
		noneToken := forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims("1", now.Add(time.Hour)))

		for _, tc := range []struct {
			name, header, code string
		}{
			{"no header", "", "not_logged_in"},
			{"empty bearer", "Bearer ", "not_logged_in"},
			{"basic auth", "Basic YWRtaW46YWRtaW4=", "not_logged_in"},
			{"token without Bearer", w.Tokens["staff"], "not_logged_in"},
			{"garbage", "Bearer not.a.jwt", "token_invalid"},
			{"random text", "Bearer " + strings.Repeat("A", 300), "token_invalid"},
			{"wrong key", "Bearer " + forge(t, jwt.SigningMethodHS256, []byte("not the server's key at all"), claims(staff, now.Add(time.Hour))), "token_invalid"},
			{"alg none", "Bearer " + noneToken, "token_invalid"},
			{"signature stripped", "Bearer " + parts[0] + "." + parts[1] + ".", "token_invalid"},
			{"payload swapped to admin", "Bearer " + parts[0] + "." + adminPayload + "." + parts[2], "token_invalid"},
			{"HS512 with the right key", "Bearer " + forge(t, jwt.SigningMethodHS512, key, claims(staff, now.Add(time.Hour))), "token_invalid"},
			{"expired", "Bearer " + forge(t, jwt.SigningMethodHS256, key, claims(staff, now.Add(-time.Second))), "token_invalid"},
			{"no expiry", "Bearer " + forge(t, jwt.SigningMethodHS256, key, noExp), "token_invalid"},
			{"other issuer", "Bearer " + forge(t, jwt.SigningMethodHS256, key, otherIssuer), "token_invalid"},
			{"stale epoch", "Bearer " + forge(t, jwt.SigningMethodHS256, key, oldEpoch), "token_invalid"},
			{"unknown user", "Bearer " + forge(t, jwt.SigningMethodHS256, key, claims("999999", now.Add(time.Hour))), "token_invalid"},
			{"user id zero", "Bearer " + forge(t, jwt.SigningMethodHS256, key, claims("0", now.Add(time.Hour))), "token_invalid"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var h map[string]string
				if tc.header != "" {
					h = map[string]string{"Authorization": tc.header}
				}
				r := e.Send(testenv.Request{Method: http.MethodGet, Path: "/api/v1/me", Header: h})
				authWantErr(t, r, http.StatusUnauthorized, tc.code)
			})
		}
	})
}

// jwtNum is a NumericDate as JSON.
func jwtNum(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
