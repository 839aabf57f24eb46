package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// campaignCase describes a case the campaign tests put straight into the database (the case service has
// its own tests); zero fields take the defaults of putCase.
type campaignCase struct {
	No       string
	Source   model.Source
	Category model.Category
	Closed   string // "" is an open case
	Town     string
	Village  string
	Handler  uint64 // handler record
	Org      uint64 // handling organisation
}

var campaignCaseSeq atomic.Int64

// putCase stores a case with an encrypted phone of its own and returns its id and phone.
func putCase(t *testing.T, e *testenv.Env, k campaignCase) (uint64, string) {
	t.Helper()
	n := int(campaignCaseSeq.Add(1))
	if k.No == "" {
		k.No = fmt.Sprintf("柞法援-C%05d", n)
	}
	if k.Source == "" {
		k.Source = model.SourceApplication
	}
	if k.Category == "" {
		k.Category = model.CategoryCivil
	}
	if k.Town == "" {
		k.Town = "营盘镇"
	}
	phone := testenv.Phone(700_000 + n)
	enc, err := e.App.Vault.Encrypt(phone)
	if err != nil {
		t.Fatal(err)
	}
	e.Tripwire.Add("phone of "+k.No, phone)
	now := e.Clock.Now()
	c := model.Case{CaseNo: k.No, Category: k.Category, Source: k.Source, Cause: "劳动争议", RecipientName: "王秀英",
		RecipientPhoneEnc: enc, RecipientPhoneHash: e.App.Vault.Hash(phone), Town: k.Town, Village: k.Village,
		HandlerName: "承办人", CreatedAt: now, UpdatedAt: now}
	if k.Closed != "" {
		c.ClosedOn = &k.Closed
	}
	if k.Handler != 0 {
		c.HandlerID = &k.Handler
	}
	if k.Org != 0 {
		c.HandlerOrgID = &k.Org
	}
	if err := e.App.DB.Create(&c).Error; err != nil {
		t.Fatalf("insert case: %v", err)
	}
	if err := e.App.Campaigns.CasesChanged(e.App.DB, c.ID); err != nil {
		t.Fatalf("insert case: progress: %v", err)
	}
	return c.ID, phone
}

// putHandler stores a handler record of an organisation, linked to an account when user != 0.
func putHandler(t *testing.T, e *testenv.Env, org uint64, name string, user uint64) uint64 {
	t.Helper()
	h := model.Handler{OrgID: org, Name: name, CreatedAt: e.Clock.Now()}
	if user != 0 {
		h.UserID = &user
	}
	if err := e.App.DB.Create(&h).Error; err != nil {
		t.Fatalf("insert handler: %v", err)
	}
	return h.ID
}

// startCampaign starts the notice's campaign as the seeded manager and returns its id.
func startCampaign(t *testing.T, e *testenv.Env, w *testenv.World) string {
	t.Helper()
	r := testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/campaigns", w.Tokens["manager"], map[string]any{"template": "zhashui-2024-53"}), http.StatusCreated)
	return r.Map(t)["id"].(string)
}

// assignResult is the answer of POST …/assignments.
type assignResult struct {
	RunID        string `json:"run_id"`
	Assigned     int    `json:"assigned"`
	Reassigned   int    `json:"reassigned"`
	Unassignable []struct {
		CaseID string `json:"case_id"`
		CaseNo string `json:"case_no"`
		Reason string `json:"reason"`
	} `json:"unassignable"`
}

// runAssign runs an assignment as the seeded manager and expects 200.
func runAssign(t *testing.T, e *testenv.Env, w *testenv.World, campaign string, body map[string]any) assignResult {
	t.Helper()
	r := testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/campaigns/"+campaign+"/assignments", w.Tokens["manager"], body), http.StatusOK)
	testenv.CheckConventions(t, "assignments", r.Body)
	var out assignResult
	r.JSON(t, &out)
	return out
}

// phaseHolders maps each case of a phase to the user holding it, straight from the database.
func phaseHolders(t *testing.T, e *testenv.Env, campaign, phase string) map[uint64]uint64 {
	t.Helper()
	var rows []model.CaseAssignment
	if err := e.App.DB.Where("campaign_id = ? AND phase = ?", parseWireID(t, campaign), phase).Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[uint64]uint64{}
	for _, a := range rows {
		out[a.CaseID] = a.UserID
	}
	return out
}

// countAudit counts audit rows of an action.
func countAudit(t *testing.T, e *testenv.Env, action string) int64 {
	t.Helper()
	var n int64
	if err := e.App.DB.Model(&model.AuditLog{}).Where("action = ?", action).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// parseWireID parses a wire id.
func parseWireID(t *testing.T, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("id %q: %v", s, err)
	}
	return v
}

// wireID formats an id for the wire.
func wireID(v uint64) string { return strconv.FormatUint(v, 10) }

// relogin gives the users fresh tokens after the clock moved past the old ones' expiry.
func relogin(e *testenv.Env, w *testenv.World, users ...string) {
	e.T.Helper()
	for _, u := range users {
		w.Tokens[u], _ = e.Login(u, testenv.Password(u))
	}
}
