package api_test

import (
	"net/http"
	"testing"

	"fayuan/internal/testenv"
)

func TestSeedAndMe(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		r := testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/me", w.Tokens["manager"], nil), http.StatusOK)
		if got := r.Map(t)["username"]; got != "manager" {
			t.Fatalf("me = %v", got)
		}
	})
}
