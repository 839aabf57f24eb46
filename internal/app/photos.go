package app

import (
	"context"
	"fmt"
	"path/filepath"

	"fayuan/config"
	"fayuan/internal/storage"
)

// photoStore opens the configured photo storage: the data dir's photos folder, or a bucket.
func photoStore(ctx context.Context, cfg *config.Config) (storage.Store, error) {
	if cfg.Storage.Kind == "s3" {
		s, err := storage.NewS3(ctx, storage.S3Config{Endpoint: cfg.Storage.S3Endpoint, Bucket: cfg.Storage.S3Bucket,
			AccessKey: cfg.Storage.S3AccessKey, SecretKey: cfg.Storage.S3SecretKey, Secure: cfg.Storage.S3Secure,
			Region: cfg.Storage.S3Region})
		if err != nil {
			return nil, fmt.Errorf("FAYUAN_S3_ENDPOINT: %v", err)
		}
		return s, nil
	}
	s, err := storage.NewLocal(filepath.Join(cfg.DataDir, "photos"))
	if err != nil {
		return nil, fmt.Errorf("FAYUAN_DATA_DIR: %v", err)
	}
	return s, nil
}
