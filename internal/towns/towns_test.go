package towns

import (
	"math"
	"testing"
)

// Every town of 柞水县 is shipped, inside the county, and found under the names cases use.
func TestZhashuiTowns(t *testing.T) {
	for _, name := range []string{"乾佑街道", "营盘镇", "下梁镇", "石瓮镇", "杏坪镇", "凤凰镇", "红岩寺镇", "曹坪镇", "瓦房口镇"} {
		town, ok := Lookup(name)
		if !ok || town.Lat < 33.4 || town.Lat > 34.0 || town.Lng < 108.8 || town.Lng > 109.6 {
			t.Errorf("%s: %+v %v", name, town, ok)
		}
	}
	if town, ok := Lookup("营盘"); !ok || town.Name != "营盘镇" {
		t.Errorf("营盘: %+v", town)
	}
	if _, ok := Lookup("长安区"); ok {
		t.Error("a town of another county found")
	}
}

// GCJ-02 is a few hundred metres off WGS-84 in the county; converting back lands within metres.
func TestGCJ02ToWGS84(t *testing.T) {
	lat, lng := 33.6860, 109.1140
	dLat, dLng := gcjOffset(lat, lng)
	gLat, gLng := lat+dLat, lng+dLng
	off := DistanceM(lat, lng, gLat, gLng)
	if off < 100 || off > 1000 {
		t.Errorf("GCJ-02 offset %.0f m, want a few hundred", off)
	}
	wLat, wLng := GCJ02ToWGS84(gLat, gLng)
	if back := DistanceM(lat, lng, wLat, wLng); back > 10 {
		t.Errorf("converted back %.1f m away", back)
	}
	if la, ln := GCJ02ToWGS84(48.85, 2.35); la != 48.85 || ln != 2.35 {
		t.Error("a point outside China was shifted")
	}
	// 1° of latitude is about 111 km.
	if d := DistanceM(33, 109, 34, 109); math.Abs(d-111195) > 100 {
		t.Errorf("1° latitude = %.0f m", d)
	}
}
