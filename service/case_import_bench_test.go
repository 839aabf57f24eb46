package service_test

import (
	"archive/zip"
	"bufio"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fayuan/internal/testenv"
)

// BenchmarkImport100k imports a 100,000-row workbook shaped like one Excel saves (a shared
// strings table, date cells) through the real router into a fresh database (FAYUAN_BENCH_DB:
// sqlite by default, or mysql). It reports the import's peak heap and, on Linux, the process's
// peak RSS during the import. Run it alone:
//
//	go test ./service/ -run '^$' -bench Import100k -benchtime 1x
//
// The workbook is built once and kept in the temp dir (fayuan-bench-100k.xlsx).
// FAYUAN_BENCH_CAMPAIGN=1 starts the notice's campaign first, so the import also keeps its
// progress counters.
func BenchmarkImport100k(b *testing.B) {
	const rows = 100_000
	path := filepath.Join(os.TempDir(), "fayuan-bench-100k.xlsx")
	if _, err := os.Stat(path); err != nil {
		if err := writeBenchWorkbook(path, rows); err != nil {
			b.Fatal(err)
		}
	}
	file, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	backend := testenv.SQLite
	if os.Getenv("FAYUAN_BENCH_DB") == "mysql" {
		backend = testenv.MySQL
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := testenv.New(b, backend)
		w := e.Seed()
		if os.Getenv("FAYUAN_BENCH_CAMPAIGN") != "" { // the imported cases then join its scopes' progress counters
			testenv.Expect(b, e.Do(http.MethodPost, "/api/v1/campaigns", w.Tokens["manager"], map[string]any{"template": "zhashui-2024-53"}), http.StatusCreated)
		}
		runtime.GC()
		resetPeakRSS()
		stop := samplePeakHeap()
		b.StartTimer()
		start := time.Now()
		r := e.Upload("/api/v1/cases/import", w.Tokens["manager"], "file", "bench.xlsx", file)
		elapsed := time.Since(start)
		b.StopTimer()
		peakHeap := stop()
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"created":100000`) {
			b.Fatalf("import answered %d %.300s", r.Status, r.Body)
		}
		start = time.Now()
		again := e.Upload("/api/v1/cases/import", w.Tokens["manager"], "file", "bench.xlsx", file)
		if again.Status != http.StatusOK || !strings.Contains(string(again.Body), `"unchanged":100000`) {
			b.Fatalf("re-import answered %d %.300s", again.Status, again.Body)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/re-import")
		b.ReportMetric(elapsed.Seconds(), "s/import")
		b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MB")
		if rss := peakRSS(); rss > 0 {
			b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
		}
		b.ReportMetric(float64(len(file))/(1<<20), "file-MB")
	}
}

// samplePeakHeap samples the heap in use until the returned function is called, which
// answers the highest figure seen.
func samplePeakHeap() func() uint64 {
	var mu sync.Mutex
	var peak uint64
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			mu.Lock()
			peak = max(peak, m.HeapInuse+m.StackInuse)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// resetPeakRSS resets the kernel's high-water mark of this process's RSS (Linux).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the RSS high-water mark since the last reset, in bytes (0 when unknown).
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// writeBenchWorkbook writes an .xlsx of n case rows the way Excel lays one out: every text in
// the shared strings table, dates as serials with a date style, 40 firms of 10 handlers each.
func writeBenchWorkbook(path string, n int) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	z := zip.NewWriter(out)
	static := map[string]string{
		"[Content_Types].xml":        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`,
		"_rels/.rels":                `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="案件" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
		"xl/styles.xml":              `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="等线"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`,
	}
	for name, body := range static {
		w, err := z.Create(name)
		if err != nil {
			return err
		}
		if _, err := w.Write([]byte(body)); err != nil {
			return err
		}
	}
	sst := map[string]int{}
	var strs []string
	ref := func(s string) string {
		i, ok := sst[s]
		if !ok {
			i = len(strs)
			sst[s] = i
			strs = append(strs, s)
		}
		return strconv.Itoa(i)
	}
	w, err := z.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	sheet := bufio.NewWriterSize(w, 1<<16)
	sheet.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	header := []string{"案号", "案件类别", "案件来源", "案由", "受援人", "联系电话", "身份证号", "乡镇", "村(社区)", "承办人", "承办机构", "结案日期", "归档日期", "办案补贴"}
	surnames, given := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"), []rune("秀英明华军静丽强敏伟芳娟勇艳杰涛")
	categories, sources := []string{"刑事", "民事", "行政", "非诉讼"}, []string{"申请", "通知", "指派"}
	causes := []string{"劳动报酬纠纷", "盗窃罪", "离婚纠纷", "工伤保险待遇纠纷", "交通事故责任纠纷", "故意伤害罪"}
	for r := 0; r <= n; r++ {
		fmt.Fprintf(sheet, `<row r="%d">`, r+1)
		var cells []string
		if r == 0 {
			cells = header
		} else {
			firm := r % 40
			closed := 45000 + r%420 // 2023-03-15 … 2024-05-07
			cells = []string{
				fmt.Sprintf("(%d)柞法援字第%06d号", 2023+r%2, r), categories[r%4], sources[r%3], causes[r%6],
				string([]rune{surnames[r%20], given[(r/20)%16], given[(r/320)%16]}), testenv.Phone(r), testenv.IDNumber(r),
				fmt.Sprintf("第%d镇", r%9), fmt.Sprintf("第%d村", r%97),
				string([]rune{surnames[(r/40)%20], given[(r/7)%16]}) + strconv.Itoa(r%10), fmt.Sprintf("第%02d律师事务所", firm),
				"#" + strconv.Itoa(closed), "#" + strconv.Itoa(closed+7), "#" + strconv.Itoa(800+r%5*100),
			}
		}
		for c, v := range cells {
			col := string(rune('A' + c))
			switch {
			case strings.HasPrefix(v, "#") && c < 13:
				fmt.Fprintf(sheet, `<c r="%s%d" s="1"><v>%s</v></c>`, col, r+1, v[1:])
			case strings.HasPrefix(v, "#"):
				fmt.Fprintf(sheet, `<c r="%s%d"><v>%s</v></c>`, col, r+1, v[1:])
			default:
				fmt.Fprintf(sheet, `<c r="%s%d" t="s"><v>%s</v></c>`, col, r+1, ref(v))
			}
		}
		sheet.WriteString(`</row>`)
	}
	sheet.WriteString(`</sheetData></worksheet>`)
	if err := sheet.Flush(); err != nil {
		return err
	}
	w, err = z.Create("xl/sharedStrings.xml")
	if err != nil {
		return err
	}
	ss := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintf(ss, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, len(strs), len(strs))
	for _, s := range strs {
		fmt.Fprintf(ss, `<si><t>%s</t></si>`, s)
	}
	ss.WriteString(`</sst>`)
	if err := ss.Flush(); err != nil {
		return err
	}
	return z.Close()
}
