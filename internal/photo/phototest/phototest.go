// Package phototest makes photos for tests and benchmarks: real encoded images carrying the
// metadata a phone writes (EXIF with a GPS position, XMP, comments, trailing previews).
package phototest

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
)

// Position is where the test photos were "taken": the 柞水县 county seat.
var Position = struct{ Lat, Lng float64 }{33.686111, 109.113889}

// Image is a w×h picture with a gradient and some noise, so it compresses like a photo.
func Image(w, h int) image.Image {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	seed := uint32(1)
	for y := range h {
		for x := range w {
			seed = seed*1664525 + 1013904223
			n := uint8(seed >> 27)
			m.Set(x, y, color.RGBA{uint8(x*255/max(1, w-1)) ^ n, uint8(y*255/max(1, h-1)) + n, uint8((x+y)&0xFF) - n, 0xFF})
		}
	}
	return m
}

// JPEG encodes img and adds, as a phone does, an EXIF block (camera make, time, the GPS
// position and the orientation when not 0), an XMP block, a comment, and a preview after the
// end of the image.
func JPEG(img image.Image, quality, orientation int) []byte {
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: quality}); err != nil {
		panic(err)
	}
	plain := enc.Bytes()
	var out bytes.Buffer
	out.Write(plain[:2])
	out.Write(segment(0xE1, append([]byte("Exif\x00\x00"), Exif(Position.Lat, Position.Lng, orientation)...)))
	out.Write(segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><secret>XMP-SECRET</secret></x:xmpmeta>")))
	out.Write(segment(0xFE, []byte("COMMENT-SECRET")))
	out.Write(segment(0xED, []byte("Photoshop 3.0\x00IPTC-SECRET")))
	out.Write(plain[2:])
	out.WriteString("TRAILING-PREVIEW-SECRET")
	return out.Bytes()
}

// PlainJPEG encodes img with nothing else in it.
func PlainJPEG(img image.Image, quality int) []byte {
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: quality}); err != nil {
		panic(err)
	}
	return enc.Bytes()
}

func segment(m byte, data []byte) []byte {
	out := []byte{0xFF, m, 0, 0}
	binary.BigEndian.PutUint16(out[2:], uint16(len(data)+2))
	return append(out, data...)
}

// Exif is a big-endian TIFF block: IFD0 with Make "SECRET-CAMERA", Orientation (when not 0)
// and a GPS IFD with latitude, longitude (north and east) and an altitude of 800 m.
func Exif(lat, lng float64, orientation int) []byte {
	be := binary.BigEndian
	type entry struct {
		tag, typ uint16
		count    uint32
		value    []byte // ≤ 4 bytes inline, else stored after the IFD
	}
	var b []byte
	b = append(b, "MM\x00\x2a\x00\x00\x00\x08"...)
	writeIFD := func(entries []entry, next uint32) {
		start := len(b)
		dataAt := start + 2 + 12*len(entries) + 4
		var data []byte
		b = be.AppendUint16(b, uint16(len(entries)))
		for _, e := range entries {
			b = be.AppendUint16(b, e.tag)
			b = be.AppendUint16(b, e.typ)
			b = be.AppendUint32(b, e.count)
			if len(e.value) <= 4 {
				v := make([]byte, 4)
				copy(v, e.value)
				b = append(b, v...)
			} else {
				b = be.AppendUint32(b, uint32(dataAt+len(data)))
				data = append(data, e.value...)
			}
		}
		b = be.AppendUint32(b, next)
		b = append(b, data...)
	}
	rat := func(vs ...float64) []byte {
		var out []byte
		for _, v := range vs {
			out = be.AppendUint32(out, uint32(math.Round(v*10000)))
			out = be.AppendUint32(out, 10000)
		}
		return out
	}
	deg := func(v float64) []byte {
		d := math.Floor(v)
		m := math.Floor((v - d) * 60)
		s := ((v-d)*60 - m) * 60
		return rat(d, m, s)
	}
	make_ := []byte("SECRET-CAMERA\x00")
	ifd0 := []entry{{0x010F, 2, uint32(len(make_)), make_}}
	if orientation != 0 {
		ifd0 = append(ifd0, entry{0x0112, 3, 1, be.AppendUint16(nil, uint16(orientation))})
	}
	// The GPS IFD follows IFD0 and its data: 2 + 12n + 4 + len(make).
	gpsAt := 8 + 2 + 12*(len(ifd0)+1) + 4 + len(make_)
	ifd0 = append(ifd0, entry{0x8825, 4, 1, be.AppendUint32(nil, uint32(gpsAt))})
	writeIFD(ifd0, 0)
	if len(b) != gpsAt {
		panic("exif layout")
	}
	writeIFD([]entry{
		{1, 2, 2, []byte("N\x00")}, {2, 5, 3, deg(lat)},
		{3, 2, 2, []byte("E\x00")}, {4, 5, 3, deg(lng)},
		{5, 1, 1, []byte{0}}, {6, 5, 1, rat(800)},
	}, 0)
	return b
}

// PNG encodes img with a text chunk and an eXIf chunk carrying the GPS position.
func PNG(img image.Image) []byte {
	var enc bytes.Buffer
	if err := png.Encode(&enc, img); err != nil {
		panic(err)
	}
	p := enc.Bytes()
	ihdrEnd := 8 + 8 + 13 + 4
	var out []byte
	out = append(out, p[:ihdrEnd]...)
	out = append(out, Chunk("tEXt", []byte("Author\x00TEXT-SECRET"))...)
	out = append(out, Chunk("eXIf", Exif(Position.Lat, Position.Lng, 0))...)
	out = append(out, p[ihdrEnd:]...)
	return out
}

// PNGHeader is the start of a PNG declaring w×h pixels: a signature, the header and one tiny
// data chunk, as a decompression bomb begins.
func PNGHeader(w, h int) []byte {
	out := []byte("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	out = append(out, Chunk("IHDR", ihdr)...)
	out = append(out, Chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00})...)
	return out
}

// Chunk is one PNG chunk with its checksum.
func Chunk(typ string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[4:]))
}

//go:embed blue-purple-pink.lossy.webp
var lossyWebP []byte

// WebP is a real lossy WebP (from golang.org/x/image's test data) in an extended container
// with EXIF (the GPS position) and XMP chunks, their flags set.
func WebP() []byte {
	vp8 := lossyWebP[12:] // the VP8 chunk
	w, h := 0, 0
	if img, err := decodeWebPSize(lossyWebP); err == nil {
		w, h = img[0], img[1]
	}
	x := []byte{0x08 | 0x04, 0, 0, 0}
	x = append(x, le24(w-1)...)
	x = append(x, le24(h-1)...)
	var body []byte
	body = append(body, "WEBP"...)
	body = append(body, riffChunk("VP8X", x)...)
	body = append(body, vp8...)
	body = append(body, riffChunk("EXIF", append([]byte("Exif\x00\x00"), Exif(Position.Lat, Position.Lng, 0)...))...)
	body = append(body, riffChunk("XMP ", []byte("<x:xmpmeta>XMP-SECRET</x:xmpmeta>"))...)
	out := []byte("RIFF")
	out = binary.LittleEndian.AppendUint32(out, uint32(len(body)))
	return append(out, body...)
}

func riffChunk(typ string, data []byte) []byte {
	out := append([]byte(typ), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(out[4:], uint32(len(data)))
	out = append(out, data...)
	if len(data)%2 == 1 {
		out = append(out, 0)
	}
	return out
}

func le24(v int) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16)} }
