// Package pii protects recipients' personal data at rest: AES-256-GCM encryption with a key id
// stored beside each value (so keys can rotate), a keyed hash (HMAC) for exact search without
// plaintext, and the masks the contract shows on screen.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
)

// Vault encrypts with the current key and decrypts with any known key.
type Vault struct {
	current string
	aeads   map[string]cipher.AEAD
	blind   []byte
}

// KeyID names a key without revealing it: the first 8 hex digits of its SHA-256.
func KeyID(key []byte) string {
	s := sha256.Sum256(key)
	return hex.EncodeToString(s[:4])
}

// New builds a vault. current encrypts; old keys (after a rotation) still decrypt. The search
// hash is keyed by the first key ever used (blindKey), so rotating the encryption key does not
// force re-hashing every row; pass the current key when there has been no rotation.
func New(current []byte, blindKey []byte, old ...[]byte) (*Vault, error) {
	v := &Vault{aeads: map[string]cipher.AEAD{}}
	for i, k := range append([][]byte{current}, old...) {
		if len(k) != 32 {
			return nil, errors.New("pii: keys must be 32 bytes")
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		id := KeyID(k)
		v.aeads[id] = aead
		if i == 0 {
			v.current = id
		}
	}
	m := hmac.New(sha256.New, blindKey)
	m.Write([]byte("fayuan blind index v1"))
	v.blind = m.Sum(nil)
	return v, nil
}

// Encrypt returns "keyid:base64(nonce|ciphertext)"; the empty string stays empty.
func (v *Vault) Encrypt(plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	aead := v.aeads[v.current]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	ct := aead.Seal(nonce, nonce, []byte(plain), []byte(v.current))
	return v.current + ":" + base64.RawStdEncoding.EncodeToString(ct), nil
}

// ErrUndecryptable means a value was encrypted with a key this server does not have.
var ErrUndecryptable = errors.New("pii: value cannot be decrypted with the configured keys")

// Decrypt reverses Encrypt with whichever key the value names.
func (v *Vault) Decrypt(stored string) (string, error) {
	if stored == "" {
		return "", nil
	}
	id, b64, ok := strings.Cut(stored, ":")
	aead, known := v.aeads[id]
	if !ok || !known {
		return "", ErrUndecryptable
	}
	ct, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(ct) < aead.NonceSize() {
		return "", ErrUndecryptable
	}
	pt, err := aead.Open(nil, ct[:aead.NonceSize()], ct[aead.NonceSize():], []byte(id))
	if err != nil {
		return "", ErrUndecryptable
	}
	return string(pt), nil
}

// Hash is the keyed search hash of a normalised value; the empty string stays empty.
func (v *Vault) Hash(normalised string) string {
	if normalised == "" {
		return ""
	}
	m := hmac.New(sha256.New, v.blind)
	m.Write([]byte(normalised))
	return hex.EncodeToString(m.Sum(nil))
}

// NeedsRotation reports whether stored was encrypted with an old key.
func (v *Vault) NeedsRotation(stored string) bool {
	id, _, _ := strings.Cut(stored, ":")
	return stored != "" && id != v.current
}
