package service

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fayuan/model"
)

// applyFields lays the fields a client sent over a definition: absent fields stay, objects are
// replaced whole, settings field by field, and each listed phase replaces that phase.
func applyFields(s *model.CampaignSpec, f model.CampaignFields) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&s.Name, f.Name)
	set(&s.DocumentNo, f.DocumentNo)
	set(&s.Intro, f.Intro)
	if f.TargetRate != nil {
		s.TargetRate = *f.TargetRate
	}
	if f.GradeBands != nil {
		s.GradeBands = *f.GradeBands
	}
	for _, w := range f.Phases {
		i := slices.IndexFunc(s.Phases, func(x model.PhaseWindow) bool { return x.Phase == w.Phase })
		if i < 0 {
			s.Phases = append(s.Phases, w)
		} else {
			s.Phases[i] = w
		}
	}
	if f.Scopes != nil && f.Scopes.FollowUp != nil {
		s.Scopes.FollowUp = *f.Scopes.FollowUp
	}
	if f.Scopes != nil && f.Scopes.Review != nil {
		s.Scopes.Review = *f.Scopes.Review
	}
	if f.Questions != nil {
		s.Questions = f.Questions
	}
	if p := f.Settings; p != nil {
		st := &s.Settings
		for _, x := range []struct {
			dst *int
			v   *int
		}{{&st.CallAttempts, p.CallAttempts}, {&st.CallAttemptDays, p.CallAttemptDays}, {&st.MinRetryGapMinutes, p.MinRetryGapMinutes},
			{&st.SyncGraceHours, p.SyncGraceHours}, {&st.StaleAfterDays, p.StaleAfterDays}, {&st.FutureSkewMinutes, p.FutureSkewMinutes},
			{&st.VisitSamplePercent, p.VisitSamplePercent}, {&st.VisitSampleMin, p.VisitSampleMin}, {&st.AlertDueDays, p.AlertDueDays}} {
			if x.v != nil {
				*x.dst = *x.v
			}
		}
		if p.VisitSeed != nil {
			st.VisitSeed = *p.VisitSeed
		}
	}
}

var questionCodeRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// validateSpec checks a whole definition, naming every bad field, and puts the phases in order.
func validateSpec(s *model.CampaignSpec) error {
	bad := map[string]string{}
	if n := utf8.RuneCountInString(s.Name); n == 0 || n > 200 {
		bad["name"] = "名称应为 1–200 个字"
	}
	if utf8.RuneCountInString(s.DocumentNo) > 100 {
		bad["document_no"] = "文号最多 100 个字"
	}
	if utf8.RuneCountInString(s.Intro) > 1000 {
		bad["intro"] = "开场白最多 1000 个字"
	}
	if r := s.TargetRate; math.IsNaN(r) || r <= 0 || r > 1 {
		bad["target_rate"] = "目标回访率应大于 0 且不超过 1（如 0.9）"
	}
	validateBands(s.GradeBands, bad)
	s.Phases = validatePhases(s.Phases, bad)
	validateScope("scopes.follow_up", &s.Scopes.FollowUp, bad)
	validateScope("scopes.review", &s.Scopes.Review, bad)
	validateQuestions(s.Questions, bad)
	validateSettings(s.Settings, bad)
	if len(bad) > 0 {
		return model.Invalid(bad)
	}
	return nil
}

func validateBands(b model.GradeBands, bad map[string]string) {
	bands := []struct {
		field, label string
		v            float64
	}{{"grade_bands.excellent", "优秀", b.Excellent}, {"grade_bands.good", "良好", b.Good}, {"grade_bands.qualified", "合格", b.Qualified}}
	for i, x := range bands {
		switch {
		case math.IsNaN(x.v) || x.v < 0 || x.v > 100:
			bad[x.field] = "分数线应在 0–100 之间"
		case i > 0 && x.v >= bands[i-1].v:
			bad[x.field] = x.label + "分数线应低于" + bands[i-1].label + "分数线"
		}
	}
}

// validatePhases checks each phase's dates and that the phases follow one another without
// overlapping; it returns them in the notice's order.
func validatePhases(ws []model.PhaseWindow, bad map[string]string) []model.PhaseWindow {
	byPhase := map[model.Phase]model.PhaseWindow{}
	for _, w := range ws {
		if !w.Phase.Valid() {
			bad["phases"] = "未知阶段：" + string(w.Phase) + "（应为 calls、visits 或 reviews）"
			continue
		}
		if _, dup := byPhase[w.Phase]; dup {
			bad["phases"] = "阶段重复：" + string(w.Phase)
		}
		byPhase[w.Phase] = w
	}
	var out []model.PhaseWindow
	var prev *model.PhaseWindow // the previous phase, when its dates are valid
	for _, p := range model.Phases {
		w, ok := byPhase[p]
		f := "phases." + string(p)
		if !ok {
			bad[f] = "缺少" + model.PhaseLabels[p] + "阶段"
			prev = nil
			continue
		}
		out = append(out, w)
		_, okStart := parseDate(w.Start)
		_, okEnd := parseDate(w.End)
		switch {
		case !okStart:
			bad[f+".start"] = "日期格式应为 YYYY-MM-DD"
		case prev != nil && w.Start <= prev.End:
			bad[f+".start"] = fmt.Sprintf("应晚于%s阶段的结束日期 %s（阶段不能重叠）", model.PhaseLabels[prev.Phase], prev.End)
		}
		switch {
		case !okEnd:
			bad[f+".end"] = "日期格式应为 YYYY-MM-DD"
		case okStart && w.End < w.Start:
			bad[f+".end"] = "结束日期不能早于开始日期"
		}
		if okStart && okEnd {
			prev = &w
		} else {
			prev = nil
		}
	}
	return out
}

func validateScope(field string, s *model.Scope, bad map[string]string) {
	s.Sources = dedupeValues(s.Sources)
	s.Categories = dedupeValues(s.Categories)
	if len(s.Sources) == 0 {
		bad[field+".sources"] = "至少选择一种案件来源"
	}
	for _, x := range s.Sources {
		if _, ok := model.SourceLabels[x]; !ok {
			bad[field+".sources"] = "未知案件来源：" + string(x)
		}
	}
	if len(s.Categories) == 0 {
		bad[field+".categories"] = "至少选择一种案件类别"
	}
	for _, x := range s.Categories {
		if _, ok := model.CategoryLabels[x]; !ok {
			bad[field+".categories"] = "未知案件类别：" + string(x)
		}
	}
	_, okFrom := parseDate(s.ClosedFrom)
	_, okTo := parseDate(s.ClosedTo)
	if !okFrom {
		bad[field+".closed_from"] = "日期格式应为 YYYY-MM-DD"
	}
	switch {
	case !okTo:
		bad[field+".closed_to"] = "日期格式应为 YYYY-MM-DD"
	case okFrom && s.ClosedTo < s.ClosedFrom:
		bad[field+".closed_to"] = "结案日期止不能早于结案日期起"
	}
}

func validateQuestions(qs []model.Question, bad map[string]string) {
	if len(qs) == 0 {
		bad["questions"] = "至少需要一个问题"
	}
	codes := map[string]bool{}
	for i, q := range qs {
		f := "questions[" + strconv.Itoa(i) + "]"
		switch {
		case !questionCodeRE.MatchString(q.Code):
			bad[f+".code"] = "代码应为小写字母开头的字母、数字或下划线"
		case codes[q.Code]:
			bad[f+".code"] = "问题代码重复：" + q.Code
		}
		codes[q.Code] = true
		if n := utf8.RuneCountInString(strings.TrimSpace(q.Text)); n == 0 || n > 500 {
			bad[f+".text"] = "问题文字应为 1–500 个字"
		}
		switch q.Kind {
		case "text":
		case "choice":
			if len(q.Options) < 2 || slices.ContainsFunc(q.Options, func(o model.QuestionOption) bool { return o.Value == "" || o.Label == "" }) {
				bad[f+".options"] = "选择题至少需要两个选项，每个选项都要有值和文字"
			}
		default:
			bad[f+".kind"] = "题型应为 choice 或 text"
		}
	}
}

func validateSettings(s model.CampaignSettings, bad map[string]string) {
	for _, x := range []struct {
		field     string
		v, lo, hi int
	}{
		{"call_attempts", s.CallAttempts, 1, 20}, {"call_attempt_days", s.CallAttemptDays, 1, max(1, s.CallAttempts)},
		{"min_retry_gap_minutes", s.MinRetryGapMinutes, 0, 24 * 60}, {"sync_grace_hours", s.SyncGraceHours, 0, 30 * 24},
		{"stale_after_days", s.StaleAfterDays, 1, 365}, {"future_skew_minutes", s.FutureSkewMinutes, 0, 24 * 60},
		{"visit_sample_percent", s.VisitSamplePercent, 0, 100}, {"visit_sample_min", s.VisitSampleMin, 0, 1000},
		{"alert_due_days", s.AlertDueDays, 1, 365},
	} {
		if x.v < x.lo || x.v > x.hi {
			bad["settings."+x.field] = fmt.Sprintf("应在 %d–%d 之间", x.lo, x.hi)
		}
	}
	if s.VisitSeed < 0 || s.VisitSeed >= 1<<53 {
		bad["settings.visit_seed"] = "应为 0 到 2^53 之间的整数"
	}
}

// parseDate reads a calendar date "YYYY-MM-DD" as midnight in Asia/Shanghai.
func parseDate(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, s, model.Shanghai)
	if err != nil || t.Format(time.DateOnly) != s {
		return time.Time{}, false
	}
	return t, true
}

func dedupeValues[T comparable](xs []T) []T {
	out := []T{}
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
