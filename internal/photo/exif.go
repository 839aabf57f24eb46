package photo

import (
	"encoding/binary"
	"math"
)

// readExif reads the orientation and the GPS position from a TIFF-structured EXIF block.
// Anything malformed is ignored: the photo is still good, it just has no position.
func readExif(b []byte, info *Info) {
	if len(b) < 8 {
		return
	}
	var bo binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return
	}
	t := tiff{b: b, bo: bo}
	var gpsIFD uint32
	t.ifd(bo.Uint32(b[4:8]), func(tag, typ uint16, count, val uint32, at int) {
		switch tag {
		case 0x0112: // Orientation, SHORT
			if typ == 3 && count == 1 {
				info.Orientation = int(bo.Uint16(b[at : at+2]))
			}
		case 0x8825: // GPS IFD pointer
			gpsIFD = val
		}
	})
	if gpsIFD == 0 {
		return
	}
	var latRef, lngRef, altRef byte
	var lat, lng, alt []float64
	t.ifd(gpsIFD, func(tag, typ uint16, count, val uint32, at int) {
		switch tag {
		case 1:
			latRef = t.ascii(typ, count, val, at)
		case 2:
			lat = t.rationals(typ, count, val)
		case 3:
			lngRef = t.ascii(typ, count, val, at)
		case 4:
			lng = t.rationals(typ, count, val)
		case 5:
			if typ == 1 && count >= 1 {
				altRef = b[at]
			}
		case 6:
			alt = t.rationals(typ, count, val)
		}
	})
	if len(lat) != 3 || len(lng) != 3 {
		return
	}
	g := GPS{Lat: dms(lat), Lng: dms(lng)}
	if latRef == 'S' {
		g.Lat = -g.Lat
	}
	if lngRef == 'W' {
		g.Lng = -g.Lng
	}
	if math.IsNaN(g.Lat) || math.IsNaN(g.Lng) || g.Lat < -90 || g.Lat > 90 || g.Lng < -180 || g.Lng > 180 ||
		g.Lat == 0 && g.Lng == 0 {
		return // no fix: phones write zeros
	}
	if len(alt) == 1 && !math.IsNaN(alt[0]) {
		a := alt[0]
		if altRef == 1 {
			a = -a
		}
		g.Alt = &a
	}
	info.GPS = &g
}

func dms(v []float64) float64 { return v[0] + v[1]/60 + v[2]/3600 }

type tiff struct {
	b  []byte
	bo binary.ByteOrder
}

// ifd calls fn for each entry of the directory at off; at is where the value field starts.
func (t tiff) ifd(off uint32, fn func(tag, typ uint16, count, val uint32, at int)) {
	if uint64(off)+2 > uint64(len(t.b)) {
		return
	}
	n := int(t.bo.Uint16(t.b[off:]))
	for i := range n {
		e := int(off) + 2 + 12*i
		if e+12 > len(t.b) {
			return
		}
		fn(t.bo.Uint16(t.b[e:]), t.bo.Uint16(t.b[e+2:]), t.bo.Uint32(t.b[e+4:]), t.bo.Uint32(t.b[e+8:]), e+8)
	}
}

func (t tiff) ascii(typ uint16, count, _ uint32, at int) byte {
	if typ != 2 || count < 1 {
		return 0
	}
	return t.b[at] // a one-letter reference fits in the value field
}

// rationals reads count unsigned RATIONALs stored at offset val.
func (t tiff) rationals(typ uint16, count, val uint32) []float64 {
	if typ != 5 || count == 0 || count > 3 || uint64(val)+8*uint64(count) > uint64(len(t.b)) {
		return nil
	}
	out := make([]float64, count)
	for i := range out {
		o := int(val) + 8*i
		num, den := t.bo.Uint32(t.b[o:]), t.bo.Uint32(t.b[o+4:])
		if den == 0 {
			return nil
		}
		out[i] = float64(num) / float64(den)
	}
	return out
}

// orientationExif is an EXIF block holding nothing but the orientation: no position, time,
// device or thumbnail survives.
func orientationExif(o int) []byte {
	b := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08" + // header, IFD0 at 8
		"\x00\x01" + // one entry
		"\x01\x12\x00\x03\x00\x00\x00\x01\x00\x00\x00\x00" + // Orientation SHORT 1
		"\x00\x00\x00\x00") // no next IFD
	binary.BigEndian.PutUint16(b[6+8+2+8:], uint16(o))
	return b
}
