package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"fayuan/campaigns"
	"fayuan/config"
	"fayuan/internal/testenv"
	"fayuan/model"
)

// noticeCampaign is the campaign as the notice 柞政司发〔2024〕53号 defines it, written out by
// hand from the notice (not from the template file), so the two are checked against each other.
var noticeCampaign = model.CampaignSpec{
	Name:       "柞水县法律援助案件质量评查回访活动",
	DocumentNo: "柞政司发〔2024〕53号",
	TargetRate: 0.9,                                                      // 回访率要达到案件总数90%以上
	GradeBands: model.GradeBands{Excellent: 90, Good: 80, Qualified: 70}, // 90分以上优秀，80-89良好，70-79合格
	Phases: []model.PhaseWindow{
		{Phase: "calls", Start: "2024-05-24", End: "2024-06-15"},   // 回访阶段（5月24日至6月15日）
		{Phase: "visits", Start: "2024-06-16", End: "2024-06-30"},  // 实地走访阶段（6月16日至6月30日）
		{Phase: "reviews", Start: "2024-07-01", End: "2024-08-30"}, // 案卷评查阶段（7月1日至8月30日）
	},
	Scopes: model.Scopes{
		// 回访的案件范围为2021年1月至2024年5月办结的申请类案件
		FollowUp: model.Scope{Sources: []model.Source{"application"}, Categories: []model.Category{"criminal", "civil", "administrative", "non_litigation"},
			ClosedFrom: "2021-01-01", ClosedTo: "2024-05-31"},
		// 案卷评查的案件范围为2023年7月至2024年5月已办结的案件
		Review: model.Scope{Sources: []model.Source{"application", "notified"}, Categories: []model.Category{"criminal", "civil", "administrative", "non_litigation"},
			ClosedFrom: "2023-07-01", ClosedTo: "2024-05-31"},
	},
}

// noticeQuestions are the attachment's four questions, word for word.
var noticeQuestions = map[string]string{
	"charged_fee": "在法律援助案件代理过程中，案件代理人是否向您收费，或通过其他途径向您索要钱财物等行为。",
	"negligent":   "案件承办人员有无故意长时间压案不办、门难进、脸难看等懈怠行为。",
	"satisfied":   "对案件的办理是否满意。",
	"suggestion":  "对法律援助工作的意见和建议。",
}

func TestCampaignTemplateIsTheNotice(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		list := testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/campaign-templates", w.Tokens["manager"], nil), http.StatusOK)
		var templates []model.TemplateResponse
		list.JSON(t, &templates)
		if len(templates) == 0 || templates[0].Key != "zhashui-2024-53" || templates[0].DocumentNo != noticeCampaign.DocumentNo {
			t.Errorf("templates = %+v", templates)
		}

		r := testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/campaigns", w.Tokens["manager"], map[string]any{"template": "zhashui-2024-53"}), http.StatusCreated)
		testenv.CheckConventions(t, "campaign", r.Body)
		var got model.CampaignResponse
		r.JSON(t, &got)
		checkNotice(t, got)

		// GET answers the same, and the manager's list holds it.
		g := testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/campaigns/"+got.ID.String(), w.Tokens["centre_manager"], nil), http.StatusOK)
		var again model.CampaignResponse
		g.JSON(t, &again)
		checkNotice(t, again)
		if again.Settings.VisitSeed != got.Settings.VisitSeed || got.Settings.VisitSeed == 0 {
			t.Errorf("visit seed %d then %d: drawn once at creation and kept", got.Settings.VisitSeed, again.Settings.VisitSeed)
		}
		l := testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/campaigns", w.Tokens["manager"], nil), http.StatusOK).Map(t)
		if l["total"] != float64(1) {
			t.Errorf("list total %v", l["total"])
		}
		if countAudit(t, e, "campaign.create") != 1 {
			t.Error("campaign.create not audited")
		}
		for _, bad := range []string{"no-such-notice", "../etc/passwd"} {
			r := testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/campaigns", w.Tokens["manager"], map[string]any{"template": bad}), 422)
			expectField(t, r, "template")
		}
	})
}

// checkNotice compares a served campaign with the notice, field by field.
func checkNotice(t *testing.T, got model.CampaignResponse) {
	t.Helper()
	want := noticeCampaign
	if got.Name != want.Name || got.DocumentNo != want.DocumentNo || got.TargetRate != want.TargetRate || got.GradeBands != want.GradeBands {
		t.Errorf("name/document/target/bands = %q %q %v %+v", got.Name, got.DocumentNo, got.TargetRate, got.GradeBands)
	}
	if !reflect.DeepEqual(got.Phases, want.Phases) {
		t.Errorf("phases = %+v, want %+v", got.Phases, want.Phases)
	}
	if !reflect.DeepEqual(got.Scopes, want.Scopes) {
		t.Errorf("scopes = %+v, want %+v", got.Scopes, want.Scopes)
	}
	if len(got.Questions) != 4 {
		t.Fatalf("%d questions, want the form's 4", len(got.Questions))
	}
	for i, q := range got.Questions {
		if q.No != i+1 || noticeQuestions[q.Code] != q.Text {
			t.Errorf("question %d %s: %q", q.No, q.Code, q.Text)
		}
	}
	labels := func(q model.Question) map[string]string {
		m := map[string]string{}
		for _, o := range q.Options {
			m[o.Value] = o.Label
		}
		return m
	}
	if l := labels(got.Questions[2]); l["satisfied"] != "满意" || l["dissatisfied"] != "不满意" { // 满意 ( ) 不满意 ( )
		t.Errorf("question 3 options %v", l)
	}
	if f := got.Questions[2].FollowUp; f == nil || f.When != "dissatisfied" || len(f.Options) != 3 { // 办案态度和办理结果
		t.Errorf("question 3 follow-up %+v", f)
	}
	for _, q := range got.Questions[:2] {
		if l := labels(q); l["yes"] == "" || l["no"] == "" || l["unsure"] == "" || q.NoteField != q.Code+"_note" || !reflect.DeepEqual(q.NoteRequiredFor, []string{"yes"}) {
			t.Errorf("question %s: options %v, note %q %v", q.Code, l, q.NoteField, q.NoteRequiredFor)
		}
	}
	s := got.Settings
	if s.CallAttempts != 3 || s.CallAttemptDays != 2 || s.MinRetryGapMinutes != 120 || s.SyncGraceHours != 72 ||
		s.StaleAfterDays != 7 || s.FutureSkewMinutes != 5 || s.VisitSamplePercent != 10 || s.VisitSampleMin != 5 {
		t.Errorf("settings = %+v", s)
	}
}

// fullCampaign is a complete definition without a template.
func fullCampaign() map[string]any {
	var m map[string]any
	b, _ := json.Marshal(noticeCampaign)
	_ = json.Unmarshal(b, &m)
	delete(m, "settings")
	m["name"] = "自定义活动"
	m["questions"] = []map[string]any{{"no": 1, "code": "suggestion", "text": "意见和建议", "kind": "text"}}
	return m
}

func TestCampaignFromFullBody(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		r := testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/campaigns", w.Tokens["manager"], fullCampaign()), http.StatusCreated)
		var got model.CampaignResponse
		r.JSON(t, &got)
		if got.Name != "自定义活动" || got.Template != "" || !reflect.DeepEqual(got.Phases, noticeCampaign.Phases) || got.Settings.SyncGraceHours != 72 {
			t.Errorf("created %+v", got)
		}
		// A template with one field changed.
		r = testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/campaigns", w.Tokens["manager"],
			map[string]any{"template": "zhashui-2024-53", "name": "2025 年回访", "settings": map[string]any{"sync_grace_hours": 24}}), http.StatusCreated)
		r.JSON(t, &got)
		if got.Name != "2025 年回访" || got.Settings.SyncGraceHours != 24 || got.Settings.CallAttempts != 3 || got.DocumentNo != noticeCampaign.DocumentNo {
			t.Errorf("template with changes: %+v", got)
		}
		// Nothing at all: every missing part is named.
		r = testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/campaigns", w.Tokens["manager"], map[string]any{}), 422)
		for _, f := range []string{"name", "target_rate", "phases.calls", "phases.visits", "phases.reviews", "scopes.follow_up.sources", "scopes.review.closed_to", "questions"} {
			expectField(t, r, f)
		}
		testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/campaigns", w.Tokens["staff"], map[string]any{"template": "zhashui-2024-53"}), 403)
		testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/campaigns", w.Tokens["staff"], nil), 403)
	})
}

// expectField fails unless a 422 answer names field.
func expectField(t *testing.T, r *testenv.Response, field string) {
	t.Helper()
	var body struct {
		Code    string
		Details struct{ Fields map[string]string }
	}
	_ = json.Unmarshal(r.Body, &body)
	if r.Status != 422 || body.Code != "invalid_fields" || body.Details.Fields[field] == "" {
		t.Errorf("want 422 naming %s; got %d %s", field, r.Status, r.Body)
	}
}

// A bureau adds its own template by dropping a file into FAYUAN_CAMPAIGN_TEMPLATES_DIR; a file
// with a misspelt field is refused, never half-read.
func TestCampaignTemplatesFromADirectory(t *testing.T) {
	dir := t.TempDir()
	shipped, err := campaigns.New("").Get("zhashui-2024-53")
	if err != nil {
		t.Fatal(err)
	}
	own := strings.Replace(string(shipped), "柞政司发〔2024〕53号", "柞政司发〔2025〕12号", 1)
	bad := strings.Replace(string(shipped), `"target_rate"`, `"target_ratio"`, 1)
	for name, body := range map[string]string{"zhashui-2025-12.json": own, "broken.json": bad} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b, func(c *config.Config) { c.CampaignTemplatesDir = dir })
		w := e.Seed()
		var list []model.TemplateResponse
		testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/campaign-templates", w.Tokens["manager"], nil), http.StatusOK).JSON(t, &list)
		if len(list) != 2 || list[0].Key != "zhashui-2024-53" || list[1].Key != "zhashui-2025-12" || list[1].DocumentNo != "柞政司发〔2025〕12号" {
			t.Errorf("templates %+v", list)
		}
		r := testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/campaigns", w.Tokens["manager"], map[string]any{"template": "zhashui-2025-12"}), http.StatusCreated)
		if m := r.Map(t); m["document_no"] != "柞政司发〔2025〕12号" || m["template"] != "zhashui-2025-12" {
			t.Errorf("own template: %s", r.Body)
		}
		expectField(t, e.Do(http.MethodPost, "/api/v1/campaigns", w.Tokens["manager"], map[string]any{"template": "broken"}), "template")
	})
}
