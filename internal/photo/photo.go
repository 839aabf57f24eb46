// Package photo checks an uploaded photo and rewrites it for storage while it streams through:
// the type from its first bytes, the pixel size from its header before anything is decoded,
// metadata (EXIF, XMP, comments, text chunks) removed without re-encoding the image, the GPS
// position read out of the EXIF on the way, and a SHA-256 of the bytes written.
package photo

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// Type is a photo's format, known from its content.
type Type string

const (
	JPEG Type = "jpeg"
	PNG  Type = "png"
	WebP Type = "webp"
)

// ContentType is the media type a photo of this type is served with.
func (t Type) ContentType() string { return "image/" + string(t) }

// Limits bound what is accepted.
type Limits struct {
	MaxPixels int // width × height
	MaxSide   int // the longer side
}

// DefaultLimits allow any phone photo (a 200-megapixel sensor shoots 12240 × 16320 at most in
// its full mode, which phones never send by default) and refuse decompression bombs.
var DefaultLimits = Limits{MaxPixels: 50_000_000, MaxSide: 12_000}

// Errors, told apart by the caller for their status codes.
var (
	ErrUnsupported = errors.New("photo: not a JPEG, PNG or WebP image")
	ErrTooLarge    = errors.New("photo: too many pixels")
	ErrMalformed   = errors.New("photo: malformed image")
)

// GPS is a position from the photo's EXIF: WGS-84, as the EXIF standard has it.
type GPS struct {
	Lat, Lng float64
	Alt      *float64 // metres above sea level, when recorded
}

// Info is what was learnt while a photo was rewritten.
type Info struct {
	Type          Type
	Width, Height int
	// Orientation is the EXIF orientation (1–8); a value other than 1 is kept in the output
	// as the only EXIF field, so the photo still shows the right way up.
	Orientation int
	GPS         *GPS
	SHA256      string // hex, of the bytes written
	Size        int64  // bytes written
}

// Rewrite reads a photo from src and writes it to dst without its metadata. It fails on
// anything that is not a whole JPEG, PNG or WebP image within lim; what was written by then
// is to be thrown away.
func Rewrite(dst io.Writer, src io.Reader, lim Limits) (*Info, error) {
	br := bufio.NewReaderSize(src, 32<<10)
	head, err := br.Peek(12)
	if err != nil && len(head) < 3 {
		return nil, ErrUnsupported
	}
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(dst, h)}
	var info *Info
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		info, err = rewriteJPEG(cw, br, lim)
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		info, err = rewritePNG(cw, br, lim)
	case len(head) == 12 && string(head[:4]) == "RIFF" && string(head[8:]) == "WEBP":
		info, err = rewriteWebP(cw, br, lim)
	default:
		return nil, ErrUnsupported
	}
	if err != nil {
		return nil, err
	}
	info.SHA256 = hex.EncodeToString(h.Sum(nil))
	info.Size = cw.n
	if info.Orientation == 0 {
		info.Orientation = 1
	}
	return info, nil
}

func checkSize(w, h int, lim Limits) error {
	if w <= 0 || h <= 0 {
		return ErrMalformed
	}
	if w > lim.MaxSide || h > lim.MaxSide || int64(w)*int64(h) > int64(lim.MaxPixels) {
		return fmt.Errorf("%w: %d×%d", ErrTooLarge, w, h)
	}
	return nil
}

// malformed turns a read error inside an image into ErrMalformed, keeping the reader's own
// error (a cut-off upload, a size limit) when there is one.
func malformed(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: cut short", ErrMalformed)
	}
	return err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
