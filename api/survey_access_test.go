package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"fayuan/internal/testenv"
)

// The name + ID path; five failed checks lock the survey (423), even for the right answer,
// until the staff on the case or a manager unlocks it; staff not on the case cannot.
func TestSurveyNameCheckLockoutAndUnlock(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newSurvEnv(t, b)
		c := x.putSurveyCase("staff")
		other := x.putSurveyCase("staff")
		l := x.link("staff", c.ID, http.StatusCreated)
		last4 := c.IDNumber[14:]

		// Spaces in the name and a lower-case x are forgiven; nothing else is.
		testenv.Expect(t, x.verifyName(l.Token, " 王 秀英 ", last4), http.StatusOK)
		for i, try := range []struct{ name, last4 string }{
			{"王秀英", "0000"}, {"王秀", last4}, {"李秀英", last4}, {"王秀英", other.IDNumber[14:]},
		} {
			r := x.verifyName(l.Token, try.name, try.last4)
			if r.Status != http.StatusUnauthorized || r.Code() != "survey_identity_mismatch" {
				t.Fatalf("try %d: %d %s", i+1, r.Status, r.Body)
			}
			if left := r.Map(t)["details"].(map[string]any)["attempts_left"]; left != float64(4-i) {
				t.Fatalf("try %d: attempts_left %v, want %d", i+1, left, 4-i)
			}
		}
		if r := x.verifyName(l.Token, "王秀英", "9999"); r.Status != http.StatusLocked || r.Code() != "survey_locked" {
			t.Fatalf("fifth failure: %d %s", r.Status, r.Body)
		}
		if r := x.verifyName(l.Token, "王秀英", last4); r.Status != http.StatusLocked {
			t.Fatalf("right answer while locked: %d %s", r.Status, r.Body)
		}
		x.fake.AddCode("wx-locked", "oid-locked")
		x.fake.AddPhoneCode("pc-locked", c.Phone)
		if r := x.survey(http.MethodPost, l.Token, "/verify", "", map[string]any{"wx_code": "wx-locked", "phone_code": "pc-locked"}); r.Status != http.StatusLocked {
			t.Fatalf("right phone while locked: %d %s", r.Status, r.Body)
		}
		// Staff of another case, a reviewer: cannot unlock.
		testenv.Expect(t, x.Do(http.MethodPost, x.linkPath(c.ID, "/unlock"), x.w.Tokens["firm_staff"], nil), http.StatusNotFound)
		testenv.Expect(t, x.Do(http.MethodPost, x.linkPath(c.ID, "/unlock"), x.w.Tokens["reviewer"], nil), http.StatusForbidden)
		if r := x.verifyName(l.Token, "王秀英", last4); r.Status != http.StatusLocked {
			t.Fatalf("after refused unlocks: %d", r.Status)
		}
		// The staff member on the case unlocks it; the right answer works again.
		r := testenv.Expect(t, x.Do(http.MethodPost, x.linkPath(c.ID, "/unlock"), x.w.Tokens["staff"], nil), http.StatusOK)
		if r.Map(t)["changed"] != float64(1) {
			t.Fatalf("unlock = %s", r.Body)
		}
		lower := strings.ToLower(c.IDNumber[14:])
		bearer := testenv.Expect(t, x.verifyName(l.Token, "王秀英", lower), http.StatusOK).Map(t)["survey_token"].(string)
		x.Tripwire.Add("survey bearer", bearer)
		x.answer(l.Token, bearer, 1, answers(nil), http.StatusCreated)
		// A manager may unlock too.
		testenv.Expect(t, x.Do(http.MethodPost, x.linkPath(c.ID, "/unlock"), x.w.Tokens["manager"], nil), http.StatusOK)
		if n := countRows(t, x.Env, "audit_logs", "action = ? AND outcome = ?", "survey.verify", "failed"); n != 5 {
			t.Fatalf("%d failed checks audited, want 5", n)
		}
		if n := countRows(t, x.Env, "audit_logs", "action = ?", "survey_link.unlock"); n != 2 {
			t.Fatalf("%d unlocks audited, want 2", n)
		}
	})
}

// A revoked token and an expired one answer 404 like any unknown token, and so does the page;
// a survey token issued before the revocation stops working with it. After the visits phase no
// link is made (409 phase_closed).
func TestSurveyRevokedAndExpiredTokens(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newSurvEnv(t, b)
		c := x.putSurveyCase("staff")
		l := x.link("staff", c.ID, http.StatusCreated)
		bearer := x.bearer(l.Token, c)

		testenv.Expect(t, x.Do(http.MethodPost, x.linkPath(c.ID, "/revoke"), x.w.Tokens["firm_staff"], nil), http.StatusNotFound)
		r := testenv.Expect(t, x.Do(http.MethodPost, x.linkPath(c.ID, "/revoke"), x.w.Tokens["staff"], nil), http.StatusOK)
		if r.Map(t)["changed"] != float64(1) {
			t.Fatalf("revoke = %s", r.Body)
		}
		for _, r := range []*testenv.Response{
			x.survey(http.MethodGet, l.Token, "", "", nil),
			x.survey(http.MethodGet, l.Token, "", bearer, nil),
			x.verifyName(l.Token, "王秀英", c.IDNumber[14:]),
			x.survey(http.MethodPost, l.Token, "", bearer, map[string]any{"client_id": clientID(1), "answers": answers(nil)}),
			x.Do(http.MethodGet, "/s/"+l.Token, "", nil),
		} {
			if r.Status != http.StatusNotFound {
				t.Fatalf("revoked token: %d %s", r.Status, r.Body)
			}
		}
		if n := countRows(t, x.Env, "survey_answers", "1 = 1"); n != 0 {
			t.Fatalf("%d answers stored through a revoked token", n)
		}
		// A new link is a new token; the old code's image is gone too.
		fresh := x.link("staff", c.ID, http.StatusCreated)
		if fresh.Token == l.Token {
			t.Fatal("the revoked token came back")
		}
		testenv.Expect(t, x.survey(http.MethodGet, fresh.Token, "", "", nil), http.StatusOK)

		// The phase ends: the token expires with it.
		x.Clock.Advance(40 * 24 * time.Hour) // 2024-07-03, past the visits phase's 2024-06-30
		x.w.Tokens["staff"], _ = x.Login("staff", testenv.Password("staff"))
		for _, r := range []*testenv.Response{
			x.survey(http.MethodGet, fresh.Token, "", "", nil),
			x.verifyName(fresh.Token, "王秀英", c.IDNumber[14:]),
			x.Do(http.MethodGet, "/s/"+fresh.Token, "", nil),
		} {
			if r.Status != http.StatusNotFound {
				t.Fatalf("expired token: %d %s", r.Status, r.Body)
			}
		}
		if r := x.Do(http.MethodPost, x.linkPath(c.ID, ""), x.w.Tokens["staff"], nil); r.Status != http.StatusConflict || r.Code() != "phase_closed" {
			t.Fatalf("link after the phase: %d %s", r.Status, r.Body)
		}
	})
}
