package photo

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"

	"golang.org/x/image/webp"
)

// maxWebP bounds the WebP read into memory. A WebP's container states its total size first,
// and the metadata chunks may come after the image, so it is rewritten whole; the request's
// size limit is far below this.
const maxWebP = 64 << 20

// rewriteWebP reads the container, checks the size the image header states, and writes it back
// without its EXIF and XMP chunks, clearing their flags.
func rewriteWebP(w io.Writer, r *bufio.Reader, lim Limits) (*Info, error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, malformed(err)
	}
	size := int64(binary.LittleEndian.Uint32(hdr[4:8]))
	if size < 4 || size > maxWebP {
		return nil, fmt.Errorf("%w: container size", ErrMalformed)
	}
	body := make([]byte, size-4)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, malformed(err)
	}
	full := append(hdr[:], body...)
	cfg, err := webp.DecodeConfig(bytes.NewReader(full))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	info := &Info{Type: WebP, Width: cfg.Width, Height: cfg.Height}
	if err := checkSize(cfg.Width, cfg.Height, lim); err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(full))
	out = append(out, "RIFF\x00\x00\x00\x00WEBP"...)
	for p := 0; p < len(body); {
		if p+8 > len(body) {
			return nil, fmt.Errorf("%w: chunk header", ErrMalformed)
		}
		typ, n := string(body[p:p+4]), int(binary.LittleEndian.Uint32(body[p+4:p+8]))
		end := p + 8 + n + n&1
		if n < 0 || end > len(body) {
			if end == len(body)+1 && n&1 == 1 { // some writers omit the last pad byte
				end = len(body)
			} else {
				return nil, fmt.Errorf("%w: chunk size", ErrMalformed)
			}
		}
		switch typ {
		case "EXIF":
			readExif(bytes.TrimPrefix(body[p+8:p+8+n], []byte("Exif\x00\x00")), info)
			info.Orientation = 0 // WebP decoders ignore it
		case "XMP ":
		case "VP8X":
			chunk := append([]byte(nil), body[p:end]...)
			if len(chunk) > 8 {
				chunk[8] &^= 0x08 | 0x04 // EXIF and XMP flags
			}
			out = append(out, chunk...)
		default:
			out = append(out, body[p:end]...)
		}
		p = end
	}
	binary.LittleEndian.PutUint32(out[4:8], uint32(len(out)-8))
	if _, err := w.Write(out); err != nil {
		return nil, err
	}
	return info, nil
}
