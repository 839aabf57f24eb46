package api_test

import (
	"net/http"
	"testing"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// Counters a migration reset (or that never existed) are rebuilt by the server after it starts,
// in the background: until then progress is served live, with the same figures. Two servers
// starting on the same database build them once.
func TestProgressCountersBuiltAfterStart(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		e, w := cw.e, cw.w
		mgr := w.Tokens["manager"]
		for i, town := range []string{"营盘镇", "下梁镇", "凤凰镇"} {
			kase := cw.caseFor(t, "staff", town)
			outcome := "no_answer"
			if i < 2 {
				outcome = "reached"
			}
			cw.call(t, "staff", kase, callBody(i+1, "2024-05-24T09:30:00+08:00", outcome, answersIf(outcome)), http.StatusCreated)
		}
		live := progressJSON(t, e, mgr, cw.campaign, "?live=true")
		if err := e.App.DB.Exec("DELETE FROM progress_counters").Error; err != nil {
			t.Fatal(err)
		}
		if err := e.App.DB.Exec("DELETE FROM progress_cases").Error; err != nil {
			t.Fatal(err)
		}
		if got := progressJSON(t, e, mgr, cw.campaign, ""); got != live {
			t.Fatalf("without counters progress is not the live figures:\nserved %s\nlive   %s", got, live)
		}

		first, second := e.Replica(), e.Replica()
		<-first.ProgressBuilt
		<-second.ProgressBuilt
		var marks int64
		e.App.DB.Model(&model.ProgressCounter{}).Where("campaign_id = ? AND dim = 'built'", parseWireID(t, cw.campaign)).Count(&marks)
		if marks != 1 {
			t.Fatalf("%d build marks after two starts, want 1", marks)
		}
		if got := progressJSON(t, e, mgr, cw.campaign, ""); got != live {
			t.Fatalf("rebuilt counters differ from the live figures:\nserved %s\nlive   %s", got, live)
		}
	})
}

func answersIf(outcome string) map[string]any {
	if outcome != "reached" {
		return nil
	}
	return answers(nil)
}
