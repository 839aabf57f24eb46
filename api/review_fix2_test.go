package api_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"fayuan/internal/review"
	"fayuan/internal/testenv"
	"fayuan/model"
)

// Both sheets of a file submitted at the same moment, through two server processes: the second
// submit to commit must see the first, so the file always ends with its final score, or a third
// sheet when the two diverge — never undecided.
func TestReviewConcurrentSubmitsDecideTheFile(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newReviewWorld(t, b)
		const rounds = 6
		cases := make([]uint64, rounds)
		for i := range cases {
			cases[i] = rw.kase(t, rw.w.Office, campaignCase{})
		}
		rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("reviewer", "rev_centre")}, http.StatusOK)
		for _, k := range cases {
			rw.receive(t, k)
		}
		handlers := []http.Handler{rw.e.App.Handler, rw.e.Replica().Handler}
		for i, k := range cases {
			diverge := i%2 == 1
			totals := map[string]review.Tenths{"reviewer": 50, "rev_centre": 60} // 95.0 and 94.0
			if diverge {
				totals["rev_centre"] = 150 // 85.0: ten points apart
			}
			var (
				wg    sync.WaitGroup
				start = make(chan struct{})
				codes = map[string]int{}
				mu    sync.Mutex
			)
			for j, name := range []string{"reviewer", "rev_centre"} {
				sh := rw.sheetOf(t, k, name)
				body := map[string]any{"version": sh.Version, "items": deductions(t, totals[name]), "submit": true}
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					r := rw.e.Send(testenv.Request{Method: http.MethodPut, Path: "/api/v1/reviews/" + wireID(sh.ID), Token: rw.token(name),
						Body: body, Handler: handlers[j]})
					mu.Lock()
					codes[name] = r.Status
					mu.Unlock()
				}()
			}
			close(start)
			wg.Wait()
			if codes["reviewer"] != http.StatusOK || codes["rev_centre"] != http.StatusOK {
				t.Fatalf("round %d: statuses %v, want both 200", i, codes)
			}
			f := rw.file(t, k)
			sheets := rw.sheets(t, k)
			switch {
			case diverge && (!f.NeedsThird || f.FinalScore != nil || len(sheets) != 3 || !sheets[2].Third):
				t.Errorf("round %d, 95.0 and 85.0: needs third %v final %v, %d sheets; want a third sheet", i, f.NeedsThird, f.FinalScore, len(sheets))
			case !diverge && (f.FinalScore == nil || *f.FinalScore != 945 || f.FinalGrade != "excellent" || f.NeedsThird):
				t.Errorf("round %d, 95.0 and 94.0: final %v %q third %v; want 94.5 excellent", i, f.FinalScore, f.FinalGrade, f.NeedsThird)
			}
		}
	})
}

// The triggers in the settings PUT change only what is sent (divergence alone leaves the others
// on), the veto trigger cannot be switched off (422 naming it, nothing changed), and so two
// sheets that both apply a veto call a third reviewer instead of averaging to 优秀.
func TestReviewSettingsTriggersMergeAndVetoStays(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newReviewWorld(t, b)
		k := rw.kase(t, rw.w.Office, campaignCase{})
		rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("reviewer", "rev_centre")}, http.StatusOK)
		rw.receive(t, k)
		path := "/api/v1/campaigns/" + rw.campaign + "/review-settings"
		settings := func() model.ReviewSettingsResponse {
			t.Helper()
			var out model.ReviewSettingsResponse
			testenv.Expect(t, rw.e.Do(http.MethodGet, path, rw.token("manager"), nil), http.StatusOK).JSON(t, &out)
			return out
		}
		var put model.ReviewSettingsResponse
		testenv.Expect(t, rw.e.Do(http.MethodPut, path, rw.token("manager"), map[string]any{"triggers": map[string]any{"divergence": 15}}),
			http.StatusOK).JSON(t, &put)
		want := model.ReviewTriggers{Divergence: 150, DifferentGrades: true, Unqualified: true, Veto: true}
		if put.Triggers != want || settings().Triggers != want {
			t.Errorf("after divergence 15 alone: put %+v, get %+v; want %+v", put.Triggers, settings().Triggers, want)
		}
		for _, body := range []map[string]any{
			{"triggers": map[string]any{"veto": false}},
			{"triggers": map[string]any{"divergence": 20, "different_grades": false, "unqualified": false, "veto": false}},
		} {
			r := testenv.Expect(t, rw.e.Do(http.MethodPut, path, rw.token("manager"), body), http.StatusUnprocessableEntity)
			if !strings.Contains(string(r.Body), `"triggers.veto"`) {
				t.Errorf("switching the veto trigger off: %s, want the field triggers.veto", r.Body)
			}
		}
		if got := settings().Triggers; got != want {
			t.Errorf("refused changes changed the triggers: %+v", got)
		}
		// The other triggers may be switched off; the veto one stays.
		testenv.Expect(t, rw.e.Do(http.MethodPut, path, rw.token("manager"), map[string]any{"triggers": map[string]any{
			"divergence": 0, "different_grades": false, "unqualified": false, "veto": true}}), http.StatusOK)
		for _, name := range []string{"reviewer", "rev_centre"} {
			sh := rw.sheetOf(t, k, name)
			rw.save(t, name, sh.ID, map[string]any{"version": sh.Version, "items": deductions(t, 50), "submit": true,
				"vetoes": []any{map[string]any{"code": "V1", "reason": "收取受援人财物"}}}, http.StatusOK)
		}
		f := rw.file(t, k)
		if f.FinalScore != nil || f.FinalGrade == "excellent" || !f.NeedsThird || len(rw.sheets(t, k)) != 3 {
			t.Errorf("two vetoes at 95.0: final %v %q third %v, %d sheets; want a third reviewer", f.FinalScore, f.FinalGrade, f.NeedsThird, len(rw.sheets(t, k)))
		}
	})
}

// An upload keeps its key's categories: the criminal table cannot be stored under the civil
// default key (422 naming applies_to, nothing stored), a revised civil table with the same
// categories may; and a file is only ever scored on a version made for its category, even when
// a stray version of another category sits under the key.
func TestReviewRubricUploadKeepsCategories(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newReviewWorld(t, b)
		body := func(id string, applies ...string) map[string]any {
			rb := ownRubric(40)
			rb["id"], rb["applies_to"] = id, applies
			return rb
		}
		versions := func(key string) int64 {
			var n int64
			rw.e.App.DB.Model(&model.RubricTemplate{}).Where("rubric_key = ?", key).Count(&n)
			return n
		}
		for _, c := range []struct {
			id      string
			applies []string
		}{{"civil-administrative", []string{"criminal"}}, {"civil-administrative", []string{"civil"}}, {"hearing", []string{"civil", "administrative"}}} {
			r := testenv.Expect(t, rw.e.Do(http.MethodPost, "/api/v1/rubrics", rw.token("manager"), body(c.id, c.applies...)), http.StatusUnprocessableEntity)
			if fields, _ := r.Map(t)["details"].(map[string]any)["fields"].(map[string]any); fields["applies_to"] == nil {
				t.Errorf("%s for %v: %s, want the field applies_to", c.id, c.applies, r.Body)
			}
			if n := versions(c.id); n != 1 {
				t.Errorf("a refused upload stored a version of %s: %d versions", c.id, n)
			}
		}
		var v2 model.RubricTemplateResponse
		testenv.Expect(t, rw.e.Do(http.MethodPost, "/api/v1/rubrics", rw.token("manager"), body("civil-administrative", "administrative", "civil")),
			http.StatusCreated).JSON(t, &v2)
		if v2.Version != 2 {
			t.Fatalf("revised civil table stored as version %d, want 2", v2.Version)
		}
		// A stray criminal version 3 under the civil key, as an upload before this rule could leave.
		stray := model.RubricTemplate{Key: "civil-administrative", Version: 3, Title: "误传", AppliesTo: "criminal", Body: "{}", CreatedAt: rw.e.Clock.Now()}
		if err := rw.e.App.DB.Create(&stray).Error; err != nil {
			t.Fatal(err)
		}
		k := rw.kase(t, rw.w.Office, campaignCase{})
		rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("reviewer", "rev_centre")}, http.StatusOK)
		for _, sh := range rw.sheets(t, k) {
			if sh.RubricKey != "civil-administrative" || sh.RubricVersion != 2 {
				t.Errorf("civil file's sheet on %s v%d, want civil-administrative v2", sh.RubricKey, sh.RubricVersion)
			}
		}
	})
}

// A user who is both manager and reviewer is blind on the files they score: the colleague's
// sheet is 404 and left out of their list until every sheet is submitted, then readable and
// listed without its reviewer; files they do not score they see as any manager does.
func TestReviewManagerReviewerStaysBlind(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newReviewWorld(t, b)
		rw.rev["mgr_rev"] = rw.e.CreateUser(rw.e.AdminToken(), "mgr_rev", rw.w.AidCenter, "manager", "reviewer")
		rw.w.Tokens["mgr_rev"], _ = rw.e.Login("mgr_rev", testenv.Password("mgr_rev"))
		mineK := rw.kase(t, rw.w.Office, campaignCase{})
		rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("mgr_rev", "rev_centre")}, http.StatusOK)
		otherK := rw.kase(t, rw.w.Office, campaignCase{})
		rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("reviewer", "rev_centre"),
			"sample": map[string]any{"case_nos": []string{caseNo(t, rw, otherK)}}}, http.StatusOK)
		rw.receive(t, mineK)
		rw.receive(t, otherK)
		own, colleague := rw.sheetOf(t, mineK, "mgr_rev"), rw.sheetOf(t, mineK, "rev_centre")
		read := func(name string, id uint64, status int) {
			t.Helper()
			testenv.Expect(t, rw.e.Do(http.MethodGet, "/api/v1/reviews/"+wireID(id), rw.token(name), nil), status)
		}
		list := func() map[model.ID]model.SheetSummary {
			t.Helper()
			var l model.List[model.SheetSummary]
			testenv.Expect(t, rw.e.Do(http.MethodGet, "/api/v1/campaigns/"+rw.campaign+"/reviews", rw.token("mgr_rev"), nil), http.StatusOK).JSON(t, &l)
			out := map[model.ID]model.SheetSummary{}
			for _, s := range l.Items {
				out[s.ID] = s
			}
			if int(l.Total) != len(out) {
				t.Errorf("list total %d for %d items", l.Total, len(out))
			}
			return out
		}
		read("mgr_rev", own.ID, http.StatusOK)
		read("mgr_rev", colleague.ID, http.StatusNotFound)
		read("manager", colleague.ID, http.StatusOK)
		for _, sh := range rw.sheets(t, otherK) {
			read("mgr_rev", sh.ID, http.StatusOK) // a file they do not score
		}
		l := list()
		if _, ok := l[model.ID(colleague.ID)]; ok || len(l) != 3 || l[model.ID(own.ID)].ReviewerID == nil {
			t.Errorf("blind list: %+v; want their own sheet and the other file's two, not the colleague's", l)
		}
		for _, sh := range rw.sheets(t, otherK) {
			if s := l[model.ID(sh.ID)]; s.ReviewerID == nil || *s.ReviewerID != model.ID(sh.ReviewerID) {
				t.Errorf("a file they do not score: %+v, want its reviewer", s)
			}
		}

		rw.score(t, "rev_centre", mineK, 50)
		read("mgr_rev", colleague.ID, http.StatusNotFound) // one submitted is not both
		if _, ok := list()[model.ID(colleague.ID)]; ok {
			t.Error("the colleague's submitted sheet is listed before the manager's own is in")
		}
		rw.score(t, "mgr_rev", mineK, 60)
		read("mgr_rev", colleague.ID, http.StatusOK)
		l = list()
		if s, ok := l[model.ID(colleague.ID)]; !ok || s.ReviewerID != nil || len(l) != 4 {
			t.Errorf("after both submitted: %+v; want the colleague's sheet listed without its reviewer", l)
		}
	})
}
