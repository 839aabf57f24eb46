package config

import (
	"errors"
	"fmt"
	"net"
	"strconv"
)

// Storage is where photos are kept and how big they may be.
type Storage struct {
	Kind        string // local (under <data dir>/photos) or s3
	S3Endpoint  string // host:port
	S3Bucket    string
	S3AccessKey string
	S3SecretKey string
	S3Secure    bool
	S3Region    string
	// PhotoMaxBytes bounds one uploaded photo; a larger one is refused with 413.
	PhotoMaxBytes int64
	// ThumbWorkers is how many thumbnails are made at once in the background.
	ThumbWorkers int
}

// The storage settings join the table at start; a separate file keeps config.go's table short.
func init() { settings = append(settings, storageSettings...) }

var storageSettings = []setting{
	{env: "FAYUAN_STORAGE", yaml: "storage", def: "local", set: func(c *Config, v string) error {
		if v != "local" && v != "s3" {
			return fmt.Errorf("%q is not local or s3", v)
		}
		c.Storage.Kind = v
		return nil
	}},
	{env: "FAYUAN_S3_ENDPOINT", yaml: "s3_endpoint", set: func(c *Config, v string) error {
		if v != "" {
			if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
				return fmt.Errorf("%q is not host:port (no scheme; FAYUAN_S3_SECURE chooses https)", v)
			}
		}
		c.Storage.S3Endpoint = v
		return nil
	}},
	{env: "FAYUAN_S3_BUCKET", yaml: "s3_bucket", set: func(c *Config, v string) error {
		if v != "" && (len(v) < 3 || len(v) > 63) {
			return fmt.Errorf("%q is not a bucket name (3 to 63 characters)", v)
		}
		c.Storage.S3Bucket = v
		return nil
	}},
	{env: "FAYUAN_S3_ACCESS_KEY", yaml: "s3_access_key", secret: true, set: func(c *Config, v string) error { c.Storage.S3AccessKey = v; return nil }},
	{env: "FAYUAN_S3_SECRET_KEY", yaml: "s3_secret_key", secret: true, set: func(c *Config, v string) error { c.Storage.S3SecretKey = v; return nil }},
	{env: "FAYUAN_S3_SECURE", yaml: "s3_secure", def: "true", set: func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		c.Storage.S3Secure = b
		return nil
	}},
	{env: "FAYUAN_S3_REGION", yaml: "s3_region", set: func(c *Config, v string) error { c.Storage.S3Region = v; return nil }},
	{env: "FAYUAN_PHOTO_MAX_BYTES", yaml: "photo_max_bytes", def: "10485760", set: func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 || n > 100<<20 {
			return fmt.Errorf("%q is not a size in bytes between 1024 and 104857600", v)
		}
		c.Storage.PhotoMaxBytes = n
		return nil
	}},
	{env: "FAYUAN_THUMB_WORKERS", yaml: "thumb_workers", def: "2", set: intIn(1, 32, func(c *Config, n int) { c.Storage.ThumbWorkers = n })},
}

// checkStorage names the first S3 setting missing when FAYUAN_STORAGE is s3.
func (c *Config) checkStorage() error {
	if c.Storage.Kind != "s3" {
		return nil
	}
	for _, m := range []struct{ name, v string }{
		{"FAYUAN_S3_ENDPOINT", c.Storage.S3Endpoint}, {"FAYUAN_S3_BUCKET", c.Storage.S3Bucket},
		{"FAYUAN_S3_ACCESS_KEY", c.Storage.S3AccessKey}, {"FAYUAN_S3_SECRET_KEY", c.Storage.S3SecretKey},
	} {
		if m.v == "" {
			return errors.New(m.name + ": required when FAYUAN_STORAGE is s3")
		}
	}
	return nil
}
