// Package config loads the server's settings: config/config.yaml when present, then FAYUAN_*
// environment variables, which win. Every value is validated at start; a bad one stops the
// server with one line naming the variable.
package config

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is every setting the server runs with.
type Config struct {
	Addr          string
	DataDir       string
	DBDriver      string // sqlite or mysql
	DBDSN         string
	DBMaxOpen     int
	AdminPassword string // empty: generated on an empty database and printed once
	JWTSecret     []byte
	EncryptionKey []byte // 32 bytes
	// OldEncryptionKeys still decrypt after a rotation, oldest first. The oldest key (or the
	// current one when there are none) also keys the search hashes, so a rotation never forces
	// re-hashing every row.
	OldEncryptionKeys [][]byte
	RefreshGrace      time.Duration
	AccessTTL         time.Duration
	RefreshTTL        time.Duration

	LockoutThreshold int
	LockoutWindow    time.Duration
	LockoutDuration  time.Duration

	MaxBodyBytes int64
	CORSOrigins  []string
	RedisAddr    string
	LogLevel     string
	PublicURL    string
	// CampaignTemplatesDir holds a bureau's own campaign templates (*.json); empty: shipped ones only.
	CampaignTemplatesDir string

	// ImportMaxBytes and ImportMaxRows bound a case import: the uploaded file's size and its
	// data rows.
	ImportMaxBytes int64
	ImportMaxRows  int

	WechatAppID     string
	WechatAppSecret string
	WechatAPIBase   string
	WechatTimeout   time.Duration

	// WechatTemplateReminder is the subscribe-message template of the daily reminder (keywords
	// thing1, number2, number3, date4, thing5); empty: reminders are recorded as skipped.
	WechatTemplateReminder string
	// WechatTemplateSummary is the managers' behind-pace summary (same keywords); empty: the
	// reminder template.
	WechatTemplateSummary string
	// WechatTemplateAssignment tells staff they were given cases; WechatTemplateSurveyThanks
	// and WechatTemplateSurveyConcluded are the recipients' thank-you and the notice that an
	// alert their answer opened was concluded. Empty: not sent (recorded as skipped).
	WechatTemplateAssignment      string
	WechatTemplateSurveyThanks    string
	WechatTemplateSurveyConcluded string
	// WechatSurveyPage is the mini-program page a survey link's code opens.
	WechatSurveyPage string
	// ReminderTime is when the daily reminders go out, "HH:MM" Asia/Shanghai; empty: never
	// (the job can still be run directly).
	ReminderTime string

	Storage Storage // photos: where they are kept, how big they may be (storage.go)
}

// SearchKey is the key of the personal-data search hashes: the oldest encryption key.
func (c *Config) SearchKey() []byte {
	if len(c.OldEncryptionKeys) > 0 {
		return c.OldEncryptionKeys[0]
	}
	return c.EncryptionKey
}

// URLSigningKey is the key of signed image URLs, derived from the JWT secret so every replica
// that accepts the same tokens accepts the same URLs, and a leaked URL key is not a token key.
func (c *Config) URLSigningKey() []byte {
	m := hmac.New(sha256.New, c.JWTSecret)
	m.Write([]byte("fayuan signed urls v1"))
	return m.Sum(nil)
}

// Env looks a variable up, like os.LookupEnv; tests pass their own.
type Env func(key string) (string, bool)

// setting ties one variable to its YAML key and the parser that stores it.
type setting struct {
	env, yaml string
	def       string
	secret    bool
	set       func(c *Config, v string) error
}

// DefaultPath is where the YAML file is looked for unless FAYUAN_CONFIG names another.
const DefaultPath = "config/config.yaml"

// Load reads path (when it exists) and then env. A missing file is no error; an unreadable or
// malformed one is.
func Load(path string, env Env) (*Config, error) {
	if p, ok := env("FAYUAN_CONFIG"); ok && p != "" {
		path = p
	}
	fromFile := map[string]string{}
	if b, err := os.ReadFile(path); err == nil {
		var raw map[string]any
		if err := yaml.Unmarshal(b, &raw); err != nil {
			return nil, fmt.Errorf("%s: not valid YAML: %v", path, err)
		}
		known := map[string]bool{}
		for _, s := range settings {
			known[s.yaml] = true
		}
		for k, v := range raw {
			if !known[k] {
				return nil, fmt.Errorf("%s: unknown setting %q", path, k)
			}
			fromFile[k] = fmt.Sprint(v)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	c := &Config{}
	for _, s := range settings {
		v := s.def
		if fv, ok := fromFile[s.yaml]; ok {
			v = fv
		}
		// Set but empty counts as unset: compose's .env files leave unused variables empty.
		if ev, ok := env(s.env); ok && strings.TrimSpace(ev) != "" {
			v = ev
		}
		if err := s.set(c, strings.TrimSpace(v)); err != nil {
			return nil, fmt.Errorf("%s: %v", s.env, err)
		}
	}
	if c.DBDSN == "" {
		if c.DBDriver == "mysql" {
			return nil, errors.New("FAYUAN_DB_DSN: required when FAYUAN_DB_DRIVER is mysql")
		}
		c.DBDSN = filepath.Join(c.DataDir, "fayuan.db")
	}
	if (c.WechatAppID == "") != (c.WechatAppSecret == "") {
		missing := "FAYUAN_WECHAT_APP_SECRET"
		if c.WechatAppID == "" {
			missing = "FAYUAN_WECHAT_APP_ID"
		}
		return nil, errors.New(missing + ": missing; set both FAYUAN_WECHAT_APP_ID and FAYUAN_WECHAT_APP_SECRET, or neither")
	}
	if err := c.checkStorage(); err != nil {
		return nil, err
	}
	return c, nil
}

var settings = []setting{
	{env: "FAYUAN_ADDR", yaml: "addr", def: ":8080", set: func(c *Config, v string) error {
		_, port, err := net.SplitHostPort(v)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
			return fmt.Errorf("%q is not a listen address such as :8080 or 127.0.0.1:8080", v)
		}
		c.Addr = v
		return nil
	}},
	{env: "FAYUAN_DATA_DIR", yaml: "data_dir", def: "./data", set: func(c *Config, v string) error {
		if v == "" {
			return errors.New("must not be empty")
		}
		c.DataDir = v
		return nil
	}},
	{env: "FAYUAN_DB_DRIVER", yaml: "db_driver", def: "sqlite", set: func(c *Config, v string) error {
		if v != "sqlite" && v != "mysql" {
			return fmt.Errorf("%q is not sqlite or mysql", v)
		}
		c.DBDriver = v
		return nil
	}},
	{env: "FAYUAN_DB_DSN", yaml: "db_dsn", secret: true, set: func(c *Config, v string) error { c.DBDSN = v; return nil }},
	{env: "FAYUAN_DB_MAX_OPEN_CONNS", yaml: "db_max_open_conns", def: "20", set: intIn(1, 1000, func(c *Config, n int) { c.DBMaxOpen = n })},
	{env: "FAYUAN_ADMIN_PASSWORD", yaml: "admin_password", secret: true, set: func(c *Config, v string) error {
		if v != "" && len(v) < 8 {
			return errors.New("must be at least 8 characters")
		}
		c.AdminPassword = v
		return nil
	}},
	{env: "FAYUAN_JWT_SECRET", yaml: "jwt_secret", secret: true, set: func(c *Config, v string) error {
		if v != "" && len(v) < 32 {
			return errors.New("must be at least 32 characters")
		}
		if v != "" {
			c.JWTSecret = []byte(v)
		}
		return nil
	}},
	{env: "FAYUAN_ENCRYPTION_KEY", yaml: "encryption_key", secret: true, set: func(c *Config, v string) error {
		if v == "" {
			return nil
		}
		k, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(k) != 32 {
			return errors.New("must be 32 bytes in standard base64 (openssl rand -base64 32)")
		}
		c.EncryptionKey = k
		return nil
	}},
	{env: "FAYUAN_ENCRYPTION_OLD_KEYS", yaml: "encryption_old_keys", secret: true, set: func(c *Config, v string) error {
		c.OldEncryptionKeys = nil
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			k, err := base64.StdEncoding.DecodeString(part)
			if err != nil || len(k) != 32 {
				return errors.New("each key must be 32 bytes in standard base64, separated by commas")
			}
			c.OldEncryptionKeys = append(c.OldEncryptionKeys, k)
		}
		return nil
	}},
	{env: "FAYUAN_REFRESH_GRACE", yaml: "refresh_grace", def: "30s", set: durIn(0, 10*time.Minute, func(c *Config, d time.Duration) { c.RefreshGrace = d })},
	{env: "FAYUAN_ACCESS_TTL", yaml: "access_ttl", def: "15m", set: durIn(time.Minute, 15*time.Minute, func(c *Config, d time.Duration) { c.AccessTTL = d })},
	{env: "FAYUAN_REFRESH_TTL", yaml: "refresh_ttl", def: "720h", set: durIn(time.Hour, 90*24*time.Hour, func(c *Config, d time.Duration) { c.RefreshTTL = d })},
	{env: "FAYUAN_LOCKOUT_THRESHOLD", yaml: "lockout_threshold", def: "5", set: intIn(1, 100, func(c *Config, n int) { c.LockoutThreshold = n })},
	{env: "FAYUAN_LOCKOUT_WINDOW", yaml: "lockout_window", def: "15m", set: durIn(time.Minute, 24*time.Hour, func(c *Config, d time.Duration) { c.LockoutWindow = d })},
	{env: "FAYUAN_LOCKOUT_DURATION", yaml: "lockout_duration", def: "15m", set: durIn(time.Minute, 24*time.Hour, func(c *Config, d time.Duration) { c.LockoutDuration = d })},
	{env: "FAYUAN_MAX_BODY_BYTES", yaml: "max_body_bytes", def: "1048576", set: func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 || n > 64<<20 {
			return fmt.Errorf("%q is not a size in bytes between 1024 and 67108864", v)
		}
		c.MaxBodyBytes = n
		return nil
	}},
	{env: "FAYUAN_IMPORT_MAX_BYTES", yaml: "import_max_bytes", def: "20971520", set: func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 || n > 1<<30 {
			return fmt.Errorf("%q is not a size in bytes between 1024 and 1073741824", v)
		}
		c.ImportMaxBytes = n
		return nil
	}},
	{env: "FAYUAN_IMPORT_MAX_ROWS", yaml: "import_max_rows", def: "200000", set: intIn(1, 1_000_000, func(c *Config, n int) { c.ImportMaxRows = n })},
	{env: "FAYUAN_CORS_ORIGINS", yaml: "cors_origins", set: func(c *Config, v string) error {
		c.CORSOrigins = nil
		for _, o := range strings.Split(v, ",") {
			if o = strings.TrimSpace(o); o == "" {
				continue
			}
			if !strings.HasPrefix(o, "https://") && !strings.HasPrefix(o, "http://") {
				return fmt.Errorf("%q is not an origin such as https://example.org", o)
			}
			c.CORSOrigins = append(c.CORSOrigins, strings.TrimRight(o, "/"))
		}
		return nil
	}},
	{env: "FAYUAN_REDIS_ADDR", yaml: "redis_addr", set: func(c *Config, v string) error { c.RedisAddr = v; return nil }},
	{env: "FAYUAN_LOG_LEVEL", yaml: "log_level", def: "info", set: func(c *Config, v string) error {
		switch v {
		case "debug", "info", "warn", "error":
			c.LogLevel = v
			return nil
		}
		return fmt.Errorf("%q is not debug, info, warn or error", v)
	}},
	{env: "FAYUAN_PUBLIC_URL", yaml: "public_url", set: func(c *Config, v string) error {
		if v != "" && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
			return fmt.Errorf("%q is not an http(s) URL", v)
		}
		c.PublicURL = strings.TrimRight(v, "/")
		return nil
	}},
	{env: "FAYUAN_CAMPAIGN_TEMPLATES_DIR", yaml: "campaign_templates_dir", set: func(c *Config, v string) error {
		if v != "" {
			if st, err := os.Stat(v); err != nil || !st.IsDir() {
				return fmt.Errorf("%q is not a directory", v)
			}
		}
		c.CampaignTemplatesDir = v
		return nil
	}},
	{env: "FAYUAN_WECHAT_APP_ID", yaml: "wechat_app_id", set: func(c *Config, v string) error { c.WechatAppID = v; return nil }},
	{env: "FAYUAN_WECHAT_APP_SECRET", yaml: "wechat_app_secret", secret: true, set: func(c *Config, v string) error { c.WechatAppSecret = v; return nil }},
	{env: "FAYUAN_WECHAT_API_BASE", yaml: "wechat_api_base", def: "https://api.weixin.qq.com", set: func(c *Config, v string) error {
		if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
			return fmt.Errorf("%q is not an http(s) URL", v)
		}
		c.WechatAPIBase = strings.TrimRight(v, "/")
		return nil
	}},
	{env: "FAYUAN_WECHAT_TIMEOUT", yaml: "wechat_timeout", def: "5s", set: durIn(500*time.Millisecond, 6*time.Second, func(c *Config, d time.Duration) { c.WechatTimeout = d })},
	{env: "FAYUAN_WECHAT_TEMPLATE_REMINDER", yaml: "wechat_template_reminder", set: templateID(func(c *Config, v string) { c.WechatTemplateReminder = v })},
	{env: "FAYUAN_WECHAT_TEMPLATE_SUMMARY", yaml: "wechat_template_summary", set: templateID(func(c *Config, v string) { c.WechatTemplateSummary = v })},
	{env: "FAYUAN_WECHAT_TEMPLATE_ASSIGNMENT", yaml: "wechat_template_assignment", set: templateID(func(c *Config, v string) { c.WechatTemplateAssignment = v })},
	{env: "FAYUAN_WECHAT_TEMPLATE_SURVEY_THANKS", yaml: "wechat_template_survey_thanks", set: templateID(func(c *Config, v string) { c.WechatTemplateSurveyThanks = v })},
	{env: "FAYUAN_WECHAT_TEMPLATE_SURVEY_CONCLUDED", yaml: "wechat_template_survey_concluded", set: templateID(func(c *Config, v string) { c.WechatTemplateSurveyConcluded = v })},
	{env: "FAYUAN_WECHAT_SURVEY_PAGE", yaml: "wechat_survey_page", def: "pages/survey/index", set: func(c *Config, v string) error {
		if v == "" || len(v) > 128 || strings.HasPrefix(v, "/") || strings.ContainsAny(v, "?# ") {
			return fmt.Errorf("%q is not a mini-program page path such as pages/survey/index (no leading slash, no query)", v)
		}
		c.WechatSurveyPage = v
		return nil
	}},
	{env: "FAYUAN_REMINDER_TIME", yaml: "reminder_time", def: "08:30", set: func(c *Config, v string) error {
		if v == "off" {
			v = ""
		}
		if _, err := time.Parse("15:04", v); v != "" && (err != nil || len(v) != 5) {
			return fmt.Errorf("%q is not a time of day such as 08:30 (Asia/Shanghai), or off", v)
		}
		c.ReminderTime = v
		return nil
	}},
}

// templateID accepts a subscribe-message template id: up to 64 letters, digits, '-' and '_'.
func templateID(store func(*Config, string)) func(*Config, string) error {
	return func(c *Config, v string) error {
		if len(v) > 64 || strings.ContainsFunc(v, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
		}) {
			return fmt.Errorf("%q is not a subscribe-message template id", v)
		}
		store(c, v)
		return nil
	}
}

func intIn(lo, hi int, store func(*Config, int)) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("%q is not a whole number from %d to %d", v, lo, hi)
		}
		store(c, n)
		return nil
	}
}

func durIn(lo, hi time.Duration, store func(*Config, time.Duration)) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < lo || d > hi {
			return fmt.Errorf("%q is not a duration from %s to %s (e.g. 30s, 15m)", v, lo, hi)
		}
		store(c, d)
		return nil
	}
}
