package api_test

import (
	"net/http"
	"testing"
	"time"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// The objection window counts calendar days in Asia/Shanghai, the last one lasting until
// 23:59:59: published on 24 May at 10:30 with 7 days, an objection at 15:00 on 31 May is in
// time, one at 00:00 on 1 June is not; the manager confirms only from 1 June.
func TestResultObjectionWindowCalendarDays(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newResultWorld(t, b)
		e, w := rw.e, rw.w
		inTime, late := rw.file(t, "", 100000), rw.file(t, "", 100000)
		rw.sheets(t, inTime, 85, 84, 0, false, false)
		rw.sheets(t, late, 85, 84, 0, false, false)
		e.Clock.Set(time.Date(2024, 5, 24, 10, 30, 0, 0, model.Shanghai))
		relogin(e, w, "manager", "handler")
		rw.publish(t)
		var deadlines struct {
			Items []struct {
				CaseID   string `json:"case_id"`
				Deadline string `json:"objection_deadline"`
			} `json:"items"`
		}
		rw.do(t, http.MethodGet, rw.path("/results"), "handler", nil, http.StatusOK).JSON(t, &deadlines)
		if len(deadlines.Items) != 2 {
			t.Fatalf("handler's results %+v, want 2", deadlines.Items)
		}
		for _, it := range deadlines.Items {
			if it.Deadline != "2024-05-31T23:59:59+08:00" {
				t.Errorf("case %s: objection deadline %s, want the end of 31 May", it.CaseID, it.Deadline)
			}
		}

		e.Clock.Set(time.Date(2024, 5, 31, 15, 0, 0, 0, model.Shanghai))
		relogin(e, w, "manager", "handler")
		rw.do(t, http.MethodPost, rw.path("/results/"+inTime+"/objection"), "handler", map[string]any{"reason": "最后一天下午提出异议"}, http.StatusOK)
		if r := rw.do(t, http.MethodPost, rw.path("/results/"+late+"/confirm"), "manager", map[string]any{"version": 1}, http.StatusConflict); r.Code() != "objection_window_open" {
			t.Errorf("confirm on the last day: %s", r.Body)
		}

		e.Clock.Set(time.Date(2024, 6, 1, 0, 0, 0, 0, model.Shanghai))
		relogin(e, w, "manager", "handler")
		if r := rw.do(t, http.MethodPost, rw.path("/results/"+late+"/objection"), "handler", map[string]any{"reason": "零点提出异议"}, http.StatusConflict); r.Code() != "objection_window_closed" {
			t.Errorf("objection at midnight after the last day: %s", r.Body)
		}
		rw.do(t, http.MethodPost, rw.path("/results/"+late+"/confirm"), "manager", map[string]any{"version": 1}, http.StatusOK)
	})
}
