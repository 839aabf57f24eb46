package api_test

import (
	"bytes"
	"net/http"
	"sync"
	"testing"
	"time"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// authLogout posts a refresh token to revoke.
func authLogout(e *testenv.Env, refresh string) *testenv.Response {
	e.T.Helper()
	return e.Do(http.MethodPost, "/api/v1/auth/logout", "", map[string]string{"refresh_token": refresh})
}

// refreshRows counts a user's stored refresh tokens.
func refreshRows(t *testing.T, e *testenv.Env, userID string) int64 {
	t.Helper()
	var n int64
	if err := e.App.DB.Model(&model.RefreshToken{}).Where("user_id = ?", userID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRefreshRotation(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		e.Seed()
		p0 := authLoginOK(t, e, "staff", testenv.Password("staff"))
		other := authLoginOK(t, e, "staff", testenv.Password("staff")) // a second session (another phone)

		e.Clock.Advance(time.Minute)
		r1 := authRefresh(e, p0.RefreshToken)
		p1 := authPairOf(t, e, r1, "first rotation")
		if p1.RefreshToken == p0.RefreshToken || p1.AccessToken == p0.AccessToken {
			t.Fatalf("rotation gave back an old token")
		}
		if string(p1.User) != string(p0.User) {
			t.Fatalf("user after refresh %s, at login %s", p1.User, p0.User)
		}
		// The old access token lives until it expires.
		testenv.Expect(t, authMe(e, p0.AccessToken), http.StatusOK)
		testenv.Expect(t, authMe(e, p1.AccessToken), http.StatusOK)

		// A lost answer: the old refresh token again within the grace window gives the very same pair.
		e.Clock.Advance(10 * time.Second)
		again := testenv.Expect(t, authRefresh(e, p0.RefreshToken), http.StatusOK)
		if !bytes.Equal(again.Body, r1.Body) {
			t.Fatalf("reuse within grace answered\n%s\nfirst answer\n%s", again.Body, r1.Body)
		}

		// Reused 31 s after its rotation: refused, and the whole family with it.
		e.Clock.Advance(21 * time.Second)
		authWantErr(t, authRefresh(e, p0.RefreshToken), http.StatusUnauthorized, "refresh_invalid")
		authWantErr(t, authRefresh(e, p1.RefreshToken), http.StatusUnauthorized, "refresh_invalid")
		authWantErr(t, authRefresh(e, p0.RefreshToken), http.StatusUnauthorized, "refresh_invalid")

		// The other session is another family and rotates on, child after child.
		o1 := authPairOf(t, e, authRefresh(e, other.RefreshToken), "other rotation")
		e.Clock.Advance(time.Minute)
		o2 := authPairOf(t, e, authRefresh(e, o1.RefreshToken), "other second rotation")
		testenv.Expect(t, authMe(e, o2.AccessToken), http.StatusOK)

		for _, bad := range []map[string]any{{}, {"refresh_token": ""}} {
			authWantErr(t, e.Do(http.MethodPost, "/api/v1/auth/refresh", "", bad), http.StatusUnprocessableEntity, "invalid_fields")
		}
		authWantErr(t, authRefresh(e, "rt_not-a-token-we-issued"), http.StatusUnauthorized, "refresh_invalid")
		// A refresh token is not an access token, and the other way round.
		authWantErr(t, authMe(e, o2.RefreshToken), http.StatusUnauthorized, "token_invalid")
		authWantErr(t, authRefresh(e, o2.AccessToken), http.StatusUnauthorized, "refresh_invalid")
	})
}

func TestRefreshTokenExpiry(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		e.Seed()
		p := authLoginOK(t, e, "staff", testenv.Password("staff"))
		e.Clock.Advance(15*time.Minute - time.Second)
		testenv.Expect(t, authMe(e, p.AccessToken), http.StatusOK)
		e.Clock.Advance(time.Second)
		authWantErr(t, authMe(e, p.AccessToken), http.StatusUnauthorized, "token_invalid")

		// The refresh token outlives it and brings a fresh access token…
		p2 := authPairOf(t, e, authRefresh(e, p.RefreshToken), "refresh after access expiry")
		testenv.Expect(t, authMe(e, p2.AccessToken), http.StatusOK)
		// …for 30 days.
		e.Clock.Advance(30*24*time.Hour - 16*time.Minute)
		p3 := authPairOf(t, e, authRefresh(e, p2.RefreshToken), "refresh on day 30")
		e.Clock.Advance(30*24*time.Hour + time.Second)
		authWantErr(t, authRefresh(e, p3.RefreshToken), http.StatusUnauthorized, "refresh_invalid")
	})
}

func TestRefreshConcurrent(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		p := authLoginOK(t, e, "staff", testenv.Password("staff"))
		before := refreshRows(t, e, w.Users["staff"])
		e.Clock.Advance(time.Minute)

		const n = 20
		answers := make([]*testenv.Response, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				answers[i] = authRefresh(e, p.RefreshToken)
			}()
		}
		close(start)
		wg.Wait()
		for i, r := range answers {
			if r.Status != http.StatusOK || !bytes.Equal(r.Body, answers[0].Body) {
				t.Fatalf("answer %d: %d %s; answer 0: %d %s", i, r.Status, r.Body, answers[0].Status, answers[0].Body)
			}
		}
		pair := authPairOf(t, e, answers[0], "concurrent rotation")
		if got := refreshRows(t, e, w.Users["staff"]); got != before+1 {
			t.Fatalf("%d refresh tokens after %d concurrent rotations, want %d (one child)", got, n, before+1)
		}
		// The one child is live and rotates normally.
		testenv.Expect(t, authMe(e, pair.AccessToken), http.StatusOK)
		authPairOf(t, e, authRefresh(e, pair.RefreshToken), "child rotation")
	})
}

func TestLogout(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		e.Seed()

		// Logging out with the newest token of a family ends the family: its parent, still
		// within the grace window, no longer gives the pair back.
		p0 := authLoginOK(t, e, "staff", testenv.Password("staff"))
		keep := authLoginOK(t, e, "staff", testenv.Password("staff"))
		e.Clock.Advance(time.Minute)
		p1 := authPairOf(t, e, authRefresh(e, p0.RefreshToken), "rotation before logout")
		testenv.Expect(t, authLogout(e, p1.RefreshToken), http.StatusNoContent)
		authWantErr(t, authRefresh(e, p1.RefreshToken), http.StatusUnauthorized, "refresh_invalid")
		authWantErr(t, authRefresh(e, p0.RefreshToken), http.StatusUnauthorized, "refresh_invalid")
		r := testenv.Expect(t, authLogout(e, p1.RefreshToken), http.StatusNoContent)
		if len(r.Body) != 0 {
			t.Fatalf("204 with a body: %s", r.Body)
		}
		testenv.Expect(t, authLogout(e, "rt_never-issued-token"), http.StatusNoContent)

		// Logging out with an already rotated token ends its family too.
		q0 := authLoginOK(t, e, "staff", testenv.Password("staff"))
		e.Clock.Advance(time.Minute)
		q1 := authPairOf(t, e, authRefresh(e, q0.RefreshToken), "rotation before logout with parent")
		testenv.Expect(t, authLogout(e, q0.RefreshToken), http.StatusNoContent)
		authWantErr(t, authRefresh(e, q1.RefreshToken), http.StatusUnauthorized, "refresh_invalid")

		// Other sessions of the same user are not logged out.
		authPairOf(t, e, authRefresh(e, keep.RefreshToken), "other session after logout")
		authWantErr(t, e.Do(http.MethodPost, "/api/v1/auth/logout", "", map[string]string{}), http.StatusUnprocessableEntity, "invalid_fields")
	})
}
