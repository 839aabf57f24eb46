package caseimport

import (
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// TemplateFileName is the download's name.
const TemplateFileName = "案件导入模板.xlsx"

// WriteTemplate writes the import template: a sheet with the header row and one example row
// (dates as real date cells, the number columns as text so Excel keeps an ID number's last
// digits), drop-down lists for the coded columns, and a sheet explaining each column.
func WriteTemplate(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "案件"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	required, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "C00000"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd")})
	if err != nil {
		return err
	}
	textual, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return err
	}
	for i, fl := range Fields() {
		col := colName(i)
		style := head
		if fl.Required() {
			style = required
		}
		cellStyle := 0
		switch fl {
		case CaseNo, Phone, IDNumber:
			cellStyle = textual
		case ClosedOn, ArchivedOn, AcceptedOn, AssignedOn:
			cellStyle = date
		}
		if cellStyle != 0 {
			if err := f.SetColStyle(sheet, col, cellStyle); err != nil {
				return err
			}
		}
		if err := f.SetColWidth(sheet, col, col, 14); err != nil {
			return err
		}
		if err := f.SetCellStr(sheet, col+"1", fl.Name()); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, col+"1", col+"1", style); err != nil {
			return err
		}
		if err := setExample(f, sheet, col+"2", fl, cellStyle); err != nil {
			return err
		}
	}
	if err := dropDowns(f, sheet); err != nil {
		return err
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := instructions(f); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

func ptr[T any](v T) *T { return &v }

func setExample(f *excelize.File, sheet, cell string, fl Field, style int) error {
	v := columns[fl].example
	switch fl {
	case ClosedOn, ArchivedOn, AcceptedOn, AssignedOn: // real date cells
		t, err := time.Parse("2006-01-02", v.(string))
		if err != nil {
			return err
		}
		v = t
	}
	if err := f.SetCellValue(sheet, cell, v); err != nil {
		return err
	}
	if style != 0 {
		return f.SetCellStyle(sheet, cell, cell, style)
	}
	return nil
}

// dropDowns offers the accepted words of the coded columns.
func dropDowns(f *excelize.File, sheet string) error {
	for fl, words := range map[Field][]string{
		Category: {"刑事", "民事", "行政", "非诉讼"},
		Source:   {"申请", "通知", "指派", "指定"},
		Group:    {"老年人", "残疾人", "未成年人", "妇女", "其他"},
	} {
		col := colName(int(fl))
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(col + "2:" + col + "200001")
		if err := dv.SetDropList(words); err != nil {
			return err
		}
		if err := f.AddDataValidation(sheet, dv); err != nil {
			return err
		}
	}
	return nil
}

var notes = map[Field]string{
	CaseNo:     "每个案件唯一；再次导入同一案号会更新该案件",
	Category:   "刑事、民事、行政 或 非诉讼",
	Source:     "申请，或 通知/指派/指定（均视为通知指派类）",
	Phone:      "手机号或带区号的固定电话，可为空",
	IDNumber:   "18 位（末位可为 X）或旧式 15 位；请保持文本格式，可为空",
	Handler:    "同一承办机构内按姓名识别承办人",
	Org:        "按名称识别；系统中没有的机构会自动新建",
	ClosedOn:   "未结案留空；日期可写 2024-05-23、2024/5/23、2024年5月23日 或使用 Excel 日期",
	Subsidy:    "单位：元",
	Group:      "老年人、残疾人、未成年人、妇女 或 其他",
	ArchivedOn: "日期写法同结案日期",
	AcceptedOn: "日期写法同结案日期",
	AssignedOn: "日期写法同结案日期",
}

// instructions adds a sheet describing each column.
func instructions(f *excelize.File) error {
	const sheet = "填写说明"
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	rows := [][]any{{"列名", "是否必需", "说明"}}
	for _, fl := range Fields() {
		need := "可选"
		if fl.Required() {
			need = "必需（列必须存在）"
		}
		rows = append(rows, []any{fl.Name(), need, notes[fl]})
	}
	rows = append(rows, []any{}, []any{"第 2 行是示例，导入前请删除。列的顺序不限，不认识的列会被忽略。空行会被跳过。"})
	for i, r := range rows {
		if err := f.SetSheetRow(sheet, "A"+strconv.Itoa(i+1), &r); err != nil {
			return err
		}
	}
	return f.SetColWidth(sheet, "C", "C", 70)
}
