package api_test

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fayuan/internal/testenv"
)

// The calls export is an .xlsx with a Chinese file name, one row per case in the follow-up scope
// (the attachment's columns, outcome, attempts, status and caller) and no phone or ID number.
func TestExportCalls(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		e, w := cw.e, cw.w
		reached := cw.caseFor(t, "staff", "营盘镇")
		tried := cw.caseFor(t, "staff", "营盘镇")
		untouched := cw.caseFor(t, "", "营盘镇")
		out, _ := putCase(t, e, campaignCase{Closed: "2020-06-01", Handler: cw.handler, Org: parseWireID(t, w.FirmA)})
		cw.call(t, "staff", reached, callBody(1, "2024-05-24T08:30:00+08:00", "reached", answers(map[string]any{
			"charged_fee": "yes", "charged_fee_note": "收了 200 元", "satisfied": "dissatisfied", "dissatisfied_about": "result",
			"suggestion": "希望快一点"})), http.StatusCreated)
		cw.call(t, "staff", tried, callBody(2, "2024-05-24T08:40:00+08:00", "busy", nil), http.StatusCreated)

		r := testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/campaigns/"+cw.campaign+"/export?kind=calls", w.Tokens["manager"], nil), http.StatusOK)
		testenv.ScanForPersonalData(t, e, "calls export", r.Body)
		cd := r.Header.Get("Content-Disposition")
		if !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''%E6%9F%9E%E6%B0%B4%E5%8E%BF") {
			t.Errorf("Content-Disposition %q", cd)
		}
		f, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("export does not open: %v", err)
		}
		defer f.Close()
		rows, err := f.GetRows("电话回访登记表")
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		for _, row := range rows {
			text.WriteString(strings.Join(row, "\t") + "\n")
		}
		testenv.ScanForPersonalData(t, e, "calls export cells", []byte(text.String()))
		if len(rows) != 4 {
			t.Fatalf("%d rows, want the header and 3 cases:\n%s", len(rows), text.String())
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		for _, h := range []string{"案由", "受援人", "案件承办人", "结案时间", "回访日期", "一、是否收费或索要钱财物", "收费情况",
			"二、有无懈怠行为", "三、是否满意", "四、意见和建议", "回访结果", "回访次数", "回访状态", "回访人"} {
			if _, ok := col[h]; !ok {
				t.Errorf("no column %s in %v", h, rows[0])
			}
		}
		byNo := map[string][]string{}
		for _, row := range rows[1:] {
			row = append(row, make([]string, len(rows[0])-len(row))...)
			byNo[row[0]] = row
		}
		caseNo := func(id string) string {
			var no string
			e.App.DB.Table("cases").Where("id = ?", parseWireID(t, id)).Pluck("case_no", &no)
			return no
		}
		get := func(id, h string) string { return byNo[caseNo(id)][col[h]] }
		for _, c := range []struct{ kase, col, want string }{
			{reached, "案由", "劳动争议"}, {reached, "受援人", "王秀英"}, {reached, "案件承办人", "承办人"},
			{reached, "结案时间", "2022-01-01"}, {reached, "回访日期", "2024-05-24"}, {reached, "一、是否收费或索要钱财物", "是"},
			{reached, "收费情况", "收了 200 元"}, {reached, "二、有无懈怠行为", "否"}, {reached, "三、是否满意", "不满意"},
			{reached, "不满意方面", "办理结果"}, {reached, "四、意见和建议", "希望快一点"}, {reached, "回访结果", "接通并完成回访"},
			{reached, "回访次数", "1"}, {reached, "回访状态", "已回访"}, {reached, "回访人", testenv.DisplayName("staff")},
			{tried, "回访结果", "占线"}, {tried, "回访次数", "1"}, {tried, "回访状态", "待回访"}, {tried, "一、是否收费或索要钱财物", ""},
			{untouched, "回访次数", "0"}, {untouched, "回访状态", "待回访"}, {untouched, "回访日期", ""},
		} {
			if got := get(c.kase, c.col); got != c.want {
				t.Errorf("case %s column %s: %q, want %q", c.kase, c.col, got, c.want)
			}
		}
		if _, ok := byNo[caseNo(wireID(out))]; ok {
			t.Errorf("a case closed in 2020, outside the scope, is exported")
		}
		for _, kind := range []string{"reviews", ""} {
			r := testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/campaigns/"+cw.campaign+"/export?kind="+kind, w.Tokens["manager"], nil), http.StatusUnprocessableEntity)
			if errFields(t, r)["kind"] == "" {
				t.Errorf("kind %q: %s", kind, r.Body)
			}
		}
	})
}

// The printable form is the attachment's layout in HTML, ticked from the reached call's answers,
// escaped, self-contained; for the manager and the assigned caller only.
func TestPrintableForm(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		cw.withStaff2(t)
		e, w := cw.e, cw.w
		kase := cw.caseFor(t, "staff", "营盘镇")
		cw.call(t, "staff", kase, callBody(1, "2024-05-24T08:30:00+08:00", "reached", answers(map[string]any{
			"negligent": "yes", "negligent_note": "<script>alert(1)</script>三个月没消息", "satisfied": "dissatisfied",
			"dissatisfied_about": "attitude"})), http.StatusCreated)
		path := "/api/v1/campaigns/" + cw.campaign + "/cases/" + kase + "/form"
		for _, user := range []string{"manager", "staff"} {
			r := testenv.Expect(t, e.Do(http.MethodGet, path, w.Tokens[user], nil), http.StatusOK)
			testenv.ScanForPersonalData(t, e, "form", r.Body)
			if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			html := string(r.Body)
			text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(html, "")
			for _, want := range []string{"柞水县法律援助案件电话回访登记表", "案由：劳动争议", "受援人姓名：王秀英", "案件承办人：承办人",
				"结案时间：2022 年 1 月 1 日", "回访日期：2024 年 5 月 24 日", "对您进行回访", "是 ( ) 否 (√) 不确定 ( )",
				"有 (√) 无 ( ) 不确定 ( )", "满意 ( ) 不满意 (√)", "&lt;script&gt;alert(1)&lt;/script&gt;三个月没消息", "无"} {
				if !strings.Contains(text, want) {
					t.Errorf("%s: form text lacks %q:\n%s", user, want, text)
				}
			}
			if strings.Contains(html, "<script>") || strings.Contains(html, "src=") || strings.Contains(html, "href=") ||
				strings.Contains(html, "@import") || !strings.Contains(html, "size: A4") || !strings.Contains(html, "@media print") {
				t.Errorf("%s: the form is not a self-contained, escaped print page", user)
			}
		}
		for _, user := range []string{"staff2", "firm_staff"} {
			testenv.Expect(t, e.Do(http.MethodGet, path, w.Tokens[user], nil), http.StatusNotFound)
		}
		testenv.Expect(t, e.Do(http.MethodGet, path, w.Tokens["handler"], nil), http.StatusForbidden)
	})
}
