package caseimport

import (
	"slices"
	"strings"

	"fayuan/model"
)

// column describes one field: its header, the other headers the exports use for it, and
// whether a file must have it.
type column struct {
	name     string
	aliases  []string
	required bool
	example  any // the template's example row
}

var columns = [numFields]column{
	CaseNo:        {name: "案号", aliases: []string{"案件编号", "案件号"}, required: true, example: "(2024)柞法援字第001号"},
	Category:      {name: "案件类别", aliases: []string{"案件类型", "类别"}, required: true, example: "民事"},
	Source:        {name: "案件来源", aliases: []string{"来源"}, required: true, example: "申请"},
	Cause:         {name: "案由", required: true, example: "劳动报酬纠纷"},
	Recipient:     {name: "受援人", aliases: []string{"受援人姓名"}, required: true, example: "张三"},
	Phone:         {name: "联系电话", aliases: []string{"电话", "手机号", "手机号码", "受援人电话", "联系方式"}, required: true, example: "13800000000"},
	IDNumber:      {name: "身份证号", aliases: []string{"身份证号码", "公民身份号码", "受援人身份证号"}, required: true, example: "11010519491231002X"},
	Town:          {name: "乡镇", aliases: []string{"乡镇(街道)", "镇(街道)"}, required: true, example: "营盘镇"},
	Village:       {name: "村(社区)", aliases: []string{"村/社区", "村社区", "村", "社区"}, required: true, example: "东岔村"},
	Handler:       {name: "承办人", aliases: []string{"承办人员", "承办律师"}, required: true, example: "李四"},
	Org:           {name: "承办机构", aliases: []string{"承办单位"}, required: true, example: "示例律师事务所"},
	ClosedOn:      {name: "结案日期", aliases: []string{"结案时间"}, required: true, example: "2024-04-23"},
	ArchivedOn:    {name: "归档日期", aliases: []string{"归档时间"}, example: "2024-05-06"},
	Subsidy:       {name: "办案补贴", aliases: []string{"办案补贴(元)", "补贴金额"}, example: 1200},
	AcceptedOn:    {name: "受理日期", aliases: []string{"受理时间"}, example: "2024-01-08"},
	AssignedOn:    {name: "指派日期", aliases: []string{"指派时间"}, example: "2024-01-10"},
	ServiceType:   {name: "服务类型", example: "诉讼代理"},
	Group:         {name: "人群类别", aliases: []string{"受援人类别"}, example: "老年人"},
	Address:       {name: "住址", aliases: []string{"地址", "家庭住址"}, example: "营盘镇东岔村一组"},
	ClosingMethod: {name: "结案方式", example: "调解"},
	CourtOrOrgan:  {name: "法院或机关", aliases: []string{"办案机关", "审理法院"}, example: "柞水县人民法院"},
	Notes:         {name: "备注", example: "示例行，导入前请删除"},
}

// headers maps every accepted header, normalised, to its field.
var headers = func() map[string]Field {
	m := map[string]Field{}
	for f := Field(0); f < numFields; f++ {
		m[headerKey(columns[f].name)] = f
		for _, a := range columns[f].aliases {
			m[headerKey(a)] = f
		}
	}
	return m
}()

// headerKey normalises a header cell: full-width folded, no spaces, no required-marker "*",
// no trailing colon.
func headerKey(s string) string {
	s = fold(s)
	s = strings.Map(func(r rune) rune {
		if isSpace(r) || r == '*' {
			return -1
		}
		return r
	}, s)
	return strings.TrimRight(s, ":")
}

// isHeader reports whether cells look like the header row: one cell names the case number.
func isHeader(cells []string) bool {
	return slices.ContainsFunc(cells, func(c string) bool {
		f, ok := headers[headerKey(c)]
		return ok && f == CaseNo
	})
}

// layout is where each field sits in the file.
type layout struct {
	index   [numFields]int // -1: absent
	order   []Field        // the present fields, by position
	present FieldSet
}

// readHeader maps a header row to fields, reporting missing required and repeated columns.
func readHeader(cells []string, line int) (layout, []model.ImportIssue) {
	var l layout
	for i := range l.index {
		l.index[i] = -1
	}
	var issues []model.ImportIssue
	for i, c := range cells {
		f, ok := headers[headerKey(c)]
		if !ok {
			continue // unknown columns are ignored
		}
		if l.index[f] >= 0 {
			issues = append(issues, Issue(line, f, "表头中「"+f.Name()+"」出现了不止一次（第 "+colName(l.index[f])+" 列和第 "+colName(i)+" 列）"))
			continue
		}
		l.index[f] = i
		l.present.add(f)
		l.order = append(l.order, f)
	}
	for f := Field(0); f < numFields; f++ {
		if columns[f].required && l.index[f] < 0 {
			issues = append(issues, Issue(line, f, "缺少必需的列「"+f.Name()+"」"))
		}
	}
	return l, issues
}

// colName is a column's spreadsheet letter: 0 → A, 26 → AA.
func colName(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// sortIssues orders issues by row, then column position (absent columns first).
func sortIssues(issues []model.ImportIssue, position map[string]int) {
	slices.SortStableFunc(issues, func(a, b model.ImportIssue) int {
		if a.Row != b.Row {
			return a.Row - b.Row
		}
		pa, oka := position[a.Column]
		pb, okb := position[b.Column]
		if !oka {
			pa = -1
		}
		if !okb {
			pb = -1
		}
		return pa - pb
	})
}
