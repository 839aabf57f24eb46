package caseimport

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"fayuan/model"
)

// Magic numbers: a zip (every .xlsx is one), an empty zip, and an OLE2 compound file (the old
// .xls, or an .xlsx encrypted with a password).
var (
	zipMagic      = []byte("PK\x03\x04")
	emptyZipMagic = []byte("PK\x05\x06")
	oleMagic      = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

func unsupported(msg string) *model.Error {
	return &model.Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_file", Message: msg}
}

// The answers for files that are not a spreadsheet this import reads.
var (
	errOLE    = unsupported("这是旧版 Excel（.xls）文件或设置了密码的工作簿，无法读取；请在 Excel 中“另存为” .xlsx（不设密码）或 CSV 后再导入")
	errHTML   = unsupported("文件内容是网页（HTML）表格，不是真正的 Excel 文件；请用 Excel 打开后“另存为” .xlsx 再导入")
	errBinary = unsupported("无法识别的文件类型：请上传 Excel 工作簿（.xlsx）或 CSV 文件")
)

func errRenamed(ext string) *model.Error {
	return unsupported("文件名是 " + ext + "，但内容不是 Excel 工作簿（可能是改了扩展名的文本或其他文件，或文件已损坏）；请用 Excel 打开后“另存为” .xlsx 再导入")
}

// open reads the upload's first bytes and opens it by what it is, whatever its name says: a
// zip is a workbook, text is CSV. A name ending in .xlsx or .xls on something that is neither
// is refused rather than read as CSV: the manager picked the wrong file.
func open(u *Upload, lim Limits) (source, error) {
	f, err := os.Open(u.Path)
	if err != nil {
		return nil, err
	}
	head := make([]byte, 8192)
	n, _ := io.ReadFull(f, head)
	_ = f.Close()
	head = head[:n]
	ext := strings.ToLower(filepath.Ext(u.Name))
	lower := bytes.ToLower(head[:min(n, 512)])
	switch {
	case bytes.HasPrefix(head, zipMagic), bytes.HasPrefix(head, emptyZipMagic):
		return openXLSX(u, lim)
	case bytes.HasPrefix(head, oleMagic):
		return nil, errOLE
	case bytes.Contains(lower, []byte("<html")), bytes.Contains(lower, []byte("<table")):
		return nil, errHTML
	case ext == ".xlsx", ext == ".xlsm", ext == ".xls", ext == ".xltx", ext == ".et":
		return nil, errRenamed(ext)
	case binary(head):
		return nil, errBinary
	}
	return openCSV(u)
}

// binary reports whether the first bytes are not text: a NUL outside UTF-16, or a known
// non-text signature.
func binary(head []byte) bool {
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return false
	}
	for _, sig := range [][]byte{[]byte("%PDF"), []byte("\x89PNG"), []byte("\xFF\xD8\xFF"), []byte("GIF8"), []byte("Rar!"), []byte("7z\xBC\xAF")} {
		if bytes.HasPrefix(head, sig) {
			return true
		}
	}
	return bytes.IndexByte(head, 0) >= 0
}
