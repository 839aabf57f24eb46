// Package towns knows where the county's towns are, to tell a field visit recorded far from the
// recipient's town. The centroids are approximate (see zhashui.json).
package towns

import (
	_ "embed"
	"encoding/json"
	"math"
	"strings"
)

//go:embed zhashui.json
var zhashuiJSON []byte

// Town is a town's approximate centroid in WGS-84.
type Town struct {
	Name string  `json:"name"`
	Lat  float64 `json:"lat"`
	Lng  float64 `json:"lng"`
}

type file struct {
	Towns []Town `json:"towns"`
}

// Zhashui is 柞水县's towns by name.
var Zhashui = mustLoad(zhashuiJSON)

func mustLoad(b []byte) map[string]Town {
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		panic("towns: " + err.Error())
	}
	out := make(map[string]Town, len(f.Towns))
	for _, t := range f.Towns {
		out[t.Name] = t
	}
	return out
}

// Lookup finds a town by the name a case carries; "营盘" finds 营盘镇 and "乾佑镇" (the old name)
// finds 乾佑街道.
func Lookup(name string) (Town, bool) {
	name = strings.TrimSpace(name)
	if t, ok := Zhashui[name]; ok {
		return t, true
	}
	base := strings.TrimSuffix(strings.TrimSuffix(name, "镇"), "街道")
	if base == "" {
		return Town{}, false
	}
	for n, t := range Zhashui {
		if strings.TrimSuffix(strings.TrimSuffix(n, "镇"), "街道") == base {
			return t, true
		}
	}
	return Town{}, false
}

const earthRadiusM = 6371008.8

// DistanceM is the great-circle distance in metres between two WGS-84 points.
func DistanceM(lat1, lng1, lat2, lng2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadiusM * math.Asin(math.Min(1, math.Sqrt(a)))
}

// GCJ02ToWGS84 converts map coordinates (GCJ-02, used by the maps in mainland China and by
// wx.getLocation with type gcj02) to GPS coordinates approximately: the usual one-step inverse of
// the published offset, accurate to a few metres — enough to measure kilometres. Points
// outside mainland China carry no offset.
func GCJ02ToWGS84(lat, lng float64) (float64, float64) {
	if lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271 {
		return lat, lng
	}
	dLat, dLng := gcjOffset(lat, lng)
	return lat - dLat, lng - dLng
}

// gcjOffset is GCJ-02's offset at a WGS-84 point (the widely published formula).
func gcjOffset(lat, lng float64) (float64, float64) {
	const a, ee = 6378245.0, 0.00669342162296594323
	x, y := lng-105.0, lat-35.0
	dLat := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	dLat += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	dLat += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	dLat += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	dLng := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	dLng += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	dLng += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	dLng += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	radLat := lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - ee*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((a * (1 - ee)) / (magic * sqrtMagic) * math.Pi)
	dLng = (dLng * 180.0) / (a / sqrtMagic * math.Cos(radLat) * math.Pi)
	return dLat, dLng
}

// WGS84ToGCJ02 is the forward offset (what a map in China shows for a GPS point).
func WGS84ToGCJ02(lat, lng float64) (float64, float64) {
	if lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271 {
		return lat, lng
	}
	dLat, dLng := gcjOffset(lat, lng)
	return lat + dLat, lng + dLng
}
