package config_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fayuan/config"
)

// env is a fixed environment.
func env(vars map[string]string) config.Env {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := config.Load(filepath.Join(t.TempDir(), "config.yaml"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		what      string
		got, want any
	}{
		{"addr", c.Addr, ":8080"}, {"data dir", c.DataDir, "./data"}, {"driver", c.DBDriver, "sqlite"},
		{"dsn", c.DBDSN, filepath.Join("data", "fayuan.db")}, {"grace", c.RefreshGrace, 30 * time.Second},
		{"access ttl", c.AccessTTL, 15 * time.Minute}, {"refresh ttl", c.RefreshTTL, 30 * 24 * time.Hour},
		{"lockout", c.LockoutThreshold, 5}, {"lockout window", c.LockoutWindow, 15 * time.Minute},
		{"lockout for", c.LockoutDuration, 15 * time.Minute}, {"wechat base", c.WechatAPIBase, "https://api.weixin.qq.com"},
		{"wechat id", c.WechatAppID, ""}, {"cors", len(c.CORSOrigins), 0}, {"jwt", c.JWTSecret == nil, true},
		{"key", c.EncryptionKey == nil, true}, {"admin password", c.AdminPassword, ""},
	} {
		if x.got != x.want {
			t.Errorf("%s: %v, want %v", x.what, x.got, x.want)
		}
	}
}

func TestYAMLThenEnvironment(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	yaml := "addr: \":9000\"\nrefresh_grace: 10s\ndb_driver: mysql\ndb_dsn: \"u:p@tcp(db:3306)/fayuan\"\n" +
		"cors_origins: \"https://a.example, https://b.example/\"\nlockout_threshold: 7\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(path, env(map[string]string{"FAYUAN_ADDR": "127.0.0.1:9100", "FAYUAN_LOCKOUT_THRESHOLD": "3"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9100" || c.LockoutThreshold != 3 {
		t.Errorf("environment does not win: addr %q, threshold %d", c.Addr, c.LockoutThreshold)
	}
	if c.RefreshGrace != 10*time.Second || c.DBDriver != "mysql" || c.DBDSN != "u:p@tcp(db:3306)/fayuan" ||
		strings.Join(c.CORSOrigins, " ") != "https://a.example https://b.example" {
		t.Errorf("YAML not applied: %+v", c)
	}
	// FAYUAN_CONFIG names another file.
	c, err = config.Load(filepath.Join(dir, "absent.yaml"), env(map[string]string{"FAYUAN_CONFIG": path}))
	if err != nil || c.Addr != ":9000" {
		t.Errorf("FAYUAN_CONFIG: %v %v", c, err)
	}
	// A file that is there but wrong stops the start, naming the file.
	for _, bad := range []string{"addr: [\n", "unknown_setting: 1\n"} {
		_ = os.WriteFile(path, []byte(bad), 0o600)
		if _, err := config.Load(path, env(nil)); err == nil || !strings.HasPrefix(err.Error(), path+":") {
			t.Errorf("%q: %v, want an error naming %s", bad, err, path)
		}
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	key16 := base64.StdEncoding.EncodeToString([]byte("sixteen byte key"))
	for _, c := range []struct {
		vars   map[string]string
		name   string // the variable the error must start with
		secret string // must not appear in the error
		yaml   string
	}{
		{vars: map[string]string{"FAYUAN_DB_DRIVER": "postgres"}, name: "FAYUAN_DB_DRIVER"},
		{vars: map[string]string{"FAYUAN_REFRESH_GRACE": "abc"}, name: "FAYUAN_REFRESH_GRACE"},
		{vars: map[string]string{"FAYUAN_REFRESH_GRACE": "-5s"}, name: "FAYUAN_REFRESH_GRACE"},
		{vars: map[string]string{"FAYUAN_ENCRYPTION_KEY": "short"}, name: "FAYUAN_ENCRYPTION_KEY", secret: "short"},
		{vars: map[string]string{"FAYUAN_ENCRYPTION_KEY": key16}, name: "FAYUAN_ENCRYPTION_KEY", secret: key16},
		{vars: map[string]string{"FAYUAN_JWT_SECRET": "too-short-jwt-secret"}, name: "FAYUAN_JWT_SECRET", secret: "too-short-jwt-secret"},
		{vars: map[string]string{"FAYUAN_ADMIN_PASSWORD": "pw-123"}, name: "FAYUAN_ADMIN_PASSWORD", secret: "pw-123"},
		{vars: map[string]string{"FAYUAN_ADDR": "nonsense"}, name: "FAYUAN_ADDR"},
		{vars: map[string]string{"FAYUAN_ADDR": "127.0.0.1:99999"}, name: "FAYUAN_ADDR"},
		{vars: map[string]string{"FAYUAN_ADDR": "localhost:port"}, name: "FAYUAN_ADDR"},
		{vars: map[string]string{"FAYUAN_DB_DRIVER": "mysql"}, name: "FAYUAN_DB_DSN"},
		{vars: map[string]string{"FAYUAN_WECHAT_APP_ID": "wx0123456789abcdef"}, name: "FAYUAN_WECHAT_APP_SECRET"},
		{vars: map[string]string{"FAYUAN_WECHAT_APP_SECRET": "wechat-app-secret-value"}, name: "FAYUAN_WECHAT_APP_ID", secret: "wechat-app-secret-value"},
		{vars: map[string]string{"FAYUAN_MAX_BODY_BYTES": "10"}, name: "FAYUAN_MAX_BODY_BYTES"},
		{vars: map[string]string{"FAYUAN_LOG_LEVEL": "verbose"}, name: "FAYUAN_LOG_LEVEL"},
		{vars: map[string]string{"FAYUAN_CORS_ORIGINS": "*"}, name: "FAYUAN_CORS_ORIGINS"},
		{vars: map[string]string{"FAYUAN_WECHAT_API_BASE": "api.weixin.qq.com"}, name: "FAYUAN_WECHAT_API_BASE"},
		{vars: map[string]string{"FAYUAN_ACCESS_TTL": "2h"}, name: "FAYUAN_ACCESS_TTL"},
		{yaml: "encryption_key: secret-in-the-yaml-file\n", name: "FAYUAN_ENCRYPTION_KEY", secret: "secret-in-the-yaml-file"},
		{yaml: "refresh_grace: forever\n", name: "FAYUAN_REFRESH_GRACE"},
	} {
		path := filepath.Join(t.TempDir(), "config.yaml")
		if c.yaml != "" {
			_ = os.WriteFile(path, []byte(c.yaml), 0o600)
		}
		_, err := config.Load(path, env(c.vars))
		if err == nil {
			t.Errorf("%v %q: accepted", c.vars, c.yaml)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, c.name+": ") || strings.Contains(msg, "\n") {
			t.Errorf("%v %q: error %q, want one line starting with %s", c.vars, c.yaml, msg, c.name)
		}
		if c.secret != "" && strings.Contains(msg, c.secret) {
			t.Errorf("%v %q: error %q shows the secret", c.vars, c.yaml, msg)
		}
	}
}

func TestGeneratedSecretsAreKeptOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	load := func() *config.Config {
		c, err := config.Load(filepath.Join(dir, "none.yaml"), env(map[string]string{"FAYUAN_DATA_DIR": dir}))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.EnsureSecrets(); err != nil {
			t.Fatal(err)
		}
		return c
	}
	first := load()
	if len(first.JWTSecret) != 32 || len(first.EncryptionKey) != 32 || bytes.Equal(first.JWTSecret, first.EncryptionKey) {
		t.Fatalf("generated keys: %d and %d bytes", len(first.JWTSecret), len(first.EncryptionKey))
	}
	files := map[string][]byte{}
	for _, name := range []string{"jwt.key", "encryption.key"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", name, st.Mode().Perm())
		}
		files[name], _ = os.ReadFile(filepath.Join(dir, name))
	}
	if st, _ := os.Stat(dir); st.Mode().Perm()&0o077 != 0 {
		t.Errorf("data dir mode %v, want no access for others", st.Mode().Perm())
	}
	second := load()
	if !bytes.Equal(first.JWTSecret, second.JWTSecret) || !bytes.Equal(first.EncryptionKey, second.EncryptionKey) {
		t.Error("the next start made new keys")
	}
	for name, b := range files {
		if now, _ := os.ReadFile(filepath.Join(dir, name)); !bytes.Equal(now, b) {
			t.Errorf("%s rewritten", name)
		}
	}
}

// Several processes starting at once on an empty data dir agree on one key.
func TestGeneratedSecretsUnderARace(t *testing.T) {
	for round := 0; round < 20; round++ {
		dir := t.TempDir()
		cfgs := make([]*config.Config, 8)
		errs := make([]error, len(cfgs))
		var wg sync.WaitGroup
		for i := range cfgs {
			cfgs[i], _ = config.Load(filepath.Join(dir, "none.yaml"), env(map[string]string{"FAYUAN_DATA_DIR": dir}))
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = cfgs[i].EnsureSecrets() }()
		}
		wg.Wait()
		for i, c := range cfgs {
			if errs[i] != nil {
				t.Fatalf("round %d, process %d: %v", round, i, errs[i])
			}
			if !bytes.Equal(c.JWTSecret, cfgs[0].JWTSecret) || !bytes.Equal(c.EncryptionKey, cfgs[0].EncryptionKey) {
				t.Fatalf("round %d: processes disagree on the keys", round)
			}
		}
	}
}

func TestConfiguredSecretsStayOffDisk(t *testing.T) {
	jwt := "a-jwt-secret-of-at-least-thirty-two-characters"
	raw := []byte("0123456789abcdef0123456789abcdef")
	key := base64.StdEncoding.EncodeToString(raw)
	for _, c := range []struct {
		vars  map[string]string
		files []string // the only files the data dir may hold afterwards
	}{
		{map[string]string{"FAYUAN_JWT_SECRET": jwt, "FAYUAN_ENCRYPTION_KEY": key}, nil},
		{map[string]string{"FAYUAN_JWT_SECRET": jwt}, []string{"encryption.key"}},
		{map[string]string{"FAYUAN_ENCRYPTION_KEY": key}, []string{"jwt.key"}},
	} {
		dir := t.TempDir()
		c.vars["FAYUAN_DATA_DIR"] = dir
		cfg, err := config.Load("/nonexistent.yaml", env(c.vars))
		if err != nil {
			t.Fatal(err)
		}
		if err := cfg.EnsureSecrets(); err != nil {
			t.Fatal(err)
		}
		if v, ok := c.vars["FAYUAN_JWT_SECRET"]; ok && string(cfg.JWTSecret) != v {
			t.Error("configured JWT secret not used")
		}
		if _, ok := c.vars["FAYUAN_ENCRYPTION_KEY"]; ok && !bytes.Equal(cfg.EncryptionKey, raw) {
			t.Error("configured encryption key not used")
		}
		entries, _ := os.ReadDir(dir)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
			b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			if bytes.Contains(b, []byte(jwt)) || bytes.Contains(b, []byte(key)) || bytes.Contains(b, raw) {
				t.Errorf("%s holds a configured secret", e.Name())
			}
		}
		if strings.Join(names, ",") != strings.Join(c.files, ",") {
			t.Errorf("%v: data dir holds %v, want %v", c.vars, names, c.files)
		}
	}
}
