package photo

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// maxKeptSegment bounds a metadata segment read into memory to look inside (EXIF is at most
// 64 KiB by the format's own length field).
const maxKeptSegment = 1 << 16

// rewriteJPEG walks the segments: it keeps what decoding needs (frame and scan headers,
// tables, JFIF, the ICC profile, Adobe's colour transform) and drops APP1 (EXIF, XMP), the
// other application segments and comments. The compressed scans are copied byte for byte, and
// nothing after the end-of-image marker is kept (phones append previews and depth maps there).
func rewriteJPEG(w io.Writer, r *bufio.Reader, lim Limits) (*Info, error) {
	info := &Info{Type: JPEG}
	if _, err := r.Discard(2); err != nil {
		return nil, malformed(err)
	}
	if _, err := w.Write([]byte{0xFF, 0xD8}); err != nil {
		return nil, err
	}
	sized := false
	var afterScan byte // the marker that ended a scan, already read
	for {
		m, err := afterScan, error(nil)
		if afterScan == 0 {
			m, err = nextMarker(r)
		}
		afterScan = 0
		if err != nil {
			return nil, err
		}
		switch {
		case m == 0xD9: // end of image
			if !sized {
				return nil, fmt.Errorf("%w: no frame", ErrMalformed)
			}
			_, err := w.Write([]byte{0xFF, 0xD9})
			return info, err
		case m >= 0xD0 && m <= 0xD7 || m == 0x01:
			return nil, fmt.Errorf("%w: stray marker", ErrMalformed)
		}
		var lb [2]byte
		if _, err := io.ReadFull(r, lb[:]); err != nil {
			return nil, malformed(err)
		}
		n := int(binary.BigEndian.Uint16(lb[:])) - 2
		if n < 0 {
			return nil, fmt.Errorf("%w: segment length", ErrMalformed)
		}
		isSOF := m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC
		switch {
		case isSOF:
			seg := make([]byte, n)
			if _, err := io.ReadFull(r, seg); err != nil {
				return nil, malformed(err)
			}
			if n < 5 {
				return nil, fmt.Errorf("%w: frame header", ErrMalformed)
			}
			info.Height, info.Width = int(binary.BigEndian.Uint16(seg[1:3])), int(binary.BigEndian.Uint16(seg[3:5]))
			if err := checkSize(info.Width, info.Height, lim); err != nil {
				return nil, err
			}
			sized = true
			if err := writeSegment(w, m, seg); err != nil {
				return nil, err
			}
		case m == 0xE1: // EXIF or XMP: read the position and orientation out, then drop it
			seg := make([]byte, n)
			if _, err := io.ReadFull(r, seg); err != nil {
				return nil, malformed(err)
			}
			if tiff, ok := bytes.CutPrefix(seg, []byte("Exif\x00\x00")); ok {
				readExif(tiff, info)
				if info.Orientation > 1 && info.Orientation <= 8 {
					if err := writeSegment(w, 0xE1, orientationExif(info.Orientation)); err != nil {
						return nil, err
					}
				}
			}
		case m == 0xE0 || m == 0xE2 && iccProfile(r) || m == 0xEE || m >= 0xC0 && m <= 0xDF:
			// JFIF, the ICC profile, Adobe, tables, restart interval, scan header: kept.
			if err := copySegment(w, r, m, n); err != nil {
				return nil, err
			}
			if m == 0xDA {
				if !sized {
					return nil, fmt.Errorf("%w: scan before frame", ErrMalformed)
				}
				if afterScan, err = copyScan(w, r); err != nil {
					return nil, err
				}
			}
		default: // other APPn, comments, anything unknown: dropped
			if _, err := r.Discard(n); err != nil {
				return nil, malformed(err)
			}
		}
	}
}

// nextMarker reads a marker: 0xFF, any fill bytes, then the code.
func nextMarker(r *bufio.Reader) (byte, error) {
	b, err := r.ReadByte()
	if err != nil {
		return 0, malformed(err)
	}
	if b != 0xFF {
		return 0, fmt.Errorf("%w: expected a marker", ErrMalformed)
	}
	for {
		var b byte
		var err error
		b, err = r.ReadByte()
		if err != nil {
			return 0, malformed(err)
		}
		if b != 0xFF {
			if b == 0x00 {
				return 0, fmt.Errorf("%w: expected a marker", ErrMalformed)
			}
			return b, nil
		}
	}
}

// iccProfile peeks whether the APP2 segment ahead is an ICC profile (kept: colours depend on
// it) rather than, say, MPF, which points at the appended images.
func iccProfile(r *bufio.Reader) bool {
	b, _ := r.Peek(12)
	return string(b) == "ICC_PROFILE\x00"
}

func writeSegment(w io.Writer, m byte, seg []byte) error {
	if len(seg)+2 > 0xFFFF {
		return fmt.Errorf("%w: segment too long", ErrMalformed)
	}
	hdr := []byte{0xFF, m, 0, 0}
	binary.BigEndian.PutUint16(hdr[2:], uint16(len(seg)+2))
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	_, err := w.Write(seg)
	return err
}

func copySegment(w io.Writer, r *bufio.Reader, m byte, n int) error {
	hdr := []byte{0xFF, m, 0, 0}
	binary.BigEndian.PutUint16(hdr[2:], uint16(n+2))
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	if _, err := io.CopyN(w, r, int64(n)); err != nil {
		return malformed(err)
	}
	return nil
}

// scanPairs are the two-byte sequences a scan may hold: a stuffed 0xFF 0x00 and the restart
// markers, preallocated so that copying them allocates nothing.
var scanPairs = func() (p [256][]byte) {
	for _, b := range []byte{0x00, 0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7} {
		p[b] = []byte{0xFF, b}
	}
	return p
}()

// copyScan copies entropy-coded data up to the next marker and returns that marker's code
// (its bytes read). Inside a scan 0xFF is followed only by 0x00 (a stuffed byte), a restart
// marker, or fill bytes before a marker.
func copyScan(w io.Writer, r *bufio.Reader) (byte, error) {
	for {
		chunk, err := r.ReadSlice(0xFF)
		if err == bufio.ErrBufferFull {
			if _, err := w.Write(chunk); err != nil {
				return 0, err
			}
			continue
		}
		if err != nil {
			return 0, malformed(err)
		}
		// chunk is valid only until the next read: write it (without its 0xFF) first.
		if _, err := w.Write(chunk[:len(chunk)-1]); err != nil {
			return 0, err
		}
		next, err := r.ReadByte()
		if err != nil {
			return 0, malformed(err)
		}
		switch {
		case scanPairs[next] != nil:
			if _, err := w.Write(scanPairs[next]); err != nil {
				return 0, err
			}
		case next == 0xFF: // fill: look again from this 0xFF
			_ = r.UnreadByte()
		default:
			return next, nil
		}
	}
}
