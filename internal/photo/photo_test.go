package photo_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"io"
	"math"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"fayuan/internal/photo"
	"fayuan/internal/photo/phototest"
)

var secrets = []string{"Exif", "SECRET-CAMERA", "XMP-SECRET", "COMMENT-SECRET", "IPTC-SECRET", "TRAILING-PREVIEW-SECRET", "TEXT-SECRET", "eXIf", "tEXt"}

func rewrite(t *testing.T, in []byte) ([]byte, *photo.Info) {
	t.Helper()
	var out bytes.Buffer
	info, err := photo.Rewrite(&out, bytes.NewReader(in), photo.DefaultLimits)
	if err != nil {
		t.Fatalf("rewrite: %v", err)
	}
	sum := sha256.Sum256(out.Bytes())
	if info.SHA256 != hex.EncodeToString(sum[:]) || info.Size != int64(out.Len()) {
		t.Fatalf("hash/size %s %d do not match the output", info.SHA256, info.Size)
	}
	for _, s := range secrets {
		if bytes.Contains(out.Bytes(), []byte(s)) {
			t.Errorf("output still holds %q", s)
		}
	}
	return out.Bytes(), info
}

func checkGPS(t *testing.T, info *photo.Info) {
	t.Helper()
	if info.GPS == nil {
		t.Fatal("no GPS position read")
	}
	if math.Abs(info.GPS.Lat-phototest.Position.Lat) > 1e-4 || math.Abs(info.GPS.Lng-phototest.Position.Lng) > 1e-4 ||
		info.GPS.Alt == nil || *info.GPS.Alt != 800 {
		t.Fatalf("GPS %+v", info.GPS)
	}
}

// samePixels decodes both and compares every pixel: the rewrite must not touch the image.
func samePixels(t *testing.T, a, b []byte) {
	t.Helper()
	ia, _, err := image.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatalf("decode original: %v", err)
	}
	ib, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode rewritten: %v", err)
	}
	if ia.Bounds() != ib.Bounds() {
		t.Fatalf("bounds %v vs %v", ia.Bounds(), ib.Bounds())
	}
	for y := ia.Bounds().Min.Y; y < ia.Bounds().Max.Y; y++ {
		for x := ia.Bounds().Min.X; x < ia.Bounds().Max.X; x++ {
			if ia.At(x, y) != ib.At(x, y) {
				t.Fatalf("pixel %d,%d differs", x, y)
			}
		}
	}
}

func TestJPEGMetadataRemovedPixelsKept(t *testing.T) {
	in := phototest.JPEG(phototest.Image(300, 200), 85, 0)
	out, info := rewrite(t, in)
	if info.Type != photo.JPEG || info.Width != 300 || info.Height != 200 || info.Orientation != 1 {
		t.Fatalf("info %+v", info)
	}
	checkGPS(t, info)
	samePixels(t, in, out)
	// The scans are copied byte for byte: the rewrite is the plain encoding minus nothing.
	if plain := phototest.PlainJPEG(phototest.Image(300, 200), 85); !bytes.Equal(out, plain) {
		t.Fatalf("rewritten JPEG (%d bytes) is not the plain encoding (%d bytes)", len(out), len(plain))
	}
}

func TestPNGMetadataRemoved(t *testing.T) {
	in := phototest.PNG(phototest.Image(120, 80))
	out, info := rewrite(t, in)
	if info.Type != photo.PNG || info.Width != 120 || info.Height != 80 {
		t.Fatalf("info %+v", info)
	}
	checkGPS(t, info)
	samePixels(t, in, out)
}

func TestWebPMetadataRemoved(t *testing.T) {
	in := phototest.WebP()
	out, info := rewrite(t, in)
	if info.Type != photo.WebP || info.Width == 0 {
		t.Fatalf("info %+v", info)
	}
	checkGPS(t, info)
	samePixels(t, in, out)
	if out[20]&(0x08|0x04) != 0 {
		t.Fatalf("VP8X still flags EXIF/XMP: %#x", out[20])
	}
}

func TestRefusedTypes(t *testing.T) {
	for name, in := range map[string][]byte{
		"html named .jpg": []byte("<!DOCTYPE html><html><body>not a photo</body></html>"),
		"heic":            append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), make([]byte, 100)...),
		"gif":             []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
		"empty":           nil,
		"two bytes":       {0xFF, 0xD8},
	} {
		_, err := photo.Rewrite(io.Discard, bytes.NewReader(in), photo.DefaultLimits)
		if !errors.Is(err, photo.ErrUnsupported) {
			t.Errorf("%s: %v, want ErrUnsupported", name, err)
		}
	}
}

func TestMalformed(t *testing.T) {
	jpg := phototest.JPEG(phototest.Image(64, 64), 80, 0)
	for name, in := range map[string][]byte{
		"jpeg cut short": jpg[:len(jpg)/2],
		"jpeg no frame":  {0xFF, 0xD8, 0xFF, 0xD9},
		"png cut short":  phototest.PNGHeader(10, 10)[:20],
		"webp cut short": phototest.WebP()[:100],
	} {
		_, err := photo.Rewrite(io.Discard, bytes.NewReader(in), photo.DefaultLimits)
		if !errors.Is(err, photo.ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}

// A reader error (a cut-off upload, the size limit) comes back as itself, not as a bad image.
func TestReaderErrorKept(t *testing.T) {
	boom := errors.New("connection reset")
	jpg := phototest.JPEG(phototest.Image(64, 64), 80, 0)
	_, err := photo.Rewrite(io.Discard, io.MultiReader(bytes.NewReader(jpg[:len(jpg)-50]), errReader{boom}), photo.DefaultLimits)
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// A PNG declaring 30000×30000 pixels is refused from its header, allocating next to nothing.
func TestDecompressionBombRefusedWithoutAllocating(t *testing.T) {
	bomb := phototest.PNGHeader(30000, 30000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := photo.Rewrite(io.Discard, bytes.NewReader(bomb), photo.DefaultLimits)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, photo.ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Fatalf("allocated %d bytes refusing it", n)
	}
	for _, wh := range [][2]int{{12001, 10}, {8000, 7000}} {
		_, err := photo.Rewrite(io.Discard, bytes.NewReader(phototest.PNGHeader(wh[0], wh[1])), photo.DefaultLimits)
		if !errors.Is(err, photo.ErrTooLarge) {
			t.Errorf("%v: %v", wh, err)
		}
	}
	// A JPEG's frame header is checked the same way.
	jpg := phototest.PlainJPEG(phototest.Image(16, 16), 80)
	i := bytes.Index(jpg, []byte{0xFF, 0xC0})
	jpg[i+5], jpg[i+6], jpg[i+7], jpg[i+8] = 0x75, 0x30, 0x75, 0x30 // 30000×30000
	if _, err := photo.Rewrite(io.Discard, bytes.NewReader(jpg), photo.DefaultLimits); !errors.Is(err, photo.ErrTooLarge) {
		t.Fatalf("jpeg bomb: %v", err)
	}
}

func TestThumbnail(t *testing.T) {
	for _, c := range []struct {
		in          []byte
		orientation int
		w, h        int
	}{
		{phototest.PlainJPEG(phototest.Image(1000, 500), 80), 1, 320, 160},
		{phototest.PlainJPEG(phototest.Image(1000, 500), 80), 6, 160, 320},
		{phototest.PNG(phototest.Image(100, 50)), 1, 100, 50},
		{phototest.WebP(), 1, 0, 0},
	} {
		th, err := photo.Thumbnail(bytes.NewReader(c.in), c.orientation, photo.ThumbSide)
		if err != nil {
			t.Fatal(err)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(th))
		if err != nil || format != "jpeg" {
			t.Fatalf("thumbnail: %v %s", err, format)
		}
		if c.w != 0 && (cfg.Width != c.w || cfg.Height != c.h) {
			t.Errorf("thumbnail %d×%d, want %d×%d", cfg.Width, cfg.Height, c.w, c.h)
		}
		if max(cfg.Width, cfg.Height) > photo.ThumbSide {
			t.Errorf("thumbnail %d×%d too big", cfg.Width, cfg.Height)
		}
	}
}

func TestOrientationBlockHoldsNothingElse(t *testing.T) {
	var out bytes.Buffer
	info, err := photo.Rewrite(&out, bytes.NewReader(phototest.JPEG(phototest.Image(40, 20), 85, 6)), photo.DefaultLimits)
	if err != nil || info.Orientation != 6 {
		t.Fatalf("%v %+v", err, info)
	}
	s := out.String()
	if strings.Count(s, "Exif") != 1 || strings.Contains(s, "SECRET") || len(s) > len(phototest.PlainJPEG(phototest.Image(40, 20), 85))+50 {
		t.Fatalf("the kept EXIF holds more than the orientation")
	}
}

// A large photo, read in pieces of every size, comes out byte for byte as the plain encoding:
// 0xFF bytes falling on the read buffer's edge are copied right.
func TestJPEGLargeInPieces(t *testing.T) {
	img := phototest.Image(1600, 1200)
	in, plain := phototest.JPEG(img, 95, 0), phototest.PlainJPEG(img, 95)
	for name, r := range map[string]io.Reader{
		"whole":    bytes.NewReader(in),
		"one byte": iotest.OneByteReader(bytes.NewReader(in)),
		"halves":   iotest.HalfReader(bytes.NewReader(in)),
		"odd":      &oddReader{b: in},
	} {
		var out bytes.Buffer
		if _, err := photo.Rewrite(&out, r, photo.DefaultLimits); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(out.Bytes(), plain) {
			t.Fatalf("%s: %d bytes differ from the plain %d", name, out.Len(), len(plain))
		}
	}
}

// oddReader hands out 1, 2, 3… 4099 bytes, then again, so reads end everywhere.
type oddReader struct {
	b []byte
	n int
}

func (o *oddReader) Read(p []byte) (int, error) {
	if len(o.b) == 0 {
		return 0, io.EOF
	}
	o.n = o.n%4099 + 1
	n := copy(p[:min(len(p), o.n)], o.b)
	o.b = o.b[n:]
	return n, nil
}
