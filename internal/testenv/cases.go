package testenv

import (
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"fayuan/internal/recipient"
	"fayuan/model"
)

// caseSeq numbers the cases tests create, so case numbers, phones and ID numbers never collide.
var caseSeq atomic.Int64

// Phone is a well-formed mobile number of its own for each n.
func Phone(n int) string { return fmt.Sprintf("139%08d", n%100_000_000) }

// IDNumber is a valid 18-character ID number (GB 11643 check digit) of its own for each n: born
// in Zhashui (611026) between 1940 and 1999, male for odd n.
func IDNumber(n int) string {
	birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (n*37)%21_900)
	body := "611026" + birth.Format("20060102") + fmt.Sprintf("%03d", n%1000)
	if c, _ := recipient.CheckDigit(body); c != 0 {
		return body + string(c)
	}
	panic("testenv: bad ID body " + body)
}

// LinkedHandler names, as a case's handler, the person behind the seeded account username of
// organisation orgID (CreateUser gives every account the display name "用户" + username), so the
// case is linked to that account.
func LinkedHandler(username, orgID string) map[string]any {
	return map[string]any{"name": DisplayName(username), "org_id": orgID}
}

// DisplayName is the display name CreateUser gives username.
func DisplayName(username string) string { return "用户" + username }

// CaseFields are the fields of a valid closed civil case with a phone and ID number of its own
// (case number ZS-2024-n); fields override them key by key, and a "recipient" map overrides the
// recipient's fields one by one. A nil value removes the field.
func CaseFields(n int, fields map[string]any) map[string]any {
	body := map[string]any{
		"case_no": "ZS-2024-" + fmt.Sprintf("%05d", n), "category": "civil", "source": "application", "cause": "劳动争议",
		"closed_on": "2024-03-15", "accepted_on": "2023-11-02", "subsidy": 1500,
		"recipient": map[string]any{"name": "王秀英", "phone": Phone(n), "id_number": IDNumber(n), "town": "营盘镇",
			"village": "朱家坪村", "address": "营盘镇朱家坪村三组" + strconv.Itoa(n) + "号", "group": "elderly"},
	}
	for k, v := range fields {
		if r, ok := v.(map[string]any); ok && k == "recipient" {
			rec := maps.Clone(body["recipient"].(map[string]any))
			for rk, rv := range r {
				if rv == nil {
					delete(rec, rk)
				} else {
					rec[rk] = rv
				}
			}
			body[k] = rec
			continue
		}
		if v == nil {
			delete(body, k)
		} else {
			body[k] = v
		}
	}
	return body
}

// CreateCase creates a case as token's user (a manager) from CaseFields and returns its id. The
// phone and ID number it sends are registered with the tripwire.
func (e *Env) CreateCase(token string, fields map[string]any) string {
	e.T.Helper()
	n := int(caseSeq.Add(1))
	body := CaseFields(n, fields)
	if r, ok := body["recipient"].(map[string]any); ok {
		for _, k := range []string{"phone", "id_number"} {
			if v, ok := r[k].(string); ok && len(v) >= 6 {
				e.Tripwire.Add(k+" of case "+strconv.Itoa(n), v)
			}
		}
	}
	r := Expect(e.T, e.Do(http.MethodPost, "/api/v1/cases", token, body), http.StatusCreated)
	return r.Map(e.T)["id"].(string)
}

// Assign gives the case to a user for phone calls in campaign 1, straight in the database, for
// tests of what an assignment lets its holder see.
func (e *Env) Assign(caseID, userID string) { e.AssignPhase(1, "calls", caseID, userID) }

// AssignPhase gives the case to a user for one phase of one campaign, straight in the database.
func (e *Env) AssignPhase(campaignID uint64, phase, caseID, userID string) {
	e.T.Helper()
	c, err1 := strconv.ParseUint(caseID, 10, 64)
	u, err2 := strconv.ParseUint(userID, 10, 64)
	if err1 != nil || err2 != nil {
		e.T.Fatalf("assign: bad ids %q %q", caseID, userID)
	}
	now := e.Clock.Now()
	var k model.Case // the work list reads the case's keys from the assignment, as the service writes them
	if err := e.App.DB.Select("town", "village", "case_no").Take(&k, c).Error; err != nil {
		e.T.Fatalf("assign case %s: %v", caseID, err)
	}
	a := model.CaseAssignment{CampaignID: campaignID, Phase: phase, CaseID: c, UserID: u, CreatedAt: now, UpdatedAt: now,
		Town: k.Town, Village: k.Village, CaseNo: k.CaseNo}
	if err := e.App.DB.Create(&a).Error; err != nil {
		e.T.Fatalf("assign case %s to user %s: %v", caseID, userID, err)
	}
	if phase == "calls" { // as the assignment service does, keep the progress counters
		if err := e.App.Campaigns.CaseChanged(e.App.DB, campaignID, c); err != nil {
			e.T.Fatalf("assign case %s: progress: %v", caseID, err)
		}
	}
}
