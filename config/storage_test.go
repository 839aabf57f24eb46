package config_test

import (
	"path/filepath"
	"strings"
	"testing"

	"fayuan/config"
)

func TestStorageSettings(t *testing.T) {
	c, err := config.Load(filepath.Join(t.TempDir(), "none.yaml"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Storage.Kind != "local" || c.Storage.PhotoMaxBytes != 10<<20 || !c.Storage.S3Secure || c.Storage.ThumbWorkers != 2 {
		t.Fatalf("defaults: %+v", c.Storage)
	}
	s3 := map[string]string{"FAYUAN_STORAGE": "s3", "FAYUAN_S3_ENDPOINT": "minio:9000", "FAYUAN_S3_BUCKET": "fayuan",
		"FAYUAN_S3_ACCESS_KEY": "ak", "FAYUAN_S3_SECRET_KEY": "sk-value-1", "FAYUAN_S3_SECURE": "false"}
	c, err = config.Load(filepath.Join(t.TempDir(), "none.yaml"), env(s3))
	if err != nil || c.Storage.S3Endpoint != "minio:9000" || c.Storage.S3Secure {
		t.Fatalf("s3: %+v, %v", c, err)
	}
	for _, bad := range []struct{ key, value, name string }{
		{"FAYUAN_STORAGE", "ftp", "FAYUAN_STORAGE"},
		{"FAYUAN_S3_ENDPOINT", "", "FAYUAN_S3_ENDPOINT"},
		{"FAYUAN_S3_ENDPOINT", "https://minio:9000", "FAYUAN_S3_ENDPOINT"},
		{"FAYUAN_S3_BUCKET", "", "FAYUAN_S3_BUCKET"},
		{"FAYUAN_S3_SECRET_KEY", "", "FAYUAN_S3_SECRET_KEY"},
		{"FAYUAN_S3_SECURE", "maybe", "FAYUAN_S3_SECURE"},
		{"FAYUAN_PHOTO_MAX_BYTES", "10", "FAYUAN_PHOTO_MAX_BYTES"},
	} {
		vars := map[string]string{}
		for k, v := range s3 {
			vars[k] = v
		}
		vars[bad.key] = bad.value
		_, err := config.Load(filepath.Join(t.TempDir(), "none.yaml"), env(vars))
		if err == nil || !strings.HasPrefix(err.Error(), bad.name+": ") || strings.Contains(err.Error(), "sk-value-1") {
			t.Errorf("%s=%q: %v", bad.key, bad.value, err)
		}
	}
}
