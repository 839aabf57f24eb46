package api_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"fayuan/config"
	"fayuan/internal/storage/storagetest"
	"fayuan/internal/testenv"
)

// photoStores are the storage backends every photo test that touches files runs on.
var photoStores = []string{"local", "s3"}

// forEachStore runs fn on every database and, within each, on every storage backend.
func forEachStore(t *testing.T, fn func(t *testing.T, b testenv.Backend, store string)) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		for _, s := range photoStores {
			t.Run(s, func(t *testing.T) { fn(t, b, s) })
		}
	})
}

// photoWorld is a visit world (clock in the visits phase) with one visit by staff, on the
// given storage backend.
type photoWorld struct {
	*visitWorld
	kase, visitID string
}

func newPhotoWorld(t *testing.T, b testenv.Backend, store string) *photoWorld {
	t.Helper()
	var opts []testenv.Option
	if store == "s3" {
		s3 := storagetest.S3(t)
		opts = append(opts, func(c *config.Config) {
			c.Storage.Kind, c.Storage.S3Endpoint, c.Storage.S3Bucket = "s3", s3.Endpoint, s3.Bucket
			c.Storage.S3AccessKey, c.Storage.S3SecretKey, c.Storage.S3Secure = s3.AccessKey, s3.SecretKey, false
		})
	}
	e := testenv.New(t, b, opts...)
	w := e.Seed()
	cw := &callWorld{e: e, w: w, campaign: startCampaign(t, e, w)}
	cw.handler = putHandler(t, e, parseWireID(t, w.FirmA), "承办人", parseWireID(t, w.Users["handler"]))
	// As newVisitWorld: into the visits phase, 2024-06-17 10:00.
	cw.e.Clock.Advance(24*24*time.Hour + time.Hour)
	cw.w.Admin = cw.e.AdminToken()
	relogin(cw.e, cw.w, "manager", "centre_manager", "staff", "firm_staff", "handler", "handler_b", "reviewer", "auditor")
	vw := &visitWorld{cw}
	pw := &photoWorld{visitWorld: vw, kase: vw.visitCase(t, "staff", "营盘镇")}
	pw.visitID = vw.visit(t, "staff", pw.kase, visitBody(1, "2024-06-17T09:30:00+08:00", answers(nil)), http.StatusCreated).Map(t)["id"].(string)
	return pw
}

func (pw *photoWorld) photosPath(visit string) string { return "/api/v1/visits/" + visit + "/photos" }

// photoClientID is a UUID of its own for each n.
func photoClientID(n int) string { return fmt.Sprintf("9c8d7e6f-0000-4000-8000-%012d", n) }

// photoForm is a multipart form as wx.uploadFile sends it: the text fields, then the file
// (or the file first when fileFirst).
func photoForm(fields map[string]string, filename string, content []byte, fileFirst bool) ([]byte, string) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	writeFile := func() {
		part, _ := w.CreateFormFile("photo", filename)
		_, _ = part.Write(content)
	}
	if fileFirst {
		writeFile()
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		_ = w.WriteField(k, fields[k])
	}
	if !fileFirst {
		writeFile()
	}
	_ = w.Close()
	return body.Bytes(), w.FormDataContentType()
}

// upload sends a photo to a visit as user and expects status.
func (pw *photoWorld) upload(t *testing.T, user, visit string, n int, content []byte, status int) *testenv.Response {
	t.Helper()
	body, ctype := photoForm(map[string]string{"client_id": photoClientID(n), "taken_at": "2024-06-17T09:40:00+08:00"}, "IMG_0001.jpg", content, false)
	r := pw.e.Send(testenv.Request{Method: http.MethodPost, Path: pw.photosPath(visit), Token: pw.w.Tokens[user], Body: body,
		Header: map[string]string{"Content-Type": ctype}})
	testenv.Expect(t, r, status)
	if status < 300 {
		testenv.CheckConventions(t, "photo", r.Body)
	}
	return r
}

// get fetches a path (a signed URL or a plain one) with token ("" for none).
func (pw *photoWorld) get(path, token string, header map[string]string) *testenv.Response {
	return pw.e.Send(testenv.Request{Method: http.MethodGet, Path: path, Token: token, Header: header})
}

// files lists what the photo storage holds.
func (pw *photoWorld) files(t *testing.T) []string {
	t.Helper()
	keys, err := pw.e.App.PhotoStore.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// expectFiles fails unless the storage holds exactly the photos' files and their thumbnails.
func (pw *photoWorld) expectFiles(t *testing.T, photoIDs ...string) {
	t.Helper()
	pw.e.App.Photos.WaitThumbs()
	var want []string
	for _, id := range photoIDs {
		var key string
		if err := pw.e.App.DB.Raw("SELECT storage_key FROM photos WHERE id = ?", parseWireID(t, id)).Scan(&key).Error; err != nil || key == "" {
			t.Fatalf("photo %s has no stored key (%v)", id, err)
		}
		want = append(want, key, key+"-thumb")
	}
	slices.Sort(want)
	if got := pw.files(t); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("storage holds %q, want %q", got, want)
	}
}

// signedPath is the path and query of a signed URL from an answer.
func signedPath(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || u.Query().Get("sig") == "" {
		t.Fatalf("not a signed URL: %q", raw)
	}
	return u.RequestURI()
}
