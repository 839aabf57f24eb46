package photo

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	_ "image/png" // DecodeConfig of the header
	"io"
)

// droppedPNGChunks carry text, time and EXIF: metadata, never pixels.
var droppedPNGChunks = map[string]bool{"tEXt": true, "zTXt": true, "iTXt": true, "eXIf": true, "tIME": true}

// rewritePNG checks the header's size with image.DecodeConfig (which reads only the header),
// then copies the chunks except the metadata ones, streaming the image data. Nothing after
// IEND is kept.
func rewritePNG(w io.Writer, r *bufio.Reader, lim Limits) (*Info, error) {
	head, err := r.Peek(8 + 8 + 13 + 4)
	if err != nil {
		return nil, malformed(err)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(head))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	info := &Info{Type: PNG, Width: cfg.Width, Height: cfg.Height}
	if err := checkSize(cfg.Width, cfg.Height, lim); err != nil {
		return nil, err
	}
	if _, err := io.CopyN(w, r, 8); err != nil {
		return nil, err
	}
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return nil, malformed(err)
		}
		n := int64(binary.BigEndian.Uint32(hdr[:4]))
		typ := string(hdr[4:])
		if n > 1<<31-1 {
			return nil, fmt.Errorf("%w: chunk length", ErrMalformed)
		}
		switch {
		case typ == "eXIf" && n <= maxKeptSegment:
			data := make([]byte, n+4)
			if _, err := io.ReadFull(r, data); err != nil {
				return nil, malformed(err)
			}
			readExif(data[:n], info)
			info.Orientation = 0 // PNG viewers ignore it: the pixels are already upright
		case droppedPNGChunks[typ]:
			if _, err := r.Discard(int(n) + 4); err != nil {
				return nil, malformed(err)
			}
		default:
			if _, err := w.Write(hdr[:]); err != nil {
				return nil, err
			}
			if _, err := io.CopyN(w, r, n+4); err != nil {
				return nil, malformed(err)
			}
			if typ == "IEND" {
				return info, nil
			}
		}
	}
}
