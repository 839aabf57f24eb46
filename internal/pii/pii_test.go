package pii

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func TestEncryptRoundTripAndRotation(t *testing.T) {
	old, err := New(key(1), key(1))
	if err != nil {
		t.Fatal(err)
	}
	stored, err := old.Encrypt("13912345678")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, "13912345678") || !strings.HasPrefix(stored, KeyID(key(1))+":") {
		t.Fatalf("stored form %q: want key id prefix and no plaintext", stored)
	}
	again, _ := old.Encrypt("13912345678")
	if again == stored {
		t.Fatal("two encryptions of one value are equal: the nonce is not random")
	}
	// After a rotation the new key encrypts, the old one still decrypts, and the search hash
	// (keyed by the oldest key) stays the same.
	rotated, err := New(key(2), key(1), key(1))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotated.Decrypt(stored); err != nil || got != "13912345678" {
		t.Fatalf("decrypt old value after rotation = %q, %v", got, err)
	}
	if !rotated.NeedsRotation(stored) {
		t.Fatal("a value under the old key should need rotation")
	}
	fresh, _ := rotated.Encrypt("13912345678")
	if rotated.NeedsRotation(fresh) || !strings.HasPrefix(fresh, KeyID(key(2))+":") {
		t.Fatalf("new value %q not under the current key", fresh)
	}
	if old.Hash("13912345678") != rotated.Hash("13912345678") {
		t.Fatal("search hash changed with the rotation")
	}
	if old.Hash("13912345678") == old.Hash("13912345679") || old.Hash("") != "" {
		t.Fatal("hash does not tell values apart, or hashes the empty string")
	}
	// A server that never had the old key cannot read it.
	stranger, _ := New(key(3), key(3))
	if _, err := stranger.Decrypt(stored); !errors.Is(err, ErrUndecryptable) {
		t.Fatalf("decrypt with unknown key: %v", err)
	}
}

func TestDecryptRefusesTampering(t *testing.T) {
	v, _ := New(key(1), key(1))
	stored, _ := v.Encrypt("611026199001011234")
	id, b64, _ := strings.Cut(stored, ":")
	flipped := []byte(b64)
	flipped[len(flipped)-2] ^= 1
	for name, s := range map[string]string{
		"flipped byte": id + ":" + string(flipped),
		"no key id":    b64,
		"other key id": "deadbeef:" + b64,
		"truncated":    id + ":" + b64[:10],
		"not base64":   id + ":***",
	} {
		if _, err := v.Decrypt(s); !errors.Is(err, ErrUndecryptable) {
			t.Errorf("%s: err = %v, want ErrUndecryptable", name, err)
		}
	}
	if got, err := v.Decrypt(""); got != "" || err != nil {
		t.Fatalf("empty stays empty: %q %v", got, err)
	}
	if _, err := New([]byte("short"), key(1)); err == nil {
		t.Fatal("a short key was accepted")
	}
}

func TestMasks(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{MaskPhone("13912345678"), "139****5678"},
		{MaskPhone("123"), "****"},
		{MaskIDNumber("61102619900101123X"), "611026************"},
		{MaskIDNumber("611026900101123"), "611026*********"},
		{MaskName("王秀英"), "王*英"},
		{MaskName("王英"), "王*"},
		{MaskName("欧阳秀英"), "欧**英"},
		{MaskName("王"), "*"},
		{MaskName(""), ""},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
