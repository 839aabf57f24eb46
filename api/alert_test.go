package api_test

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	"fayuan/internal/testenv"
)

type alertItem struct {
	ID             string  `json:"id"`
	CaseID         string  `json:"case_id"`
	Kind           string  `json:"kind"`
	Severity       int     `json:"severity"`
	Channel        string  `json:"channel"`
	SourceID       string  `json:"source_id"`
	HandlerName    string  `json:"handler_name"`
	HandlerOrgID   *string `json:"handler_org_id"`
	Words          string  `json:"words"`
	Status         string  `json:"status"`
	Overdue        bool    `json:"overdue"`
	InvestigatorID *string `json:"investigator_id"`
	Conclusion     *string `json:"conclusion"`
}

type alertList struct {
	Items    []alertItem    `json:"items"`
	Total    int            `json:"total"`
	ByKind   map[string]int `json:"by_kind"`
	ByStatus map[string]int `json:"by_status"`
	Overdue  int            `json:"overdue"`
}

func (cw *callWorld) alerts(t *testing.T, query string) alertList {
	t.Helper()
	r := testenv.Expect(t, cw.e.Do(http.MethodGet, "/api/v1/campaigns/"+cw.campaign+"/alerts"+query, cw.w.Tokens["manager"], nil), http.StatusOK)
	testenv.CheckConventions(t, "alerts", r.Body)
	testenv.ScanForPersonalData(t, cw.e, "alerts", r.Body)
	var out alertList
	r.JSON(t, &out)
	return out
}

// A "yes" to question 1 or 2, or dissatisfied, opens alerts with the answer: kind, severity,
// the case, its handler and organisation, the recipient's words, the channel. A later "no"
// never closes or downgrades them.
func TestAlertsOpenWithTheAnswerAndSurvive(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		kase := cw.caseFor(t, "staff", "营盘镇")
		honest := cw.caseFor(t, "staff", "营盘镇")
		m := cw.call(t, "staff", kase, callBody(1, "2024-05-24T09:30:00+08:00", "reached", answers(map[string]any{
			"charged_fee": "yes", "charged_fee_note": "律师收了 500 元辛苦费", "negligent": "yes", "negligent_note": "三个月没联系",
			"satisfied": "dissatisfied", "dissatisfied_about": "attitude", "answered_by": "family", "relationship": "儿子"})), http.StatusCreated).Map(t)
		cw.call(t, "staff", honest, callBody(2, "2024-05-24T09:40:00+08:00", "reached", answers(nil)), http.StatusCreated)

		list := cw.alerts(t, "")
		if list.Total != 3 || len(list.Items) != 3 {
			t.Fatalf("alerts %+v, want 3", list)
		}
		wantKinds := []struct {
			kind     string
			severity int
			words    string
		}{{"fee", 3, "律师收了 500 元辛苦费"}, {"negligence", 2, "三个月没联系"}, {"dissatisfaction", 1, "不满意（attitude）：无"}}
		for i, w := range wantKinds {
			a := list.Items[i]
			if a.Kind != w.kind || a.Severity != w.severity || a.Words != w.words || a.Channel != "call" || a.SourceID != m["id"] ||
				a.CaseID != kase || a.HandlerName != "承办人" || a.HandlerOrgID == nil || *a.HandlerOrgID != cw.w.FirmA || a.Status != "open" || a.Overdue {
				t.Errorf("alert %d: %+v, want %+v", i, a, w)
			}
		}
		if list.ByKind["fee"] != 1 || list.ByKind["negligence"] != 1 || list.ByKind["dissatisfaction"] != 1 || list.ByStatus["open"] != 3 {
			t.Errorf("counts by kind %v by status %v", list.ByKind, list.ByStatus)
		}
		for q, n := range map[string]int{"?kind=fee": 1, "?org=" + cw.w.FirmA: 3, "?org=" + cw.w.FirmB: 0, "?status=closed": 0, "?status=open&kind=negligence": 1} {
			if got := cw.alerts(t, q); got.Total != n || len(got.Items) != n {
				t.Errorf("%s: %d alerts, want %d", q, got.Total, n)
			}
		}
		testenv.Expect(t, cw.e.Do(http.MethodGet, "/api/v1/campaigns/"+cw.campaign+"/alerts?kind=bribe", cw.w.Tokens["manager"], nil), http.StatusUnprocessableEntity)
		testenv.Expect(t, cw.e.Do(http.MethodGet, "/api/v1/campaigns/"+cw.campaign+"/alerts", cw.w.Tokens["staff"], nil), http.StatusForbidden)

		// The recipient, asked again, now says no to everything: the alerts stand as they were.
		cw.e.Clock.Advance(24 * time.Hour)
		relogin(cw.e, cw.w, "staff", "manager")
		later := cw.call(t, "staff", kase, callBody(3, "2024-05-25T09:30:00+08:00", "reached", answers(nil)), http.StatusCreated).Map(t)
		if later["extra"] != true {
			t.Errorf("a call after reached is an extra contact: %v", later)
		}
		after := cw.alerts(t, "")
		if after.Total != 3 || after.ByStatus["open"] != 3 {
			t.Errorf("after a later no: %+v", after)
		}
		for i := range after.Items {
			if !reflect.DeepEqual(after.Items[i], list.Items[i]) {
				t.Errorf("alert %d changed: %+v → %+v", i, list.Items[i], after.Items[i])
			}
		}
		// Open past the deadline (15 days by default): flagged overdue.
		cw.e.Clock.Advance(15 * 24 * time.Hour)
		relogin(cw.e, cw.w, "manager")
		if late := cw.alerts(t, "?status=overdue"); late.Total != 3 || late.Overdue != 3 || !late.Items[0].Overdue {
			t.Errorf("overdue: %+v", late)
		}
	})
}

// The call and its alert commit together: an alert insert that fails (a trigger rejects it)
// leaves no call, no summary change and no audit row.
func TestAlertFailureRollsBackTheCall(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		kase := cw.caseFor(t, "staff", "营盘镇")
		trigger := "CREATE TRIGGER alerts_reject BEFORE INSERT ON alerts BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
		if b == testenv.MySQL {
			trigger = "CREATE TRIGGER alerts_reject BEFORE INSERT ON alerts FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure'"
		}
		if err := cw.e.App.DB.Exec(trigger).Error; err != nil {
			t.Fatal(err)
		}
		cw.call(t, "staff", kase, callBody(1, "2024-05-24T09:30:00+08:00", "reached",
			answers(map[string]any{"charged_fee": "yes", "charged_fee_note": "收了钱"})), http.StatusInternalServerError)
		if n := countRows(t, cw.e, "calls", "1 = 1"); n != 0 {
			t.Errorf("%d calls stored without their alert", n)
		}
		if a := cw.assignmentRow(t, kase); a.Attempts != 0 || a.Status != "pending" || a.LastOutcome != "" {
			t.Errorf("summary changed without the call: %+v", a)
		}
		if n := countAudit(t, cw.e, "call.record"); n != 0 {
			t.Errorf("%d audit rows for a call that was not stored", n)
		}
		// Without an alert to open, the same kind of call goes through: the trigger is the only fault.
		cw.call(t, "staff", kase, callBody(2, "2024-05-24T09:35:00+08:00", "reached", answers(nil)), http.StatusCreated)
	})
}
