package service

import (
	"bytes"

	"github.com/xuri/excelize/v2"
)

// sheet builds a one-sheet .xlsx export: a frozen header row, then data rows in order. Every
// export (calls, visits, reviews, results) is one of these, so they open the same way in Excel
// and WPS.
type sheet struct {
	f    *excelize.File
	name string
	rows int // data rows written so far
}

// newSheet starts an export whose only sheet is called name. Close it when done.
func newSheet(name string, header []string) (*sheet, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", name); err != nil {
		_ = f.Close()
		return nil, err
	}
	if err := f.SetSheetRow(name, "A1", &header); err != nil {
		_ = f.Close()
		return nil, err
	}
	_ = f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	return &sheet{f: f, name: name}, nil
}

// add appends one data row.
func (s *sheet) add(line []any) error {
	cell, _ := excelize.CoordinatesToCellName(1, s.rows+2)
	if err := s.f.SetSheetRow(s.name, cell, &line); err != nil {
		return err
	}
	s.rows++
	return nil
}

// bytes is the finished file.
func (s *sheet) bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := s.f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (s *sheet) close() { _ = s.f.Close() }
