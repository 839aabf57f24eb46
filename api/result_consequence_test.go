package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"fayuan/internal/testenv"
)

// Consequences 根据评查结果和回访情况, through the API: each grade, a veto, a substantiated fee
// alert with 不合格 (and with a passing grade), confirmed by a manager after the objection window,
// with the default policy (优秀 rewarded; 不合格 −30% of the subsidy; fee alert = money veto).
func TestResultConsequencesByGrade(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newResultWorld(t, b)
		type want struct {
			score, grade                     string
			reward, rect, withheld, referral bool
			reduction, payable               int64
			reason                           string
		}
		cases := []struct {
			name         string
			a, b, third  float64
			vetoA, vetoB bool
			fee          bool
			serious      bool
			want         want
		}{
			{name: "excellent", a: 95, b: 93, want: want{score: "94.0", grade: "excellent", reward: true, payable: 150000, reason: "列入奖励名单"}},
			{name: "good", a: 85, b: 84, want: want{score: "84.5", grade: "good", payable: 150000}},
			{name: "qualified", a: 75, b: 74, want: want{score: "74.5", grade: "qualified", payable: 150000}},
			{name: "unqualified", a: 65, b: 66, third: 64, want: want{score: "65.0", grade: "unqualified", rect: true, reduction: 45000, payable: 105000,
				reason: "1500.00元 × 30% = 450.00元"}},
			// Two of three sheets apply the veto: 不合格 whatever the points, reduced but never withheld.
			{name: "veto", a: 88, b: 90, third: 86, vetoA: true, vetoB: true, serious: false, want: want{score: "88.0", grade: "unqualified", rect: true,
				reduction: 45000, payable: 105000, reason: "一票否决本身不导致不予兑付补贴"}},
			// 不合格, a substantiated fee alert and 严重不负责任: withheld and referred.
			{name: "fee alert, unqualified, seriously irresponsible", a: 60, b: 62, third: 61, fee: true, serious: true,
				want: want{score: "61.0", grade: "unqualified", rect: true, withheld: true, referral: true, payable: 0, reason: "不予兑付办案补贴 1500.00元，并移送处理"}},
			// A substantiated fee alert without the finding: the money veto makes it 不合格, reduced only.
			{name: "fee alert, good sheets", a: 85, b: 84, fee: true, want: want{score: "84.5", grade: "unqualified", rect: true, reduction: 45000, payable: 105000,
				reason: "回访核实违规收费属实"}},
		}
		ids := make([]string, len(cases))
		for i, c := range cases {
			user := ""
			if c.fee {
				user = "staff"
			}
			ids[i] = rw.file(t, user, 150000)
			rw.sheets(t, ids[i], c.a, c.b, c.third, c.vetoA, c.vetoB)
			if c.fee {
				rw.substantiateFee(t, ids[i], i)
			}
		}
		pub := rw.publish(t)
		if pub["published"] != float64(len(cases)) {
			t.Fatalf("published %v, want %d", pub, len(cases))
		}
		page, _ := rw.results(t, "manager")
		for i, c := range cases {
			r := page.byCase(t, ids[i])
			if r.Status != "provisional" || r.ConsequenceConfirmed || r.Consequence == nil {
				t.Errorf("%s: before confirmation %+v; want provisional with a proposed consequence", c.name, r)
			}
			// Inside the window no consequence can be confirmed.
			if rr := rw.do(t, http.MethodPost, rw.path("/results/"+ids[i]+"/confirm"), "manager", map[string]any{"version": r.Version}, http.StatusConflict); rr.Code() != "objection_window_open" {
				t.Errorf("%s: confirm inside the window: %s", c.name, rr.Body)
			}
		}
		rw.e.Clock.Advance(8 * 24 * time.Hour)
		relogin(rw.e, rw.w, "manager")
		for i, c := range cases {
			body := map[string]any{"version": 1}
			if c.serious {
				body["seriously_irresponsible"], body["note"] = true, "经调查，承办人长期不会见当事人，办案严重不负责任"
			}
			rw.do(t, http.MethodPost, rw.path("/results/"+ids[i]+"/confirm"), "manager", body, http.StatusOK)
		}
		page, _ = rw.results(t, "manager")
		for i, c := range cases {
			r := page.byCase(t, ids[i])
			cq := r.Consequence
			if r.Status != "final" || !r.ConsequenceConfirmed || cq == nil {
				t.Errorf("%s: %+v, want final with a confirmed consequence", c.name, r)
				continue
			}
			got := want{score: r.Score, grade: cq.Grade, reward: cq.Reward, rect: cq.Rectification, withheld: cq.Withheld, referral: cq.Referral,
				reduction: cq.ReductionCents, payable: cq.PayableCents, reason: c.want.reason}
			if got != c.want {
				t.Errorf("%s: got %+v\nwant %+v", c.name, got, c.want)
			}
			if c.want.reason != "" && !strings.Contains(strings.Join(cq.Reasons, "\n"), c.want.reason) {
				t.Errorf("%s: reasons %q lack %q", c.name, cq.Reasons, c.want.reason)
			}
			if (r.Rectification != nil) != c.want.rect {
				t.Errorf("%s: rectification task %+v, want %v", c.name, r.Rectification, c.want.rect)
			}
			if cq.SubsidyCents != 150000 || cq.PayableCents+cq.ReductionCents != 150000 && !cq.Withheld {
				t.Errorf("%s: subsidy arithmetic %+v", c.name, cq)
			}
		}
		if n := countAudit(t, rw.e, "result.confirm"); n != int64(len(cases)) {
			t.Errorf("%d confirmations audited, want %d", n, len(cases))
		}
	})
}

// Subsidy reduction per deducted point, with a cap, rounded half up to the cent.
func TestResultSubsidyPerPoint(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newResultWorld(t, b)
		settings := map[string]any{"objection_days": 3, "hearing_weight_percent": 0, "opinion_poor_points": 0, "version": 0,
			"policy": map[string]any{"reward_excellent": true, "mode": "per_point", "per_point_bp": 100, "cap_bp": 4000, "fee_alert_is_veto": true}}
		bad := map[string]any{"objection_days": 0, "version": 0, "policy": map[string]any{"mode": "per_point", "per_point_bp": 20000}}
		if f := errFields(t, rw.do(t, http.MethodPut, rw.path("/result-settings"), "manager", bad, http.StatusUnprocessableEntity)); f["objection_days"] == "" || f["policy"] == "" {
			t.Errorf("bad settings: %v", f)
		}
		rw.do(t, http.MethodPut, rw.path("/result-settings"), "manager", settings, http.StatusOK)
		if rr := rw.do(t, http.MethodPut, rw.path("/result-settings"), "manager", settings, http.StatusConflict); rr.Code() != "stale_version" {
			t.Errorf("stale settings: %s", rr.Body)
		}
		low := rw.file(t, "", 123456)    // 65.0: 35 points × 1% of 1234.56 = 432.096 → 432.10
		capped := rw.file(t, "", 100000) // 50.0: 50 points × 1% = 50%, capped at 40% → 400.00
		rw.sheets(t, low, 65, 66, 64, false, false)
		rw.sheets(t, capped, 50, 51, 49, false, false)
		rw.publish(t)
		rw.e.Clock.Advance(4 * 24 * time.Hour)
		relogin(rw.e, rw.w, "manager")
		for id, want := range map[string][2]int64{low: {43210, 80246}, capped: {40000, 60000}} {
			r := rw.do(t, http.MethodPost, rw.path("/results/"+id+"/confirm"), "manager", map[string]any{"version": 1}, http.StatusOK)
			var got resultItem
			r.JSON(t, &got)
			if got.Consequence == nil || got.Consequence.ReductionCents != want[0] || got.Consequence.PayableCents != want[1] {
				t.Errorf("case %s: %+v, want reduction %d payable %d", id, got.Consequence, want[0], want[1])
			}
		}
	})
}

// substantiateFee records a reached call with a fee report on the case (assigned to staff),
// then has staff investigate and find it true.
func (rw *resultWorld) substantiateFee(t *testing.T, caseID string, n int) {
	t.Helper()
	rw.call(t, "staff", caseID, callBody(900+n, "2024-05-24T09:30:00+08:00", "reached", answers(map[string]any{
		"charged_fee": "yes", "charged_fee_note": "收了 500 元"})), http.StatusCreated)
	list := rw.alerts(t, "?kind=fee")
	var alert string
	for _, a := range list.Items {
		if a.CaseID == caseID {
			alert = a.ID
		}
	}
	if alert == "" {
		t.Fatalf("no fee alert for case %s: %+v", caseID, list)
	}
	rw.do(t, http.MethodPost, "/api/v1/alerts/"+alert+"/assign", "manager", map[string]any{"investigator_id": rw.w.Users["staff"]}, http.StatusOK)
	rw.do(t, http.MethodPost, "/api/v1/alerts/"+alert+"/conclude", "staff", map[string]any{"findings": "经核实收取 500 元",
		"conclusion": "substantiated", "action": "退还费用"}, http.StatusOK)
}
