package api_test

import (
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"fayuan/internal/photo/phototest"
	"fayuan/internal/testenv"
)

// A photo still streaming in when its visit is deleted is not kept: the upload, checked
// against the visit before its body was read, is refused at the end (404) and its file goes.
func TestPhotoUploadWhileVisitDeleted(t *testing.T) {
	forEachStore(t, func(t *testing.T, b testenv.Backend, store string) {
		pw := newPhotoWorld(t, b, store)
		content := phototest.JPEG(phototest.Image(640, 480), 85, 0)

		pr, pipe := io.Pipe()
		form := multipart.NewWriter(pipe)
		req := httptest.NewRequest(http.MethodPost, pw.photosPath(pw.visitID), pr)
		req.ContentLength = -1
		req.RemoteAddr = "192.0.2.10:41000"
		req.Header.Set("Content-Type", form.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+pw.w.Tokens["staff"])
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() {
			defer close(done)
			pw.e.App.Handler.ServeHTTP(rec, req)
			_ = pr.CloseWithError(io.ErrClosedPipe)
		}()

		// Once the server has read the first half of the photo it has checked the visit.
		if err := form.WriteField("client_id", photoClientID(1)); err != nil {
			t.Fatal(err)
		}
		part, err := form.CreateFormFile("photo", "IMG_0001.jpg")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := part.Write(content[:len(content)/2]); err != nil {
			t.Fatalf("first half: %v (answer %d %s)", err, rec.Code, rec.Body)
		}
		testenv.Expect(t, pw.e.Do(http.MethodDelete, "/api/v1/visits/"+pw.visitID, pw.w.Tokens["manager"], nil), http.StatusNoContent)
		if _, err := part.Write(content[len(content)/2:]); err != nil {
			t.Fatalf("second half: %v", err)
		}
		_ = pipe.CloseWithError(form.Close())
		<-done

		r := &testenv.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
		if r.Status != http.StatusNotFound || r.Code() != "visit_not_found" {
			t.Fatalf("upload to a visit deleted meanwhile: %d %s", r.Status, r.Body)
		}
		pw.e.App.Photos.WaitThumbs()
		if n := countRows(t, pw.e, "photos", "1 = 1"); n != 0 {
			t.Fatalf("%d photos kept for a deleted visit", n)
		}
		if got := pw.files(t); len(got) != 0 {
			t.Fatalf("files left after the visit was deleted: %q", got)
		}
	})
}
