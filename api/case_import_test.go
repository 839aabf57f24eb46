package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"fayuan/internal/testenv"
)

// A clean workbook with real date cells is imported; its dates read back as the calendar dates
// typed, not as the 05-23-24 a formatted read would give; re-importing it changes nothing; a
// changed row updates just that case.
func TestImportCleanWorkbook(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		mgr := w.Tokens["manager"]
		rows := [][]any{
			impRow(9101, "ZS-X-001", impDay(2024, 5, 23)),
			impRow(9102, "ZS-X-002", impDay(2024, 1, 31)),
			impRow(9103, "ZS-X-003", ""), // open case
		}
		rows[1][12] = impDay(2024, 2, 5) // 归档日期 as a date cell
		rows[2][13] = "1,500.50"         // 办案补贴 as text
		var personal []string
		for _, n := range []int{9101, 9102, 9103} {
			personal = append(personal, testenv.Phone(n), testenv.IDNumber(n))
			e.Tripwire.Add("phone", testenv.Phone(n))
			e.Tripwire.Add("id number", testenv.IDNumber(n))
		}
		file := impXLSX(t, impHeader, rows)

		got := impUpload(t, e, mgr, "", "台账.xlsx", file, http.StatusOK)
		if got.Created != 3 || got.Updated != 0 || got.Unchanged != 0 || len(got.Errors) != 0 || got.Rows != 3 {
			t.Fatalf("first import = %+v, want 3 created", got)
		}
		stored := impStoredCases(t, e)
		want := map[string]struct{ closed, archived *string }{
			"ZS-X-001": {impPtr("2024-05-23"), nil}, "ZS-X-002": {impPtr("2024-01-31"), impPtr("2024-02-05")}, "ZS-X-003": {nil, nil},
		}
		for no, d := range want {
			c, ok := stored[no]
			if !ok {
				t.Fatalf("case %s not stored", no)
			}
			if !reflect.DeepEqual(c.ClosedOn, d.closed) || !reflect.DeepEqual(c.ArchivedOn, d.archived) {
				t.Errorf("%s: closed %v archived %v, want %v %v", no, impDeref(c.ClosedOn), impDeref(c.ArchivedOn), impDeref(d.closed), impDeref(d.archived))
			}
			if c.Category != "civil" || c.Source != "application" || c.HandlerName != "李明" || c.HandlerOrgID == nil ||
				strconv.FormatUint(*c.HandlerOrgID, 10) != w.FirmA || c.Version != 1 {
				t.Errorf("%s stored as %+v", no, c)
			}
		}
		if stored["ZS-X-001"].SubsidyCents != 120000 || stored["ZS-X-003"].SubsidyCents != 150050 {
			t.Errorf("subsidies %d, %d; want 120000, 150050", stored["ZS-X-001"].SubsidyCents, stored["ZS-X-003"].SubsidyCents)
		}
		// Read through the API: the contract's dates, and the phone masked for the manager.
		var one struct {
			ClosedOn  string `json:"closed_on"`
			Recipient struct {
				Phone string `json:"phone"`
			} `json:"recipient"`
		}
		r := testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/cases/"+strconv.FormatUint(stored["ZS-X-001"].ID, 10), mgr, nil), http.StatusOK)
		r.JSON(t, &one)
		if one.ClosedOn != "2024-05-23" || one.Recipient.Phone != "139****9101" {
			t.Errorf("case answer: closed_on %q phone %q", one.ClosedOn, one.Recipient.Phone)
		}
		impScanTable(t, e, "cases", personal...)
		var reasons []string
		e.App.DB.Table("audit_logs").Where("action = ?", "case.import").Pluck("reason", &reasons)
		sum := sha256.Sum256(file)
		if len(reasons) != 1 || !strings.HasPrefix(reasons[0], "created=3 updated=0 unchanged=0 rejected=0") ||
			!strings.HasSuffix(reasons[0], "file_sha256="+hex.EncodeToString(sum[:])) {
			t.Errorf("case.import audit reasons %q", reasons)
		}

		// The same file again: nothing changes, not even updated_at.
		again := impUpload(t, e, mgr, "", "台账.xlsx", file, http.StatusOK)
		if again.Created != 0 || again.Updated != 0 || again.Unchanged != 3 {
			t.Fatalf("re-import = %+v, want 3 unchanged", again)
		}
		if after := impStoredCases(t, e); !reflect.DeepEqual(after, stored) {
			t.Errorf("re-import changed stored cases:\n%+v\n%+v", stored, after)
		}

		// One changed row updates that case and bumps its version.
		e.Clock.Advance(time.Minute)
		rows[1][3] = "工伤保险待遇纠纷"
		changed := impUpload(t, e, mgr, "", "台账.xlsx", impXLSX(t, impHeader, rows), http.StatusOK)
		if changed.Created != 0 || changed.Updated != 1 || changed.Unchanged != 2 {
			t.Fatalf("changed import = %+v, want 1 updated, 2 unchanged", changed)
		}
		after := impStoredCases(t, e)
		if c := after["ZS-X-002"]; c.Cause != "工伤保险待遇纠纷" || c.Version != 2 || !c.UpdatedAt.After(stored["ZS-X-002"].UpdatedAt) ||
			c.ID != stored["ZS-X-002"].ID {
			t.Errorf("updated case = %+v", c)
		}
		if !reflect.DeepEqual(after["ZS-X-001"], stored["ZS-X-001"]) {
			t.Errorf("an unchanged row was rewritten")
		}
	})
}

// The messy file of the issue: GBK, a title row above the header, columns out of order with an
// unknown one, mixed date spellings, full-width case numbers and phones, stray spaces, blank
// rows, a case number repeated, a bad check digit. All or nothing answers every error and writes
// nothing; dry_run the same; partial writes the good rows.
func TestImportMessyGBKFile(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		mgr := w.Tokens["manager"]
		badID := []byte(testenv.IDNumber(9205))
		badID[17] = "0123456789X"[(impIndex("0123456789X", badID[17])+1)%11]
		header := []string{"序号", "承办机构", "承办人", "案号", "受援人", "身份证号", "联系电话", "案件类别", "案件来源", "案由",
			"乡镇", "村（社区）", "结案日期", "办案补贴"}
		row := func(seq, caseNo, name, id, phone, category, closed string) []string {
			return []string{seq, " 秦风律师事务所 ", "李明", caseNo, name, id, phone, category, "指派", "盗窃罪", "营盘镇", "朱家坪村", closed, "800"}
		}
		file := impGBKCSV(t, [][]string{
			{"2024年法律援助案件台账"},
			header,
			row("1", "ＺＳ－２０２４－００１", " 王秀英 ", testenv.IDNumber(9201), "+86 139-0000-9201", "刑事", "2024/5/3"), // row 3
			row("2", "ZS-2024-002", "张\u3000三", testenv.IDNumber(9202), "１３９００００９２０２", "刑事", "2024年4月18日"),  // row 4
			{"", "", "", "", ""}, // row 5: blank
			row("3", "ZS-2024-003 ", "李四", testenv.IDNumber(9203), "13900009203", "民事", "2024.3.9"),   // row 6
			row("4", "ZS-2024-004", "赵六", string(badID), "13900009204", "民事", "2024-03-09"),           // row 7
			row("5", "ZS-2024-001", "王秀英", testenv.IDNumber(9201), "13900009201", "刑事", "2024-05-03"), // row 8: repeats row 3
			row("6", "ZS-2024-006", "钱七", testenv.IDNumber(9206), "13900009206", "民商事", "2024-02-30"), // row 9
			nil, // row 10: empty line
			row("7", "ZS-2024-007", "孙八", testenv.IDNumber(9207), "13900009207", "民事", "20240115"), // row 11
			row("8", "ZS-2024-008", "周九", testenv.IDNumber(9208), "12345", "民事", "2024-01-15"),     // row 12
		})
		wantErrors := []impIssue{
			{7, "身份证号", "身份证号校验位不对，请核对"},
			{8, "案号", "案号与第 3 行重复"},
			{9, "案件类别", "案件类别应为 刑事、民事、行政 或 非诉讼"},
			{9, "结案日期", "日期不存在：2024-02-30"},
			{12, "联系电话", "电话号码应为 11 位手机号（1 开头）或带区号的固定电话"},
		}
		check := func(got impResult, query string) {
			t.Helper()
			if !reflect.DeepEqual(got.Errors, wantErrors) {
				t.Errorf("%s: errors\n%+v\nwant\n%+v", query, got.Errors, wantErrors)
			}
			if got.Rows != 8 || got.Rejected != 4 {
				t.Errorf("%s: rows %d rejected %d, want 8 and 4", query, got.Rows, got.Rejected)
			}
		}
		for _, q := range []string{"", "dry_run=true"} {
			got := impUpload(t, e, mgr, q, "台账.csv", file, http.StatusUnprocessableEntity)
			check(got, q)
			if got.Code != "import_invalid" || got.Message == "" || got.Created != 0 || got.DryRun != (q != "") {
				t.Errorf("%s: answer %+v", q, got)
			}
			if n := impCount(t, e, "cases") + impCount(t, e, "handlers"); n != 0 {
				t.Fatalf("%s: %d cases and handlers written", q, n)
			}
		}
		dry := impUpload(t, e, mgr, "partial=true&dry_run=true", "台账.csv", file, http.StatusOK)
		check(dry, "partial dry run")
		if dry.Created != 4 || dry.HandlersCreated != 1 || impCount(t, e, "cases") != 0 {
			t.Errorf("partial dry run = %+v, %d cases stored", dry, impCount(t, e, "cases"))
		}

		got := impUpload(t, e, mgr, "partial=true", "台账.csv", file, http.StatusOK)
		check(got, "partial")
		if got.Created != 4 || got.Updated != 0 || !got.Partial {
			t.Errorf("partial = %+v, want 4 created", got)
		}
		stored := impStoredCases(t, e)
		wantClosed := map[string]string{"ZS-2024-001": "2024-05-03", "ZS-2024-002": "2024-04-18", "ZS-2024-003": "2024-03-09", "ZS-2024-007": "2024-01-15"}
		if len(stored) != len(wantClosed) {
			t.Errorf("stored %d cases, want %d", len(stored), len(wantClosed))
		}
		for no, d := range wantClosed {
			if c, ok := stored[no]; !ok || impDeref(c.ClosedOn) != d || c.Category != "criminal" && no != "ZS-2024-003" && no != "ZS-2024-007" ||
				c.Source != "notified" || c.SubsidyCents != 80000 {
				t.Errorf("%s stored as %+v (closed %s), want closed %s", no, c, impDeref(c.ClosedOn), d)
			}
		}
		var names []string
		if err := e.App.DB.Table("cases").Order("case_no").Pluck("recipient_name", &names).Error; err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(names, []string{"王秀英", "张 三", "李四", "孙八"}) {
			t.Errorf("recipient names %q", names)
		}
		var hashes []string // the full-width phone of row 4 is stored like the plain one would be
		e.App.DB.Table("cases").Where("case_no = ?", "ZS-2024-002").Pluck("recipient_phone_hash", &hashes)
		if len(hashes) != 1 || hashes[0] != e.App.Vault.Hash("13900009202") {
			t.Errorf("phone of row 4 not normalised before hashing")
		}
	})
}

func impPtr(s string) *string { return &s }

func impDeref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func impIndex(s string, c byte) int {
	for i := range len(s) {
		if s[i] == c {
			return i
		}
	}
	return -1
}
