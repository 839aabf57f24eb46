package api_test

// The survey tests point the WeChat SDK's process-global HTTP client at a fake WeChat server, so
// none of them may call t.Parallel.

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"fayuan/config"
	"fayuan/internal/testenv"
	"fayuan/internal/wechat/wechattest"
	"fayuan/model"
)

// Template ids the survey tests configure.
const (
	tmplAssign    = "tmplAssign-0003"
	tmplThanks    = "tmplThanks-0004"
	tmplConcluded = "tmplConcluded-0005"
)

// survEnv is a server against a fake WeChat with the notice's campaign and firm A's handler.
type survEnv struct {
	*testenv.Env
	t        *testing.T
	w        *testenv.World
	fake     *wechattest.Server
	campaign string
	cid      uint64
	handler  uint64
}

func newSurvEnv(t *testing.T, b testenv.Backend, opts ...testenv.Option) *survEnv {
	t.Helper()
	fake := wechattest.New(t)
	opts = append([]testenv.Option{func(c *config.Config) {
		c.WechatAppID, c.WechatAppSecret, c.WechatAPIBase, c.WechatTimeout = fake.AppID(), fake.Secret(), fake.URL(), 2*time.Second
		c.WechatTemplateAssignment, c.WechatTemplateSurveyThanks, c.WechatTemplateSurveyConcluded = tmplAssign, tmplThanks, tmplConcluded
		c.PublicURL = "https://fayuan.example.cn"
	}}, opts...)
	e := testenv.New(t, b, opts...)
	t.Cleanup(func() {
		e.Tripwire.Add("wechat app secret", fake.Secret())
		for _, k := range fake.AccessTokens() {
			e.Tripwire.Add("wechat access token", k)
		}
	})
	x := &survEnv{Env: e, t: t, fake: fake}
	x.w = e.Seed()
	x.campaign = startCampaign(t, e, x.w)
	x.cid = parseWireID(t, x.campaign)
	x.handler = putHandler(t, e, parseWireID(t, x.w.FirmA), "承办人", parseWireID(t, x.w.Users["handler"]))
	return x
}

var surveyCaseSeq atomic.Int64

// surveyCase is a stored case of the campaign's scope with its recipient's phone and ID number.
type surveyCase struct {
	ID, Phone, IDNumber string
}

// putSurveyCase stores an in-scope case of firm A (recipient 王秀英) and assigns it for calls to
// user (none when "").
func (x *survEnv) putSurveyCase(user string) surveyCase {
	x.T.Helper()
	n := int(surveyCaseSeq.Add(1))
	phone, id := testenv.Phone(800_000+n), testenv.IDNumber(800_000+n)
	x.Tripwire.Add("phone of survey case", phone)
	x.Tripwire.Add("id number of survey case", id)
	pe, err := x.App.Vault.Encrypt(phone)
	if err != nil {
		x.T.Fatal(err)
	}
	ie, err := x.App.Vault.Encrypt(id)
	if err != nil {
		x.T.Fatal(err)
	}
	now, closed, org := x.Clock.Now(), "2022-01-01", parseWireID(x.t, x.w.FirmA)
	k := model.Case{CaseNo: fmt.Sprintf("柞法援-S%05d", n), Category: model.CategoryCivil, Source: model.SourceApplication,
		Cause: "赡养纠纷", RecipientName: "王秀英", RecipientPhoneEnc: pe, RecipientPhoneHash: x.App.Vault.Hash(phone),
		RecipientIDEnc: ie, RecipientIDHash: x.App.Vault.Hash(id), Town: "营盘镇", HandlerName: "赵律师", HandlerID: &x.handler,
		HandlerOrgID: &org, ClosedOn: &closed, CreatedAt: now, UpdatedAt: now}
	if err := x.App.DB.Create(&k).Error; err != nil {
		x.T.Fatal(err)
	}
	c := surveyCase{ID: wireID(k.ID), Phone: phone, IDNumber: id}
	if user != "" {
		x.AssignPhase(x.cid, "calls", c.ID, x.w.Users[user])
	}
	return c
}

// surveyLink is the answer of POST …/survey-link.
type surveyLink struct {
	Token     string `json:"token"`
	URL       string `json:"url"`
	CodeURL   string `json:"code_url"`
	ExpiresAt string `json:"expires_at"`
}

func (x *survEnv) linkPath(caseID, suffix string) string {
	return "/api/v1/campaigns/" + x.campaign + "/cases/" + caseID + "/survey-link" + suffix
}

// link asks for the case's survey link as user and expects status; the token joins the log
// tripwire: it must never be logged.
func (x *survEnv) link(user, caseID string, status int) surveyLink {
	x.T.Helper()
	r := testenv.Expect(x.T, x.Do(http.MethodPost, x.linkPath(caseID, ""), x.w.Tokens[user], nil), status)
	var l surveyLink
	if status < 300 {
		r.JSON(x.T, &l)
		x.Tripwire.Add("survey token", l.Token)
	}
	return l
}

// survey sends a request to a survey token route with an optional survey token.
func (x *survEnv) survey(method, token, suffix, bearer string, body any) *testenv.Response {
	x.T.Helper()
	return x.Do(method, "/api/v1/survey/"+token+suffix, bearer, body)
}

// verifyName verifies by name and ID digits and returns the answer.
func (x *survEnv) verifyName(token, name, last4 string) *testenv.Response {
	x.T.Helper()
	return x.survey(http.MethodPost, token, "/verify", "", map[string]any{"name": name, "id_last4": last4})
}

// verifyPhone logs in with a wx.login code for openid and a getPhoneNumber code for phone.
func (x *survEnv) verifyPhone(token, openid, phone string) *testenv.Response {
	x.T.Helper()
	n := surveyCaseSeq.Add(1)
	wx, pc := fmt.Sprintf("wxcode-%d", n), fmt.Sprintf("phonecode-%d", n)
	x.fake.AddCode(wx, openid)
	x.fake.AddPhoneCode(pc, phone)
	return x.survey(http.MethodPost, token, "/verify", "", map[string]any{"wx_code": wx, "phone_code": pc})
}

// bearer verifies by name and ID digits and returns the survey token.
func (x *survEnv) bearer(token string, c surveyCase) string {
	x.T.Helper()
	r := testenv.Expect(x.T, x.verifyName(token, "王秀英", c.IDNumber[14:]), http.StatusOK)
	b := r.Map(x.T)["survey_token"].(string)
	x.Tripwire.Add("survey bearer", b)
	return b
}

// answer posts an answer with a survey token and expects status.
func (x *survEnv) answer(token, bearer string, n int, ans map[string]any, status int, templates ...string) map[string]any {
	x.T.Helper()
	body := map[string]any{"client_id": clientID(n), "answers": ans}
	if len(templates) > 0 {
		body["template_ids"] = templates
	}
	r := testenv.Expect(x.T, x.survey(http.MethodPost, token, "", bearer, body), status)
	testenv.ScanForPersonalData(x.T, x.Env, "survey answer", r.Body)
	return r.Map(x.T)
}

// alerts lists the campaign's alerts as the manager.
func (x *survEnv) alerts() []map[string]any {
	x.T.Helper()
	r := testenv.Expect(x.T, x.Do(http.MethodGet, "/api/v1/campaigns/"+x.campaign+"/alerts", x.w.Tokens["manager"], nil), http.StatusOK)
	var out struct {
		Items []map[string]any `json:"items"`
	}
	r.JSON(x.T, &out)
	return out.Items
}
