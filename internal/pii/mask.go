package pii

import "unicode/utf8"

// MaskPhone shows the first 3 and last 4 digits of a mobile number: 139****5678.
func MaskPhone(p string) string {
	if len(p) < 8 {
		return "****"
	}
	return p[:3] + "****" + p[len(p)-4:]
}

// MaskIDNumber keeps the 6-digit region code only: 611026************. The last digits are the
// recipients' identity check for the survey, so they are never shown.
func MaskIDNumber(id string) string {
	if len(id) < 6 {
		return "******"
	}
	out := []byte(id[:6])
	for i := 6; i < len(id); i++ {
		out = append(out, '*')
	}
	return string(out)
}

// MaskName keeps the first and last character: 王*英, 王*.
func MaskName(name string) string {
	r := []rune(name)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return ""
	case n == 1:
		return "*"
	case n == 2:
		return string(r[0]) + "*"
	default:
		mid := make([]rune, n-2)
		for i := range mid {
			mid[i] = '*'
		}
		return string(r[0]) + string(mid) + string(r[n-1])
	}
}
