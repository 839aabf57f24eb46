// Package review is the case-file review engine: rubrics as data, scoresheet arithmetic, grades,
// the final score of a file from two or three sheets, the consequences of a result and the
// agreement between reviewers. It knows nothing of HTTP or the database.
//
// All points are integer tenths (Tenths); every division rounds half up to 0.1, as rubric.md
// requires, so no float64 ever decides a grade or a sum of money.
package review

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
)

// Tenths is a number of points in tenths of a point: 905 is 90.5 points. In JSON it is written
// and read as a decimal number of points with at most one decimal ("90.5"), parsed as text so
// that no binary floating point is involved.
type Tenths int64

// String returns t in points with one decimal, for display: Tenths(905).String() is "90.5".
func (t Tenths) String() string {
	sign := ""
	v := int64(t)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%d", sign, v/10, v%10)
}

// MarshalJSON writes t as a JSON number of points with one decimal.
func (t Tenths) MarshalJSON() ([]byte, error) {
	return []byte(t.String()), nil
}

// UnmarshalJSON reads a JSON number of points with at most one decimal, e.g. 3, 2.5 or -1.
// Anything else is a *json.UnmarshalTypeError, so the decoder names the field it was found in.
func (t *Tenths) UnmarshalJSON(b []byte) error {
	v, err := ParseTenths(string(b))
	if err != nil {
		return &json.UnmarshalTypeError{Value: string(b) + "（" + errTenths.Error() + "）", Type: reflect.TypeFor[Tenths]()}
	}
	*t = v
	return nil
}

// errTenths is what ParseTenths answers for anything but a plain decimal with one decimal place.
var errTenths = errors.New("分值须为数字，至多一位小数")

// ParseTenths reads points written as a decimal with at most one decimal place ("12", "0.5",
// "-3.0") into tenths, exactly. Exponents, extra decimals and quoted strings are refused.
func ParseTenths(s string) (Tenths, error) {
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg, s = true, s[1:]
	}
	whole, frac := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			whole, frac = s[:i], s[i+1:]
			if frac == "" {
				return 0, fmt.Errorf("%w: %q", errTenths, s)
			}
			break
		}
	}
	if whole == "" || len(whole) > 12 || len(frac) > 1 || !digits(whole) || !digits(frac) {
		return 0, fmt.Errorf("%w: %q", errTenths, s)
	}
	w, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q", errTenths, s)
	}
	if frac == "" {
		w *= 10
	}
	if neg {
		w = -w
	}
	return Tenths(w), nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// divHalfUp returns num ÷ den rounded half up (away from zero on a tie, for both signs).
// den must be positive.
func divHalfUp(num, den int64) int64 {
	if num < 0 {
		return -divHalfUp(-num, den)
	}
	return (2*num + den) / (2 * den)
}
