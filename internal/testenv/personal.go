package testenv

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Shapes of unmasked personal data: a mainland mobile number and an 18-character ID number,
// standing alone (not inside a longer run of letters or digits such as a hash or a token).
var (
	phoneRE    = regexp.MustCompile(`(?:^|[^0-9A-Za-z])(1[3-9]\d{9})(?:[^0-9A-Za-z]|$)`)
	idNumberRE = regexp.MustCompile(`(?:^|[^0-9A-Za-z])(\d{17}[\dXx])(?:[^0-9A-Za-z]|$)`)
)

// ScanForPersonalData fails the test when data, an answer or an export seen at where, holds a
// value registered with e's tripwire (seeded phone and ID numbers, tokens, passwords) or anything
// shaped like an unmasked phone number or ID number. Call it on every answer the caller should
// not see personal data in.
func ScanForPersonalData(t testing.TB, e *Env, where string, data []byte) {
	t.Helper()
	e.Tripwire.Scan(t, where, data)
	for _, p := range []struct {
		what string
		re   *regexp.Regexp
	}{{"an unmasked phone number", phoneRE}, {"an unmasked ID number", idNumberRE}} {
		if m := p.re.FindSubmatch(data); m != nil {
			t.Errorf("tripwire: %s (%s…) found in %s", p.what, m[1][:3], where)
		}
	}
}

// wireTimeRE is how the contract answers a time: +08:00, a T, no space.
var wireTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$`)

// CheckConventions fails the test when a JSON answer breaks the contract's conventions: every
// "id" and "*_id" is a string (or null), every "*_ids" a list of strings, and every "at" and
// "*_at" a time in +08:00. Bodies that are not JSON are left alone.
func CheckConventions(t testing.TB, where string, body []byte) {
	t.Helper()
	var v any
	if json.Unmarshal(body, &v) != nil {
		return
	}
	walkJSON(v, "$", func(path, key string, val any) {
		switch {
		case key == "id" || strings.HasSuffix(key, "_id"):
			if _, ok := val.(string); !ok && val != nil {
				t.Errorf("%s: %s is %T %v, want a JSON string", where, path, val, val)
			}
		case strings.HasSuffix(key, "_ids"):
			list, _ := val.([]any)
			for _, x := range list {
				if _, ok := x.(string); !ok {
					t.Errorf("%s: %s holds %T %v, want JSON strings", where, path, x, x)
				}
			}
		case key == "at" || strings.HasSuffix(key, "_at"):
			if s, ok := val.(string); val != nil && (!ok || !wireTimeRE.MatchString(s)) {
				t.Errorf("%s: %s is %v, want a time like 2024-05-24T09:30:00+08:00", where, path, val)
			}
		}
	})
}

func walkJSON(v any, path string, visit func(path, key string, val any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			p := path + "." + k
			visit(p, k, val)
			walkJSON(val, p, visit)
		}
	case []any:
		for i, val := range x {
			walkJSON(val, path+"["+strconv.Itoa(i)+"]", visit)
		}
	}
}
