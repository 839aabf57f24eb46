package api_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"fayuan/internal/testenv"
)

// caseBody is the parts of a case answer the tests look at.
type caseBody struct {
	ID          string  `json:"id"`
	CaseNo      string  `json:"case_no"`
	Category    string  `json:"category"`
	Source      string  `json:"source"`
	Cause       string  `json:"cause"`
	ServiceType string  `json:"service_type"`
	AcceptedOn  *string `json:"accepted_on"`
	ClosedOn    *string `json:"closed_on"`
	ArchivedOn  *string `json:"archived_on"`
	Subsidy     float64 `json:"subsidy"`
	Notes       string  `json:"notes"`
	Status      string  `json:"status"`
	Version     int     `json:"version"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
	Recipient   struct {
		Name      string `json:"name"`
		Phone     string `json:"phone"`
		IDNumber  string `json:"id_number"`
		Gender    string `json:"gender"`
		BirthYear *int   `json:"birth_year"`
		Group     string `json:"group"`
		Town      string `json:"town"`
		Village   string `json:"village"`
		Address   string `json:"address"`
	} `json:"recipient"`
	Handler *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Org  struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"org"`
	} `json:"handler"`
	Calls         []any `json:"calls"`
	Visits        []any `json:"visits"`
	SurveyAnswers []any `json:"survey_answers"`
	Results       []any `json:"results"`
}

func getCase(t *testing.T, e *testenv.Env, token, id string) caseBody {
	t.Helper()
	var c caseBody
	testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/cases/"+id, token, nil), http.StatusOK).JSON(t, &c)
	return c
}

// auditActions lists the audit rows of one action on one case, as the auditor sees them.
func auditRows(t *testing.T, e *testenv.Env, w *testenv.World, action, caseID string) []map[string]any {
	t.Helper()
	var out struct {
		Items []map[string]any `json:"items"`
	}
	testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/audit?object_type=case&object_id="+caseID+"&action="+action,
		w.Tokens["auditor"], nil), http.StatusOK).JSON(t, &out)
	return out.Items
}

func TestCaseCreateGetUpdate(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		mgr := w.Tokens["manager"]
		body := testenv.CaseFields(1, map[string]any{
			"case_no": "  柞法援〔２０２４〕第０５３号 ", "service_type": "诉讼代理", "closing_method": "判决", "court_or_organ": "柞水县人民法院",
			"subsidy": 1234.56, "notes": "备注", "assigned_on": "2023-11-05", "archived_on": "2024-04-01",
			"handler":   map[string]any{"name": "王军", "org_id": w.FirmA},
			"recipient": map[string]any{"name": "王秀英", "phone": "+86 139-0123-4567", "id_number": "61102619800101002x"},
		})
		e.Tripwire.Add("phone", "13901234567")
		e.Tripwire.Add("id", "61102619800101002X")
		r := testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/cases", mgr, body), http.StatusCreated)
		testenv.CheckConventions(t, "create", r.Body)
		testenv.ScanForPersonalData(t, e, "create answer", r.Body)
		var c caseBody
		r.JSON(t, &c)
		if c.CaseNo != "柞法援〔2024〕第053号" || c.Category != "civil" || c.Source != "application" || c.Cause != "劳动争议" ||
			c.ServiceType != "诉讼代理" || c.Subsidy != 1234.56 || c.Status != "closed" || c.Version != 1 ||
			c.ClosedOn == nil || *c.ClosedOn != "2024-03-15" || c.ArchivedOn == nil || *c.ArchivedOn != "2024-04-01" ||
			c.CreatedAt != "2024-05-24T09:00:00+08:00" {
			t.Fatalf("created case: %s", r.Body)
		}
		rec := c.Recipient
		if rec.Name != "王秀英" || rec.Phone != "139****4567" || rec.IDNumber != "611026************" || rec.Gender != "female" ||
			rec.BirthYear == nil || *rec.BirthYear != 1980 || rec.Group != "elderly" || rec.Town != "营盘镇" ||
			rec.Village != "朱家坪村" || rec.Address == "" || rec.Address == "营盘镇朱家坪村三组1号" {
			t.Fatalf("recipient as the manager sees it: %+v", rec)
		}
		if c.Handler == nil || c.Handler.Name != "王军" || c.Handler.Org.ID != w.FirmA || c.Handler.Org.Name != "秦风律师事务所" {
			t.Fatalf("handler: %s", r.Body)
		}
		if c.Calls == nil || c.Visits == nil || c.SurveyAnswers == nil || c.Results == nil {
			t.Fatalf("history lists must be empty arrays, not null: %s", r.Body)
		}

		got := getCase(t, e, mgr, c.ID)
		if got.CaseNo != c.CaseNo || !reflect.DeepEqual(got.Recipient, c.Recipient) || got.Version != 1 {
			t.Fatalf("get differs from create: %+v", got)
		}
		if len(auditRows(t, e, w, "case.create", c.ID)) != 1 {
			t.Fatal("no case.create audit row")
		}

		// The same handler name in the same firm is the same handler; in another firm, another.
		same := getCase(t, e, mgr, e.CreateCase(mgr, map[string]any{"handler": map[string]any{"name": "王军", "org_id": w.FirmA}}))
		other := getCase(t, e, mgr, e.CreateCase(mgr, map[string]any{"handler": map[string]any{"name": "王军", "org_id": w.FirmB}}))
		byID := getCase(t, e, mgr, e.CreateCase(mgr, map[string]any{"handler_id": c.Handler.ID}))
		if same.Handler.ID != c.Handler.ID || byID.Handler.ID != c.Handler.ID || other.Handler.ID == c.Handler.ID ||
			other.Handler.Org.ID != w.FirmB {
			t.Fatalf("handlers: first %s, same firm %s, by id %s, other firm %s", c.Handler.ID, same.Handler.ID, byID.Handler.ID, other.Handler.ID)
		}

		// Update: some fields, the phone, a cleared date; by PATCH and by POST + override.
		e.Clock.Advance(time.Minute)
		r = testenv.Expect(t, e.Do(http.MethodPatch, "/api/v1/cases/"+c.ID, mgr, map[string]any{
			"version": 1, "cause": "追索劳动报酬", "archived_on": "", "subsidy": 800, "category": "administrative",
			"recipient": map[string]any{"phone": "13801234567", "village": "东川村"},
			"handler":   map[string]any{"name": "李娜", "org_id": w.Office},
		}), http.StatusOK)
		e.Tripwire.Add("new phone", "13801234567")
		testenv.ScanForPersonalData(t, e, "update answer", r.Body)
		var u caseBody
		r.JSON(t, &u)
		if u.Version != 2 || u.Cause != "追索劳动报酬" || u.ArchivedOn != nil || u.Subsidy != 800 || u.Category != "administrative" ||
			u.Recipient.Phone != "138****4567" || u.Recipient.IDNumber != "611026************" || u.Recipient.Village != "东川村" ||
			u.Recipient.Town != "营盘镇" || u.Handler.Name != "李娜" || u.Handler.Org.ID != w.Office ||
			u.UpdatedAt != "2024-05-24T09:01:00+08:00" || u.CreatedAt != c.CreatedAt || u.Notes != "备注" {
			t.Fatalf("updated case: %s", r.Body)
		}
		r = testenv.Expect(t, e.Send(testenv.Request{Method: http.MethodPost, Path: "/api/v1/cases/" + c.ID, Token: mgr,
			Header: map[string]string{"X-HTTP-Method-Override": "PATCH"}, Body: map[string]any{"version": 2, "closed_on": ""}}), http.StatusOK)
		r.JSON(t, &u)
		if u.Version != 3 || u.Status != "open" || u.ClosedOn != nil {
			t.Fatalf("reopened by POST + override: %s", r.Body)
		}
		if len(auditRows(t, e, w, "case.update", c.ID)) != 2 {
			t.Fatal("want two case.update audit rows")
		}
		// The manager may reveal the new phone: the update really stored it.
		r = testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/cases/"+c.ID+"/reveal", mgr, map[string]any{"field": "phone", "reason": "核对号码"}), http.StatusOK)
		if v := r.Map(t)["value"]; v != "13801234567" {
			t.Fatalf("revealed phone %v", v)
		}
		// Unknown case.
		testenv.Expect(t, e.Do(http.MethodPatch, "/api/v1/cases/999999", mgr, map[string]any{"version": 1}), http.StatusNotFound)
		testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/cases/999999", mgr, nil), http.StatusNotFound)
	})
}

func TestCaseCreateInvalid(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		mgr := w.Tokens["manager"]
		for i, c := range []struct {
			name   string
			fields map[string]any
			field  string
		}{
			{"bad date", map[string]any{"closed_on": "2024-13-01"}, "closed_on"},
			{"slashed date", map[string]any{"accepted_on": "2023/11/02"}, "accepted_on"},
			{"date and time", map[string]any{"closed_on": "2024-03-15T00:00:00+08:00"}, "closed_on"},
			{"future date", map[string]any{"closed_on": "2024-05-25"}, "closed_on"},
			{"closed before accepted", map[string]any{"closed_on": "2023-01-01"}, "closed_on"},
			{"archived while open", map[string]any{"closed_on": nil, "archived_on": "2024-04-01"}, "archived_on"},
			{"unknown category", map[string]any{"category": "criminal_law"}, "category"},
			{"unknown source", map[string]any{"source": "通知"}, "source"},
			{"no case number", map[string]any{"case_no": "  "}, "case_no"},
			{"no cause", map[string]any{"cause": ""}, "cause"},
			{"no recipient name", map[string]any{"recipient": map[string]any{"name": ""}}, "recipient.name"},
			{"bad ID check digit", map[string]any{"recipient": map[string]any{"id_number": "611026198001010012"}}, "recipient.id_number"},
			{"short ID", map[string]any{"recipient": map[string]any{"id_number": "61102619800101"}}, "recipient.id_number"},
			{"bad phone", map[string]any{"recipient": map[string]any{"phone": "1290123456"}}, "recipient.phone"},
			{"unknown group", map[string]any{"recipient": map[string]any{"group": "farmer"}}, "recipient.group"},
			{"negative subsidy", map[string]any{"subsidy": -1}, "subsidy"},
			{"fraction of a cent", map[string]any{"subsidy": 10.005}, "subsidy"},
			{"handler org unknown", map[string]any{"handler": map[string]any{"name": "王军", "org_id": "99999"}}, "handler.org_id"},
			{"handler org a court", map[string]any{"handler": map[string]any{"name": "王军", "org_id": w.Court}}, "handler.org_id"},
			{"handler without name", map[string]any{"handler": map[string]any{"name": "", "org_id": w.FirmA}}, "handler.name"},
			{"handler id unknown", map[string]any{"handler_id": "99999"}, "handler_id"},
			{"subsidy as text", map[string]any{"subsidy": "1500"}, "subsidy"},
		} {
			r := testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/cases", mgr, testenv.CaseFields(100+i, c.fields)), http.StatusUnprocessableEntity)
			var body struct {
				Details struct {
					Fields map[string]string `json:"fields"`
				} `json:"details"`
			}
			r.JSON(t, &body)
			if body.Details.Fields[c.field] == "" {
				t.Errorf("%s: 422 does not name %s: %s", c.name, c.field, r.Body)
			}
			testenv.ScanForPersonalData(t, e, c.name, r.Body)
		}
		// Several bad fields: all named at once.
		r := testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/cases", mgr, testenv.CaseFields(200, map[string]any{
			"closed_on": "yesterday", "category": "x", "recipient": map[string]any{"phone": "x", "id_number": "y"}})), http.StatusUnprocessableEntity)
		fields := r.Map(t)["details"].(map[string]any)["fields"].(map[string]any)
		for _, f := range []string{"closed_on", "category", "recipient.phone", "recipient.id_number"} {
			if fields[f] == nil {
				t.Errorf("combined 422 does not name %s: %s", f, r.Body)
			}
		}
		// Nothing was written by any of them.
		var n int64
		e.App.DB.Table("cases").Count(&n)
		if n != 0 {
			t.Fatalf("%d cases written by invalid requests", n)
		}

		// A duplicate case number, in either width, is 409.
		e.CreateCase(mgr, map[string]any{"case_no": "DUP-1"})
		r = testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/cases", mgr, testenv.CaseFields(201, map[string]any{"case_no": "ＤＵＰ－１"})), http.StatusConflict)
		if r.Code() != "case_no_taken" {
			t.Fatalf("duplicate: %s", r.Body)
		}
		// Only managers create; everyone else is refused by role.
		for _, who := range []string{"staff", "firm_staff", "reviewer", "handler", "auditor"} {
			testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/cases", w.Tokens[who], testenv.CaseFields(300, nil)), http.StatusForbidden)
		}
		testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/cases", w.Admin, testenv.CaseFields(301, nil)), http.StatusForbidden)
		testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/cases", w.Tokens["centre_manager"], testenv.CaseFields(302, nil)), http.StatusCreated)
	})
}

func TestCaseUpdateVersion(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		mgr := w.Tokens["manager"]
		id := e.CreateCase(mgr, nil)
		testenv.Expect(t, e.Do(http.MethodPatch, "/api/v1/cases/"+id, mgr, map[string]any{"version": 1, "notes": "第一次"}), http.StatusOK)

		// Stale: 409 and nothing changed, no audit row.
		r := testenv.Expect(t, e.Do(http.MethodPatch, "/api/v1/cases/"+id, mgr, map[string]any{"version": 1, "notes": "第二次",
			"recipient": map[string]any{"phone": "13700000000"}}), http.StatusConflict)
		if r.Code() != "version_conflict" {
			t.Fatalf("stale: %s", r.Body)
		}
		c := getCase(t, e, mgr, id)
		if c.Version != 2 || c.Notes != "第一次" || c.Recipient.Phone == "137****0000" {
			t.Fatalf("a stale edit changed the case: %+v", c)
		}
		if n := len(auditRows(t, e, w, "case.update", id)); n != 1 {
			t.Fatalf("%d case.update rows, want 1", n)
		}
		// No version at all is 422; other roles are refused by role.
		testenv.Expect(t, e.Do(http.MethodPatch, "/api/v1/cases/"+id, mgr, map[string]any{"notes": "x"}), http.StatusUnprocessableEntity)
		for _, who := range []string{"staff", "reviewer", "handler", "auditor"} {
			testenv.Expect(t, e.Do(http.MethodPatch, "/api/v1/cases/"+id, w.Tokens[who], map[string]any{"version": 2, "notes": "x"}), http.StatusForbidden)
		}
		// POST with the override header is a PATCH: refused by role alike.
		testenv.Expect(t, e.Send(testenv.Request{Method: http.MethodPost, Path: "/api/v1/cases/" + id, Token: w.Tokens["staff"],
			Header: map[string]string{"X-HTTP-Method-Override": "PATCH"}, Body: map[string]any{"version": 2, "notes": "x"}}), http.StatusForbidden)
		// Another case's number: 409, and nothing changed.
		e.CreateCase(mgr, map[string]any{"case_no": "TAKEN-1"})
		r = testenv.Expect(t, e.Do(http.MethodPatch, "/api/v1/cases/"+id, mgr, map[string]any{"version": 2, "case_no": "TAKEN-1"}), http.StatusConflict)
		if r.Code() != "case_no_taken" {
			t.Fatalf("renaming onto another case's number: %s", r.Body)
		}
		// A bad field in an edit: 422, and the version is not spent.
		testenv.Expect(t, e.Do(http.MethodPatch, "/api/v1/cases/"+id, mgr, map[string]any{"version": 2, "closed_on": "2024-02-30"}), http.StatusUnprocessableEntity)
		if getCase(t, e, mgr, id).Version != 2 {
			t.Fatal("an invalid edit bumped the version")
		}
	})
}

func TestCaseConcurrentUpdates(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		mgr := w.Tokens["manager"]
		id := e.CreateCase(mgr, nil)
		const n = 6
		statuses := make([]int, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r := e.Do(http.MethodPatch, "/api/v1/cases/"+id, mgr, map[string]any{"version": 1, "notes": "editor " + strconv.Itoa(i)})
				statuses[i] = r.Status
			}()
		}
		close(start)
		wg.Wait()
		ok, conflict := 0, 0
		for _, s := range statuses {
			switch s {
			case http.StatusOK:
				ok++
			case http.StatusConflict:
				conflict++
			}
		}
		if ok != 1 || conflict != n-1 {
			t.Fatalf("statuses %v: want exactly one 200 and %d 409", statuses, n-1)
		}
		c := getCase(t, e, mgr, id)
		if c.Version != 2 {
			t.Fatalf("version %d after one successful edit", c.Version)
		}
		if rows := auditRows(t, e, w, "case.update", id); len(rows) != 1 {
			t.Fatalf("%d case.update rows, want 1", len(rows))
		}
	})
}

// decode is json.Unmarshal failing the test.
func decode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}
