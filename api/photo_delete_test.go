package api_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"fayuan/internal/photo/phototest"
	"fayuan/internal/testenv"
)

// Deleting a photo removes its files; deleting a visit removes its photos and their files.
// A staff member may delete only their own photo within a day; a manager any.
func TestPhotoDeleteRemovesFiles(t *testing.T) {
	forEachStore(t, func(t *testing.T, b testenv.Backend, store string) {
		pw := newPhotoWorld(t, b, store)
		a := pw.upload(t, "staff", pw.visitID, 1, phototest.JPEG(phototest.Image(120, 90), 80, 0), http.StatusCreated).Map(t)["id"].(string)
		c := pw.upload(t, "staff", pw.visitID, 2, phototest.PNG(phototest.Image(60, 40)), http.StatusCreated).Map(t)["id"].(string)
		d := pw.upload(t, "staff", pw.visitID, 3, phototest.WebP(), http.StatusCreated).Map(t)["id"].(string)
		pw.expectFiles(t, a, c, d)

		testenv.Expect(t, pw.e.Do(http.MethodDelete, "/api/v1/photos/"+a, pw.w.Tokens["staff"], nil), http.StatusNoContent)
		pw.expectFiles(t, c, d)
		testenv.Expect(t, pw.get("/api/v1/photos/"+a, pw.w.Tokens["staff"], nil), http.StatusNotFound)
		testenv.Expect(t, pw.e.Do(http.MethodDelete, "/api/v1/photos/"+a, pw.w.Tokens["staff"], nil), http.StatusNotFound)
		if n := countRows(t, pw.e, "audit_logs", "action = ?", "photo.delete"); n != 1 {
			t.Errorf("%d delete audit rows", n)
		}

		// A day later the uploader may no longer delete; a manager may.
		pw.e.Clock.Advance(25 * time.Hour)
		relogin(pw.e, pw.w, "staff", "manager")
		if r := testenv.Expect(t, pw.e.Do(http.MethodDelete, "/api/v1/photos/"+c, pw.w.Tokens["staff"], nil), http.StatusForbidden); r.Code() != "photo_delete_forbidden" {
			t.Fatalf("code %s", r.Code())
		}
		pw.expectFiles(t, c, d)

		// The visit goes (a manager deletes it): its photos and files go with it.
		testenv.Expect(t, pw.e.Do(http.MethodDelete, "/api/v1/visits/"+pw.visitID, pw.w.Tokens["manager"], nil), http.StatusNoContent)
		if n := countRows(t, pw.e, "photos", "1 = 1"); n != 0 {
			t.Fatalf("%d photos left after their visit was deleted", n)
		}
		if got := pw.files(t); len(got) != 0 {
			t.Fatalf("files left after the visit was deleted: %q", got)
		}
		testenv.Expect(t, pw.get("/api/v1/photos/"+c, pw.w.Tokens["manager"], nil), http.StatusNotFound)
	})
}

// A server that stops between a visit's deletion and the removal of its photos leaves them
// behind; the next start removes them and their files.
func TestPhotoOrphansRemovedAtStart(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		pw := newPhotoWorld(t, b, "local")
		keep := pw.upload(t, "staff", pw.visitID, 1, phototest.PlainJPEG(phototest.Image(30, 20), 80), http.StatusCreated).Map(t)["id"].(string)
		other := pw.visitCase(t, "staff", "营盘镇")
		v2 := pw.visitWorld.visit(t, "staff", other, visitBody(2, "2024-06-17T11:00:00+08:00", answers(nil)), http.StatusCreated).Map(t)["id"].(string)
		gone := pw.upload(t, "staff", v2, 2, phototest.PlainJPEG(phototest.Image(40, 20), 80), http.StatusCreated).Map(t)["id"].(string)
		pw.expectFiles(t, keep, gone)
		// The crash: the visit row is gone, the hook never ran.
		if err := pw.e.App.DB.Exec("DELETE FROM visits WHERE id = ?", parseWireID(t, v2)).Error; err != nil {
			t.Fatal(err)
		}
		pw.e.Replica() // a start
		pw.expectFiles(t, keep)
		if n := countRows(t, pw.e, "photos", "1 = 1"); n != 1 {
			t.Fatalf("%d photos, want 1", n)
		}
	})
}

// The same photo (by content) in two different visits is a plausibility flag for managers;
// the same photo twice in one visit is not.
func TestPhotoSameHashInTwoVisitsFlagged(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		pw := newPhotoWorld(t, b, "local")
		content := phototest.JPEG(phototest.Image(100, 80), 80, 0)
		p1 := pw.upload(t, "staff", pw.visitID, 1, content, http.StatusCreated).Map(t)["id"].(string)
		pw.upload(t, "staff", pw.visitID, 2, content, http.StatusCreated) // same visit: no flag
		flags := func() []map[string]any {
			r := testenv.Expect(t, pw.e.Do(http.MethodGet, "/api/v1/campaigns/"+pw.campaign+"/flags", pw.w.Tokens["manager"], nil), http.StatusOK)
			var out struct {
				Items []map[string]any `json:"items"`
			}
			r.JSON(t, &out)
			var same []map[string]any
			for _, f := range out.Items {
				if f["kind"] == "same_photo" {
					same = append(same, f)
				}
			}
			return same
		}
		if f := flags(); len(f) != 0 {
			t.Fatalf("flagged within one visit: %v", f)
		}
		other := pw.visitCase(t, "staff", "营盘镇")
		v2 := pw.visitWorld.visit(t, "staff", other, visitBody(2, "2024-06-17T11:00:00+08:00", answers(nil)), http.StatusCreated).Map(t)["id"].(string)
		p3 := pw.upload(t, "staff", v2, 3, content, http.StatusCreated).Map(t)["id"].(string)
		f := flags()
		if len(f) != 1 {
			t.Fatalf("flags %v", f)
		}
		visits, photos := f[0]["visit_ids"].([]any), f[0]["photo_ids"].([]any)
		if len(visits) != 2 || !slices.Contains(visits, any(pw.visitID)) || !slices.Contains(visits, any(v2)) ||
			len(photos) != 3 || !slices.Contains(photos, any(p1)) || !slices.Contains(photos, any(p3)) ||
			f[0]["caller_id"] != pw.w.Users["staff"] || f[0]["caller_name"] == "" {
			t.Fatalf("flag %v", f[0])
		}
	})
}

// A case's detail lists its photos in the time they were taken, to a manager and the visitor;
// a handler's detail of their own case shows none.
func TestPhotoCaseTimeline(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		pw := newPhotoWorld(t, b, "local")
		send := func(n int, takenAt string) string {
			body, ctype := photoForm(map[string]string{"client_id": photoClientID(n), "taken_at": takenAt}, "a.jpg",
				phototest.PlainJPEG(phototest.Image(10+n, 10), 80), false)
			r := testenv.Expect(t, pw.e.Send(testenv.Request{Method: http.MethodPost, Path: pw.photosPath(pw.visitID),
				Token: pw.w.Tokens["staff"], Body: body, Header: map[string]string{"Content-Type": ctype}}), http.StatusCreated)
			return r.Map(t)["id"].(string)
		}
		late := send(1, "2024-06-17T09:50:00+08:00")
		early := send(2, "2024-06-17T01:20:00Z") // 09:20 +08:00
		for user, want := range map[string][]string{"manager": {early, late}, "staff": {early, late}, "handler": {}} {
			r := testenv.Expect(t, pw.e.Do(http.MethodGet, "/api/v1/cases/"+pw.kase, pw.w.Tokens[user], nil), http.StatusOK)
			var d struct {
				Photos []struct {
					ID      string `json:"id"`
					URL     string `json:"url"`
					TakenAt string `json:"taken_at"`
				} `json:"photos"`
			}
			r.JSON(t, &d)
			var got []string
			for _, p := range d.Photos {
				got = append(got, p.ID)
				testenv.Expect(t, pw.get(signedPath(t, p.URL), "", nil), http.StatusOK)
			}
			if !slices.Equal(got, want) || d.Photos == nil {
				t.Errorf("%s sees photos %v, want %v", user, got, want)
			}
			if len(d.Photos) > 0 && d.Photos[0].TakenAt != "2024-06-17T09:20:00+08:00" {
				t.Errorf("taken_at %q", d.Photos[0].TakenAt)
			}
		}
	})
}
