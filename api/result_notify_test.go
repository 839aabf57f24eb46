package api_test

import (
	"net/http"
	"testing"
	"unicode/utf8"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// Publishing tells each handler by subscribe message: only subscribed users get it, a refusal
// is recorded as failed and publishing still succeeds; WeChat's field limits hold.
func TestResultPublishNotifiesHandlers(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newRemEnv(t, b, true, true)
		cw := &callWorld{e: x.Env, w: x.w, campaign: x.campaign}
		cw.handler = putHandler(t, x.Env, parseWireID(t, x.w.FirmA), "承办人", parseWireID(t, x.w.Users["handler"]))
		rw := resultWorldOn(t, cw)
		hb := putHandler(t, x.Env, parseWireID(t, x.w.FirmB), "承办人乙", parseWireID(t, x.w.Users["handler_b"]))
		x.bind(parseWireID(t, x.w.Users["handler"]), "oid-handler")
		x.bind(parseWireID(t, x.w.Users["handler_b"]), "oid-handler-b")
		x.subscribe(x.w.Tokens["handler"], 1, tmplReminder)
		x.subscribe(x.w.Tokens["handler_b"], 1, tmplReminder)
		x.fake.Unsubscribe("oid-handler-b") // WeChat refuses: 43101

		a1, a2 := rw.file(t, "", 100000), rw.file(t, "", 100000)
		rw.sheets(t, a1, 85, 84, 0, false, false)
		rw.sheets(t, a2, 75, 74, 0, false, false)
		bID, _ := putCase(t, x.Env, campaignCase{Closed: "2022-01-01", Handler: hb, Org: parseWireID(t, x.w.FirmB)})
		rw.sheets(t, wireID(bID), 95, 93, 0, false, false)

		pub := rw.publish(t)
		if pub["published"] != 3.0 || pub["notified"] != 1.0 {
			t.Fatalf("publish %v, want 3 published and 1 sent", pub)
		}
		msgs := x.fake.SubscribeMessages()
		if len(msgs) != 1 || msgs[0].ToUser != "oid-handler" || msgs[0].TemplateID != tmplReminder {
			t.Fatalf("messages %+v, want one to the handler", msgs)
		}
		m := msgs[0]
		checkFields(t, m)
		if m.Data["number2"] != "2" || m.Data["number3"] != "7" || m.Data["date4"] != "2024-05-31" || utf8.RuneCountInString(m.Data["thing1"]) > 20 {
			t.Errorf("data %v: want 2 files, 7 days to object until 2024-05-31", m.Data)
		}
		var recs []model.Notification
		if err := x.App.DB.Where("kind = ?", model.NotifyResultsPublished).Order("user_id").Find(&recs).Error; err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range recs {
			got[wireID(r.UserID)] = r.Status
		}
		if got[x.w.Users["handler"]] != model.NotifySent || got[x.w.Users["handler_b"]] != model.NotifyFailed || len(got) != 2 {
			t.Errorf("records %v: want sent to handler, failed to handler_b", got)
		}
		// The results are published all the same.
		if p, _ := rw.results(t, "handler_b"); p.Total != 1 {
			t.Errorf("handler_b's results: %+v", p)
		}
		// Publishing again adds nothing and sends nothing.
		if again := rw.publish(t); again["published"] != 0.0 || len(x.fake.SubscribeMessages()) != 1 {
			t.Errorf("second publish %v, %d messages", again, len(x.fake.SubscribeMessages()))
		}
		rw.do(t, http.MethodPost, rw.path("/results/publish"), "handler", nil, http.StatusForbidden)
	})
}
