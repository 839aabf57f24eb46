package caseimport

import (
	"testing"

	"fayuan/model"
)

func TestParseDate(t *testing.T) {
	for _, c := range []struct {
		in, want string
		d1904    bool
		bad      bool
	}{
		{in: "2024-05-23", want: "2024-05-23"},
		{in: "2024/5/23", want: "2024-05-23"},
		{in: "2024.5.23", want: "2024-05-23"},
		{in: "2024年5月23日", want: "2024-05-23"},
		{in: " ２０２４年５月２３日 ", want: "2024-05-23"},
		{in: "2024 年 5 月 23 日", want: "2024-05-23"},
		{in: "20240523", want: "2024-05-23"},
		{in: "2024-05-23 00:00:00", want: "2024-05-23"},
		{in: "2024-05-23T08:00:00+08:00", want: "2024-05-23"},
		{in: "45435", want: "2024-05-23"},    // Excel serial, read raw
		{in: "45435.75", want: "2024-05-23"}, // with a time of day
		{in: "43973", want: "2024-05-23", d1904: true},
		{in: "", want: ""},
		{in: "2024-02-30", bad: true},
		{in: "2024-13-01", bad: true},
		{in: "05-23-24", bad: true}, // what a formatted read of a date cell gives
		{in: "明天", bad: true},
		{in: "1900-01-01", bad: true},
	} {
		got, err := parseDate(c.in, c.d1904)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("parseDate(%q) = %q, %v; want %q (bad %v)", c.in, got, err, c.want, c.bad)
		}
	}
}

func TestParseMoney(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{"1200", 120000, false}, {"1,200.50", 120050, false}, {"￥1200", 120000, false}, {"1200元", 120000, false},
		{"1200.1000000000001", 120010, false}, {"", 0, false}, {"-5", 0, true}, {"一千", 0, true},
	} {
		got, err := parseMoney(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("parseMoney(%q) = %d, %v; want %d (bad %v)", c.in, got, err, c.want, c.bad)
		}
	}
}

func TestCodedColumns(t *testing.T) {
	for in, want := range map[string]model.Category{"刑事": "criminal", "民事案件": "civil", "行政": "administrative", "非诉讼": "non_litigation", " 民 事 ": "civil"} {
		if got, err := parseCategory(in); err != nil || got != want {
			t.Errorf("parseCategory(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := parseCategory("民商事"); err == nil {
		t.Error("parseCategory accepted 民商事")
	}
	for in, want := range map[string]model.Source{"申请": "application", "通知": "notified", "指派": "notified", "指定辩护": "notified", "通知辩护": "notified"} {
		if got, err := parseSource(in); err != nil || got != want {
			t.Errorf("parseSource(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := parseSource("自行上门"); err == nil {
		t.Error("parseSource accepted 自行上门")
	}
}

func TestCleaning(t *testing.T) {
	if got := squeeze(" （２０２４）柞法援 第１号\u3000"); got != "(2024)柞法援第1号" {
		t.Errorf("squeeze = %q", got)
	}
	if got := text("  劳动报酬纠纷，  工伤\t赔偿 "); got != "劳动报酬纠纷， 工伤 赔偿" {
		t.Errorf("text = %q", got)
	}
	if got := headerKey(" *村（社区）："); got != "村(社区)" {
		t.Errorf("headerKey = %q", got)
	}
	if got := colName(0) + colName(25) + colName(26); got != "AZAA" {
		t.Errorf("colName = %q", got)
	}
}
