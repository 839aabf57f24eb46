package testenv

import (
	"bytes"
	"sync"
	"testing"
)

// Tripwire holds values that must never show where they do not belong: seeded phone and ID
// numbers, tokens, passwords, WeChat secrets. Register them as the test creates them; scan every
// response a role should not see them in, every export, and (automatically, at the end of the
// test) the whole captured log.
type Tripwire struct {
	mu     sync.Mutex
	values map[string]string // value → what it is
}

// NewTripwire makes an empty tripwire.
func NewTripwire() *Tripwire { return &Tripwire{values: map[string]string{}} }

// Add registers a value and what it is ("phone", "id_number", "refresh token"...). Values under
// 6 bytes are refused: they would match by accident.
func (w *Tripwire) Add(what, value string) {
	if len(value) < 6 {
		panic("tripwire: value too short to scan for: " + what)
	}
	w.mu.Lock()
	w.values[value] = what
	w.mu.Unlock()
}

// Scan fails the test for every registered value found in data; where names the place.
func (w *Tripwire) Scan(t testing.TB, where string, data []byte) {
	t.Helper()
	for _, hit := range w.Hits(data) {
		t.Errorf("tripwire: %s found in %s", hit, where)
	}
}

// Hits lists what of the registered values data contains.
func (w *Tripwire) Hits(data []byte) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for v, what := range w.values {
		if bytes.Contains(data, []byte(v)) {
			out = append(out, what)
		}
	}
	return out
}
