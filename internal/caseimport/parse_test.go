package caseimport

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"

	"fayuan/model"
)

const header = "案号,案件类别,案件来源,案由,受援人,联系电话,身份证号,乡镇,村(社区),承办人,承办机构,结案日期"

// parseText spools content (its name decides nothing) and parses it with the default limits.
func parseText(t *testing.T, name string, content []byte) (*Parsed, error) {
	t.Helper()
	u, err := Spool(bytes.NewReader(content), name, t.TempDir(), DefaultLimits().MaxBytes)
	if err != nil {
		return nil, err
	}
	defer u.Remove()
	return Parse(context.Background(), u, DefaultLimits(), "2024-05-24")
}

func row(caseNo, closed string) string {
	return caseNo + ",民事,申请,劳动争议,王秀英,13900000001,11010519491231002X,营盘镇,朱家坪村,李明,秦风律师事务所," + closed
}

// Row numbers are the spreadsheet's own: a quoted cell spanning lines is one row, and blank
// lines count as rows, as Excel shows them.
func TestCSVRowNumbers(t *testing.T) {
	csv := strings.Join([]string{
		"台账（2024）", // row 1: a title above the header
		header,     // row 2
		row("A-1", "2024-01-02"),
		"", // row 4: blank
		row("A-2", "2024-01-02") + `,"备注第一行`, // row 5, spanning two lines
		`第二行"`,
		row("A-3", "2024-13-02"), // row 6
	}, "\r\n")
	p, err := parseText(t, "x.csv", []byte("\xEF\xBB\xBF"+csv))
	if err != nil {
		t.Fatal(err)
	}
	if p.HeaderRow != 2 || len(p.Rows) != 2 || p.Rows[0].Line != 3 || p.Rows[1].Line != 5 {
		t.Fatalf("header %d rows %+v", p.HeaderRow, p.Rows)
	}
	want := []model.ImportIssue{{Row: 6, Column: "结案日期", Message: "日期不存在：2024-13-02"}}
	if !reflect.DeepEqual(p.Issues, want) {
		t.Errorf("issues %+v", p.Issues)
	}
}

// Excel's "Unicode text" is UTF-16 with a BOM and tabs between cells.
func TestUTF16TabSeparated(t *testing.T) {
	text := strings.ReplaceAll(header+"\r\n"+row("U-1", "2024/5/3")+"\r\n", ",", "\t")
	enc, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(text))
	p, err := parseText(t, "x.txt", enc)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rows) != 1 || p.Rows[0].CaseNo != "U-1" || p.Rows[0].ClosedOn != "2024-05-03" || p.Rows[0].Recipient != "王秀英" {
		t.Fatalf("rows %+v issues %+v", p.Rows, p.Issues)
	}
}

// A header naming a column twice, or lacking required ones, is the file's problem.
func TestHeaderIssues(t *testing.T) {
	p, err := parseText(t, "x.csv", []byte("案号,案号,案由\r\nA-1,A-1,x\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.HeaderIssues) == 0 || p.HeaderIssues[0].Message != "表头中「案号」出现了不止一次（第 A 列和第 B 列）" ||
		!strings.Contains(p.HeaderIssues[len(p.HeaderIssues)-1].Message, "缺少必需的列「结案日期」") {
		t.Errorf("header issues %+v", p.HeaderIssues)
	}
}

// Dates keep the case form's order, and none lies after today.
func TestDateOrder(t *testing.T) {
	csv := header + ",归档日期,受理日期\r\n" +
		row("D-1", "2024-03-01") + ",2024-02-01,2024-01-01\r\n" + // archived before closed
		row("D-2", "") + ",2024-02-01,\r\n" + // archived while open
		row("D-3", "2024-06-01") + ",,\r\n" // after today
	p, err := parseText(t, "x.csv", []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	want := []model.ImportIssue{
		{Row: 2, Column: "归档日期", Message: "不能早于之前的日期（受理、指派、结案、归档依次排列）"},
		{Row: 3, Column: "归档日期", Message: "未结案的案件不能归档"},
		{Row: 4, Column: "结案日期", Message: "不能晚于今天"},
	}
	if !reflect.DeepEqual(p.Issues, want) {
		t.Errorf("issues %+v", p.Issues)
	}
}

func TestTooManyRows(t *testing.T) {
	lim := DefaultLimits()
	lim.MaxRows = 2
	u, err := Spool(strings.NewReader(header+"\n"+row("R-1", "")+"\n\n"+row("R-2", "")+"\n"+row("R-3", "")+"\n"), "x.csv", t.TempDir(), lim.MaxBytes)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Remove()
	_, err = Parse(context.Background(), u, lim, "2024-05-24")
	if e, ok := model.AsError(err); !ok || e.Code != "too_many_rows" {
		t.Fatalf("err %v, want too_many_rows", err)
	}
}

// The template's own example row imports cleanly, its dates read from real date cells.
func TestTemplateParses(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTemplate(&b); err != nil {
		t.Fatal(err)
	}
	p, err := parseText(t, "模板.xlsx", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.HeaderIssues)+len(p.Issues) != 0 || len(p.Rows) != 1 {
		t.Fatalf("template: %+v %+v", p.HeaderIssues, p.Issues)
	}
	r := p.Rows[0]
	if r.ClosedOn != "2024-04-23" || r.ArchivedOn != "2024-05-06" || r.SubsidyCents != 120000 || r.Group != model.GroupElderly ||
		r.IDNumber != "11010519491231002X" || p.Present != FieldSet(1<<numFields-1) {
		t.Errorf("example row %+v", r)
	}
}
