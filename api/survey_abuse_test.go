package api_test

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"fayuan/config"
	"fayuan/internal/testenv"
	"fayuan/model"
)

func randomToken() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// 1,000 random tokens from one IP are 404 every time, through every token route, and tell
// nothing; then the IP is slowed down with 429 and Retry-After — even for a real token — until
// the window ends.
func TestSurveyGuessingTokens(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newSurvEnv(t, b)
		c := x.putSurveyCase("staff")
		l := x.link("staff", c.ID, http.StatusCreated)
		for i := range 1000 {
			tok := randomToken()
			var r *testenv.Response
			switch i % 4 {
			case 0:
				r = x.survey(http.MethodGet, tok, "", "", nil)
			case 1:
				r = x.verifyName(tok, "王秀英", c.IDNumber[14:])
			case 2:
				r = x.survey(http.MethodPost, tok, "", "", map[string]any{"client_id": clientID(i), "answers": answers(nil)})
			default:
				r = x.Do(http.MethodGet, "/s/"+tok, "", nil)
			}
			if r.Status != http.StatusNotFound {
				t.Fatalf("random token %d: %d %s", i, r.Status, r.Body)
			}
		}
		for _, r := range []*testenv.Response{
			x.survey(http.MethodGet, randomToken(), "", "", nil),
			x.survey(http.MethodGet, l.Token, "", "", nil), // the IP is slowed down, whatever it asks
			x.Do(http.MethodGet, "/s/"+l.Token, "", nil),
		} {
			if r.Status != http.StatusTooManyRequests {
				t.Fatalf("after 1,000 misses: %d %s", r.Status, r.Body)
			}
			if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 3600 {
				t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
			}
		}
		// The window ends: the real token works again.
		x.Clock.Advance(time.Hour)
		testenv.Expect(t, x.survey(http.MethodGet, l.Token, "", "", nil), http.StatusOK)
	})
}

// One token used too often is slowed down (429 with Retry-After) for everyone, until its
// window ends; other tokens are not affected.
func TestSurveyTokenRateLimit(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newSurvEnv(t, b)
		c := x.putSurveyCase("staff")
		l := x.link("staff", c.ID, http.StatusCreated)
		other := x.link("staff", x.putSurveyCase("staff").ID, http.StatusCreated)
		for range 60 {
			testenv.Expect(t, x.survey(http.MethodGet, l.Token, "", "", nil), http.StatusOK)
		}
		r := x.verifyName(l.Token, "王秀英", c.IDNumber[14:])
		if r.Status != http.StatusTooManyRequests || r.Code() != "rate_limited" || r.Header.Get("Retry-After") == "" {
			t.Fatalf("61st use: %d %s %v", r.Status, r.Body, r.Header)
		}
		testenv.Expect(t, x.survey(http.MethodGet, other.Token, "", "", nil), http.StatusOK)
		x.Clock.Advance(10 * time.Minute)
		testenv.Expect(t, x.survey(http.MethodGet, l.Token, "", "", nil), http.StatusOK)
	})
}

// An answer sent from a WeChat account bound to a staff user is stored but flagged for the
// managers, and does not count the case as reached.
func TestSurveyFromStaffWechatFlagged(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newSurvEnv(t, b)
		if err := x.App.DB.Model(&model.User{}).Where("id = ?", parseWireID(t, x.w.Users["staff"])).Update("wechat_openid", "oid-staff").Error; err != nil {
			t.Fatal(err)
		}
		c := x.putSurveyCase("staff")
		l := x.link("staff", c.ID, http.StatusCreated)
		before := x.callsProgress()
		x.fake.AddCode("wx-staff", "oid-staff")
		r := testenv.Expect(t, x.survey(http.MethodPost, l.Token, "/verify", "",
			map[string]any{"name": "王秀英", "id_last4": c.IDNumber[14:], "wx_code": "wx-staff"}), http.StatusOK)
		bearer := r.Map(t)["survey_token"].(string)
		x.Tripwire.Add("survey bearer", bearer)
		x.answer(l.Token, bearer, 1, answers(nil), http.StatusCreated)

		var flags model.FlagList
		testenv.Expect(t, x.Do(http.MethodGet, "/api/v1/campaigns/"+x.campaign+"/flags", x.w.Tokens["manager"], nil), http.StatusOK).JSON(t, &flags)
		found := false
		for _, f := range flags.Items {
			if f.Kind == "survey_from_staff" && f.CallerID.String() == x.w.Users["staff"] && f.CallerName != "" {
				found = true
			}
		}
		if !found {
			t.Fatalf("flags = %+v, want survey_from_staff for the staff member", flags.Items)
		}
		if p := x.callsProgress(); p.ReachedAny != before.ReachedAny {
			t.Fatalf("reached_any %d → %d: a staff member's answer counted", before.ReachedAny, p.ReachedAny)
		}
		d := testenv.Expect(t, x.Do(http.MethodGet, "/api/v1/cases/"+c.ID, x.w.Tokens["manager"], nil), http.StatusOK)
		var detail struct {
			SurveyAnswers []model.SurveyHistoryItem `json:"survey_answers"`
		}
		d.JSON(t, &detail)
		if len(detail.SurveyAnswers) != 1 || !detail.SurveyAnswers[0].FromStaff {
			t.Fatalf("history = %s", d.Body)
		}
	})
}

// With Redis configured, replicas share the limits: a token's budget is one, not one per
// replica.
func TestSurveyLimitsSharedThroughRedis(t *testing.T) {
	if os.Getenv("FAYUAN_TEST_NO_REDIS") == "1" {
		t.Skip("FAYUAN_TEST_NO_REDIS=1")
	}
	addr := os.Getenv("FAYUAN_TEST_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newSurvEnv(t, b, func(c *config.Config) { c.RedisAddr = addr })
		other := x.Replica()
		c := x.putSurveyCase("staff")
		l := x.link("staff", c.ID, http.StatusCreated)
		for i := range 60 {
			h := x.App.Handler
			if i%2 == 1 {
				h = other.Handler
			}
			testenv.Expect(t, x.Send(testenv.Request{Method: http.MethodGet, Path: "/api/v1/survey/" + l.Token, Handler: h}), http.StatusOK)
		}
		for _, h := range []http.Handler{x.App.Handler, other.Handler} {
			if r := x.Send(testenv.Request{Method: http.MethodGet, Path: "/api/v1/survey/" + l.Token, Handler: h}); r.Status != http.StatusTooManyRequests {
				t.Fatalf("61st use across replicas: %d %s", r.Status, r.Body)
			}
		}
	})
}
