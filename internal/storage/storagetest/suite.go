package storagetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"fayuan/internal/storage"
)

// Run is the suite every backend passes; open returns a fresh, empty store.
func Run(t *testing.T, open func(t *testing.T) storage.Store) {
	ctx := context.Background()
	t.Run("PutOpenDelete", func(t *testing.T) {
		s := open(t)
		want := bytes.Repeat([]byte("法援"), 4000)
		n, err := s.Put(ctx, "p/1.jpg", bytes.NewReader(want))
		if err != nil || n != int64(len(want)) {
			t.Fatalf("put: %d, %v", n, err)
		}
		o, err := s.Open(ctx, "p/1.jpg")
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		got, err := io.ReadAll(o)
		_ = o.Close()
		if err != nil || !bytes.Equal(got, want) || o.Size() != int64(len(want)) || o.ModTime().IsZero() {
			t.Fatalf("read back %d bytes (%v), size %d, modtime %v", len(got), err, o.Size(), o.ModTime())
		}
		if err := s.Delete(ctx, "p/1.jpg"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Open(ctx, "p/1.jpg"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("open after delete: %v", err)
		}
		if err := s.Delete(ctx, "p/1.jpg"); err != nil {
			t.Fatalf("deleting a missing key: %v", err)
		}
		expectKeys(t, s)
	})
	t.Run("MissingKey", func(t *testing.T) {
		if _, err := open(t).Open(ctx, "p/none.jpg"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("Overwrite", func(t *testing.T) {
		s := open(t)
		put(t, s, "p/a", "first")
		put(t, s, "p/a", "second")
		if got := read(t, s, "p/a"); got != "second" {
			t.Fatalf("got %q", got)
		}
		expectKeys(t, s, "p/a")
	})
	// A reader that fails half way is an upload cut off by a dropped connection: nothing may
	// remain, neither under the key nor as a temporary file or an unfinished upload, and an
	// earlier file under the key stays whole. 6 MiB passes the S3 part size, so a multipart
	// upload has begun when the reader fails.
	t.Run("CutOffLeavesNothing", func(t *testing.T) {
		s := open(t)
		put(t, s, "p/kept", "whole")
		for _, size := range []int{1000, 6 << 20} {
			r := io.MultiReader(bytes.NewReader(make([]byte, size)), failing{})
			if _, err := s.Put(ctx, "p/cut", r); err == nil {
				t.Fatalf("put of a failing reader (%d bytes) succeeded", size)
			}
			if _, err := s.Put(ctx, "p/kept", io.MultiReader(strings.NewReader("half"), failing{})); err == nil {
				t.Fatal("overwrite with a failing reader succeeded")
			}
		}
		if got := read(t, s, "p/kept"); got != "whole" {
			t.Fatalf("the earlier file became %q", got)
		}
		expectKeys(t, s, "p/kept")
	})
	// The upload's request is cancelled half way (the client went away) after a part was sent.
	t.Run("CancelledMidUpload", func(t *testing.T) {
		s := open(t)
		cctx, cancel := context.WithCancel(ctx)
		r := io.MultiReader(bytes.NewReader(make([]byte, 6<<20)), cancelling{cancel}, failing{})
		if _, err := s.Put(cctx, "p/gone", r); err == nil {
			t.Fatal("put of a cancelled upload succeeded")
		}
		expectKeys(t, s)
	})
	t.Run("CancelledContext", func(t *testing.T) {
		s := open(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.Put(cctx, "p/c", strings.NewReader("x")); err == nil {
			t.Fatal("put with a cancelled context succeeded")
		}
		expectKeys(t, s)
	})
	t.Run("BadKeys", func(t *testing.T) {
		s := open(t)
		for _, k := range []string{"", "../etc/passwd", "/abs", "p/../../x", "p//x", "P/Upper"} {
			if _, err := s.Put(ctx, k, strings.NewReader("x")); err == nil {
				t.Errorf("key %q accepted", k)
			}
		}
		expectKeys(t, s)
	})
	t.Run("ServeContent", func(t *testing.T) {
		s := open(t)
		put(t, s, "p/s", "0123456789")
		o, err := s.Open(ctx, "p/s")
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		req := httptest.NewRequest(http.MethodGet, "/x", nil)
		req.Header.Set("Range", "bytes=2-4")
		w := httptest.NewRecorder()
		http.ServeContent(w, req, "s", o.ModTime(), o)
		if w.Code != http.StatusPartialContent || w.Body.String() != "234" {
			t.Fatalf("range: %d %q", w.Code, w.Body.String())
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		s := open(t)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := bytes.Repeat([]byte{byte('a' + i)}, 100_000)
				if _, err := s.Put(ctx, "p/same", bytes.NewReader(body)); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		got := read(t, s, "p/same")
		if len(got) != 100_000 || strings.Count(got, got[:1]) != len(got) {
			t.Fatalf("a concurrent overwrite mixed files: %d bytes", len(got))
		}
		expectKeys(t, s, "p/same")
	})
}

// cancelling cancels the request when read, as a client going away does.
type cancelling struct{ cancel context.CancelFunc }

func (c cancelling) Read([]byte) (int, error) {
	c.cancel()
	time.Sleep(5 * time.Millisecond)
	return 0, io.EOF
}

type failing struct{}

func (failing) Read([]byte) (int, error) {
	time.Sleep(time.Millisecond)
	return 0, errors.New("connection reset by peer")
}

func put(t *testing.T, s storage.Store, key, body string) {
	t.Helper()
	if _, err := s.Put(context.Background(), key, strings.NewReader(body)); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

func read(t *testing.T, s storage.Store, key string) string {
	t.Helper()
	o, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer o.Close()
	b, err := io.ReadAll(o)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// expectKeys fails unless the store holds exactly keys, nothing stray.
func expectKeys(t *testing.T, s storage.Store, keys ...string) {
	t.Helper()
	got, err := s.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != strings.Join(keys, ",") {
		t.Fatalf("store holds %q, want %q", got, keys)
	}
}
