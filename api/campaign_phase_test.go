package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"fayuan/campaigns"
	"fayuan/internal/testenv"
	"fayuan/model"
	"fayuan/service"
)

func TestPhaseExtension(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		cid := startCampaign(t, e, w)
		extend := func(token, phase string, body map[string]any) *testenv.Response {
			return e.Do(http.MethodPost, "/api/v1/campaigns/"+cid+"/phases/"+phase+"/extend", token, body)
		}
		svc := service.NewCampaigns(e.App.DB, e.Clock, service.NewAudit(e.App.DB, e.Clock), campaigns.New(""), nil)
		judge := func(at string) error {
			ts, err := time.Parse(time.RFC3339, at)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = svc.JudgeNow(e.App.DB, parseWireID(t, cid), model.PhaseCalls, ts)
			return err
		}

		// On 16 June a call made on the 16th is refused, naming the window.
		e.Clock.Set(time.Date(2024, 6, 16, 10, 0, 0, 0, model.Shanghai))
		relogin(e, w, "manager", "staff")
		err := judge("2024-06-16T09:00:00+08:00")
		if me, ok := model.AsError(err); !ok || me.Status != 409 || me.Code != "phase_closed" || !strings.Contains(me.Message, "电话回访阶段为 2024-05-24 至 2024-06-15") {
			t.Fatalf("before extension: %v", err)
		}

		expectField(t, extend(w.Tokens["manager"], "calls", map[string]any{"end": "2024-06-17"}), "reason")
		expectField(t, extend(w.Tokens["manager"], "calls", map[string]any{"end": "2024-06-14", "reason": "x"}), "end")
		expectField(t, extend(w.Tokens["manager"], "calls", map[string]any{"end": "17 June", "reason": "x"}), "end")
		r := testenv.Expect(t, extend(w.Tokens["manager"], "calls", map[string]any{"end": "2024-06-16", "reason": "汛期"}), 409)
		if r.Code() != "phases_overlap" || !strings.Contains(r.Map(t)["message"].(string), "实地走访阶段为 2024-06-16 至 2024-06-30") {
			t.Errorf("overlap: %s", r.Body)
		}
		testenv.Expect(t, extend(w.Tokens["manager"], "hearings", map[string]any{"end": "2024-09-01", "reason": "x"}), 404)
		testenv.Expect(t, extend(w.Tokens["staff"], "calls", map[string]any{"end": "2024-06-16", "reason": "x"}), 403)
		if countAudit(t, e, "campaign.phase_extend") != 0 {
			t.Error("a refused extension was audited as done")
		}

		// Move the visits back two days, then extend the calls by two.
		testenv.Expect(t, e.Do(http.MethodPatch, "/api/v1/campaigns/"+cid, w.Tokens["manager"], map[string]any{
			"phases": []map[string]any{{"phase": "visits", "start": "2024-06-18", "end": "2024-06-30"}}}), http.StatusOK)
		r = testenv.Expect(t, extend(w.Tokens["manager"], "calls", map[string]any{"end": "2024-06-17", "reason": "汛期道路中断，延长两天"}), http.StatusOK)
		if got := r.Map(t)["phases"].([]any)[0].(map[string]any); got["start"] != "2024-05-24" || got["end"] != "2024-06-17" {
			t.Errorf("extended window %v", got)
		}
		if err := judge("2024-06-16T09:00:00+08:00"); err != nil {
			t.Errorf("after extension: %v", err)
		}
		if err := judge("2024-06-18T00:00:00+08:00"); err == nil || !strings.Contains(err.Error(), "2024-05-24 至 2024-06-17") {
			t.Errorf("after the new end: %v", err)
		}
		var a model.AuditLog
		if err := e.App.DB.Where("action = ?", "campaign.phase_extend").Take(&a).Error; err != nil || a.Reason != "汛期道路中断，延长两天" || a.ObjectID != cid {
			t.Errorf("extension audit %+v %v", a, err)
		}
	})
}
