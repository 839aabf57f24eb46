package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"fayuan/internal/testenv"
)

// A printed code lives as long as the survey's current window: after the visits phase is
// extended it keeps working past the old end, and stops at the new one.
func TestSurveyLinkFollowsPhaseExtension(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newSurvEnv(t, b)
		c := x.putSurveyCase("staff")
		l := x.link("staff", c.ID, http.StatusCreated)
		if l.ExpiresAt != "2024-07-01T00:00:00+08:00" {
			t.Fatalf("expires_at %q, want the end of 2024-06-30", l.ExpiresAt)
		}

		manager := x.w.Tokens["manager"]
		testenv.Expect(t, x.Do(http.MethodPatch, "/api/v1/campaigns/"+x.campaign, manager, map[string]any{
			"phases": []map[string]any{{"phase": "reviews", "start": "2024-07-11", "end": "2024-08-30"}}}), http.StatusOK)
		testenv.Expect(t, x.Do(http.MethodPost, "/api/v1/campaigns/"+x.campaign+"/phases/visits/extend", manager,
			map[string]any{"end": "2024-07-10", "reason": "汛期道路中断，延长走访"}), http.StatusOK)

		x.Clock.Advance(40 * 24 * time.Hour) // 2024-07-03, past the old end, before the new one
		relogin(x.Env, x.w, "staff")
		testenv.Expect(t, x.survey(http.MethodGet, l.Token, "", "", nil), http.StatusOK)
		testenv.Expect(t, x.Do(http.MethodGet, "/s/"+l.Token, "", nil), http.StatusOK)
		bearer := x.bearer(l.Token, c)
		x.answer(l.Token, bearer, 1, answers(nil), http.StatusCreated)
		again := x.link("staff", c.ID, http.StatusOK)
		if again.Token != l.Token || again.ExpiresAt != "2024-07-11T00:00:00+08:00" {
			t.Fatalf("the link after the extension: token kept %v, expires_at %q", again.Token == l.Token, again.ExpiresAt)
		}
		testenv.Expect(t, x.Do(http.MethodGet, strings.TrimPrefix(again.CodeURL, "https://fayuan.example.cn"), "", nil), http.StatusOK)

		x.Clock.Advance(9 * 24 * time.Hour) // 2024-07-12, past the new end
		for _, r := range []*testenv.Response{
			x.survey(http.MethodGet, l.Token, "", "", nil),
			x.survey(http.MethodGet, l.Token, "", bearer, nil),
			x.verifyName(l.Token, "王秀英", c.IDNumber[14:]),
			x.Do(http.MethodGet, "/s/"+l.Token, "", nil),
		} {
			if r.Status != http.StatusNotFound {
				t.Fatalf("after the new end: %d %s", r.Status, r.Body)
			}
		}
	})
}
