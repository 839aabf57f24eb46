// Package recipient normalises and checks what identifies an aid recipient — mobile or landline
// phone numbers and resident ID numbers (GB 11643) — so that the case form, the spreadsheet
// import and the exact search all store and hash the very same string for the same person.
// It is pure: no database, no clock, no keys.
package recipient

import (
	"errors"
	"strings"
	"time"
)

// The errors say what is wrong in words a manager fixing a spreadsheet understands.
var (
	ErrPhone         = errors.New("电话号码应为 11 位手机号（1 开头）或带区号的固定电话")
	ErrIDFormat      = errors.New("身份证号应为 18 位（最后一位可为 X）或旧式 15 位数字")
	ErrIDBirthDate   = errors.New("身份证号中的出生日期不存在")
	ErrIDCheckDigit  = errors.New("身份证号校验位不对，请核对")
	ErrIDRegionCode  = errors.New("身份证号前 6 位地区码不对")
	errNotDigitsOnly = errors.New("not digits")
)

// fold maps full-width digits and letters to ASCII and drops the separators people type inside
// numbers (spaces of any width, dashes, dots, brackets), so "１３９ ０１２３－４５６７" reads as
// "13901234567".
func fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '０' && r <= '９':
			b.WriteRune(r - '０' + '0')
		case r == 'Ｘ' || r == 'ｘ':
			b.WriteByte('X')
		case r == '＋':
			b.WriteByte('+')
		case r == ' ', r == '\t', r == '\u3000', r == '\u00a0', r == '-', r == '－', r == '—', r == '–',
			r == '.', r == '(', r == ')', r == '（', r == '）':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// NormalizePhone returns the canonical form of a phone number: a mobile as its 11 digits
// ("13901234567", with +86, 0086 or 86 removed), a landline as area code, dash, local number
// ("0914-4321234"; area codes 010 and 02x have 3 digits, all others 4). The empty string (after
// trimming) stays empty: a case may have no phone. It is idempotent.
func NormalizePhone(s string) (string, error) {
	p := fold(strings.TrimSpace(s))
	if p == "" {
		return "", nil
	}
	p = strings.TrimPrefix(p, "+")
	for _, cc := range []string{"0086", "86"} {
		if rest, ok := strings.CutPrefix(p, cc); ok && len(rest) == 11 && rest[0] == '1' {
			p = rest
			break
		}
	}
	if !allDigits(p) {
		return "", ErrPhone
	}
	switch {
	case len(p) == 11 && p[0] == '1' && p[1] >= '3' && p[1] <= '9':
		return p, nil
	case p[0] == '0':
		area := 4
		if strings.HasPrefix(p, "010") || strings.HasPrefix(p, "02") {
			area = 3
		}
		if local := len(p) - area; local >= 7 && local <= 8 && p[area] != '0' && p[area] != '1' {
			return p[:area] + "-" + p[area:], nil
		}
	}
	return "", ErrPhone
}

// IsMobile reports whether a normalised phone is a mobile number.
func IsMobile(normalised string) bool { return len(normalised) == 11 && normalised[0] == '1' }

var weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const checkChars = "10X98765432"

// CheckDigit computes the GB 11643 check character of the first 17 digits of an ID number.
func CheckDigit(first17 string) (byte, error) {
	if len(first17) != 17 || !allDigits(first17) {
		return 0, errNotDigitsOnly
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * weights[i]
	}
	return checkChars[sum%11], nil
}

// NormalizeIDNumber returns the canonical 18-character resident ID number: upper-case X, no
// spaces, and an old 15-digit number upgraded to 18 (century 19 inserted and the check digit
// computed, GB 11643-1999), so the same person hashes the same whichever card the spreadsheet
// copied. It checks the region code, the birth date and the check digit. The empty string stays
// empty. It is idempotent.
func NormalizeIDNumber(s string) (string, error) {
	id := strings.ToUpper(fold(strings.TrimSpace(s)))
	switch {
	case id == "":
		return "", nil
	case len(id) == 15 && allDigits(id):
		first17 := id[:6] + "19" + id[6:]
		if err := checkBody(first17); err != nil {
			return "", err
		}
		c, _ := CheckDigit(first17)
		return first17 + string(c), nil
	case len(id) == 18 && allDigits(id[:17]) && (allDigits(id[17:]) || id[17] == 'X'):
		if err := checkBody(id[:17]); err != nil {
			return "", err
		}
		if c, _ := CheckDigit(id[:17]); c != id[17] {
			return "", ErrIDCheckDigit
		}
		return id, nil
	}
	return "", ErrIDFormat
}

// checkBody checks the region code (provinces 11–83, 81–83 being the residence permits of Hong Kong, Macao and Taiwan) and the birth date of 17 digits.
func checkBody(first17 string) error {
	if p := first17[:2]; p < "11" || p > "83" {
		return ErrIDRegionCode
	}
	d, err := time.Parse("20060102", first17[6:14])
	if err != nil || d.Year() < 1900 {
		return ErrIDBirthDate
	}
	return nil
}

// IDInfo derives gender ("male" or "female") and birth date ("YYYY-MM-DD") from an ID number
// (18 or 15 digits, normalised or not). For anything that is not a valid ID number it returns
// two empty strings.
func IDInfo(id string) (gender string, birth string) {
	n, err := NormalizeIDNumber(id)
	if err != nil || n == "" {
		return "", ""
	}
	gender = "female"
	if (n[16]-'0')%2 == 1 {
		gender = "male"
	}
	return gender, n[6:10] + "-" + n[10:12] + "-" + n[12:14]
}
