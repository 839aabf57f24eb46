package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// A case's detail lists its review results in the order they were published: a manager every
// result, the handler only the results of their own files (never who reviewed), staff none.
func TestCaseDetailShowsResults(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newResultWorld(t, b)
		e, w := rw.e, rw.w
		kase := rw.file(t, "staff", 100000)
		rw.sheets(t, kase, 85, 84, 0, false, false)
		hb := putHandler(t, e, parseWireID(t, w.FirmB), "承办人乙", parseWireID(t, w.Users["handler_b"]))
		bID, _ := putCase(t, e, campaignCase{Closed: "2022-01-01", Handler: hb, Org: parseWireID(t, w.FirmB)})
		rw.sheets(t, wireID(bID), 95, 93, 0, false, false)
		rw.publish(t)
		// An earlier campaign's result on the same case, stored after this one, when firm B's
		// handler still had it: first in time, and not the present handler's.
		earlier := parseWireID(t, startCampaign(t, e, w))
		at := time.Date(2023, 11, 2, 10, 0, 0, 0, model.Shanghai)
		if err := e.App.DB.Create(&model.CaseResult{CampaignID: earlier, CaseID: parseWireID(t, kase), HandlerID: &hb, FileScore: 910, Score: 910,
			Grade: "excellent", Status: model.ResultFinal, PublishedAt: at, WindowEndsAt: at.AddDate(0, 0, 7), Version: 1, CreatedAt: at, UpdatedAt: at}).Error; err != nil {
			t.Fatal(err)
		}

		detail := func(user, id string) ([]map[string]any, string) {
			t.Helper()
			r := testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/cases/"+id, w.Tokens[user], nil), http.StatusOK)
			testenv.CheckConventions(t, "case detail", r.Body)
			if user != "staff" { // the assigned caller sees the phone in full
				testenv.ScanForPersonalData(t, e, "case detail", r.Body)
			}
			var d struct {
				Results []map[string]any `json:"results"`
			}
			r.JSON(t, &d)
			return d.Results, string(r.Body)
		}
		campaigns := func(rs []map[string]any) string {
			var ids []string
			for _, r := range rs {
				ids = append(ids, r["campaign_id"].(string))
			}
			return strings.Join(ids, ",")
		}

		got, _ := detail("manager", kase)
		if campaigns(got) != wireID(earlier)+","+rw.campaign || got[1]["score"] != 84.5 || got[1]["status"] != "provisional" || got[0]["score"] != 91.0 {
			t.Errorf("manager's case results %v, want the earlier campaign's, then this one's 84.5", got)
		}
		got, body := detail("handler", kase)
		if campaigns(got) != rw.campaign || len(got[0]["deductions"].([]any)) == 0 {
			t.Errorf("handler's case results %v, want only their own result with its deductions", got)
		}
		for name, id := range rw.reviewers {
			if strings.Contains(body, name) || strings.Contains(body, `"`+wireID(id)+`"`) {
				t.Errorf("the handler's case detail names reviewer %s", name)
			}
		}
		if got, _ := detail("handler_b", wireID(bID)); campaigns(got) != rw.campaign {
			t.Errorf("handler_b's case results %v", got)
		}
		if got, _ := detail("staff", kase); len(got) != 0 {
			t.Errorf("the assigned caller reads results %v", got)
		}
	})
}
