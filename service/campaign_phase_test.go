package service_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"fayuan/campaigns"
	"fayuan/internal/clock"
	"fayuan/model"
	"fayuan/service"
)

// noticeCampaign is the campaign the shipped template defines.
func noticeCampaign(t *testing.T) *model.Campaign {
	t.Helper()
	b, err := campaigns.New("").Get("zhashui-2024-53")
	if err != nil {
		t.Fatal(err)
	}
	spec := model.CampaignSpec{Settings: model.DefaultCampaignSettings()}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	c := &model.Campaign{}
	c.Apply(spec)
	return c
}

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestJudge(t *testing.T) {
	const callsWindow = "电话回访阶段为 2024-05-24 至 2024-06-15"
	cases := []struct {
		name     string
		phase    model.Phase
		event    string
		received string // the fake clock when the record arrives
		refused  string // a part of the 409 message; "" when accepted
		late     bool
		flags    []string
	}{
		{"last second of the last day", "calls", "2024-06-15T23:59:59+08:00", "2024-06-15T23:59:59+08:00", "", false, nil},
		{"first second after the last day", "calls", "2024-06-16T00:00:00+08:00", "2024-06-16T00:00:00+08:00", callsWindow, false, nil},
		{"first second of the first day", "calls", "2024-05-24T00:00:00+08:00", "2024-05-24T00:00:01+08:00", "", false, nil},
		{"the day before the first", "calls", "2024-05-23T23:59:59+08:00", "2024-05-24T09:00:00+08:00", callsWindow, false, nil},
		{"the last day in UTC notation", "calls", "2024-06-15T15:59:59Z", "2024-06-15T15:59:59Z", "", false, nil},
		{"the first day after, in UTC", "calls", "2024-06-15T16:00:00Z", "2024-06-15T16:00:00Z", callsWindow, false, nil},
		{"offline, uploaded 71h after the end", "calls", "2024-06-15T20:00:00+08:00", "2024-06-18T23:00:00+08:00", "", true, nil},
		{"offline, uploaded exactly 72h after", "calls", "2024-06-15T20:00:00+08:00", "2024-06-19T00:00:00+08:00", "", true, nil},
		{"offline, uploaded 73h after the end", "calls", "2024-06-15T20:00:00+08:00", "2024-06-19T01:00:00+08:00", "72 小时", false, nil},
		{"future beyond the skew", "calls", "2024-06-01T10:06:00+08:00", "2024-06-01T10:00:00+08:00", "", false, []string{"future_time"}},
		{"future within the skew", "calls", "2024-06-01T10:05:00+08:00", "2024-06-01T10:00:00+08:00", "", false, nil},
		{"uploaded over 7 days later", "calls", "2024-05-25T10:00:00+08:00", "2024-06-01T10:00:01+08:00", "", false, []string{"stale_upload"}},
		{"uploaded exactly 7 days later", "calls", "2024-05-25T10:00:00+08:00", "2024-06-01T10:00:00+08:00", "", false, nil},
		{"late and stale", "calls", "2024-06-10T10:00:00+08:00", "2024-06-18T10:00:00+08:00", "", true, []string{"stale_upload"}},
		{"visits open on the 16th", "visits", "2024-06-16T00:00:00+08:00", "2024-06-16T08:00:00+08:00", "", false, nil},
		{"visits closed on the 15th", "visits", "2024-06-15T23:59:59+08:00", "2024-06-16T08:00:00+08:00", "实地走访阶段为 2024-06-16 至 2024-06-30", false, nil},
		{"reviews until 30 August", "reviews", "2024-08-30T23:59:59+08:00", "2024-08-31T09:00:00+08:00", "", true, nil},
		{"no review on 31 August", "reviews", "2024-08-31T08:00:00+08:00", "2024-08-31T09:00:00+08:00", "案卷评查阶段为 2024-07-01 至 2024-08-30", false, nil},
	}
	c := noticeCampaign(t)
	clk := clock.NewFake(at(t, "2024-05-24T09:00:00+08:00"))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk.Set(at(t, tc.received))
			v, err := service.Judge(c, tc.phase, at(t, tc.event), clk.Now())
			if tc.refused != "" {
				me, ok := model.AsError(err)
				if !ok || me.Status != 409 || me.Code != "phase_closed" || !strings.Contains(me.Message, tc.refused) {
					t.Fatalf("want 409 phase_closed with %q, got %v", tc.refused, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if v.Late != tc.late || !slices.Equal(v.Flags, tc.flags) {
				t.Errorf("verdict %+v, want late %v flags %v", v, tc.late, tc.flags)
			}
		})
	}
}

func TestJudgeFollowsSettings(t *testing.T) {
	c := noticeCampaign(t)
	st := c.Settings()
	st.SyncGraceHours, st.StaleAfterDays, st.FutureSkewMinutes = 24, 2, 0
	b, _ := json.Marshal(st)
	c.SettingsJSON = string(b)
	event := at(t, "2024-06-15T20:00:00+08:00")
	if _, err := service.Judge(c, "calls", event, at(t, "2024-06-17T00:00:00+08:00")); err != nil {
		t.Errorf("24h grace, uploaded 24h after: %v", err)
	}
	if _, err := service.Judge(c, "calls", event, at(t, "2024-06-17T00:00:01+08:00")); err == nil {
		t.Error("24h grace, uploaded 24h and a second after: accepted")
	}
	v, _ := service.Judge(c, "calls", at(t, "2024-06-01T10:00:01+08:00"), at(t, "2024-06-01T10:00:00+08:00"))
	if !slices.Equal(v.Flags, []string{"future_time"}) {
		t.Errorf("no skew: %+v", v)
	}
	v, _ = service.Judge(c, "calls", at(t, "2024-06-01T10:00:00+08:00"), at(t, "2024-06-03T10:00:01+08:00"))
	if !slices.Equal(v.Flags, []string{"stale_upload"}) {
		t.Errorf("stale after 2 days: %+v", v)
	}
}
