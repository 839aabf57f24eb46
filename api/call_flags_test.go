package api_test

import (
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// withStaff2 adds a second caller of the aid centre.
func (cw *callWorld) withStaff2(t *testing.T) {
	t.Helper()
	cw.w.Users["staff2"] = cw.e.CreateUser(cw.w.Admin, "staff2", cw.w.AidCenter, "staff")
	cw.w.Tokens["staff2"], _ = cw.e.Login("staff2", testenv.Password("staff2"))
}

// flags reads the campaign's plausibility flags as the manager.
func (cw *callWorld) flags(t *testing.T, query string) model.FlagList {
	t.Helper()
	r := testenv.Expect(t, cw.e.Do(http.MethodGet, "/api/v1/campaigns/"+cw.campaign+"/flags"+query, cw.w.Tokens["manager"], nil), http.StatusOK)
	testenv.CheckConventions(t, "flags", r.Body)
	testenv.ScanForPersonalData(t, cw.e, "flags", r.Body)
	var out model.FlagList
	r.JSON(t, &out)
	return out
}

// flagged is kind → caller → call ids, for comparison.
func flagged(l model.FlagList) map[string]map[string][]model.ID {
	out := map[string]map[string][]model.ID{}
	for _, f := range l.Items {
		if out[f.Kind] == nil {
			out[f.Kind] = map[string][]model.ID{}
		}
		out[f.Kind][f.CallerID.String()] = append(out[f.Kind][f.CallerID.String()], f.CallIDs...)
	}
	return out
}

// callID records a call as user on a new case of theirs and returns the call's id.
func (cw *callWorld) callID(t *testing.T, user string, n int, body map[string]any) model.ID {
	t.Helper()
	body["client_id"] = clientID(n)
	id, _ := model.ParseID(cw.call(t, user, cw.caseFor(t, user, "营盘镇"), body, http.StatusCreated).Map(t)["id"].(string))
	return id
}

func reachedBody(calledAt string, duration any, ans map[string]any) map[string]any {
	b := map[string]any{"called_at": calledAt, "outcome": "reached", "answers": ans}
	if duration != nil {
		b["duration_s"] = duration
	}
	return b
}

// A reached call with all answers under 30 seconds is flagged; longer calls, calls without a
// duration and attempts that reached nobody are not.
func TestFlagShortCalls(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		cw.withStaff2(t)
		at := "2024-05-24T08:30:00+08:00"
		short := cw.callID(t, "staff", 1, reachedBody(at, 12, answers(nil)))
		cw.callID(t, "staff", 2, reachedBody(at, 95, answers(map[string]any{"suggestion": "很好"})))
		cw.callID(t, "staff", 3, reachedBody(at, nil, answers(map[string]any{"suggestion": "谢谢"})))
		cw.callID(t, "staff", 4, map[string]any{"called_at": at, "outcome": "no_answer", "duration_s": 5})
		cw.callID(t, "staff2", 5, reachedBody(at, 30, answers(nil)))
		l := cw.flags(t, "")
		want := map[string]map[string][]model.ID{model.FlagShortCall: {cw.w.Users["staff"]: {short}}}
		if got := flagged(l); !reflect.DeepEqual(got, want) {
			t.Errorf("flags %v, want %v", got, want)
		}
		if len(l.Items) == 1 && l.Items[0].CallerName != testenv.DisplayName("staff") {
			t.Errorf("caller name %q", l.Items[0].CallerName)
		}
		if l.Settings.MinReachedDurationS != 30 {
			t.Errorf("settings %+v", l.Settings)
		}
	})
}

// Ten consecutive reached calls of one caller with identical answers are flagged (attempts that
// reached nobody do not break the run); an honest caller whose answers vary is not, nor a run
// one short of the threshold.
func TestFlagIdenticalRuns(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		cw.withStaff2(t)
		var run []model.ID
		for i := 0; i < 10; i++ {
			at := fmt.Sprintf("2024-05-24T07:%02d:00+08:00", i*5)
			run = append(run, cw.callID(t, "staff", 100+i, reachedBody(at, 120, answers(nil))))
			if i == 4 {
				cw.callID(t, "staff", 200, map[string]any{"called_at": fmt.Sprintf("2024-05-24T07:%02d:30+08:00", i*5), "outcome": "busy"})
			}
		}
		for i := 0; i < 10; i++ {
			ans := answers(nil)
			if i == 5 {
				ans = answers(map[string]any{"suggestion": "希望多宣传"})
			}
			cw.callID(t, "staff2", 300+i, reachedBody(fmt.Sprintf("2024-05-24T07:%02d:00+08:00", i*5), 120, ans))
		}
		want := map[string]map[string][]model.ID{model.FlagIdenticalRun: {cw.w.Users["staff"]: run}}
		if got := flagged(cw.flags(t, "")); !reflect.DeepEqual(got, want) {
			t.Errorf("flags %v, want %v", got, want)
		}
		if got := flagged(cw.flags(t, "?identical_run=11")); len(got) != 0 {
			t.Errorf("a run of 10 flagged at threshold 11: %v", got)
		}
	})
}

// Ten records uploaded within ten minutes, each more than 24 hours after its stated call time,
// are a burst; the same upload pace for calls made an hour earlier is not.
func TestFlagLateBursts(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		cw.withStaff2(t)
		cw.e.Clock.Set(time.Date(2024, 5, 25, 12, 0, 0, 0, model.Shanghai))
		relogin(cw.e, cw.w, "staff", "staff2", "manager")
		var burst []model.ID
		for i := 0; i < 10; i++ {
			burst = append(burst, cw.callID(t, "staff", 400+i, map[string]any{
				"called_at": fmt.Sprintf("2024-05-24T09:%02d:00+08:00", i*3), "outcome": "no_answer"}))
			cw.callID(t, "staff2", 500+i, map[string]any{
				"called_at": fmt.Sprintf("2024-05-25T11:%02d:00+08:00", i*3), "outcome": "no_answer"})
			cw.e.Clock.Advance(30 * time.Second)
		}
		want := map[string]map[string][]model.ID{model.FlagLateBurst: {cw.w.Users["staff"]: burst}}
		if got := flagged(cw.flags(t, "")); !reflect.DeepEqual(got, want) {
			t.Errorf("flags %v, want %v", got, want)
		}
		if got := flagged(cw.flags(t, "?burst_delay_hours=48")); len(got) != 0 {
			t.Errorf("27-hour-late uploads flagged with a 48-hour delay: %v", got)
		}
		r := cw.e.Do(http.MethodGet, "/api/v1/campaigns/"+cw.campaign+"/flags?burst_size=0", cw.w.Tokens["manager"], nil)
		if testenv.Expect(t, r, http.StatusUnprocessableEntity); errFields(t, r)["burst_size"] == "" {
			t.Errorf("burst_size=0: %s", r.Body)
		}
	})
}
