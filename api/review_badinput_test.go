package api_test

import (
	"net/http"
	"strings"
	"testing"

	"fayuan/internal/testenv"
)

// Bad input to the review routes is answered in the contract's error shape and changes nothing.
func TestReviewBadInput(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		rw := newReviewWorld(t, b)
		k := rw.kase(t, rw.w.Office, campaignCase{})
		rw.assign(t, map[string]any{"reviewer_ids": rw.reviewerIDs("reviewer", "rev_centre")}, http.StatusOK)
		rw.receive(t, k)
		sh := rw.sheetOf(t, k, "reviewer")
		put := func(body string, status int) *testenv.Response {
			t.Helper()
			return testenv.Expect(t, rw.e.Send(testenv.Request{Method: http.MethodPut, Path: "/api/v1/reviews/" + wireID(sh.ID),
				Token: rw.token("reviewer"), Body: body}), status)
		}
		for _, d := range []string{`"1"`, `0.05`, `1e1`} {
			r := put(`{"version":1,"items":[{"code":"A1","deduction":`+d+`,"reason":"x"}]}`, http.StatusUnprocessableEntity)
			if !strings.Contains(string(r.Body), `"items.deduction"`) {
				t.Errorf("deduction %s: %s, want the field named", d, r.Body)
			}
		}
		put(`{"version":1,"items":[`, http.StatusBadRequest)
		put(`{"version":1,"colour":"red"}`, http.StatusBadRequest)
		put(`{"items":[]}`, http.StatusUnprocessableEntity)
		r := put(`{"version":7}`, http.StatusConflict)
		if r.Code() != "stale_version" {
			t.Errorf("stale version: %s", r.Code())
		}
		testenv.Expect(t, rw.e.Do(http.MethodPut, "/api/v1/reviews/abc", rw.token("reviewer"), map[string]any{"version": 1}), http.StatusNotFound)
		if now := rw.sheetOf(t, k, "reviewer"); now.Version != sh.Version || now.Score != 1000 {
			t.Errorf("bad input changed the sheet: version %d score %d", now.Version, now.Score)
		}

		assign := func(body map[string]any, field string) {
			t.Helper()
			_, r := rw.assign(t, body, http.StatusUnprocessableEntity)
			if !strings.Contains(string(r.Body), `"`+field+`"`) {
				t.Errorf("assign %v: %s, want field %s", body, r.Body, field)
			}
		}
		assign(map[string]any{"reviewer_ids": []string{}}, "reviewer_ids")
		assign(map[string]any{"reviewer_ids": []string{rw.w.Users["staff"]}}, "reviewer_ids")
		assign(map[string]any{"reviewer_ids": rw.reviewerIDs("reviewer"), "per_case": 5}, "per_case")
		assign(map[string]any{"reviewer_ids": rw.reviewerIDs("reviewer"), "sample": map[string]any{"percent": 150}}, "sample.percent")
		testenv.Expect(t, rw.e.Do(http.MethodPost, "/api/v1/campaigns/999999/reviews/assign", rw.token("manager"),
			map[string]any{"reviewer_ids": rw.reviewerIDs("reviewer")}), http.StatusNotFound)
		if n := len(rw.sheets(t, k)); n != 2 {
			t.Errorf("refused assignments changed the file: %d sheets", n)
		}
		testenv.Expect(t, rw.e.Do(http.MethodPut, "/api/v1/campaigns/"+rw.campaign+"/review-settings", rw.token("manager"),
			map[string]any{"per_case": 1, "hand_in_due": "2024-02-30", "triggers": map[string]any{"divergence": 120}}), http.StatusUnprocessableEntity)
		testenv.Expect(t, rw.e.Do(http.MethodPost, "/api/v1/campaigns/"+rw.campaign+"/files/"+wireID(k)+"/hand-in", rw.token("handler"), nil), http.StatusNotFound)
	})
}
