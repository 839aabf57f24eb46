package recipient

import (
	"errors"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	for _, c := range []struct {
		in, want string
		err      error
	}{
		{"13901234567", "13901234567", nil},
		{" +86 139-0123-4567 ", "13901234567", nil},
		{"+8613901234567", "13901234567", nil},
		{"008613901234567", "13901234567", nil},
		{"8613901234567", "13901234567", nil},
		{"１３９ ０１２３ ４５６７", "13901234567", nil},
		{"(0914)4321234", "0914-4321234", nil},
		{"0914-4321234", "0914-4321234", nil},
		{"010 12345678", "", ErrPhone}, // local numbers never start with 1
		{"010 62345678", "010-62345678", nil},
		{"029-88886666", "029-88886666", nil},
		{"", "", nil},
		{"   ", "", nil},
		{"12901234567", "", ErrPhone},
		{"1390123456", "", ErrPhone},
		{"139012345678", "", ErrPhone},
		{"139o1234567", "", ErrPhone},
		{"+1 13901234567", "", ErrPhone},
	} {
		got, err := NormalizePhone(c.in)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q, %v", c.in, got, err, c.want, c.err)
		}
		if err == nil {
			again, err := NormalizePhone(got)
			if again != got || err != nil {
				t.Errorf("NormalizePhone not idempotent on %q: %q, %v", got, again, err)
			}
		}
	}
}

func TestNormalizeIDNumber(t *testing.T) {
	for _, c := range []struct {
		in, want string
		err      error
	}{
		{"11010519491231002X", "11010519491231002X", nil}, // the standard's own example
		{"11010519491231002x", "11010519491231002X", nil},
		{" 110105 19491231 002X ", "11010519491231002X", nil},
		{"１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", nil},
		{"611026198001010011", "611026198001010011", nil},
		{"440524188001010014", "", ErrIDBirthDate},     // valid per the standard, but born before 1900
		{"110105491231002", "11010519491231002X", nil}, // 15 digits upgraded, check digit computed
		{"110105194912310021", "", ErrIDCheckDigit},
		{"11010519491231002", "", ErrIDFormat},
		{"1101051949123100XX", "", ErrIDFormat},
		{"110105194902300028", "", ErrIDBirthDate},
		{"110105491331002", "", ErrIDBirthDate},
		{"000105194912310025", "", ErrIDRegionCode},
		{"", "", nil},
	} {
		got, err := NormalizeIDNumber(c.in)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("NormalizeIDNumber(%q) = %q, %v; want %q, %v", c.in, got, err, c.want, c.err)
		}
	}
}

func TestIDInfo(t *testing.T) {
	for _, c := range []struct{ in, gender, birth string }{
		{"11010519491231002X", "female", "1949-12-31"},
		{"611026198001010011", "male", "1980-01-01"},
		{"110105491231002", "female", "1949-12-31"},
		{"110105491231001", "male", "1949-12-31"},
		{"110105194912310021", "", ""},
		{"", "", ""},
	} {
		g, b := IDInfo(c.in)
		if g != c.gender || b != c.birth {
			t.Errorf("IDInfo(%q) = %q, %q; want %q, %q", c.in, g, b, c.gender, c.birth)
		}
	}
}

func TestCheckDigitEveryRemainder(t *testing.T) {
	// Every check character must come out for some body, X included.
	seen := map[byte]bool{}
	body := []byte("61102619800101000")
	for i := 0; i < 1000 && len(seen) < 11; i++ {
		body[14], body[15], body[16] = byte('0'+i/100), byte('0'+i/10%10), byte('0'+i%10)
		c, err := CheckDigit(string(body))
		if err != nil {
			t.Fatal(err)
		}
		seen[c] = true
		if _, err := NormalizeIDNumber(string(body) + string(c)); err != nil {
			t.Fatalf("%s%c refused: %v", body, c, err)
		}
	}
	if len(seen) != 11 {
		t.Fatalf("check characters seen: %d, want 11", len(seen))
	}
}
