package photo_test

import (
	"bytes"
	"io"
	"testing"

	"fayuan/internal/photo"
	"fayuan/internal/photo/phototest"
)

// BenchmarkRewrite is the per-photo cost of checking and stripping a ~5 MB JPEG: time,
// throughput and allocations (the upload path's memory is this plus fixed buffers).
func BenchmarkRewrite(b *testing.B) {
	in := phototest.JPEG(phototest.Image(3500, 2500), 95, 0)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := photo.Rewrite(io.Discard, bytes.NewReader(in), photo.DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}
