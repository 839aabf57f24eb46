package caseimport

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"

	"fayuan/model"
)

// Upload is an uploaded file spooled to disk.
type Upload struct {
	Path   string
	Name   string // the client's file name: only its extension is ever used
	Size   int64
	SHA256 string // hex, for the audit trail
}

// Remove deletes the spooled file.
func (u *Upload) Remove() error { return os.Remove(u.Path) }

// ErrTooLarge is the 413 answer for a file past the limit.
func ErrTooLarge(limit int64) *model.Error {
	return (&model.Error{Status: http.StatusRequestEntityTooLarge, Code: "file_too_large",
		Message: "文件过大，上限为 " + megabytes(limit) + "，请分成几个文件导入"}).WithDetails(map[string]any{"max_bytes": limit})
}

func megabytes(n int64) string {
	if n >= 1<<20 {
		return strconv.FormatInt(n>>20, 10) + " MB"
	}
	return strconv.FormatInt(n, 10) + " 字节"
}

// Spool copies r to a temporary file in dir, hashing it on the way, and stops reading as soon
// as the file passes maxBytes (413). An http.MaxBytesReader tripping under r is a 413 too.
func Spool(r io.Reader, name, dir string, maxBytes int64) (*Upload, error) {
	f, err := os.CreateTemp(dir, "fayuan-import-*")
	if err != nil {
		return nil, err
	}
	u := &Upload{Path: f.Name(), Name: name}
	h := sha256.New()
	in := &readErr{r: io.LimitReader(r, maxBytes+1)}
	n, err := io.Copy(io.MultiWriter(f, h), in)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		err = ErrTooLarge(maxBytes)
	case err != nil && in.err != nil:
		err = model.BadRequest("upload_interrupted", "文件上传中断，请重试")
	case n > maxBytes:
		err = ErrTooLarge(maxBytes)
	case n == 0:
		err = &model.Error{Status: http.StatusUnprocessableEntity, Code: "file_empty", Message: "上传的文件是空的"}
	}
	if err != nil {
		_ = u.Remove()
		return nil, err
	}
	u.Size, u.SHA256 = n, hex.EncodeToString(h.Sum(nil))
	return u, nil
}

// readErr remembers a read error, to tell a broken upload (the client's) from a full disk (ours).
type readErr struct {
	r   io.Reader
	err error
}

func (r *readErr) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}
