package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// callsProgress is the calls phase's figures as the manager reads them.
func (x *survEnv) callsProgress() model.PhaseProgress {
	x.T.Helper()
	r := testenv.Expect(x.T, x.Do(http.MethodGet, "/api/v1/campaigns/"+x.campaign+"/progress", x.w.Tokens["manager"], nil), http.StatusOK)
	var p model.Progress
	r.JSON(x.T, &p)
	for _, ph := range p.Phases {
		if ph.Phase == model.PhaseCalls {
			return ph
		}
	}
	x.T.Fatal("no calls phase in progress")
	return model.PhaseProgress{}
}

// End to end against the fake WeChat: the link (token, web URL, code image), the view before
// verifying, a wrong phone refused, the right phone, the view after, an answer with a "yes" to
// question 1 that opens an alert and counts the case in reached_any (not in the phone rate),
// the case's history, a replay, and a replacement that keeps the earlier version and leaves
// the alert open.
func TestSurveyEndToEnd(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newSurvEnv(t, b)
		c := x.putSurveyCase("staff")
		before := x.callsProgress()

		l := x.link("staff", c.ID, http.StatusCreated)
		if len(l.Token) != 24 || l.URL != "https://fayuan.example.cn/s/"+l.Token || !strings.HasPrefix(l.ExpiresAt, "2024-07-01T00:00:00+08:00") {
			t.Fatalf("link = %+v", l)
		}
		if again := x.link("manager", c.ID, http.StatusOK); again.Token != l.Token {
			t.Fatal("a second request made another token: the printed code would stop working")
		}
		// The code image: a signed URL that works without a token; altered, it is refused.
		code := strings.TrimPrefix(l.CodeURL, "https://fayuan.example.cn")
		img := testenv.Expect(t, x.Do(http.MethodGet, code, "", nil), http.StatusOK)
		if img.Header.Get("Content-Type") != "image/jpeg" || !bytes.HasPrefix(img.Body, []byte{0xFF, 0xD8}) {
			t.Fatalf("code image: %s, %d bytes", img.Header.Get("Content-Type"), len(img.Body))
		}
		testenv.Expect(t, x.Do(http.MethodGet, strings.Replace(code, "sig=", "sig=0", 1), "", nil), http.StatusForbidden)

		// Before verifying: the bureau and the questions, nothing about the case.
		r := testenv.Expect(t, x.survey(http.MethodGet, l.Token, "", "", nil), http.StatusOK)
		view := r.Map(t)
		if view["verified"] != false || view["org_name"] == "" || len(view["questions"].([]any)) != 4 {
			t.Fatalf("view before verifying = %s", r.Body)
		}
		for _, k := range []string{"cause", "handler_name", "closed_on", "answered"} {
			if _, ok := view[k]; ok {
				t.Fatalf("view before verifying shows %s: %s", k, r.Body)
			}
		}
		if bytes.Contains(r.Body, []byte("赡养纠纷")) || bytes.Contains(r.Body, []byte("赵律师")) {
			t.Fatalf("view before verifying tells the case: %s", r.Body)
		}

		// A wrong phone is refused and counted; the right one opens the survey.
		wrong := x.verifyPhone(l.Token, "oid-recipient", testenv.Phone(123))
		if wrong.Status != http.StatusUnauthorized || wrong.Code() != "survey_identity_mismatch" {
			t.Fatalf("wrong phone: %d %s", wrong.Status, wrong.Body)
		}
		ok := testenv.Expect(t, x.verifyPhone(l.Token, "oid-recipient", "+86 "+c.Phone), http.StatusOK)
		bearer := ok.Map(t)["survey_token"].(string)
		x.Tripwire.Add("survey bearer", bearer)
		// The survey token is not a staff token, and a staff token is not a survey token.
		testenv.Expect(t, x.Do(http.MethodGet, "/api/v1/me", bearer, nil), http.StatusUnauthorized)
		if v := testenv.Expect(t, x.survey(http.MethodGet, l.Token, "", x.w.Tokens["staff"], nil), http.StatusOK).Map(t); v["verified"] != false {
			t.Fatal("a staff access token verified the survey")
		}

		v := testenv.Expect(t, x.survey(http.MethodGet, l.Token, "", bearer, nil), http.StatusOK).Map(t)
		if v["verified"] != true || v["cause"] != "赡养纠纷" || v["handler_name"] != "赵律师" || v["closed_on"] != "2022-01-01" || v["answered"] != false {
			t.Fatalf("view after verifying = %v", v)
		}

		// The answer: "yes" to question 1 opens a fee alert from the survey channel.
		yes := answers(map[string]any{"charged_fee": "yes", "charged_fee_note": "收了五百元辛苦费"})
		first := x.answer(l.Token, bearer, 1, yes, http.StatusCreated)
		if first["version"] != float64(1) {
			t.Fatalf("first answer = %v", first)
		}
		alerts := x.alerts()
		if len(alerts) != 1 || alerts[0]["kind"] != model.AlertFee || alerts[0]["channel"] != model.ChannelSurvey || alerts[0]["status"] != model.AlertOpen {
			t.Fatalf("alerts = %v", alerts)
		}
		after := x.callsProgress()
		if after.ReachedAny != before.ReachedAny+1 || after.Done != before.Done {
			t.Fatalf("progress: reached_any %d → %d (want +1), done %d → %d (want unchanged)", before.ReachedAny, after.ReachedAny, before.Done, after.Done)
		}

		// The same client_id again: the first record, nothing new.
		replay := x.answer(l.Token, bearer, 1, yes, http.StatusOK)
		if replay["version"] != float64(1) {
			t.Fatalf("replay = %v", replay)
		}
		if r := x.survey(http.MethodPost, l.Token, "", bearer, map[string]any{"client_id": clientID(1), "answers": answers(nil)}); r.Status != http.StatusConflict || r.Code() != "client_id_conflict" {
			t.Fatalf("same client_id, other body: %d %s", r.Status, r.Body)
		}

		// Answering again replaces the answer, keeps the first, and never closes the alert.
		x.Clock.Advance(48 * time.Hour)
		for _, u := range []string{"manager", "staff", "handler"} {
			x.w.Tokens[u], _ = x.Login(u, testenv.Password(u))
		}
		if r := x.survey(http.MethodPost, l.Token, "", bearer, map[string]any{"client_id": clientID(2), "answers": answers(nil)}); r.Status != http.StatusUnauthorized {
			t.Fatalf("a survey token two days old: %d %s", r.Status, r.Body)
		}
		bearer = testenv.Expect(t, x.verifyPhone(l.Token, "oid-recipient", c.Phone), http.StatusOK).Map(t)["survey_token"].(string)
		x.Tripwire.Add("survey bearer", bearer)
		second := x.answer(l.Token, bearer, 2, answers(nil), http.StatusOK)
		if second["version"] != float64(2) || second["id"] != first["id"] {
			t.Fatalf("second answer = %v (first %v)", second, first)
		}
		alerts = x.alerts()
		if len(alerts) != 1 || alerts[0]["status"] != model.AlertOpen || alerts[0]["severity"] != float64(3) {
			t.Fatalf("alerts after a later 'no' = %v", alerts)
		}
		if p := x.callsProgress(); p.ReachedAny != after.ReachedAny {
			t.Fatalf("reached_any %d after the second answer, want %d", p.ReachedAny, after.ReachedAny)
		}
		if v := testenv.Expect(t, x.survey(http.MethodGet, l.Token, "", bearer, nil), http.StatusOK).Map(t); v["answered"] != true {
			t.Fatal("answered stays false")
		}

		// The case's timeline shows the answer with both versions, to the assigned staff.
		detail := testenv.Expect(t, x.Do(http.MethodGet, "/api/v1/cases/"+c.ID, x.w.Tokens["staff"], nil), http.StatusOK)
		var d struct {
			SurveyAnswers []model.SurveyHistoryItem `json:"survey_answers"`
		}
		detail.JSON(t, &d)
		if len(d.SurveyAnswers) != 1 || len(d.SurveyAnswers[0].Versions) != 2 || d.SurveyAnswers[0].Answers == nil ||
			model.Str(d.SurveyAnswers[0].Answers.ChargedFee) != "no" || model.Str(d.SurveyAnswers[0].Versions[0].Answers.ChargedFee) != "yes" ||
			d.SurveyAnswers[0].Verification != "phone" || d.SurveyAnswers[0].FromStaff {
			t.Fatalf("case history = %s", detail.Body)
		}
		// The handler, whom the recipient may be reporting, does not even learn that an answer exists.
		hd := testenv.Expect(t, x.Do(http.MethodGet, "/api/v1/cases/"+c.ID, x.w.Tokens["handler"], nil), http.StatusOK)
		if bytes.Contains(hd.Body, []byte("五百元")) || !bytes.Contains(hd.Body, []byte(`"survey_answers":[]`)) ||
			bytes.Contains(hd.Body, []byte(`"verification"`)) {
			t.Fatalf("handler's view of the history = %s", hd.Body)
		}
		if n := countRows(t, x.Env, "audit_logs", "action = ?", "survey.answer"); n != 2 {
			t.Fatalf("%d survey.answer audit rows, want 2", n)
		}
	})
}
