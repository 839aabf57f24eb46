package caseimport

import (
	"archive/zip"
	"net/http"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"fayuan/model"
)

const (
	// xmlInMemory is the part size above which excelize spills a worksheet or the shared
	// strings to a temporary file and streams it, instead of holding it in memory.
	xmlInMemory = 8 << 20
	// maxEntries bounds the parts of a workbook; real ones have a few dozen.
	maxEntries = 10_000
	// ratioFloor: parts smaller than this are not ratio-checked (tiny XML compresses well).
	ratioFloor = 1 << 20
)

var errCorrupt = &model.Error{Status: http.StatusUnprocessableEntity, Code: "file_corrupt",
	Message: "文件已损坏，无法作为 Excel 工作簿读取；请用 Excel 打开后“另存为” .xlsx 再导入"}

func errBomb(why string) *model.Error {
	return &model.Error{Status: http.StatusUnprocessableEntity, Code: "file_suspicious",
		Message: "工作簿解压后" + why + "，疑似恶意构造的文件（压缩炸弹），已拒绝导入"}
}

// checkZip reads only the zip's central directory and refuses a workbook that would inflate
// past the limits — in total, in any part's compression ratio, or in what excelize would hold
// in memory — before a single byte is inflated. Go's zip reader then enforces the declared
// sizes, so a part cannot lie its way past this check.
func checkZip(u *Upload, lim Limits) error {
	zr, err := zip.OpenReader(u.Path)
	if err != nil {
		return errCorrupt
	}
	defer zr.Close()
	if len(zr.File) > maxEntries {
		return errBomb("包含的文件过多（" + strconv.Itoa(len(zr.File)) + " 个）")
	}
	var total, inMemory uint64
	workbook := false
	for _, f := range zr.File {
		size := f.UncompressedSize64
		if total += size; total > uint64(lim.MaxUnzipped) {
			return errBomb("超过 " + megabytes(lim.MaxUnzipped))
		}
		if size > ratioFloor && size/max(f.CompressedSize64, 1) > uint64(lim.MaxRatio) {
			return errBomb("的压缩比异常（超过 " + strconv.FormatInt(lim.MaxRatio, 10) + " 倍）")
		}
		name := strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/"))
		workbook = workbook || name == "xl/workbook.xml"
		spilled := (strings.HasPrefix(name, "xl/worksheets/sheet") || name == "xl/sharedstrings.xml") && size > xmlInMemory
		if !spilled {
			inMemory += size
		}
	}
	if inMemory > uint64(lim.MaxInMemory) {
		return errBomb("需要的内存超过 " + megabytes(lim.MaxInMemory))
	}
	if !workbook {
		return unsupported("这是一个压缩包，但不是 Excel 工作簿（.xlsx）；请上传 .xlsx 或 CSV 文件")
	}
	return nil
}

// xlsxSource streams one worksheet row by row, cells read raw: a date cell gives its serial,
// never a display string such as 05-23-24.
type xlsxSource struct {
	f     *excelize.File
	rows  *excelize.Rows
	line  int
	cells []string
	err   error
	d1904 bool
}

func openXLSX(u *Upload, lim Limits) (source, error) {
	if err := checkZip(u, lim); err != nil {
		return nil, err
	}
	f, err := excelize.OpenFile(u.Path, excelize.Options{RawCellValue: true, UnzipSizeLimit: lim.MaxUnzipped,
		UnzipXMLSizeLimit: xmlInMemory, TmpDir: lim.TmpDir})
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		return nil, errCorrupt
	}
	s := &xlsxSource{f: f}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		s.d1904 = *props.Date1904
	}
	if s.rows, err = f.Rows(pickSheet(f)); err != nil {
		_ = f.Close()
		return nil, errCorrupt
	}
	return s, nil
}

// pickSheet is the first sheet with a case-number header in its first rows, or else the first
// sheet: workbooks often carry a cover or an instructions sheet.
func pickSheet(f *excelize.File) string {
	sheets := f.GetSheetList()
	for _, name := range sheets {
		rows, err := f.Rows(name)
		if err != nil {
			continue
		}
		found := false
		for i := 0; i < headerSearch && !found && rows.Next(); i++ {
			cells, err := rows.Columns()
			found = err == nil && isHeader(cells)
		}
		_ = rows.Close()
		if found {
			return name
		}
	}
	if len(sheets) == 0 {
		return "Sheet1"
	}
	return sheets[0]
}

func (s *xlsxSource) Next() bool {
	if s.err != nil || !s.rows.Next() {
		if s.err == nil && s.rows.Error() != nil {
			s.err = errCorrupt
		}
		return false
	}
	s.line++
	cells, err := s.rows.Columns()
	if err != nil {
		s.err = errCorrupt.WithDetails(map[string]any{"row": s.line})
		return false
	}
	s.cells = cells
	return true
}

func (s *xlsxSource) Cells() []string { return s.cells }
func (s *xlsxSource) Line() int       { return s.line }
func (s *xlsxSource) Err() error      { return s.err }
func (s *xlsxSource) date1904() bool  { return s.d1904 }

func (s *xlsxSource) Close() error {
	_ = s.rows.Close()
	return s.f.Close()
}
