// Package storage keeps the server's files (photos and their thumbnails) behind one small
// interface: the local disk for a single server, S3-compatible object storage when several
// replicas share the files.
package storage

import (
	"context"
	"errors"
	"io"
	"regexp"
	"time"
)

// ErrNotFound is a key that holds nothing.
var ErrNotFound = errors.New("storage: not found")

// Store is where files live. A Put that fails, for whatever reason (a cut-off upload included),
// leaves nothing under the key: readers see a whole file or none.
type Store interface {
	// Put stores everything r yields under key, replacing what was there, and returns the size.
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	// Open reads a stored file; ErrNotFound when there is none.
	Open(ctx context.Context, key string) (Object, error)
	// Delete removes a file; a missing one is no error.
	Delete(ctx context.Context, key string) error
	// List returns the keys under prefix, sorted (tests check nothing stray is left).
	List(ctx context.Context, prefix string) ([]string, error)
}

// Object is an open stored file: seekable, so http.ServeContent can answer ranges.
type Object interface {
	io.ReadSeekCloser
	Size() int64
	ModTime() time.Time
}

// keyPattern is what a key may look like: a relative slash path of plain names, so no key can
// climb out of the local root or mean different things to the two backends.
var keyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9._-]*)*$`)

var errBadKey = errors.New("storage: malformed key")

func checkKey(key string) error {
	if !keyPattern.MatchString(key) {
		return errBadKey
	}
	return nil
}
