package api_test

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"fayuan/internal/testenv"
	"fayuan/internal/wechat"
	"fayuan/internal/wechat/wechattest"
	"fayuan/model"
)

// sentTo lists what the fake accepted for openid with the template.
func sentTo(fake *wechattest.Server, openid, template string) []wechattest.SentMessage {
	var out []wechattest.SentMessage
	for _, m := range fake.SubscribeMessages() {
		if m.ToUser == openid && m.TemplateID == template {
			out = append(out, m)
		}
	}
	return out
}

// checkMessage fails unless m passes WeChat's per-type limits, has exactly the keywords and
// tells nothing about the case.
func checkMessage(t *testing.T, m wechattest.SentMessage, keys ...string) {
	t.Helper()
	if err := (wechat.SubscribeMessage{ToOpenID: m.ToUser, TemplateID: m.TemplateID, Data: m.Data}).Validate(); err != nil {
		t.Fatalf("message breaks WeChat's limits: %v", err)
	}
	if len(m.Data) != len(keys) {
		t.Fatalf("message fields %v, want %v", m.Data, keys)
	}
	for _, k := range keys {
		v := m.Data[k]
		if v == "" {
			t.Fatalf("message lacks %s: %v", k, m.Data)
		}
		if strings.HasPrefix(k, "thing") && utf8.RuneCountInString(v) > 20 {
			t.Fatalf("%s has %d characters", k, utf8.RuneCountInString(v))
		}
		for _, secret := range []string{"赡养纠纷", "赵律师", "王秀英", "五百元", "查实"} {
			if strings.Contains(v, secret) {
				t.Fatalf("message tells %q: %v", secret, m.Data)
			}
		}
	}
}

// surveyMessage is a recipient's message record.
func (x *survEnv) surveyMessages(kind string) []model.SurveyMessage {
	x.T.Helper()
	var rows []model.SurveyMessage
	if err := x.App.DB.Where("kind = ?", kind).Order("id").Find(&rows).Error; err != nil {
		x.T.Fatal(err)
	}
	return rows
}

// The fake WeChat records every subscribe message: a recipient who subscribed is thanked and
// told (without details) that the alert their answer opened was concluded; one who did not
// subscribe, one WeChat refuses (43101) and one without a WeChat account get nothing, and each
// is recorded. Staff given cases get an assignment message if they subscribed; a staff member
// who did not gets none.
func TestSurveyAndAssignmentMessages(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newSurvEnv(t, b)
		staff2 := x.CreateUser(x.w.Admin, "staff2", x.w.AidCenter, "staff")
		for user, openid := range map[string]string{x.w.Users["staff"]: "oid-staff", staff2: "oid-staff2"} {
			if err := x.App.DB.Model(&model.User{}).Where("id = ?", parseWireID(t, user)).Update("wechat_openid", openid).Error; err != nil {
				t.Fatal(err)
			}
		}
		testenv.Expect(t, x.Do(http.MethodPost, "/api/v1/me/subscriptions", x.w.Tokens["staff"], map[string]any{"template_ids": []string{tmplAssign}}), http.StatusOK)

		// Staff: the assignment message.
		cases := []surveyCase{x.putSurveyCase(""), x.putSurveyCase(""), x.putSurveyCase(""), x.putSurveyCase("")}
		var run model.AssignResponse
		testenv.Expect(t, x.Do(http.MethodPost, "/api/v1/campaigns/"+x.campaign+"/assignments", x.w.Tokens["manager"],
			map[string]any{"phase": "calls", "staff_ids": []string{x.w.Users["staff"], staff2}}), http.StatusOK).JSON(t, &run)
		got := 0
		for _, s := range run.ByStaff {
			if s.StaffID.String() == x.w.Users["staff"] {
				got = s.Assigned
			}
		}
		msgs := sentTo(x.fake, "oid-staff", tmplAssign)
		if got == 0 || len(msgs) != 1 {
			t.Fatalf("staff got %d cases and %d assignment messages, want 1", got, len(msgs))
		}
		checkMessage(t, msgs[0], "thing1", "number2", "date3", "thing4")
		if msgs[0].Data["number2"] != wireID(uint64(got)) || msgs[0].Data["date3"] != "2024-06-15" || !strings.HasPrefix(msgs[0].Data["thing1"], "电话回访·") {
			t.Fatalf("assignment message = %v (assigned %d)", msgs[0].Data, got)
		}
		if n := len(sentTo(x.fake, "oid-staff2", tmplAssign)); n != 0 {
			t.Fatalf("unsubscribed staff got %d messages", n)
		}
		var recs []model.Notification
		if err := x.App.DB.Where("kind = ?", model.NotifyStaffAssignment).Order("user_id").Find(&recs).Error; err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 || recs[0].Status != model.NotifySent || recs[1].Status != model.NotifySkippedNotSubscribed {
			t.Fatalf("assignment records = %+v", recs)
		}

		// Recipient A subscribes to both templates with the answer: thanked.
		a := cases[0]
		la := x.link("manager", a.ID, http.StatusCreated)
		ba := testenv.Expect(t, x.verifyPhone(la.Token, "oid-rec-a", a.Phone), http.StatusOK).Map(t)["survey_token"].(string)
		x.Tripwire.Add("survey bearer", ba)
		view := testenv.Expect(t, x.survey(http.MethodGet, la.Token, "", ba, nil), http.StatusOK).Map(t)
		if ids, _ := view["template_ids"].([]any); len(ids) != 2 {
			t.Fatalf("templates offered = %v", view["template_ids"])
		}
		x.answer(la.Token, ba, 1, answers(map[string]any{"charged_fee": "yes", "charged_fee_note": "收了五百元"}), http.StatusCreated, tmplThanks, tmplConcluded)
		thanks := sentTo(x.fake, "oid-rec-a", tmplThanks)
		if len(thanks) != 1 {
			t.Fatalf("%d thank-you messages, want 1", len(thanks))
		}
		checkMessage(t, thanks[0], "thing1", "time2", "thing3")
		if thanks[0].Data["time2"] != "2024-05-24 09:00" {
			t.Fatalf("thank-you = %v", thanks[0].Data)
		}

		// Recipient B did not subscribe; C subscribed but WeChat refuses (43101); D verified
		// without WeChat, so templates cannot be tied to anyone.
		b1 := cases[1]
		lb := x.link("manager", b1.ID, http.StatusCreated)
		bb := testenv.Expect(t, x.verifyPhone(lb.Token, "oid-rec-b", b1.Phone), http.StatusOK).Map(t)["survey_token"].(string)
		x.answer(lb.Token, bb, 2, answers(map[string]any{"negligent": "yes", "negligent_note": "半年没人管"}), http.StatusCreated)
		cc := cases[2]
		lc := x.link("manager", cc.ID, http.StatusCreated)
		bc := testenv.Expect(t, x.verifyPhone(lc.Token, "oid-rec-c", cc.Phone), http.StatusOK).Map(t)["survey_token"].(string)
		x.fake.Unsubscribe("oid-rec-c")
		x.answer(lc.Token, bc, 3, answers(nil), http.StatusCreated, tmplThanks)
		d := cases[3]
		ld := x.link("manager", d.ID, http.StatusCreated)
		x.answer(ld.Token, x.bearer(ld.Token, d), 4, answers(nil), http.StatusCreated, tmplThanks)
		for _, oid := range []string{"oid-rec-b", "oid-rec-c"} {
			if n := len(sentTo(x.fake, oid, tmplThanks)) + len(sentTo(x.fake, oid, tmplConcluded)); n != 0 {
				t.Fatalf("%s got %d messages", oid, n)
			}
		}
		recs2 := x.surveyMessages(model.NotifySurveyThanks)
		want := []string{model.NotifySent, model.NotifySkippedNotSubscribed, model.NotifyFailed, model.NotifySkippedNotBound}
		if len(recs2) != len(want) {
			t.Fatalf("thank-you records = %+v", recs2)
		}
		for i, w := range want {
			if recs2[i].Status != w {
				t.Fatalf("thank-you record %d = %s, want %s", i, recs2[i].Status, w)
			}
		}
		if recs2[2].ErrCode != 43101 {
			t.Fatalf("refused record = %+v", recs2[2])
		}

		// The alerts are concluded: A is told, without details; B (not subscribed) is not.
		for _, al := range x.alerts() {
			testenv.Expect(t, x.Do(http.MethodPost, "/api/v1/alerts/"+al["id"].(string)+"/conclude", x.w.Tokens["manager"],
				map[string]any{"findings": "经查实退还五百元", "conclusion": "substantiated", "action": "责令退还并通报"}), http.StatusOK)
		}
		done := sentTo(x.fake, "oid-rec-a", tmplConcluded)
		if len(done) != 1 {
			t.Fatalf("%d concluded notices to A, want 1", len(done))
		}
		checkMessage(t, done[0], "thing1", "phrase2", "time3", "thing4")
		if n := len(sentTo(x.fake, "oid-rec-b", tmplConcluded)); n != 0 {
			t.Fatalf("B got %d concluded notices", n)
		}
		if recs := x.surveyMessages(model.NotifySurveyConcluded); len(recs) != 2 || recs[0].Status != model.NotifySent || recs[1].Status != model.NotifySkippedNotSubscribed {
			t.Fatalf("concluded records = %+v", recs)
		}
	})
}

// WeChat failing to take the thank-you blocks nothing: the answer is stored (201), the message
// is recorded failed with WeChat's error, and the recipient's permission is kept.
func TestSurveyMessageFailureNeverBlocks(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newSurvEnv(t, b)
		c := x.putSurveyCase("staff")
		l := x.link("staff", c.ID, http.StatusCreated)
		bearer := testenv.Expect(t, x.verifyPhone(l.Token, "oid-rec", c.Phone), http.StatusOK).Map(t)["survey_token"].(string)
		x.fake.SetHTTPStatus(http.StatusBadGateway)
		x.answer(l.Token, bearer, 1, answers(map[string]any{"negligent": "yes", "negligent_note": "一直拖着"}), http.StatusCreated, tmplThanks)
		x.fake.SetHTTPStatus(0)
		if n := countRows(t, x.Env, "alerts", "1 = 1"); n != 1 {
			t.Fatalf("%d alerts, want 1", n)
		}
		recs := x.surveyMessages(model.NotifySurveyThanks)
		if len(recs) != 1 || recs[0].Status != model.NotifyFailed || recs[0].Error == "" {
			t.Fatalf("records = %+v", recs)
		}
		var sub model.SurveySubscription
		if err := x.App.DB.Where("openid = ? AND template_id = ?", "oid-rec", tmplThanks).Take(&sub).Error; err != nil || sub.Remaining != 1 {
			t.Fatalf("subscription = %+v (%v), want 1 left", sub, err)
		}
	})
}
