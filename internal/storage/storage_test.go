package storage_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// A crash mid-write leaves a temporary file, never a file under the key; the next start
// removes the old ones and spares a fresh one (another process may be writing it).
func TestLocalRemovesStaleTempsAtStart(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "p", "ab")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	old, fresh, kept := filepath.Join(dir, ".upload-1"), filepath.Join(dir, ".upload-2"), filepath.Join(dir, "abc")
	for _, p := range []string{old, fresh, kept} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(old, long, long); err != nil {
		t.Fatal(err)
	}
	s, err := storage.NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := s.List(context.Background(), "")
	if strings.Join(keys, ",") != "p/ab/.upload-2,p/ab/abc" {
		t.Fatalf("after start: %q", keys)
	}
}
