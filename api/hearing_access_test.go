package api_test

import (
	"net/http"
	"strings"
	"testing"

	"fayuan/internal/testenv"
)

// hearingWorld is a result world with more people working in the campaign: staff2 (aid centre)
// and dual, a staff member of the legal service office who is still the handler of record of
// firm B's handler (a lawyer who moved), beside the seeded staff and firm_staff (firm A).
type hearingWorld struct {
	*resultWorld
	hb uint64 // firm B's handler, linked to dual
}

func newHearingWorld(t *testing.T, b testenv.Backend) *hearingWorld {
	t.Helper()
	rw := newResultWorld(t, b)
	e, w := rw.e, rw.w
	for _, u := range []struct{ name, org string }{{"staff2", w.AidCenter}, {"dual", w.Office}} {
		roles := []string{"staff"}
		if u.name == "dual" {
			roles = append(roles, "handler")
		}
		w.Users[u.name] = e.CreateUser(w.Admin, u.name, u.org, roles...)
		w.Tokens[u.name], _ = e.Login(u.name, testenv.Password(u.name))
	}
	hw := &hearingWorld{resultWorld: rw, hb: putHandler(t, e, parseWireID(t, w.FirmB), "承办人丙", parseWireID(t, w.Users["dual"]))}
	// Everyone works in the campaign (on firm B cases: the assignments themselves are not under test).
	for _, u := range []string{"staff", "staff2", "firm_staff", "dual"} {
		bCase, _ := putCase(t, e, campaignCase{Closed: "2022-01-01", Handler: hw.hb, Org: parseWireID(t, w.FirmB)})
		e.AssignPhase(rw.cid, "calls", wireID(bCase), w.Users[u])
	}
	return hw
}

// hearing is an observation of handler (firm A's when 0) with the given observers.
func (hw *hearingWorld) hearing(handler uint64, observers ...map[string]any) map[string]any {
	if handler == 0 {
		handler = hw.handler
	}
	return map[string]any{"case_nos": "（2024）陕1026民初7号", "court": "柞水县人民法院", "heard_at": "2024-05-22T09:30:00+08:00",
		"handler_id": wireID(handler), "observers": observers}
}

func staffObserver(hw *hearingWorld, user string) map[string]any {
	return map[string]any{"kind": "staff", "user_id": hw.w.Users[user]}
}

func hearingSheet(item string, points float64) map[string]any {
	return map[string]any{"entries": []map[string]any{{"item": item, "deduction": points, "reason": "旁听扣分理由"}}}
}

// listedHearings are the ids of the campaign's hearings user sees.
func (hw *hearingWorld) listedHearings(t *testing.T, user string) []string {
	t.Helper()
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
		Total int `json:"total"`
	}
	hw.do(t, http.MethodGet, hw.path("/hearings"), user, nil, http.StatusOK).JSON(t, &page)
	var ids []string
	for _, it := range page.Items {
		ids = append(ids, it.ID)
	}
	if page.Total != len(ids) {
		t.Errorf("%s: total %d, items %v", user, page.Total, ids)
	}
	return ids
}

// 回避 for hearings: the handler's firm and the handler themself neither record, observe nor
// read an observation of that handler; a recused observer is refused with 409 and nothing is
// stored.
func TestHearingRecusal(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		hw := newHearingWorld(t, b)
		e := hw.e
		lawyer := map[string]any{"kind": "lawyer", "name": "张律师"}
		for name, tc := range map[string]struct {
			user string
			body map[string]any
		}{
			"firm A's staff records firm A's handler":      {"firm_staff", hw.hearing(0, staffObserver(hw, "firm_staff"))},
			"the handler of record records their own":      {"dual", hw.hearing(hw.hb, lawyer)},
			"staff names firm A's staff as observer":       {"staff", hw.hearing(0, staffObserver(hw, "staff"), staffObserver(hw, "firm_staff"))},
			"manager names the handler's account":          {"manager", hw.hearing(0, map[string]any{"kind": "lawyer", "user_id": hw.w.Users["handler"]})},
			"manager names the handler of record as staff": {"manager", hw.hearing(hw.hb, staffObserver(hw, "dual"))},
		} {
			if r := hw.do(t, http.MethodPost, hw.path("/hearings"), tc.user, tc.body, http.StatusConflict); r.Code() != "recused" {
				t.Errorf("%s: %s, want 409 recused", name, r.Body)
			}
		}
		if n := countRows(t, e, "hearings", "1 = 1") + countRows(t, e, "hearing_observers", "1 = 1"); n != 0 {
			t.Fatalf("refused hearings stored: %d rows", n)
		}

		h := hw.do(t, http.MethodPost, hw.path("/hearings"), "staff", hw.hearing(0, staffObserver(hw, "staff"), lawyer), http.StatusCreated).Map(t)
		hid := h["id"].(string)
		obsPath := hw.path("/hearings/" + hid + "/observers")
		for name, body := range map[string]map[string]any{
			"firm A's staff": staffObserver(hw, "firm_staff"),
			"the handler":    {"kind": "lawyer", "user_id": hw.w.Users["handler"]},
		} {
			if r := hw.do(t, http.MethodPost, obsPath, "manager", body, http.StatusConflict); r.Code() != "recused" {
				t.Errorf("adding %s as observer: %s, want 409 recused", name, r.Body)
			}
		}
		if n := countRows(t, e, "hearing_observers", "1 = 1"); n != 2 {
			t.Errorf("%d observers stored, want the 2 recorded", n)
		}

		// Firm A's staff can neither read nor touch it, even knowing its id.
		obs := h["observers"].([]any)
		staffSheet := hw.path("/hearings/" + hid + "/observers/" + obs[0].(map[string]any)["id"].(string) + "/sheet")
		if ids := hw.listedHearings(t, "firm_staff"); len(ids) != 0 {
			t.Errorf("firm A's staff lists %v", ids)
		}
		for _, r := range []*testenv.Response{
			hw.do(t, http.MethodGet, hw.path("/hearings/"+hid), "firm_staff", nil, http.StatusNotFound),
			hw.do(t, http.MethodPost, obsPath, "firm_staff", lawyer, http.StatusNotFound),
			hw.do(t, http.MethodPut, staffSheet, "firm_staff", hearingSheet("A1", 1), http.StatusNotFound),
		} {
			if r.Code() != "hearing_not_found" {
				t.Errorf("firm A's staff: %s, want 404 hearing_not_found", r.Body)
			}
		}
		if n := countRows(t, e, "hearing_observers", "score IS NOT NULL"); n != 0 {
			t.Errorf("a recused user's sheet stored")
		}
	})
}

// Who sees a hearing and who scores which sheet: managers all; other staff only the hearings
// they recorded or observe, never one of their firm's handler or their own, with the observers
// named; each observer scores their own sheet, the recorder a named observer's, a manager any.
func TestHearingVisibilityAndSheets(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		hw := newHearingWorld(t, b)
		lawyer := map[string]any{"kind": "lawyer", "name": "张律师"}
		h := hw.do(t, http.MethodPost, hw.path("/hearings"), "staff", hw.hearing(0, staffObserver(hw, "staff"), lawyer), http.StatusCreated).Map(t)
		hid := h["id"].(string)
		// The manager records one of firm B's handler — dual's — observed by staff2.
		hB := hw.do(t, http.MethodPost, hw.path("/hearings"), "manager", hw.hearing(hw.hb, staffObserver(hw, "staff2"), lawyer), http.StatusCreated).Map(t)

		for user, want := range map[string][]string{
			"manager": {hB["id"].(string), hid}, "staff": {hid}, "staff2": {hB["id"].(string)}, "firm_staff": nil, "dual": nil,
		} {
			if got := hw.listedHearings(t, user); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s lists %v, want %v", user, got, want)
			}
		}
		for _, user := range []string{"staff2", "firm_staff", "dual"} {
			r := hw.do(t, http.MethodGet, hw.path("/hearings/"+hid), user, nil, http.StatusNotFound)
			if r.Code() != "hearing_not_found" || strings.Contains(string(r.Body), "张律师") {
				t.Errorf("%s reads a hearing they neither recorded nor observe: %s", user, r.Body)
			}
		}
		r := hw.do(t, http.MethodGet, hw.path("/hearings/"+hB["id"].(string)), "dual", nil, http.StatusNotFound)
		if strings.Contains(string(r.Body), testenv.DisplayName("staff2")) {
			t.Errorf("the handler of record reads who observed them: %s", r.Body)
		}
		// The recorder and an observer read it with the observers named.
		got := hw.do(t, http.MethodGet, hw.path("/hearings/"+hB["id"].(string)), "staff2", nil, http.StatusOK).Map(t)
		if o := got["observers"].([]any)[0].(map[string]any); o["name"] != testenv.DisplayName("staff2") || o["user_id"] != hw.w.Users["staff2"] {
			t.Errorf("an observer reads their hearing without names: %v", o)
		}

		// Sheets: the recorder adds staff2; each scores only what is theirs.
		obsPath := hw.path("/hearings/" + hid + "/observers")
		hw.do(t, http.MethodPost, obsPath, "staff2", lawyer, http.StatusNotFound) // not theirs to change yet
		h = hw.do(t, http.MethodPost, obsPath, "staff", staffObserver(hw, "staff2"), http.StatusOK).Map(t)
		obs := h["observers"].([]any)
		sheet := func(i int) string {
			return hw.path("/hearings/" + hid + "/observers/" + obs[i].(map[string]any)["id"].(string) + "/sheet")
		}
		staffSheet, lawyerSheet, staff2Sheet := sheet(0), sheet(1), sheet(2)
		for _, tc := range []struct{ user, path string }{{"staff2", staffSheet}, {"staff2", lawyerSheet}, {"staff", staff2Sheet}} {
			if r := hw.do(t, http.MethodPut, tc.path, tc.user, hearingSheet("A1", 3), http.StatusForbidden); r.Code() != "sheet_not_yours" {
				t.Errorf("%s puts another's sheet: %s", tc.user, r.Body)
			}
		}
		if n := countRows(t, hw.e, "hearing_observers", "score IS NOT NULL"); n != 0 {
			t.Fatalf("%d refused sheets stored", n)
		}
		hw.do(t, http.MethodGet, hw.path("/hearings/"+hid), "staff2", nil, http.StatusOK)
		hw.do(t, http.MethodPut, staff2Sheet, "staff2", hearingSheet("A1", 2), http.StatusOK)
		hw.do(t, http.MethodPut, staffSheet, "staff", hearingSheet("A1", 1), http.StatusOK)
		hw.do(t, http.MethodPut, lawyerSheet, "staff", hearingSheet("B3", 5), http.StatusOK)
		h = hw.do(t, http.MethodPut, staff2Sheet, "manager", hearingSheet("A1", 4), http.StatusOK).Map(t)
		// (99.0 + 95.0 + 96.0) ÷ 3 = 96.67 → 96.7.
		if h["combined_score"] != 96.7 {
			t.Errorf("combined %v, want 96.7", h["combined_score"])
		}
		if n := countAudit(t, hw.e, "hearing.sheet"); n != 4 {
			t.Errorf("%d sheets audited, want 4", n)
		}
	})
}
