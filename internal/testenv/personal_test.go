package testenv

import (
	"fmt"
	"testing"
)

// recorder is a testing.TB that keeps the errors instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Errorf(f string, a ...any) { r.errs = append(r.errs, fmt.Sprintf(f, a...)) }

func TestScanForPersonalData(t *testing.T) {
	e := &Env{Tripwire: NewTripwire()}
	e.Tripwire.Add("refresh token of staff", "rt-0123456789abcdef")
	for _, c := range []struct {
		body string
		hits int
	}{
		{`{"phone":"13912345678"}`, 1},
		{`电话13912345678。`, 1},
		{`{"phone":"139****5678"}`, 0},
		{`{"id_number":"61102619900101123X"}`, 1},
		{`{"id_number":"611026199001011234"}`, 1},
		{`{"id_number":"611026************"}`, 0},
		{`{"before_hash":"ab13912345678cd611026199001011234ef"}`, 0},
		{`{"expires_at":"2024-05-24T09:30:00+08:00","total":1716512400000}`, 0},
		{`{"refresh_token":"rt-0123456789abcdef"}`, 1},
		{`{"phone":"13912345678","refresh_token":"rt-0123456789abcdef"}`, 2},
	} {
		r := &recorder{TB: t}
		ScanForPersonalData(r, e, "body", []byte(c.body))
		if len(r.errs) != c.hits {
			t.Errorf("%s: %d hits %v, want %d", c.body, len(r.errs), r.errs, c.hits)
		}
	}
}

func TestCheckConventions(t *testing.T) {
	for _, c := range []struct {
		body string
		bad  bool
	}{
		{`{"id":"1","org_id":"2","parent_id":null,"created_at":"2024-05-24T09:30:00+08:00"}`, false},
		{`{"id":1}`, true},
		{`{"items":[{"org_id":5}]}`, true},
		{`{"staff_ids":["1",2]}`, true},
		{`{"created_at":"2024-05-24 09:30:00+08:00"}`, true},
		{`{"at":"2024-05-24T01:30:00Z"}`, true},
		{`<html>not json</html>`, false},
	} {
		r := &recorder{TB: t}
		CheckConventions(r, "body", []byte(c.body))
		if (len(r.errs) > 0) != c.bad {
			t.Errorf("%s: errors %v, want bad=%v", c.body, r.errs, c.bad)
		}
	}
}
