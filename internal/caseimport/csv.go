package caseimport

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"fayuan/model"
)

// csvSource reads a CSV file in UTF-8 (with or without BOM), UTF-16 (with BOM) or, when it is
// not valid UTF-8, GB18030 — the superset of the GBK that Chinese Windows Excel saves.
type csvSource struct {
	file    *os.File
	r       *csv.Reader
	line    int // the current record's row number as Excel would show it
	endLine int // the physical line the previous record ended on
	cells   []string
	err     error
}

func openCSV(u *Upload) (source, error) {
	f, err := os.Open(u.Path)
	if err != nil {
		return nil, err
	}
	whole := func() io.Reader { return io.NewSectionReader(f, 0, u.Size) }
	head := make([]byte, 3)
	n, _ := f.ReadAt(head, 0)
	head = head[:n]
	rd := whole()
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		rd = io.NewSectionReader(f, 3, u.Size-3)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		rd = transform.NewReader(rd, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
	default:
		ok, err := validUTF8(whole())
		if err != nil {
			_ = f.Close()
			return nil, err
		}
		if !ok {
			rd = transform.NewReader(rd, simplifiedchinese.GB18030.NewDecoder())
		}
	}
	br := bufio.NewReaderSize(rd, 64<<10)
	r := csv.NewReader(br)
	r.Comma = sniffComma(br)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	return &csvSource{file: f, r: r}, nil
}

// validUTF8 checks the whole file in chunks, carrying an incomplete rune over a chunk's end.
func validUTF8(r io.Reader) (bool, error) {
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		n, err := io.ReadFull(r, buf[carry:])
		data := buf[:carry+n]
		end := len(data)
		if err == nil {
			// more may follow: hold back a trailing rune that is not complete yet
			i := len(data) - 1
			for i > 0 && len(data)-i < utf8.UTFMax && !utf8.RuneStart(data[i]) {
				i--
			}
			if !utf8.FullRune(data[i:]) {
				end = i
			}
		}
		if !utf8.Valid(data[:end]) {
			return false, nil
		}
		switch {
		case err == io.EOF, errors.Is(err, io.ErrUnexpectedEOF):
			return true, nil
		case err != nil:
			return false, err
		}
		carry = copy(buf, data[end:])
	}
}

// sniffComma picks the separator of the first line: a comma unless tabs or semicolons
// outnumber commas (Excel's "Unicode text" saves tab-separated).
func sniffComma(br *bufio.Reader) rune {
	head, _ := br.Peek(64 << 10)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	best, count := ',', bytes.Count(head, []byte{','})
	for _, c := range []byte{'\t', ';'} {
		if n := bytes.Count(head, []byte{c}); n > count {
			best, count = rune(c), n
		}
	}
	return best
}

func (s *csvSource) Next() bool {
	if s.err != nil {
		return false
	}
	rec, err := s.r.Read()
	if err == io.EOF {
		return false
	}
	if err != nil {
		line := s.endLine + 1
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			line = pe.StartLine
		}
		s.err = &model.Error{Status: http.StatusUnprocessableEntity, Code: "file_corrupt",
			Message: "CSV 文件第 " + strconv.Itoa(line) + " 行附近格式错误，无法读取"}
		return false
	}
	// encoding/csv skips empty lines; Excel shows them as rows, so count them back in.
	start, _ := s.r.FieldPos(0)
	s.line += 1 + max(start-s.endLine-1, 0)
	last, _ := s.r.FieldPos(len(rec) - 1)
	s.endLine = last + strings.Count(rec[len(rec)-1], "\n")
	s.cells = rec
	return true
}

func (s *csvSource) Cells() []string { return s.cells }
func (s *csvSource) Line() int       { return s.line }
func (s *csvSource) Err() error      { return s.err }
func (s *csvSource) date1904() bool  { return false }
func (s *csvSource) Close() error    { return s.file.Close() }
