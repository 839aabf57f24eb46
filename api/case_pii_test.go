package api_test

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fayuan/internal/testenv"
)

// TestCaseDatabaseHoldsNoPlaintext reads the database's raw bytes (SQLite: the file and its
// WAL; MariaDB: every table as text, and a mysqldump) and finds no phone or ID number in any
// form it was sent in.
func TestCaseDatabaseHoldsNoPlaintext(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		mgr := w.Tokens["manager"]
		var secrets []string
		for i := range 20 {
			n := 5000 + i
			phone, id := testenv.Phone(n), testenv.IDNumber(n)
			secrets = append(secrets, phone, id, phone[3:], id[6:14]+id[14:]) // whole, and the parts a mask hides
			sent := phone
			if i%2 == 1 {
				sent = "+86 " + phone[:3] + "-" + phone[3:7] + "-" + phone[7:]
			}
			cid := e.CreateCase(mgr, map[string]any{"case_no": "RAW-" + phone[7:], "recipient": map[string]any{"phone": sent, "id_number": id,
				"address": "营盘镇秘密村" + phone[7:] + "号"}})
			// Edits and reveals write too (audit rows, new ciphertexts).
			testenv.Expect(t, e.Do(http.MethodPatch, "/api/v1/cases/"+cid, mgr, map[string]any{"version": 1,
				"recipient": map[string]any{"phone": phone}}), http.StatusOK)
			testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/cases/"+cid+"/reveal", mgr, map[string]any{"field": "id_number", "reason": "核对"}), http.StatusOK)
		}
		// A search by phone writes nothing, but prove the hashes work before looking at bytes.
		r := testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/cases?phone="+testenv.Phone(5003), mgr, nil), http.StatusOK)
		if r.Map(t)["total"].(float64) != 1 {
			t.Fatalf("search by phone: %s", r.Body)
		}
		var raw []byte
		switch b {
		case testenv.SQLite:
			for _, suffix := range []string{"", "-wal", "-shm"} {
				data, err := os.ReadFile(e.Database.DSN + suffix)
				if err != nil && suffix == "" {
					t.Fatal(err)
				}
				raw = append(raw, data...)
			}
			if len(raw) < 4096 {
				t.Fatalf("read only %d bytes of the database", len(raw))
			}
		case testenv.MySQL:
			raw = tablesAsText(t, e)
			raw = append(raw, mysqldump(t, e)...)
		}
		if !bytes.Contains(raw, []byte("RAW-")) {
			t.Fatal("the raw read does not even hold the case numbers: it read the wrong thing")
		}
		for _, s := range secrets {
			if bytes.Contains(raw, []byte(s)) {
				t.Errorf("the database holds %s…%s in plaintext", s[:3], s[len(s)-2:])
			}
		}
		if bytes.Contains(raw, []byte("秘密村")) {
			t.Error("the database holds an address in plaintext")
		}
	})
}

// tablesAsText reads every column of every table as text.
func tablesAsText(t *testing.T, e *testenv.Env) []byte {
	t.Helper()
	var tables []string
	if err := e.App.DB.Raw("SHOW TABLES").Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, tbl := range tables {
		rows, err := e.App.DB.Raw("SELECT * FROM `" + tbl + "`").Rows()
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				switch x := v.(type) {
				case []byte:
					out.Write(x)
				case string:
					out.WriteString(x)
				}
				out.WriteByte('\t')
			}
			out.WriteByte('\n')
		}
		rows.Close()
	}
	return out.Bytes()
}

// mysqldump dumps the test schema with the client tool, when it is installed.
func mysqldump(t *testing.T, e *testenv.Env) []byte {
	t.Helper()
	bin, err := exec.LookPath("mysqldump")
	if err != nil {
		t.Log("mysqldump not installed; the table read alone is checked")
		return nil
	}
	dsn := e.Database.DSN // user[:pass]@tcp(host:port)/name
	at := strings.LastIndex(dsn, "@")
	user, pass, _ := strings.Cut(dsn[:at], ":")
	rest := dsn[at+1:]
	hostPort := strings.TrimSuffix(strings.TrimPrefix(rest[:strings.Index(rest, "/")], "tcp("), ")")
	host, port, _ := strings.Cut(hostPort, ":")
	name := filepath.Base(strings.SplitN(rest, "?", 2)[0])
	args := []string{"-u" + user, "-h" + host, "--skip-ssl", "--hex-blob=false", name}
	if port != "" {
		args = append(args, "-P"+port)
	}
	if pass != "" {
		args = append(args, "-p"+pass)
	}
	cmd := exec.Command(bin, args...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("mysqldump: %v", err)
	}
	return out
}

// scanAllowing is testenv.ScanForPersonalData for an answer that may hold the allowed values
// (the assigned staff member's phone): they are blanked out first, everything else is scanned.
func scanAllowing(t *testing.T, e *testenv.Env, where string, body []byte, allowed ...string) {
	t.Helper()
	for _, a := range allowed {
		body = bytes.ReplaceAll(body, []byte(a), []byte("<allowed>"))
	}
	testenv.ScanForPersonalData(t, e, where, body)
}

// TestCasePersonalDataByRole scans every case answer each non-privileged role gets, list and
// detail, for phone and ID numbers: seeded values (tripwire) and anything shaped like them.
func TestCasePersonalDataByRole(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		mgr := w.Tokens["manager"]
		w.Users["staff2"] = e.CreateUser(w.Admin, "staff2", w.AidCenter, "staff")
		w.Tokens["staff2"], _ = e.Login("staff2", testenv.Password("staff2"))

		ownA := e.CreateCase(mgr, map[string]any{"handler": testenv.LinkedHandler("handler", w.FirmA),
			"recipient": map[string]any{"phone": testenv.Phone(7001), "name": "王秀英"}})
		e.Tripwire.Add("phone A", testenv.Phone(7001))
		ownB := e.CreateCase(mgr, map[string]any{"handler": testenv.LinkedHandler("handler_b", w.FirmB)})
		noPhone := e.CreateCase(mgr, map[string]any{"handler": testenv.LinkedHandler("handler", w.FirmA),
			"recipient": map[string]any{"phone": nil, "id_number": "11010519491231002X"}})
		e.Tripwire.Add("old ID", "11010519491231002X")
		e.Assign(ownA, w.Users["staff"])
		e.Assign(noPhone, w.Users["staff"])
		e.AssignPhase(1, "reviews", ownB, w.Users["reviewer"])
		all := []string{ownA, ownB, noPhone}

		type view struct {
			who     string
			sees    []string
			name    string // what the recipient's name of ownA looks like, if seen
			phoneOK bool   // may see ownA's phone in full on its detail
		}
		for _, v := range []view{
			{who: "staff2"},
			{who: "firm_staff"},
			{who: "staff", sees: []string{ownA, noPhone}, name: "王秀英", phoneOK: true},
			{who: "reviewer", sees: []string{ownB}},
			{who: "handler", sees: []string{ownA, noPhone}, name: "王*英"},
			{who: "handler_b", sees: []string{ownB}},
		} {
			tok := w.Tokens[v.who]
			r := testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/cases?page_size=500", tok, nil), http.StatusOK)
			testenv.ScanForPersonalData(t, e, "case list as "+v.who, r.Body)
			var list struct {
				Items []caseBody `json:"items"`
				Total int        `json:"total"`
			}
			r.JSON(t, &list)
			if list.Total != len(v.sees) || len(list.Items) != len(v.sees) {
				t.Errorf("%s lists %d cases, want %d", v.who, list.Total, len(v.sees))
			}
			for _, id := range all {
				r := e.Do(http.MethodGet, "/api/v1/cases/"+id, tok, nil)
				seen := contains(v.sees, id)
				if !seen {
					testenv.Expect(t, r, http.StatusNotFound)
					testenv.ScanForPersonalData(t, e, "404 as "+v.who, r.Body)
					continue
				}
				testenv.Expect(t, r, http.StatusOK)
				var c caseBody
				r.JSON(t, &c)
				if id == ownA && v.phoneOK {
					if c.Recipient.Phone != testenv.Phone(7001) {
						t.Errorf("%s, assigned, sees phone %q, want it in full", v.who, c.Recipient.Phone)
					}
					scanAllowing(t, e, "case detail as assigned "+v.who, r.Body, testenv.Phone(7001))
				} else {
					testenv.ScanForPersonalData(t, e, "case detail as "+v.who, r.Body)
				}
				if id == ownA && c.Recipient.Name != v.name {
					t.Errorf("%s sees the recipient's name as %q, want %q", v.who, c.Recipient.Name, v.name)
				}
				if !v.phoneOK && (c.Recipient.Phone != "" || c.Recipient.IDNumber != "" || c.Recipient.BirthYear != nil || c.Recipient.Address != "") {
					t.Errorf("%s sees personal data: %+v", v.who, c.Recipient)
				}
				if v.phoneOK && id == noPhone && (c.Recipient.Phone != "" || c.Recipient.IDNumber != "110105************") {
					t.Errorf("%s sees on a case without phone: %+v", v.who, c.Recipient)
				}
			}
			// The list never shows a phone in full, even to the assigned staff member.
			for _, c := range list.Items {
				if strings.Contains(c.Recipient.Phone, "7001") && !strings.Contains(c.Recipient.Phone, "****") {
					t.Errorf("%s's list shows a phone in full", v.who)
				}
			}
		}
		// The assigned staff member's read of the phone was audited, once per read; reading a
		// case without a phone is not a phone read.
		rows := auditRows(t, e, w, "case.read_phone", ownA)
		if len(rows) != 1 || rows[0]["actor_id"] != w.Users["staff"] {
			t.Fatalf("case.read_phone rows: %v", rows)
		}
		if rows := auditRows(t, e, w, "case.read_phone", noPhone); len(rows) != 0 {
			t.Fatalf("a case without phone audited a phone read: %v", rows)
		}

		// Managers: masked everywhere, in list and detail.
		for _, who := range []string{"manager", "centre_manager"} {
			r := testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/cases", w.Tokens[who], nil), http.StatusOK)
			testenv.ScanForPersonalData(t, e, "list as "+who, r.Body)
			for _, id := range all {
				r := testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/cases/"+id, w.Tokens[who], nil), http.StatusOK)
				testenv.ScanForPersonalData(t, e, "detail as "+who, r.Body)
			}
		}

		// Reveal: managers with a reason, audited with it.
		r := testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/cases/"+ownA+"/reveal", mgr, map[string]any{"field": "phone", "reason": "受援人来电核实身份"}), http.StatusOK)
		if m := r.Map(t); m["field"] != "phone" || m["value"] != testenv.Phone(7001) {
			t.Fatalf("reveal: %s", r.Body)
		}
		r = testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/cases/"+noPhone+"/reveal", w.Tokens["centre_manager"], map[string]any{"field": "id_number", "reason": "核对"}), http.StatusOK)
		if r.Map(t)["value"] != "11010519491231002X" {
			t.Fatalf("reveal ID: %s", r.Body)
		}
		rows = auditRows(t, e, w, "case.reveal_phone", ownA)
		if len(rows) != 1 || rows[0]["reason"] != "受援人来电核实身份" || rows[0]["actor_id"] != w.Users["manager"] {
			t.Fatalf("case.reveal_phone rows: %v", rows)
		}
		for _, c := range []struct {
			body   map[string]any
			status int
		}{
			{map[string]any{"field": "phone"}, http.StatusUnprocessableEntity},
			{map[string]any{"field": "phone", "reason": "   "}, http.StatusUnprocessableEntity},
			{map[string]any{"field": "password", "reason": "好奇"}, http.StatusUnprocessableEntity},
		} {
			r := testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/cases/"+ownA+"/reveal", mgr, c.body), c.status)
			testenv.ScanForPersonalData(t, e, "refused reveal", r.Body)
		}
		testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/cases/999999/reveal", mgr, map[string]any{"field": "phone", "reason": "核对"}), http.StatusNotFound)
		for _, who := range []string{"staff", "handler", "reviewer", "auditor"} {
			r := testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/cases/"+ownA+"/reveal", w.Tokens[who], map[string]any{"field": "phone", "reason": "核对"}), http.StatusForbidden)
			testenv.ScanForPersonalData(t, e, "reveal as "+who, r.Body)
		}
		testenv.Expect(t, e.Do(http.MethodPost, "/api/v1/cases/"+ownA+"/reveal", w.Admin, map[string]any{"field": "phone", "reason": "核对"}), http.StatusForbidden)
		if rows := auditRows(t, e, w, "case.reveal_phone", ownA); len(rows) != 1 {
			t.Fatalf("refused reveals were audited as reveals: %d rows", len(rows))
		}
		// Only managers search by phone or ID number.
		testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/cases?phone="+testenv.Phone(7001), w.Tokens["staff"], nil), http.StatusForbidden)
		testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/cases?id_number=11010519491231002X", w.Tokens["handler"], nil), http.StatusForbidden)
	})
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
