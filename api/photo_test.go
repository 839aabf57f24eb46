package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"fayuan/internal/photo/phototest"
	"fayuan/internal/testenv"
)

// A JPEG with EXIF GPS: the stored and the served file hold no EXIF (nor XMP, comments or the
// appended preview) and decode to the same picture; the photo keeps the position; the thumbnail
// follows in the background; caching headers come from the content hash.
func TestPhotoUploadStripsExifKeepsPosition(t *testing.T) {
	forEachStore(t, func(t *testing.T, b testenv.Backend, store string) {
		pw := newPhotoWorld(t, b, store)
		in := phototest.JPEG(phototest.Image(640, 480), 85, 0)
		out := pw.upload(t, "staff", pw.visitID, 1, in, http.StatusCreated).Map(t)
		loc, _ := out["location"].(map[string]any)
		if loc == nil || math.Abs(loc["lat"].(float64)-phototest.Position.Lat) > 1e-4 ||
			math.Abs(loc["lng"].(float64)-phototest.Position.Lng) > 1e-4 || loc["coord_type"] != "wgs84" {
			t.Fatalf("location %v", out["location"])
		}
		if out["content_type"] != "image/jpeg" || out["width"].(float64) != 640 || out["visit_id"] != pw.visitID ||
			out["taken_at"] != "2024-06-17T09:40:00+08:00" {
			t.Fatalf("photo %v", out)
		}
		served := testenv.Expect(t, pw.get(signedPath(t, out["url"].(string)), "", nil), http.StatusOK)
		for _, s := range []string{"Exif", "SECRET", "xmpmeta"} {
			if bytes.Contains(served.Body, []byte(s)) {
				t.Errorf("served photo still holds %q", s)
			}
		}
		sum := sha256.Sum256(served.Body)
		if hex.EncodeToString(sum[:]) != out["sha256"] || served.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("served %d bytes of %s, hash differs from %v", len(served.Body), served.Header.Get("Content-Type"), out["sha256"])
		}
		if !bytes.Equal(served.Body, phototest.PlainJPEG(phototest.Image(640, 480), 85)) {
			t.Fatal("the image itself was changed, not only its metadata")
		}
		etag := served.Header.Get("ETag")
		if etag != `"`+out["sha256"].(string)+`"` || !strings.Contains(served.Header.Get("Cache-Control"), "private") {
			t.Fatalf("caching headers: ETag %q, Cache-Control %q", etag, served.Header.Get("Cache-Control"))
		}
		testenv.Expect(t, pw.get(signedPath(t, out["url"].(string)), "", map[string]string{"If-None-Match": etag}), http.StatusNotModified)

		// The stored file itself, read from the storage.
		var key string
		pw.e.App.DB.Raw("SELECT storage_key FROM photos WHERE id = ?", parseWireID(t, out["id"].(string))).Scan(&key)
		o, err := pw.e.App.PhotoStore.Open(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		var stored bytes.Buffer
		_, _ = stored.ReadFrom(o)
		_ = o.Close()
		if !bytes.Equal(stored.Bytes(), served.Body) {
			t.Fatal("the stored file is not the served one")
		}

		pw.e.App.Photos.WaitThumbs()
		th := testenv.Expect(t, pw.get(signedPath(t, out["thumb_url"].(string)), "", nil), http.StatusOK)
		cfg, format, err := image.DecodeConfig(bytes.NewReader(th.Body))
		if err != nil || format != "jpeg" || cfg.Width != 320 || cfg.Height != 240 {
			t.Fatalf("thumbnail %v %s %dx%d", err, format, cfg.Width, cfg.Height)
		}
		pw.expectFiles(t, out["id"].(string))
	})
}

// Who may fetch: the visitor and a manager by token; another staff member, a handler and the
// rest see no such photo (404), never a 403 that would confirm it exists. A signed URL works
// without a token until it expires (403 after), and an altered one is 403.
func TestPhotoAccess(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		pw := newPhotoWorld(t, b, "local")
		out := pw.upload(t, "staff", pw.visitID, 1, phototest.JPEG(phototest.Image(64, 48), 80, 0), http.StatusCreated).Map(t)
		id := out["id"].(string)
		pw.e.App.Photos.WaitThumbs()
		for _, path := range []string{"/api/v1/photos/" + id, "/api/v1/photos/" + id + "/thumb"} {
			for user, want := range map[string]int{"staff": 200, "manager": 200, "centre_manager": 200,
				"firm_staff": 404, "handler": 404, "handler_b": 404, "reviewer": 404, "auditor": 404} {
				r := testenv.Expect(t, pw.get(path, pw.w.Tokens[user], nil), want)
				if want == 404 && r.Code() != "photo_not_found" {
					t.Errorf("%s %s: %s", user, path, r.Code())
				}
			}
			testenv.Expect(t, pw.get(path, "", nil), http.StatusUnauthorized)
		}
		// Nor may they add photos to the visit, or delete this one.
		for user, want := range map[string]int{"firm_staff": 404, "handler": 403, "reviewer": 403} {
			pw.upload(t, user, pw.visitID, 50, phototest.PlainJPEG(phototest.Image(8, 8), 80), want)
			testenv.Expect(t, pw.e.Do(http.MethodDelete, "/api/v1/photos/"+id, pw.w.Tokens[user], nil), want)
		}

		signed := signedPath(t, out["url"].(string))
		testenv.Expect(t, pw.get(signed, "", nil), http.StatusOK)
		for name, path := range map[string]string{
			"altered signature":            strings.Replace(signed, "sig=", "sig=A", 1),
			"altered expiry":               strings.Replace(signed, "exp=", "exp=9", 1),
			"other photo":                  strings.Replace(signed, "/photos/"+id+"?", "/photos/"+id+"0?", 1),
			"thumb with photo's signature": strings.Replace(signed, "/photos/"+id+"?", "/photos/"+id+"/thumb?", 1),
		} {
			r := testenv.Expect(t, pw.get(path, "", nil), http.StatusForbidden)
			if r.Code() != "signed_url_invalid" {
				t.Errorf("%s: %s", name, r.Code())
			}
		}
		pw.e.Clock.Advance(10*time.Minute + time.Second)
		if r := testenv.Expect(t, pw.get(signed, "", nil), http.StatusForbidden); r.Code() != "signed_url_expired" {
			t.Fatalf("expired: %s", r.Code())
		}
		// A token still works, and a fresh answer (the case detail) signs new URLs.
		testenv.Expect(t, pw.get("/api/v1/photos/"+id, pw.w.Tokens["staff"], nil), http.StatusOK)
	})
}

// Refused uploads: too big (413, without reading the rest), not a photo (415, HEIC too, with a
// message for the phone), a decompression bomb (422, from the header) — and nothing stored.
func TestPhotoRefused(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		pw := newPhotoWorld(t, b, "local")
		limit := pw.e.Config.Storage.PhotoMaxBytes
		if limit != 10<<20 {
			t.Fatalf("default limit %d", limit)
		}
		// A real JPEG padded after its end to exactly limit+1: the limit holds for the file as sent.
		big := phototest.JPEG(phototest.Image(200, 200), 80, 0)
		big = append(big, bytes.Repeat([]byte{0}, int(limit+1)-len(big))...)
		r := pw.upload(t, "staff", pw.visitID, 1, big, http.StatusRequestEntityTooLarge)
		if r.Code() != "photo_too_large" {
			t.Fatalf("code %s", r.Code())
		}
		pw.upload(t, "staff", pw.visitID, 2, big[:limit], http.StatusCreated) // exactly the limit is fine

		// Streamed without a Content-Length: the server stops reading soon after the limit.
		huge := bytes.NewReader(append(phototest.PlainJPEG(phototest.Image(64, 64), 80), make([]byte, 40<<20)...))
		sr, consumed := pw.e.UploadStream(pw.photosPath(pw.visitID), pw.w.Tokens["staff"], "photo", "a.jpg", huge)
		testenv.Expect(t, sr, http.StatusRequestEntityTooLarge)
		if consumed > limit+(2<<20) {
			t.Fatalf("the server read %d bytes of a 40 MB upload", consumed)
		}

		for name, c := range map[string]struct {
			content []byte
			status  int
			code    string
		}{
			"html named .jpg": {[]byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), 415, "photo_unsupported_type"},
			"heic":            {append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), make([]byte, 5000)...), 415, "photo_unsupported_type"},
			"png bomb":        {phototest.PNGHeader(30000, 30000), 422, "invalid_fields"},
			"cut jpeg":        {phototest.PlainJPEG(phototest.Image(64, 64), 80)[:300], 422, "invalid_fields"},
		} {
			r := pw.upload(t, "staff", pw.visitID, 10, c.content, c.status)
			if r.Code() != c.code {
				t.Errorf("%s: code %s", name, r.Code())
			}
			if msg := r.Map(t)["message"].(string); c.status == 415 && !strings.Contains(msg, "JPEG") {
				t.Errorf("%s: message %q", name, msg)
			}
		}
		// Bad fields: the stored file is thrown away.
		body, ctype := photoForm(map[string]string{"client_id": "not-a-uuid", "taken_at": "yesterday"}, "a.jpg",
			phototest.PlainJPEG(phototest.Image(8, 8), 80), true)
		r = testenv.Expect(t, pw.e.Send(testenv.Request{Method: http.MethodPost, Path: pw.photosPath(pw.visitID), Token: pw.w.Tokens["staff"],
			Body: body, Header: map[string]string{"Content-Type": ctype}}), http.StatusUnprocessableEntity)
		fields := r.Map(t)["details"].(map[string]any)["fields"].(map[string]any)
		if fields["client_id"] == nil || fields["taken_at"] == nil {
			t.Fatalf("fields %v", fields)
		}
		body, ctype = photoForm(map[string]string{"client_id": photoClientID(20)}, "", nil, false)
		body = bytes.Replace(body, []byte(`name="photo"`), []byte(`name="picture"`), 1)
		testenv.Expect(t, pw.e.Send(testenv.Request{Method: http.MethodPost, Path: pw.photosPath(pw.visitID), Token: pw.w.Tokens["staff"],
			Body: body, Header: map[string]string{"Content-Type": ctype}}), http.StatusUnprocessableEntity)
		testenv.Expect(t, pw.e.Do(http.MethodPost, pw.photosPath(pw.visitID), pw.w.Tokens["staff"], map[string]any{"photo": "x"}),
			http.StatusUnsupportedMediaType)
		if n := countRows(t, pw.e, "photos", "1 = 1"); n != 1 {
			t.Fatalf("%d photos stored, want the one at the limit", n)
		}
		var id string
		pw.e.App.DB.Raw("SELECT id FROM photos").Scan(&id)
		pw.expectFiles(t, id)
	})
}

// The thumbnail is made in the background: until it is there its URL answers 404
// thumb_not_ready, and asking queues it again (a job lost to a full queue or a restart is
// redone), after which it is served.
func TestPhotoThumbnailNotReadyYet(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		pw := newPhotoWorld(t, b, "local")
		pw.e.App.Photos.PauseThumbs(true)
		out := pw.upload(t, "staff", pw.visitID, 1, phototest.JPEG(phototest.Image(800, 400), 80, 6), http.StatusCreated).Map(t)
		if out["thumb_ready"] != false || out["thumb_url"] == "" {
			t.Fatalf("photo %v", out)
		}
		thumb := signedPath(t, out["thumb_url"].(string))
		pw.e.App.Photos.WaitThumbs()
		if r := testenv.Expect(t, pw.get(thumb, "", nil), http.StatusNotFound); r.Code() != "thumb_not_ready" {
			t.Fatalf("code %s", r.Code())
		}
		pw.e.App.Photos.PauseThumbs(false)
		testenv.Expect(t, pw.get(thumb, "", nil), http.StatusNotFound) // queues it
		pw.e.App.Photos.WaitThumbs()
		th := testenv.Expect(t, pw.get(thumb, "", nil), http.StatusOK)
		// Orientation 6 (turned right): the thumbnail is upright, taller than wide.
		cfg, _, err := image.DecodeConfig(bytes.NewReader(th.Body))
		if err != nil || cfg.Width != 160 || cfg.Height != 320 {
			t.Fatalf("thumbnail %v %dx%d", err, cfg.Width, cfg.Height)
		}
		r := testenv.Expect(t, pw.e.Do(http.MethodGet, "/api/v1/cases/"+pw.kase, pw.w.Tokens["manager"], nil), http.StatusOK)
		if !strings.Contains(string(r.Body), `"thumb_ready":true`) {
			t.Fatal("the case detail does not show the thumbnail ready")
		}
	})
}
