package api_test

import (
	"archive/zip"
	"bytes"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"fayuan/config"
	"fayuan/internal/testenv"
)

// A file without a required column is refused as a whole, partial or not, naming the column
// on the header row.
func TestImportMissingColumn(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		header := append(append([]string{}, impHeader[:6]...), impHeader[7:]...) // no 身份证号
		row := append(append([]any{}, impRow(9301, "ZS-M-001", "2024-05-01")[:6]...), impRow(9301, "", "2024-05-01")[7:]...)
		file := impXLSX(t, header, [][]any{row})
		for _, q := range []string{"", "partial=true"} {
			got := impUpload(t, e, w.Tokens["manager"], q, "cases.xlsx", file, http.StatusUnprocessableEntity)
			want := []impIssue{{1, "身份证号", "缺少必需的列「身份证号」"}}
			if got.Code != "import_invalid" || !reflect.DeepEqual(got.Errors, want) {
				t.Errorf("%q: answer %+v, want errors %+v", q, got, want)
			}
		}
		if n := impCount(t, e, "cases"); n != 0 {
			t.Errorf("%d cases written", n)
		}
	})
}

// Handlers are people known by name within their organisation: two 王军 of two firms are two
// handlers; organisations are matched by name and created with a kind read from their name; a
// court is no handling organisation; a new handler is linked to the firm's account of that name.
func TestImportHandlersAndOrganisations(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		rows := [][]any{
			impRow(9401, "ZS-H-001", "2024-05-01"),
			impRow(9402, "ZS-H-002", "2024-05-01"),
			impRow(9403, "ZS-H-003", "2024-05-01"),
			impRow(9404, "ZS-H-004", "2024-05-01"),
			impRow(9405, "ZS-H-005", "2024-05-01"),
			impRow(9406, "ZS-H-006", "2024-05-01"),
		}
		set := func(i int, handler, org string) { rows[i][9], rows[i][10] = handler, org }
		set(0, "王军", "秦风律师事务所")
		set(1, "王军", "新城律师事务所")
		set(2, "王军", "秦风律师事务所")
		set(3, testenv.DisplayName("handler"), "秦风律师事务所") // the seeded handler account of firm A
		set(4, "陈静", "下梁法律服务所")
		set(5, "刘强", "柞水县人民法院") // a court (judicial_organ) handles no case
		got := impUpload(t, e, w.Tokens["manager"], "partial=true", "cases.xlsx", impXLSX(t, impHeader, rows), http.StatusOK)
		wantErr := []impIssue{{7, "承办机构", "「柞水县人民法院」是司法机关，承办机构应为律师事务所、法律服务所或法律援助中心"}}
		if got.Created != 5 || got.OrgsCreated != 2 || got.HandlersCreated != 4 || !reflect.DeepEqual(got.Errors, wantErr) {
			t.Fatalf("answer %+v", got)
		}
		stored := impStoredCases(t, e)
		h1, h2, h3 := stored["ZS-H-001"].HandlerID, stored["ZS-H-002"].HandlerID, stored["ZS-H-003"].HandlerID
		if h1 == nil || h2 == nil || h3 == nil || *h1 == *h2 || *h1 != *h3 {
			t.Errorf("handler ids %v %v %v: want the two 王军 of firm A the same and the other firm's apart", h1, h2, h3)
		}
		var kinds []struct{ Name, Kind string }
		e.App.DB.Table("orgs").Where("name IN ?", []string{"新城律师事务所", "下梁法律服务所"}).Order("name").Find(&kinds)
		if len(kinds) != 2 || kinds[0].Kind != "legal_service_office" || kinds[1].Kind != "law_firm" {
			t.Errorf("new organisations %+v", kinds)
		}
		var linked []uint64
		e.App.DB.Table("handlers").Where("id = ?", *stored["ZS-H-004"].HandlerID).Pluck("user_id", &linked)
		if len(linked) != 1 || strconv.FormatUint(linked[0], 10) != w.Users["handler"] {
			t.Errorf("handler 用户handler linked to %v, want account %s", linked, w.Users["handler"])
		}
	})
}

// Size, row and type limits: each refused with a clear 4xx, early, and the server well after.
func TestImportLimits(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b, func(c *config.Config) { c.ImportMaxRows = 3 })
		w := e.Seed()
		mgr := w.Tokens["manager"]
		big := bytes.Repeat([]byte("案号,案由\r\nZS-1,劳动争议\r\n"), 21<<20/30) // 21 MB of CSV

		start := time.Now()
		impRefused(t, e.Upload("/api/v1/cases/import", mgr, "file", "big.csv", big), http.StatusRequestEntityTooLarge, "body_too_large")
		r, read := e.UploadStream("/api/v1/cases/import", mgr, "file", "big.csv", bytes.NewReader(big))
		impRefused(t, r, http.StatusRequestEntityTooLarge, "file_too_large")
		if read > 20<<20+256<<10 {
			t.Errorf("the server read %d bytes of a file past the 20 MB limit", read)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("refusing the big files took %s", d)
		}
		testenv.Expect(t, e.Do(http.MethodGet, "/healthz", "", nil), http.StatusOK)

		rows := [][]any{impRow(9501, "ZS-L-1", ""), impRow(9502, "ZS-L-2", ""), impRow(9503, "ZS-L-3", ""), impRow(9504, "ZS-L-4", "")}
		impRefused(t, e.Upload("/api/v1/cases/import", mgr, "file", "rows.xlsx", impXLSX(t, impHeader, rows)),
			http.StatusUnprocessableEntity, "too_many_rows")
		impUpload(t, e, mgr, "", "rows.xlsx", impXLSX(t, impHeader, rows[:3]), http.StatusOK)
		if n := impCount(t, e, "cases"); n != 3 {
			t.Errorf("%d cases, want the 3 of the file within the limit", n)
		}
	})
}

// Files that are not spreadsheets get a 4xx with a message a manager understands, and a zip
// bomb is refused from its directory without being inflated.
func TestImportRefusesOtherFiles(t *testing.T) {
	bomb := impZipBomb(t, 400<<20)
	if len(bomb) > 2<<20 {
		t.Fatalf("the bomb is %d bytes; it should be small", len(bomb))
	}
	var docx bytes.Buffer // a zip, but a Word document
	z := zip.NewWriter(&docx)
	part, _ := z.Create("word/document.xml")
	_, _ = part.Write([]byte("<w:document/>"))
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		mgr := w.Tokens["manager"]
		for _, c := range []struct {
			name    string
			content []byte
			status  int
			code    string
			says    string
		}{
			{"案件.xlsx", []byte("这不是表格，只是一段改了扩展名的文字。\n"), 415, "unsupported_file", "不是 Excel 工作簿"},
			{"bomb.xlsx", bomb, 422, "file_suspicious", "压缩炸弹"},
			{"cases.docx", docx.Bytes(), 415, "unsupported_file", "不是 Excel 工作簿"},
			{"old.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), 415, "unsupported_file", ".xls"},
			{"export.xls", []byte("<html><body><table><tr><td>案号</td></tr></table></body></html>"), 415, "unsupported_file", "HTML"},
			{"photo.csv", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...), 415, "unsupported_file", "无法识别"},
			{"broken.xlsx", []byte("PK\x03\x04 truncated"), 422, "file_corrupt", "已损坏"},
			{"empty.csv", nil, 422, "file_empty", "空"},
		} {
			start := time.Now()
			r := e.Upload("/api/v1/cases/import", mgr, "file", c.name, c.content)
			impRefused(t, r, c.status, c.code)
			if !strings.Contains(r.Map(t)["message"].(string), c.says) {
				t.Errorf("%s: message %s does not say %q", c.name, r.Body, c.says)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("%s: took %s", c.name, d)
			}
		}
		testenv.Expect(t, e.Do(http.MethodGet, "/healthz", "", nil), http.StatusOK)
	})
}

// Only managers import and download the template.
func TestImportRoles(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		file := impXLSX(t, impHeader, [][]any{impRow(9601, "ZS-R-1", "")})
		for _, who := range []string{"staff", "reviewer", "handler", "auditor", "firm_staff"} {
			impRefused(t, e.Upload("/api/v1/cases/import", w.Tokens[who], "file", "c.xlsx", file), http.StatusForbidden, "role_forbidden")
			impRefused(t, e.Do(http.MethodGet, "/api/v1/cases/import-template", w.Tokens[who], nil), http.StatusForbidden, "role_forbidden")
		}
		impRefused(t, e.Upload("/api/v1/cases/import", w.Admin, "file", "c.xlsx", file), http.StatusForbidden, "role_forbidden")
		testenv.Expect(t, e.Upload("/api/v1/cases/import", "", "file", "c.xlsx", file), http.StatusUnauthorized)
		if n := impCount(t, e, "cases"); n != 0 {
			t.Errorf("%d cases written by refused callers", n)
		}
		impUpload(t, e, w.Tokens["centre_manager"], "", "c.xlsx", file, http.StatusOK)
	})
}

// The template is a real workbook with the contract's header; imported as downloaded, its
// example row makes one case.
func TestImportTemplate(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		r := testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/cases/import-template", w.Tokens["manager"], nil), http.StatusOK)
		if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") ||
			!strings.Contains(cd, "filename*=UTF-8''%E6%A1%88%E4%BB%B6%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx") {
			t.Errorf("Content-Disposition %q", cd)
		}
		f, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("template is no workbook: %v", err)
		}
		head, err := f.GetRows(f.GetSheetList()[0])
		if err != nil || len(head) != 2 || !reflect.DeepEqual(head[0][:len(impHeader)], impHeader) {
			t.Fatalf("template rows %q (%v)", head, err)
		}
		got := impUpload(t, e, w.Tokens["manager"], "", "案件导入模板.xlsx", r.Body, http.StatusOK)
		if got.Created != 1 || len(got.Errors) != 0 || got.OrgsCreated != 1 {
			t.Errorf("template import = %+v, want its example row created", got)
		}
	})
}
