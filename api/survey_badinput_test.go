package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"fayuan/internal/testenv"
)

// Bad input on every survey route is a clear error in the contract's shape and changes
// nothing; credentials of another case or another kind are refused; the token never reaches
// the log (the tripwire scans it at the end), which names only the route pattern.
func TestSurveyBadInput(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newSurvEnv(t, b)
		c := x.putSurveyCase("staff")
		other := x.putSurveyCase("firm_staff")
		l := x.link("staff", c.ID, http.StatusCreated)
		lo := x.link("manager", other.ID, http.StatusCreated)

		// Links: only for the case's staff or a manager.
		testenv.Expect(t, x.Do(http.MethodPost, x.linkPath(other.ID, ""), x.w.Tokens["staff"], nil), http.StatusNotFound)
		testenv.Expect(t, x.Do(http.MethodPost, x.linkPath("999999", ""), x.w.Tokens["manager"], nil), http.StatusNotFound)
		testenv.Expect(t, x.Do(http.MethodPost, "/api/v1/campaigns/999/cases/"+c.ID+"/survey-link", x.w.Tokens["manager"], nil), http.StatusNotFound)
		testenv.Expect(t, x.Do(http.MethodPost, x.linkPath("abc", ""), x.w.Tokens["manager"], nil), http.StatusNotFound)
		testenv.Expect(t, x.Do(http.MethodPost, x.linkPath(c.ID, ""), x.w.Tokens["handler"], nil), http.StatusForbidden)

		for _, tc := range []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"malformed", `{"name":`, http.StatusBadRequest, ""},
			{"unknown field", `{"name":"王秀英","id_last4":"1234","phone":"13900000000"}`, http.StatusBadRequest, ""},
			{"wrong type", `{"name":"王秀英","id_last4":1234}`, http.StatusUnprocessableEntity, "id_last4"},
			{"empty", `{}`, http.StatusUnprocessableEntity, "name"},
			{"three digits", map[string]any{"name": "王秀英", "id_last4": "123"}, http.StatusUnprocessableEntity, "name"},
			{"phone without login", map[string]any{"phone_code": "pc"}, http.StatusUnprocessableEntity, "wx_code"},
			{"both ways", map[string]any{"phone_code": "pc", "wx_code": "wx", "name": "王秀英", "id_last4": "1234"}, http.StatusUnprocessableEntity, "wx_code"},
		} {
			r := x.survey(http.MethodPost, l.Token, "/verify", "", tc.body)
			if r.Status != tc.status {
				t.Fatalf("verify %s: %d %s", tc.name, r.Status, r.Body)
			}
			if tc.field != "" && errFields(t, r)[tc.field] == "" {
				t.Fatalf("verify %s: fields %v, want %s", tc.name, errFields(t, r), tc.field)
			}
		}
		// A used phone code is WeChat's answer, not a failed check.
		x.fake.AddCode("wx-used", "oid-x")
		r := x.survey(http.MethodPost, l.Token, "/verify", "", map[string]any{"wx_code": "wx-used", "phone_code": "no-such-code"})
		if r.Status != http.StatusUnauthorized || r.Code() != "wechat_code_invalid" {
			t.Fatalf("unknown phone code: %d %s", r.Status, r.Body)
		}
		if n := countRows(t, x.Env, "survey_links", "failures > 0"); n != 0 {
			t.Fatalf("bad requests counted as %d failed checks", n)
		}

		bearer := x.bearer(l.Token, c)
		otherBearer := x.bearer(lo.Token, other)
		for _, tc := range []struct {
			name   string
			bearer string
			body   any
			status int
			field  string
		}{
			{"no survey token", "", map[string]any{"client_id": clientID(1), "answers": answers(nil)}, http.StatusUnauthorized, ""},
			{"another case's survey token", otherBearer, map[string]any{"client_id": clientID(1), "answers": answers(nil)}, http.StatusUnauthorized, ""},
			{"a staff access token", x.w.Tokens["staff"], map[string]any{"client_id": clientID(1), "answers": answers(nil)}, http.StatusUnauthorized, ""},
			{"malformed", bearer, `{"client_id":`, http.StatusBadRequest, ""},
			{"wrong type", bearer, `{"client_id":"` + clientID(1) + `","answers":"yes"}`, http.StatusUnprocessableEntity, "answers"},
			{"no answers", bearer, map[string]any{"client_id": clientID(1)}, http.StatusUnprocessableEntity, "answers"},
			{"yes without note", bearer, map[string]any{"client_id": clientID(1), "answers": answers(map[string]any{"charged_fee": "yes"})}, http.StatusUnprocessableEntity, "answers.charged_fee_note"},
			{"bad value", bearer, map[string]any{"client_id": clientID(1), "answers": answers(map[string]any{"satisfied": "very"})}, http.StatusUnprocessableEntity, "answers.satisfied"},
			{"bad client_id", bearer, map[string]any{"client_id": "not-a-uuid", "answers": answers(nil)}, http.StatusUnprocessableEntity, "client_id"},
			{"unknown template", bearer, map[string]any{"client_id": clientID(1), "answers": answers(nil), "template_ids": []string{"someone-elses"}}, http.StatusUnprocessableEntity, "template_ids"},
		} {
			r := x.survey(http.MethodPost, l.Token, "", tc.bearer, tc.body)
			if r.Status != tc.status {
				t.Fatalf("answer %s: %d %s", tc.name, r.Status, r.Body)
			}
			if tc.field != "" && errFields(t, r)[tc.field] == "" {
				t.Fatalf("answer %s: fields %v, want %s", tc.name, errFields(t, r), tc.field)
			}
		}
		for _, table := range []string{"survey_answers", "survey_answer_versions", "alerts", "survey_subscriptions"} {
			if n := countRows(t, x.Env, table, "1 = 1"); n != 0 {
				t.Fatalf("%d rows in %s after bad answers", n, table)
			}
		}
		// Malformed tokens in the path are 404 like unknown ones.
		for _, p := range []string{"/api/v1/survey/short", "/api/v1/survey/" + strings.Repeat("a", 40), "/s/%00"} {
			if r := x.Do(http.MethodGet, p, "", nil); r.Status != http.StatusNotFound {
				t.Fatalf("GET %s: %d", p, r.Status)
			}
		}

		// The code image: an expired signature is 403; a revoked link's image is gone.
		code := strings.TrimPrefix(l.CodeURL, "https://fayuan.example.cn")
		x.Clock.Advance(11 * time.Minute)
		testenv.Expect(t, x.Do(http.MethodGet, code, "", nil), http.StatusForbidden)
		x.w.Tokens["staff"], _ = x.Login("staff", testenv.Password("staff"))
		fresh := x.link("staff", c.ID, http.StatusOK)
		fcode := strings.TrimPrefix(fresh.CodeURL, "https://fayuan.example.cn")
		testenv.Expect(t, x.Do(http.MethodGet, fcode, "", nil), http.StatusOK)
		testenv.Expect(t, x.Do(http.MethodPost, x.linkPath(c.ID, "/revoke"), x.w.Tokens["staff"], nil), http.StatusOK)
		testenv.Expect(t, x.Do(http.MethodGet, fcode, "", nil), http.StatusNotFound)

		// The log names the survey routes by pattern only.
		logs := x.Logs.Bytes()
		if !bytes.Contains(logs, []byte(`"route":"/api/v1/survey/:token"`)) || !bytes.Contains(logs, []byte(`"route":"/s/:token"`)) {
			t.Fatal("the access log has no survey route lines")
		}
	})
}

// The answer is judged on its submission time against the survey's window (calls start to
// visits end): before the window it is refused with 409 phase_closed and nothing is stored.
func TestSurveyAnswerOutsideWindow(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newSurvEnv(t, b)
		c := x.putSurveyCase("staff")
		l := x.link("staff", c.ID, http.StatusCreated)
		bearer := x.bearer(l.Token, c)
		if err := x.App.DB.Exec("UPDATE campaigns SET calls_start = ? WHERE id = ?", "2024-05-25", x.cid).Error; err != nil {
			t.Fatal(err)
		}
		r := x.survey(http.MethodPost, l.Token, "", bearer, map[string]any{"client_id": clientID(1), "answers": answers(nil)})
		if r.Status != http.StatusConflict || r.Code() != "phase_closed" {
			t.Fatalf("answer before the window: %d %s", r.Status, r.Body)
		}
		if n := countRows(t, x.Env, "survey_answer_versions", "1 = 1"); n != 0 {
			t.Fatalf("%d versions stored", n)
		}
		x.Clock.Advance(24 * time.Hour)
		bearer = x.bearer(l.Token, c)
		x.answer(l.Token, bearer, 1, answers(nil), http.StatusCreated)
	})
}

// WeChat down when the link is made: the link works and its code_url fetches the image later.
func TestSurveyCodeRegeneratedOnDemand(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newSurvEnv(t, b)
		c := x.putSurveyCase("staff")
		x.fake.SetHTTPStatus(http.StatusBadGateway)
		l := x.link("staff", c.ID, http.StatusCreated)
		code := strings.TrimPrefix(l.CodeURL, "https://fayuan.example.cn")
		if r := x.Do(http.MethodGet, code, "", nil); r.Status != http.StatusServiceUnavailable || r.Code() != "wechat_unavailable" {
			t.Fatalf("code while WeChat is down: %d %s", r.Status, r.Body)
		}
		x.fake.SetHTTPStatus(0)
		img := testenv.Expect(t, x.Do(http.MethodGet, code, "", nil), http.StatusOK)
		if !bytes.HasPrefix(img.Body, []byte{0xFF, 0xD8}) {
			t.Fatal("not a JPEG")
		}
		if n := countRows(t, x.Env, "survey_links", "code_type = ?", "image/jpeg"); n != 1 {
			t.Fatalf("%d links with a stored image, want 1", n)
		}
	})
}
