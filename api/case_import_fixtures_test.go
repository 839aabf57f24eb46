package api_test

import (
	"archive/zip"
	"bytes"
	"database/sql"
	"encoding/csv"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"fayuan/internal/testenv"
)

// The contract's import columns, in the template's order.
var impHeader = []string{"案号", "案件类别", "案件来源", "案由", "受援人", "联系电话", "身份证号", "乡镇", "村(社区)",
	"承办人", "承办机构", "结案日期", "归档日期", "办案补贴"}

// impRow is a good data row of impHeader for case n: a closed civil case of 秦风律师事务所
// (a seeded law firm), its phone and ID number of its own.
func impRow(n int, caseNo string, closed any) []any {
	return []any{caseNo, "民事", "申请", "劳动报酬纠纷", "王秀英", testenv.Phone(n), testenv.IDNumber(n), "营盘镇", "朱家坪村",
		"李明", "秦风律师事务所", closed, "", 1200}
}

// impDay is a date at midnight, for real date cells.
func impDay(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

// impXLSX writes a workbook to the test's temp dir and returns its bytes: the header row,
// then rows, time.Time values as real date cells shown m/d/yy (Excel's built-in format 14, the
// one a formatted read turns into 05-23-24).
func impXLSX(t *testing.T, header []string, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	cells := func(vals []any) []any {
		out := make([]any, len(vals))
		for i, v := range vals {
			if d, ok := v.(time.Time); ok {
				out[i] = excelize.Cell{StyleID: dateStyle, Value: d}
			} else {
				out[i] = v
			}
		}
		return out
	}
	h := make([]any, len(header))
	for i, c := range header {
		h[i] = c
	}
	for i, r := range append([][]any{h}, rows...) {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells(r)); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cases.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return impReadFile(t, path)
}

// impGBKCSV writes lines as CSV encoded in GBK, the way Chinese Windows Excel saves it, to
// the test's temp dir and returns its bytes. A nil line is an empty line.
func impGBKCSV(t *testing.T, lines [][]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	for _, l := range lines {
		if l == nil {
			w.Flush()
			b.WriteString("\r\n")
			continue
		}
		if err := w.Write(l); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cases.csv")
	if err := os.WriteFile(path, gbk, 0o600); err != nil {
		t.Fatal(err)
	}
	return impReadFile(t, path)
}

// impZipBomb writes a "workbook" whose one worksheet inflates to size bytes of XML from a
// file of a few hundred kilobytes.
func impZipBomb(t *testing.T, size int) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bomb.xlsx")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	z := zip.NewWriter(out)
	for name, body := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"xl/workbook.xml":     `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
	} {
		w, _ := z.Create(name)
		_, _ = w.Write([]byte(body))
	}
	w, err := z.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	row := []byte(strings.Repeat(`<row><c t="inlineStr"><is><t>炸弹</t></is></c></row>`, 1024))
	_, _ = w.Write([]byte(`<worksheet><sheetData>`))
	for written := 0; written < size; written += len(row) {
		if _, err := w.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = w.Write([]byte(`</sheetData></worksheet>`))
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return impReadFile(t, path)
}

func impReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// impResult is the import's answer (200, or the 422 import_invalid with the same fields).
type impResult struct {
	Code            string     `json:"code"`
	Message         string     `json:"message"`
	Created         int        `json:"created"`
	Updated         int        `json:"updated"`
	Unchanged       int        `json:"unchanged"`
	Rejected        int        `json:"rejected"`
	Rows            int        `json:"rows"`
	Errors          []impIssue `json:"errors"`
	OrgsCreated     int        `json:"orgs_created"`
	HandlersCreated int        `json:"handlers_created"`
	DryRun          bool       `json:"dry_run"`
	Partial         bool       `json:"partial"`
}

type impIssue struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// impUpload uploads content to the import route with the query and expects status.
func impUpload(t *testing.T, e *testenv.Env, token, query, name string, content []byte, status int) impResult {
	t.Helper()
	path := "/api/v1/cases/import"
	if query != "" {
		path += "?" + query
	}
	r := testenv.Expect(t, e.Upload(path, token, "file", name, content), status)
	testenv.ScanForPersonalData(t, e, "import answer", r.Body)
	var out impResult
	r.JSON(t, &out)
	if status != http.StatusOK { // the error body: the import's answer is its details
		var rejected struct {
			Code, Message string
			Details       *impResult
		}
		r.JSON(t, &rejected)
		for k := range r.Map(t) {
			if k != "code" && k != "message" && k != "details" {
				t.Errorf("error body has field %q beside code, message and details", k)
			}
		}
		if rejected.Details == nil {
			t.Fatalf("%d answer without details: %s", status, r.Body)
		}
		out = *rejected.Details
		out.Code, out.Message = rejected.Code, rejected.Message
	}
	return out
}

// impCase is a case as stored, read straight from the database.
type impCase struct {
	ID           uint64
	CaseNo       string
	Category     string
	Source       string
	Cause        string
	HandlerID    *uint64
	HandlerName  string
	HandlerOrgID *uint64
	ClosedOn     *string
	ArchivedOn   *string
	SubsidyCents int64
	Version      int
	UpdatedAt    time.Time
}

// impStoredCases reads every case, by case number.
func impStoredCases(t *testing.T, e *testenv.Env) map[string]impCase {
	t.Helper()
	var rows []impCase
	if err := e.App.DB.Table("cases").Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]impCase{}
	for _, r := range rows {
		out[r.CaseNo] = r
	}
	return out
}

// impScanTable fails the test when any column of any row of table holds one of values.
func impScanTable(t *testing.T, e *testenv.Env, table string, values ...string) {
	t.Helper()
	rows, err := e.App.DB.Raw("SELECT * FROM " + table).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		raw := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range raw {
			if slices.ContainsFunc(values, func(s string) bool { return bytes.Contains(v, []byte(s)) }) {
				t.Errorf("%s.%s holds personal data in plaintext", table, cols[i])
			}
		}
	}
}

// impCount counts a table's rows.
func impCount(t *testing.T, e *testenv.Env, table string) int64 {
	t.Helper()
	var n int64
	if err := e.App.DB.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// impRefused checks a plain error answer (not the import's shape).
func impRefused(t *testing.T, r *testenv.Response, status int, code string) {
	t.Helper()
	testenv.Expect(t, r, status)
	if r.Code() != code {
		t.Fatalf("code %q, want %q; body %s", r.Code(), code, r.Body)
	}
	if !bytes.ContainsFunc(r.Body, func(c rune) bool { return c >= 0x4e00 && c <= 0x9fff }) {
		t.Errorf("message is not in Chinese: %s", r.Body)
	}
}
