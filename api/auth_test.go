package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"fayuan/config"
	"fayuan/internal/testenv"
)

// authPair is a login or refresh answer, with the raw body kept for byte comparisons.
type authPair struct {
	AccessToken  string          `json:"access_token"`
	RefreshToken string          `json:"refresh_token"`
	TokenType    string          `json:"token_type"`
	ExpiresIn    int             `json:"expires_in"`
	User         json.RawMessage `json:"user"`
	raw          []byte
}

// authLogin posts a password login and returns the raw answer.
func authLogin(e *testenv.Env, username, password string) *testenv.Response {
	e.T.Helper()
	return e.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": password})
}

// authPairOf decodes a 200 token answer and registers its tokens with the tripwire.
func authPairOf(t *testing.T, e *testenv.Env, r *testenv.Response, what string) authPair {
	t.Helper()
	testenv.Expect(t, r, http.StatusOK)
	var p authPair
	r.JSON(t, &p)
	if p.AccessToken == "" || !strings.HasPrefix(p.RefreshToken, "rt_") || p.TokenType != "Bearer" || p.ExpiresIn != 900 {
		t.Fatalf("%s: token answer %s", what, r.Body)
	}
	p.raw = r.Body
	e.Tripwire.Add("access token ("+what+")", p.AccessToken)
	e.Tripwire.Add("refresh token ("+what+")", p.RefreshToken)
	return p
}

// authLoginOK logs in and fails the test unless it succeeds.
func authLoginOK(t *testing.T, e *testenv.Env, username, password string) authPair {
	t.Helper()
	return authPairOf(t, e, authLogin(e, username, password), "login of "+username)
}

// authRefresh posts a refresh token to rotate.
func authRefresh(e *testenv.Env, refresh string) *testenv.Response {
	e.T.Helper()
	return e.Do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh})
}

// authMe asks who the access token belongs to.
func authMe(e *testenv.Env, access string) *testenv.Response {
	e.T.Helper()
	return e.Do(http.MethodGet, "/api/v1/me", access, nil)
}

// authWantErr checks status, error code and the contract's error body.
func authWantErr(t *testing.T, r *testenv.Response, status int, code string) {
	t.Helper()
	if r.Status != status || r.Code() != code {
		t.Fatalf("got %d %s, want %d %s", r.Status, r.Body, status, code)
	}
	var body struct{ Message string }
	r.JSON(t, &body)
	if body.Message == "" {
		t.Fatalf("error answer without message: %s", r.Body)
	}
}

// authFields returns the field names a 422 answer names, sorted.
func authFields(t *testing.T, r *testenv.Response) []string {
	t.Helper()
	var body struct {
		Details struct{ Fields map[string]string } `json:"details"`
	}
	r.JSON(t, &body)
	var out []string
	for f, msg := range body.Details.Fields {
		if msg == "" {
			t.Errorf("field %s named without a message: %s", f, r.Body)
		}
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// wrongPassword is a registered wrong password, so the tripwire catches it if it is ever stored.
func wrongPassword(e *testenv.Env, n string) string {
	pw := "Wrong-Passw0rd-" + n
	e.Tripwire.Add("wrong password "+n, pw)
	return pw
}

func TestPasswordLoginSuccess(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		p := authLoginOK(t, e, "staff", testenv.Password("staff"))
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(p.User, &raw); err != nil {
			t.Fatal(err)
		}
		if got, want := string(raw["id"]), `"`+w.Users["staff"]+`"`; got != want {
			t.Fatalf("user.id = %s, want the JSON string %s", got, want)
		}
		var u struct {
			Username string
			Roles    []string
			Org      struct{ ID, Name, Kind string }
		}
		if err := json.Unmarshal(p.User, &u); err != nil {
			t.Fatal(err)
		}
		if u.Username != "staff" || len(u.Roles) != 1 || u.Roles[0] != "staff" ||
			u.Org.ID != w.AidCenter || u.Org.Kind != "aid_center" || u.Org.Name != "县法律援助中心" {
			t.Fatalf("user = %+v", u)
		}
		if p.RefreshToken == p.AccessToken || strings.Contains(string(p.raw), testenv.Password("staff")) {
			t.Fatalf("token answer %s", p.raw)
		}
		me := testenv.Expect(t, authMe(e, p.AccessToken), http.StatusOK).Map(t)
		if me["id"] != w.Users["staff"] || me["username"] != "staff" {
			t.Fatalf("me = %v", me)
		}
	})
}

func TestPasswordLoginRefusals(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		e.Seed()
		wrong := authLogin(e, "staff", wrongPassword(e, "1"))
		unknown := authLogin(e, "nobody-here", wrongPassword(e, "2"))
		authWantErr(t, wrong, http.StatusUnauthorized, "invalid_credentials")
		if unknown.Status != wrong.Status || !bytes.Equal(unknown.Body, wrong.Body) {
			t.Fatalf("unknown user answered %d %s, wrong password %d %s", unknown.Status, unknown.Body, wrong.Status, wrong.Body)
		}
		for _, tc := range []struct {
			name string
			body any
			want []string
		}{
			{"empty object", map[string]string{}, []string{"password", "username"}},
			{"no password", map[string]string{"username": "staff"}, []string{"password"}},
			{"no username", map[string]string{"password": testenv.Password("staff")}, []string{"username"}},
			{"blank username", map[string]string{"username": "   ", "password": testenv.Password("staff")}, []string{"username"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.Do(http.MethodPost, "/api/v1/auth/login", "", tc.body)
				authWantErr(t, r, http.StatusUnprocessableEntity, "invalid_fields")
				if got := authFields(t, r); strings.Join(got, ",") != strings.Join(tc.want, ",") {
					t.Fatalf("fields %v, want %v", got, tc.want)
				}
			})
		}
		// The right password still works: the refusals above did not lock the account.
		authLoginOK(t, e, "staff", testenv.Password("staff"))
	})
}

// lockoutStep is one login attempt of a lockout scenario and the answer expected.
type lockoutStep struct {
	advance time.Duration
	user    string
	right   bool
	status  int
}

// runLockout plays steps; right=true uses the user's real password (or, for an unknown user, a
// fixed one). It returns the answer bodies, so scenarios can be compared byte for byte.
func runLockout(t *testing.T, e *testenv.Env, steps []lockoutStep) [][]byte {
	t.Helper()
	var bodies [][]byte
	for i, s := range steps {
		e.Clock.Advance(s.advance)
		pw := wrongPassword(e, "lock")
		if s.right {
			pw = testenv.Password(s.user)
		}
		r := authLogin(e, s.user, pw)
		if r.Status != s.status {
			t.Fatalf("step %d (%s, right=%v, t+%v): %d %s, want %d", i, s.user, s.right, s.advance, r.Status, r.Body, s.status)
		}
		if s.status == http.StatusLocked && r.Code() != "account_locked" {
			t.Fatalf("step %d: locked answer %s", i, r.Body)
		}
		bodies = append(bodies, r.Body)
	}
	return bodies
}

// fails is n wrong-password attempts a second apart, each answered status.
func fails(user string, n, status int) []lockoutStep {
	out := make([]lockoutStep, n)
	for i := range out {
		out[i] = lockoutStep{advance: time.Second, user: user, status: status}
	}
	return out
}

func TestLockout(t *testing.T) {
	const (
		unauth = http.StatusUnauthorized
		locked = http.StatusLocked
		ok     = http.StatusOK
	)
	right := func(user string, advance time.Duration, status int) lockoutStep {
		return lockoutStep{advance: advance, user: user, right: true, status: status}
	}
	wrong := func(user string, advance time.Duration, status int) lockoutStep {
		return lockoutStep{advance: advance, user: user, status: status}
	}
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		admin := e.AdminToken()
		for _, u := range []string{"known", "known2", "known3", "known4"} {
			e.CreateUser(admin, u, "1", "manager")
		}

		// Five failures lock the name, even against the right password; attempts while locked
		// (at +10 min) do not extend the lock, which ends 15 minutes after the fifth failure.
		known := append(fails("known", 5, unauth),
			right("known", time.Second, locked),
			wrong("known", time.Second, locked),
			wrong("known", 10*time.Minute, locked),
			right("known", 4*time.Minute, locked), // 14m02s after the fifth failure
			right("known", 59*time.Second, ok),    // 15m01s after it
			wrong("known", time.Second, unauth),   // the success reset the count
		)
		knownBodies := runLockout(t, e, known)

		// Another account is not affected by the lock.
		authLoginOK(t, e, "known2", testenv.Password("known2"))

		// An unknown name locks exactly like a known one, with byte-identical answers.
		ghost := append(fails("ghost", 5, unauth),
			wrong("ghost", time.Second, locked),
			wrong("ghost", time.Second, locked),
			wrong("ghost", 10*time.Minute, locked),
			wrong("ghost", 4*time.Minute, locked),
			wrong("ghost", 59*time.Second, unauth),
		)
		ghostBodies := runLockout(t, e, ghost)
		for i := 0; i < 9; i++ {
			if !bytes.Equal(ghostBodies[i], knownBodies[i]) {
				t.Fatalf("step %d: unknown name answered %s, known name %s", i, ghostBodies[i], knownBodies[i])
			}
		}
		if !bytes.Equal(ghostBodies[9], knownBodies[0]) {
			t.Fatalf("after the lock: unknown name answered %s, known name %s", ghostBodies[9], knownBodies[0])
		}

		// A success resets the count: 4 failures, success, 4 failures, and the fifth attempt works.
		reset := append(fails("known3", 4, unauth), right("known3", time.Second, ok))
		reset = append(reset, fails("known3", 4, unauth)...)
		runLockout(t, e, append(reset, right("known3", time.Second, ok)))

		// Five failures spread over more than the 15-minute window do not lock.
		var spread []lockoutStep
		for i := 0; i < 5; i++ {
			spread = append(spread, wrong("known4", 4*time.Minute, unauth))
		}
		runLockout(t, e, append(spread, right("known4", time.Second, ok)))
	})
}

func TestLockoutThresholdConfigured(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b, func(c *config.Config) { c.LockoutThreshold = 3 })
		e.CreateUser(e.AdminToken(), "clerk", "1", "manager")
		steps := append(fails("clerk", 3, http.StatusUnauthorized),
			lockoutStep{advance: time.Second, user: "clerk", right: true, status: http.StatusLocked})
		runLockout(t, e, steps)
	})
}
