package caseimport

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"fayuan/model"
)

func isSpace(r rune) bool { return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' }

// collapse trims s and turns every run of spaces (of any width, zero-width included) into
// one ASCII space. A clean string is returned as is, without allocating.
func collapse(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if isSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// clean reports whether s needs no collapsing: no space but single ASCII ones inside.
func clean(s string) bool {
	prevSpace := true // a leading space is not clean
	for _, r := range s {
		sp := isSpace(r)
		if sp && (prevSpace || r != ' ') {
			return false
		}
		prevSpace = sp
	}
	return !prevSpace || s == ""
}

// fold maps full-width forms to their ASCII twins (width.Fold); a string without any rune of
// the fullwidth and halfwidth forms block or the ideographic space is returned as is — most
// cells are, and width.Fold allocates a buffer on every call.
func fold(s string) string {
	for _, r := range s {
		if r == '\u3000' || r >= 0xFF00 && r <= 0xFFEF {
			return width.Fold.String(s)
		}
	}
	return s
}

// ident cleans an identifier — case number, name, place, code word: every full-width form
// folded to its ASCII twin and spaces collapsed.
func ident(s string) string { return collapse(fold(s)) }

// squeeze is ident without any space at all: for case numbers, dates and amounts, where a
// space is always a typing slip.
func squeeze(s string) string { return strings.ReplaceAll(ident(s), " ", "") }

// text cleans free text (cause, notes, address): full-width digits and letters folded, Chinese
// punctuation kept as typed, spaces collapsed.
func text(s string) string {
	if fold(s) == s { // nothing full-width at all
		return collapse(s)
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ':
			return r - 0xFEE0
		}
		return r
	}, s)
	return collapse(s)
}

// maxLen checks a value's length in characters (the columns are sized in characters).
func maxLen(s string, n int) error {
	if utf8.RuneCountInString(s) > n {
		return errors.New("不能超过 " + strconv.Itoa(n) + " 个字")
	}
	return nil
}

var categories = map[string]model.Category{
	"刑事": model.CategoryCriminal, "民事": model.CategoryCivil, "行政": model.CategoryAdministrative,
	"非诉讼": model.CategoryNonLitigation, "非诉": model.CategoryNonLitigation, "非诉讼事项": model.CategoryNonLitigation,
	"criminal": model.CategoryCriminal, "civil": model.CategoryCivil, "administrative": model.CategoryAdministrative,
	"non_litigation": model.CategoryNonLitigation,
}

var errCategory = errors.New("案件类别应为 刑事、民事、行政 或 非诉讼")

// parseCategory reads 刑事/民事/行政/非诉讼, with or without a trailing 案件 or 类.
func parseCategory(s string) (model.Category, error) {
	s = strings.ToLower(squeeze(s))
	if s == "" {
		return "", errRequired
	}
	if c, ok := categories[s]; ok {
		return c, nil
	}
	for _, suffix := range []string{"案件", "类"} {
		if c, ok := categories[strings.TrimSuffix(s, suffix)]; ok && strings.HasSuffix(s, suffix) {
			return c, nil
		}
	}
	return "", errCategory
}

var errSource = errors.New("案件来源应为 申请、通知、指派 或 指定")

// parseSource maps 申请 to application and 通知/指派/指定 (辩护, 代理, 类…) to notified.
func parseSource(s string) (model.Source, error) {
	s = strings.ToLower(squeeze(s))
	switch {
	case s == "":
		return "", errRequired
	case s == "application", strings.HasPrefix(s, "申请"), strings.HasPrefix(s, "依申请"):
		return model.SourceApplication, nil
	case s == "notified", strings.HasPrefix(s, "通知"), strings.HasPrefix(s, "指派"), strings.HasPrefix(s, "指定"):
		return model.SourceNotified, nil
	}
	return "", errSource
}

var errGroup = errors.New("人群类别应为 老年人、残疾人、未成年人、妇女 或 其他")

// parseGroup reads the recipient's group; empty stays empty.
func parseGroup(s string) (model.RecipientGroup, error) {
	s = strings.ToLower(squeeze(s))
	switch {
	case s == "":
		return "", nil
	case strings.HasPrefix(s, "老年"), s == "elderly":
		return model.GroupElderly, nil
	case strings.HasPrefix(s, "残疾"), s == "disabled":
		return model.GroupDisabled, nil
	case strings.HasPrefix(s, "未成年"), s == "minor":
		return model.GroupMinor, nil
	case strings.HasPrefix(s, "妇女"), s == "女性", s == "woman":
		return model.GroupWoman, nil
	case s == "其他", s == "其它", s == "other":
		return model.GroupOther, nil
	}
	return "", errGroup
}

var (
	dateRE   = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$`)
	compact  = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	serialRE = regexp.MustCompile(`^\d{1,7}(?:\.\d+)?$`)
	errDate  = errors.New("日期应为 2024-05-23、2024/5/23、2024年5月23日 或 Excel 日期格式")
)

// Excel's day 0: serials count days from 1899-12-30 (which absorbs Lotus's fictitious
// 1900-02-29), or from 1904-01-01 in a workbook using the 1904 date system.
var (
	excelEpoch     = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	excelEpoch1904 = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
)

// parseDate reads a calendar date as the spreadsheets spell it — 2024-05-23, 2024/5/23,
// 2024.5.23, 2024年5月23日, 20240523, with or without a time — or an Excel serial (a date cell
// read raw), and answers "YYYY-MM-DD". Empty stays empty.
func parseDate(s string, date1904 bool) (string, error) {
	s = strings.TrimSpace(ident(s))
	if s == "" {
		return "", nil
	}
	var y, m, d int
	if p := dateRE.FindStringSubmatch(s); p != nil {
		y, _ = strconv.Atoi(p[1])
		m, _ = strconv.Atoi(p[2])
		d, _ = strconv.Atoi(p[3])
	} else if p := compact.FindStringSubmatch(s); p != nil {
		y, _ = strconv.Atoi(p[1])
		m, _ = strconv.Atoi(p[2])
		d, _ = strconv.Atoi(p[3])
	} else if serialRE.MatchString(s) {
		v, _ := strconv.ParseFloat(s, 64)
		epoch := excelEpoch
		if date1904 {
			epoch = excelEpoch1904
		}
		t := epoch.AddDate(0, 0, int(math.Floor(v)))
		y, m, d = t.Year(), int(t.Month()), t.Day()
	} else {
		return "", errDate
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return "", errors.New("日期不存在：" + s)
	}
	if y < 1949 || y > 2100 {
		return "", errors.New("日期超出合理范围：" + t.Format("2006-01-02"))
	}
	return t.Format("2006-01-02"), nil
}

var (
	moneyRE  = regexp.MustCompile(`^\d+(?:\.\d+)?$`)
	errMoney = errors.New("办案补贴应为金额（元），如 1200 或 1200.50")
)

// parseMoney reads an amount of yuan — 1200, 1,200.00, ¥1200, 1200元 — into cents. Empty is 0.
func parseMoney(s string) (int64, error) {
	s = strings.NewReplacer(",", "", "¥", "", "元", "", "RMB", "", "rmb", "").Replace(squeeze(s))
	if s == "" {
		return 0, nil
	}
	if strings.HasPrefix(s, "-") {
		return 0, errors.New("办案补贴不能为负数")
	}
	if !moneyRE.MatchString(s) {
		return 0, errMoney
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v > 10_000_000 {
		return 0, errors.New("办案补贴金额过大")
	}
	cents := math.Round(v * 100)
	if math.Abs(v*100-cents) > 1e-6 { // a raw cell's float noise passes, a third decimal does not
		return 0, errors.New("办案补贴最多两位小数（元）")
	}
	return int64(cents), nil
}
