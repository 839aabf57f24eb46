package api_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// auditRow is the part of an audit answer these tests read.
type auditRow struct {
	ActorID   *string  `json:"actor_id"`
	ActorName string   `json:"actor_name"`
	Roles     []string `json:"actor_roles"`
	Action    string
	ObjectTyp string `json:"object_type"`
	ObjectID  string `json:"object_id"`
	Outcome   string
	IP        string
	RequestID string `json:"request_id"`
	At        string
}

// auditOf reads the audit rows of one action from from on, newest first, as the auditor.
func auditOf(t *testing.T, e *testenv.Env, auditor, action string, from time.Time) []auditRow {
	t.Helper()
	q := url.Values{"action": {action}, "from": {from.Format(time.RFC3339)}, "page_size": {"500"}}
	r := testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/audit?"+q.Encode(), auditor, nil), http.StatusOK)
	e.Tripwire.Scan(t, "audit answer", r.Body)
	var list struct {
		Items []auditRow
		Total int
	}
	r.JSON(t, &list)
	if list.Total != len(list.Items) {
		t.Fatalf("total %d, %d items", list.Total, len(list.Items))
	}
	return list.Items
}

func TestLoginAttemptsAudited(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		e.Clock.Advance(time.Minute)
		from := e.Clock.Now()

		ok := authLogin(e, "staff", testenv.Password("staff"))
		authPairOf(t, e, ok, "audited login")
		e.Clock.Advance(time.Second)
		bad := authLogin(e, "staff", wrongPassword(e, "audit"))
		for i := 0; i < 5; i++ {
			e.Clock.Advance(time.Second)
			authLogin(e, "ghost", wrongPassword(e, "ghost"))
		}
		e.Clock.Advance(time.Second)
		locked := authLogin(e, "ghost", wrongPassword(e, "ghost-locked"))
		authWantErr(t, locked, http.StatusLocked, "account_locked")

		rows := auditOf(t, e, w.Tokens["auditor"], "login.password", from)
		if len(rows) != 8 {
			t.Fatalf("%d login audit rows, want 8: %+v", len(rows), rows)
		}
		want := []struct {
			resp             *testenv.Response
			row              auditRow
			outcome, subject string
		}{
			{locked, rows[0], "locked", "ghost"},
			{bad, rows[6], "failure", "staff"},
			{ok, rows[7], "ok", w.Users["staff"]},
		}
		for _, x := range want {
			r := x.row
			if r.Outcome != x.outcome || r.ObjectTyp != "user" || r.ObjectID != x.subject || r.IP != "192.0.2.10" ||
				r.RequestID == "" || r.RequestID != x.resp.Header.Get("X-Request-ID") {
				t.Errorf("%s row = %+v (answer's request id %q)", x.outcome, r, x.resp.Header.Get("X-Request-ID"))
			}
		}
		for i := 1; i <= 5; i++ {
			if rows[i].Outcome != "failure" || rows[i].ObjectID != "ghost" || rows[i].ActorID != nil {
				t.Errorf("row %d = %+v, want a failure for ghost with no actor id", i, rows[i])
			}
		}
		// The success names the user who logged in, with their roles; the time is +08:00.
		s := rows[7]
		if s.ActorID == nil || *s.ActorID != w.Users["staff"] || s.ActorName != "staff" || len(s.Roles) != 1 || s.Roles[0] != "staff" {
			t.Errorf("success row = %+v", s)
		}
		if at, err := time.Parse(time.RFC3339, s.At); err != nil || !at.Equal(from) || s.At[len(s.At)-6:] != "+08:00" {
			t.Errorf("success row at %q, want %s in +08:00", s.At, from)
		}

		// Only the auditor reads the trail.
		for _, who := range []string{"manager", "staff"} {
			authWantErr(t, e.Do(http.MethodGet, "/api/v1/audit?action=login.password", w.Tokens[who], nil), http.StatusForbidden, "role_forbidden")
		}
		authWantErr(t, e.Do(http.MethodGet, "/api/v1/audit?action=login.password", w.Admin, nil), http.StatusForbidden, "role_forbidden")
	})
}

func TestNoSecretsInAuditOrLog(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		newPW := "Changed-passw0rd-audit"
		e.Tripwire.Add("new password", newPW)
		reset := "Reset-passw0rd-audit"
		e.Tripwire.Add("reset password", reset)

		// Every kind of auth event: login, failures, lock, refresh within and after grace,
		// logout, password change and reset, a refused token.
		p := authLoginOK(t, e, "staff", testenv.Password("staff"))
		for i := 0; i < 6; i++ {
			authLogin(e, "handler", wrongPassword(e, "leak"))
		}
		e.Clock.Advance(time.Minute)
		p1 := authPairOf(t, e, authRefresh(e, p.RefreshToken), "audit refresh")
		testenv.Expect(t, authRefresh(e, p.RefreshToken), http.StatusOK)
		e.Clock.Advance(time.Minute)
		authWantErr(t, authRefresh(e, p.RefreshToken), http.StatusUnauthorized, "refresh_invalid")
		q := authLoginOK(t, e, "staff", testenv.Password("staff"))
		testenv.Expect(t, authLogout(e, q.RefreshToken), http.StatusNoContent)
		r := authLoginOK(t, e, "staff", testenv.Password("staff"))
		testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/me/password", r.AccessToken,
			map[string]string{"old_password": testenv.Password("staff"), "new_password": newPW}), http.StatusNoContent)
		testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/users/"+w.Users["staff"]+"/password", w.Admin,
			map[string]string{"password": reset}), http.StatusNoContent)
		authWantErr(t, authMe(e, p1.AccessToken), http.StatusUnauthorized, "token_invalid")

		// Read the whole trail (every action) through the API and straight from the table.
		rows := auditOf(t, e, w.Tokens["auditor"], "", time.Time{})
		if len(rows) < 20 {
			t.Fatalf("only %d audit rows", len(rows))
		}
		actions := map[string]bool{}
		for _, row := range rows {
			actions[row.Action] = true
		}
		for _, a := range []string{"login.password", "session.reuse_revoked", "logout", "user.password_change", "user.password_reset"} {
			if !actions[a] {
				t.Errorf("no %s row in the audit trail", a)
			}
		}
		var stored []model.AuditLog
		if err := e.App.DB.Find(&stored).Error; err != nil {
			t.Fatal(err)
		}
		for _, row := range stored {
			e.Tripwire.Scan(t, "audit row "+row.Action, []byte(row.ActorName+"|"+row.ObjectID+"|"+row.Reason+"|"+
				row.BeforeHash+"|"+row.AfterHash+"|"+row.IP+"|"+row.RequestID))
		}
		// The captured log is scanned at the end of the test by testenv; make sure there is one.
		if len(e.Logs.Bytes()) == 0 {
			t.Fatal("nothing was logged")
		}
	})
}
