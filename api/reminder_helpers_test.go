package api_test

// The reminder tests point the WeChat SDK's process-global HTTP client at a fake WeChat server,
// so none of them may call t.Parallel.

import (
	"context"
	"net/http"
	"testing"
	"time"
	"unicode/utf8"

	"fayuan/config"
	"fayuan/internal/testenv"
	"fayuan/internal/wechat"
	"fayuan/internal/wechat/wechattest"
	"fayuan/model"
	"fayuan/service"
)

// Template ids the reminder tests configure.
const (
	tmplReminder = "tmplReminder-0001"
	tmplSummary  = "tmplSummary-0002"
)

// remEnv is a server with a seeded world and the notice's campaign, configured against a fake
// WeChat unless fake is nil.
type remEnv struct {
	*testenv.Env
	t        *testing.T
	w        *testenv.World
	fake     *wechattest.Server
	campaign string
	cid      uint64
}

// newRemEnv builds it; withWechat false leaves WeChat unconfigured, and the templates are set
// only when templates is true.
func newRemEnv(t *testing.T, b testenv.Backend, withWechat, templates bool) *remEnv {
	t.Helper()
	var fake *wechattest.Server
	if withWechat {
		fake = wechattest.New(t)
	}
	e := testenv.New(t, b, func(c *config.Config) {
		if fake != nil {
			c.WechatAppID, c.WechatAppSecret, c.WechatAPIBase, c.WechatTimeout = fake.AppID(), fake.Secret(), fake.URL(), 2*time.Second
		}
		if templates {
			c.WechatTemplateReminder, c.WechatTemplateSummary = tmplReminder, tmplSummary
		}
	})
	if fake != nil {
		t.Cleanup(func() {
			e.Tripwire.Add("wechat app secret", fake.Secret())
			for _, k := range fake.AccessTokens() {
				e.Tripwire.Add("wechat access token", k)
			}
		})
	}
	x := &remEnv{Env: e, t: t, fake: fake}
	x.w = e.Seed()
	x.campaign = startCampaign(t, e, x.w)
	x.cid = parseWireID(t, x.campaign)
	return x
}

// staff creates an aid-centre staff member and returns their id and token.
func (x *remEnv) staff(name string) (uint64, string) {
	x.T.Helper()
	id := x.CreateUser(x.w.Admin, name, x.w.AidCenter, "staff")
	tok, _ := x.Login(name, testenv.Password(name))
	return parseWireID(x.t, id), tok
}

// bind gives the user a WeChat binding straight in the database (the binding has its own tests).
func (x *remEnv) bind(userID uint64, openid string) {
	x.T.Helper()
	if err := x.App.DB.Model(&model.User{}).Where("id = ?", userID).Update("wechat_openid", openid).Error; err != nil {
		x.T.Fatal(err)
	}
}

// subscribe reports templates as accepted by the user, n times.
func (x *remEnv) subscribe(token string, n int, templates ...string) model.SubscriptionsResponse {
	x.T.Helper()
	var out model.SubscriptionsResponse
	for range n {
		r := testenv.Expect(x.T, x.Do(http.MethodPost, "/api/v1/me/subscriptions", token, map[string]any{"template_ids": templates}), http.StatusOK)
		r.JSON(x.T, &out)
	}
	return out
}

// cases puts n calls-phase cases with the given status on the user.
func (x *remEnv) cases(userID uint64, n int, status string) []uint64 {
	x.T.Helper()
	var ids []uint64
	for range n {
		id, _ := putCase(x.t, x.Env, campaignCase{Closed: "2023-05-10"})
		x.AssignPhase(x.cid, "calls", wireID(id), wireID(userID))
		if status != model.AssignmentPending {
			if err := x.App.DB.Model(&model.CaseAssignment{}).Where("campaign_id = ? AND case_id = ?", x.cid, id).Update("status", status).Error; err != nil {
				x.T.Fatal(err)
			}
		}
		ids = append(ids, id)
	}
	return ids
}

// run runs the reminder job for a Shanghai calendar day.
func (x *remEnv) run(day string) service.RunReport {
	x.T.Helper()
	d, err := time.ParseInLocation(time.DateOnly, day, model.Shanghai)
	if err != nil {
		x.T.Fatal(err)
	}
	rep, err := x.App.Reminders.RunDaily(context.Background(), d.Add(8*time.Hour+30*time.Minute))
	if err != nil {
		x.T.Fatalf("run %s: %v", day, err)
	}
	return rep
}

// notification is a record as GET …/notifications serves it.
type notification struct {
	UserID     string            `json:"user_id"`
	Kind       string            `json:"kind"`
	Day        string            `json:"day"`
	Phase      string            `json:"phase"`
	TemplateID string            `json:"template_id"`
	Status     string            `json:"status"`
	ErrCode    *int              `json:"errcode"`
	Error      string            `json:"error"`
	Pending    int               `json:"pending"`
	DaysLeft   int               `json:"days_left"`
	Data       map[string]string `json:"data"`
}

// records lists the campaign's records as the manager, keyed by "user kind day".
func (x *remEnv) records() map[string]notification {
	x.T.Helper()
	r := testenv.Expect(x.T, x.Do(http.MethodGet, "/api/v1/campaigns/"+x.campaign+"/notifications?page_size=500", x.w.Tokens["manager"], nil), http.StatusOK)
	testenv.CheckConventions(x.T, "notifications", r.Body)
	if x.fake != nil { // WeChat's errors are stored: none may carry the secret or a token
		tw := testenv.NewTripwire()
		tw.Add("wechat app secret", x.fake.Secret())
		for _, k := range x.fake.AccessTokens() {
			tw.Add("wechat access token", k)
		}
		tw.Scan(x.T, "notifications", r.Body)
	}
	var out model.List[notification]
	r.JSON(x.T, &out)
	if int(out.Total) != len(out.Items) {
		x.T.Fatalf("total %d, items %d", out.Total, len(out.Items))
	}
	m := map[string]notification{}
	for _, n := range out.Items {
		m[n.UserID+" "+n.Kind+" "+n.Day] = n
	}
	return m
}

// remaining is the user's count of a template, straight from the database.
func (x *remEnv) remaining(userID uint64, template string) int {
	x.T.Helper()
	var s model.WechatSubscription
	if err := x.App.DB.Where("user_id = ? AND template_id = ?", userID, template).Limit(1).Find(&s).Error; err != nil {
		x.T.Fatal(err)
	}
	return s.Remaining
}

// messagesTo lists what the fake received for openid with the template.
func (x *remEnv) messagesTo(openid, template string) []wechattest.SentMessage {
	var out []wechattest.SentMessage
	for _, m := range x.fake.SubscribeMessages() {
		if m.ToUser == openid && m.TemplateID == template {
			out = append(out, m)
		}
	}
	return out
}

// checkFields fails unless the message passes WeChat's per-type limits and has the keywords.
func checkFields(t *testing.T, m wechattest.SentMessage) {
	t.Helper()
	if err := (wechat.SubscribeMessage{ToOpenID: m.ToUser, TemplateID: m.TemplateID, Data: m.Data}).Validate(); err != nil {
		t.Fatalf("message breaks WeChat's limits: %v", err)
	}
	for _, k := range []string{"thing1", "number2", "number3", "date4", "thing5"} {
		if m.Data[k] == "" {
			t.Fatalf("message lacks %s: %v", k, m.Data)
		}
	}
	if n := utf8.RuneCountInString(m.Data["thing1"]); n > 20 {
		t.Fatalf("thing1 has %d characters", n)
	}
}
