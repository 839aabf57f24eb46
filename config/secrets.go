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

// keyFile reads a base64 32-byte key, or creates it with O_EXCL so two processes starting at
// once cannot write different keys.
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
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			continue // another process won the race: read its key
		}
		if err != nil {
			return nil, fmt.Errorf("cannot create %s: %v", path, err)
		}
		_, werr := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n")
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return nil, werr
		}
		return k, nil
	}
	return nil, fmt.Errorf("cannot read %s", path)
}
