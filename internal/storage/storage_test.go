package storage_test

import (
	"context"
	"testing"

	"fayuan/internal/storage"
	"fayuan/internal/storage/storagetest"
)

func TestLocal(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s, err := storage.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestS3(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s, err := storage.NewS3(context.Background(), storagetest.S3(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
