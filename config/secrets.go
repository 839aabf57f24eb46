package config

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// EnsureSecrets fills the JWT and encryption keys that were not configured from files in the
// data dir, creating each file once (mode 0600) so restarts keep sessions and encrypted data
// readable. Several replicas must share configured keys instead; files are for one server.
func (c *Config) EnsureSecrets() error {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("FAYUAN_DATA_DIR: cannot create %s: %v", c.DataDir, err)
	}
	if c.JWTSecret == nil {
		k, err := keyFile(filepath.Join(c.DataDir, "jwt.key"))
		if err != nil {
			return fmt.Errorf("FAYUAN_JWT_SECRET: %v", err)
		}
		c.JWTSecret = k
	}
	if c.EncryptionKey == nil {
		k, err := keyFile(filepath.Join(c.DataDir, "encryption.key"))
		if err != nil {
			return fmt.Errorf("FAYUAN_ENCRYPTION_KEY: %v", err)
		}
		c.EncryptionKey = k
	}
	return nil
}

// keyFile reads a base64 32-byte key, or creates it. The key is written to a temporary file
// first and linked into place (link fails if the name exists), so a process starting at the
// same moment never reads a half-written file, and two processes cannot keep different keys.
func keyFile(path string) ([]byte, error) {
	for attempt := 0; attempt < 2; attempt++ {
		if b, err := os.ReadFile(path); err == nil {
			k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
			if err != nil || len(k) != 32 {
				return nil, fmt.Errorf("%s is not a base64 32-byte key", path)
			}
			return k, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		k := make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
		if err != nil {
			return nil, fmt.Errorf("cannot create %s: %v", path, err)
		}
		tmp := f.Name()
		_, werr := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n")
		if serr := f.Sync(); werr == nil {
			werr = serr
		}
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr == nil {
			werr = os.Link(tmp, path) // CreateTemp made it 0600
		}
		_ = os.Remove(tmp)
		if errors.Is(werr, os.ErrExist) {
			continue // another process won the race: read its key
		}
		if werr != nil {
			return nil, fmt.Errorf("cannot create %s: %v", path, werr)
		}
		return k, nil
	}
	return nil, fmt.Errorf("cannot read %s", path)
}
