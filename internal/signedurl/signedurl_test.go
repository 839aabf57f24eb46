package signedurl_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"fayuan/internal/clock"
	"fayuan/internal/signedurl"
)

func query(t *testing.T, signed string) (string, url.Values) {
	t.Helper()
	u, err := url.Parse(signed)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path, u.Query()
}

func TestSignVerify(t *testing.T) {
	clk := clock.NewFake(time.Date(2024, 6, 20, 1, 0, 0, 0, time.UTC))
	s := signedurl.New([]byte("k1"), 10*time.Minute, clk)
	signed, exp := s.Sign("/api/v1/photos/12")
	if want := clk.Now().Add(10 * time.Minute); !exp.Equal(want) {
		t.Fatalf("expiry %v, want %v", exp, want)
	}
	path, q := query(t, signed)
	if err := s.Verify(path, q); err != nil {
		t.Fatalf("fresh url: %v", err)
	}
	if err := s.Verify("/api/v1/photos/13", q); !errors.Is(err, signedurl.ErrInvalid) {
		t.Fatalf("other path: %v", err)
	}
	if err := signedurl.New([]byte("k2"), 0, clk).Verify(path, q); !errors.Is(err, signedurl.ErrInvalid) {
		t.Fatalf("other key: %v", err)
	}
	bad := url.Values{"exp": {q.Get("exp")}, "sig": {strings.Repeat("A", len(q.Get("sig")))}}
	if err := s.Verify(path, bad); !errors.Is(err, signedurl.ErrInvalid) {
		t.Fatalf("altered sig: %v", err)
	}
	later := url.Values{"exp": {"9999999999"}, "sig": {q.Get("sig")}}
	if err := s.Verify(path, later); !errors.Is(err, signedurl.ErrInvalid) {
		t.Fatalf("altered expiry: %v", err)
	}
	if err := s.Verify(path, url.Values{}); !errors.Is(err, signedurl.ErrInvalid) || signedurl.Signed(url.Values{}) {
		t.Fatalf("unsigned: %v", err)
	}
	clk.Advance(10*time.Minute - time.Second)
	if err := s.Verify(path, q); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	clk.Advance(time.Second)
	if err := s.Verify(path, q); !errors.Is(err, signedurl.ErrExpired) {
		t.Fatalf("at expiry: %v", err)
	}
}
