package model

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"time"
)

// ID is an object id on the wire: always a JSON string in answers, so it survives JavaScript's
// float64 at any size; accepted as a string or a number in requests.
type ID uint64

// MarshalJSON writes the id as a string.
func (id ID) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatUint(uint64(id), 10) + `"`), nil
}

// UnmarshalJSON accepts "1024" or 1024.
func (id *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) >= 2 && b[0] == '"' {
		b = b[1 : len(b)-1]
	}
	if string(b) == "null" || len(b) == 0 {
		*id = 0
		return nil
	}
	v, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "id " + string(b), Type: idType}
	}
	*id = ID(v)
	return nil
}

// String formats the id in base 10.
func (id ID) String() string { return strconv.FormatUint(uint64(id), 10) }

// ParseID reads an id from a path segment.
func ParseID(s string) (ID, bool) {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v == 0 {
		return 0, false
	}
	return ID(v), true
}

// Shanghai is the campaign's time zone. China has kept +08:00 without daylight saving since
// 1991, so a fixed zone is exact for every date this system handles and needs no tzdata.
var Shanghai = time.FixedZone("CST", 8*3600)

// Time is an instant on the wire: accepted as RFC 3339 with any offset, answered in +08:00.
type Time struct{ time.Time }

// NewTime wraps t.
func NewTime(t time.Time) Time { return Time{t} }

// TimePtr wraps a possibly absent time.
func TimePtr(t *time.Time) *Time {
	if t == nil {
		return nil
	}
	return &Time{*t}
}

const wireTime = "2006-01-02T15:04:05-07:00"

// MarshalJSON writes the time in Asia/Shanghai, to the second.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.In(Shanghai).Format(wireTime) + `"`), nil
}

// UnmarshalJSON reads RFC 3339 with any offset (a trailing Z included).
func (t *Time) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: timeType}
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: s, Type: timeType}
	}
	t.Time = v
	return nil
}

var (
	idType   = reflect.TypeFor[ID]()
	timeType = reflect.TypeFor[Time]()
)
