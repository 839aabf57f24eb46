package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"fayuan/internal/testenv"
)

func TestDisabledUserLosesSessions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		method string
		header map[string]string
	}{
		{"PATCH", http.MethodPatch, nil},
		{"POST with method override", http.MethodPost, map[string]string{"X-HTTP-Method-Override": "PATCH"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
				e := testenv.New(t, b)
				w := e.Seed()
				p := authLoginOK(t, e, "staff", testenv.Password("staff"))
				testenv.Expect(t, authMe(e, p.AccessToken), http.StatusOK)
				wrong := authLogin(e, "staff", wrongPassword(e, "d"))

				path := "/api/v1/users/" + w.Users["staff"]
				r := testenv.Expect(t, e.Send(testenv.Request{Method: tc.method, Path: path, Token: w.Admin,
					Header: tc.header, Body: map[string]any{"disabled": true}}), http.StatusOK)
				if got := r.Map(t); got["disabled"] != true || got["id"] != w.Users["staff"] {
					t.Fatalf("disable answered %v", got)
				}

				authWantErr(t, authMe(e, p.AccessToken), http.StatusUnauthorized, "token_invalid")
				authWantErr(t, authMe(e, w.Tokens["staff"]), http.StatusUnauthorized, "token_invalid")
				authWantErr(t, authRefresh(e, p.RefreshToken), http.StatusUnauthorized, "refresh_invalid")
				login := authLogin(e, "staff", testenv.Password("staff"))
				if login.Status != wrong.Status || !bytes.Equal(login.Body, wrong.Body) {
					t.Fatalf("disabled login answered %d %s, wrong password %d %s", login.Status, login.Body, wrong.Status, wrong.Body)
				}
				// Other users are untouched.
				testenv.Expect(t, authMe(e, w.Tokens["manager"]), http.StatusOK)

				// Enabled again, the account logs in; the old session stays ended.
				testenv.Expect(t, e.Send(testenv.Request{Method: tc.method, Path: path, Token: w.Admin,
					Header: tc.header, Body: map[string]any{"disabled": false}}), http.StatusOK)
				authWantErr(t, authRefresh(e, p.RefreshToken), http.StatusUnauthorized, "refresh_invalid")
				authWantErr(t, authMe(e, p.AccessToken), http.StatusUnauthorized, "token_invalid")
				p2 := authLoginOK(t, e, "staff", testenv.Password("staff"))
				testenv.Expect(t, authMe(e, p2.AccessToken), http.StatusOK)
			})
		})
	}
}

// sessionsOf opens two sessions (two phones) of username.
func sessionsOf(t *testing.T, e *testenv.Env, username, password string) []authPair {
	t.Helper()
	return []authPair{authLoginOK(t, e, username, password), authLoginOK(t, e, username, password)}
}

// wantSessionsEnded checks that none of the sessions' tokens work any more.
func wantSessionsEnded(t *testing.T, e *testenv.Env, sessions []authPair) {
	t.Helper()
	for _, s := range sessions {
		authWantErr(t, authMe(e, s.AccessToken), http.StatusUnauthorized, "token_invalid")
		authWantErr(t, authRefresh(e, s.RefreshToken), http.StatusUnauthorized, "refresh_invalid")
	}
}

func TestChangeOwnPassword(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		old := testenv.Password("staff")
		newPW := "Brand-new-passw0rd"
		e.Tripwire.Add("new password of staff", newPW)
		sessions := sessionsOf(t, e, "staff", old)
		e.Clock.Advance(time.Minute)
		rotated := authPairOf(t, e, authRefresh(e, sessions[1].RefreshToken), "rotation before password change")
		sessions = append(sessions, rotated)

		for _, tc := range []struct {
			name  string
			body  map[string]string
			field string
		}{
			{"too short", map[string]string{"old_password": old, "new_password": "short7!"}, "new_password"},
			{"over 72 bytes", map[string]string{"old_password": old, "new_password": strings.Repeat("密", 25)}, "new_password"},
			{"empty", map[string]string{"old_password": old, "new_password": ""}, "new_password"},
			{"no old password", map[string]string{"new_password": newPW}, "old_password"},
			{"wrong old password", map[string]string{"old_password": wrongPassword(e, "old"), "new_password": newPW}, "old_password"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.Do(http.MethodPost, "/api/v1/me/password", sessions[0].AccessToken, tc.body)
				authWantErr(t, r, http.StatusUnprocessableEntity, "invalid_fields")
				if got := authFields(t, r); len(got) != 1 || got[0] != tc.field {
					t.Fatalf("fields %v, want [%s]", got, tc.field)
				}
			})
		}
		// Refused changes changed nothing.
		testenv.Expect(t, authMe(e, sessions[0].AccessToken), http.StatusOK)

		authWantErr(t, e.Do(http.MethodPost, "/api/v1/me/password", "", map[string]string{"old_password": old, "new_password": newPW}),
			http.StatusUnauthorized, "not_logged_in")
		r := e.Do(http.MethodPost, "/api/v1/me/password", sessions[0].AccessToken, map[string]string{"old_password": old, "new_password": newPW})
		testenv.Expect(t, r, http.StatusNoContent)

		wantSessionsEnded(t, e, sessions)
		authWantErr(t, authMe(e, w.Tokens["staff"]), http.StatusUnauthorized, "token_invalid")
		authWantErr(t, authLogin(e, "staff", old), http.StatusUnauthorized, "invalid_credentials")
		p := authLoginOK(t, e, "staff", newPW)
		testenv.Expect(t, authMe(e, p.AccessToken), http.StatusOK)
		// Another user's sessions are untouched.
		testenv.Expect(t, authMe(e, w.Tokens["manager"]), http.StatusOK)
	})
}

func TestAdminResetsPassword(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		old := testenv.Password("staff")
		newPW := "Reset-by-admin-2024"
		e.Tripwire.Add("reset password of staff", newPW)
		sessions := sessionsOf(t, e, "staff", old)
		path := "/api/v1/users/" + w.Users["staff"] + "/password"

		for _, pw := range []string{"", "1234567", strings.Repeat("x", 73)} {
			r := e.Do(http.MethodPost, path, w.Admin, map[string]string{"password": pw})
			authWantErr(t, r, http.StatusUnprocessableEntity, "invalid_fields")
			if got := authFields(t, r); len(got) != 1 || got[0] != "password" {
				t.Fatalf("fields %v, want [password]", got)
			}
		}
		testenv.Expect(t, authMe(e, sessions[0].AccessToken), http.StatusOK)
		// Only an admin resets passwords.
		authWantErr(t, e.Do(http.MethodPost, path, w.Tokens["manager"], map[string]string{"password": newPW}),
			http.StatusForbidden, "role_forbidden")
		testenv.Expect(t, authMe(e, sessions[0].AccessToken), http.StatusOK)

		testenv.Expect(t, e.Do(http.MethodPost, path, w.Admin, map[string]string{"password": newPW}), http.StatusNoContent)
		wantSessionsEnded(t, e, sessions)
		authWantErr(t, authLogin(e, "staff", old), http.StatusUnauthorized, "invalid_credentials")
		p := authLoginOK(t, e, "staff", newPW)
		testenv.Expect(t, authMe(e, p.AccessToken), http.StatusOK)
		// The admin's own session is untouched.
		testenv.Expect(t, authMe(e, w.Admin), http.StatusOK)
	})
}
