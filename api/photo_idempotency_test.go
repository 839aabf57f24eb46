package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"fayuan/internal/photo/phototest"
	"fayuan/internal/testenv"
)

// The same photo sent 20 times at once to two server processes, half of the sends cut off at
// different points mid-upload: one photo, every complete send answers it, and the storage
// holds exactly its file and thumbnail — no temporary file, no unfinished upload.
func TestPhotoSentTwentyTimesSomeCutOff(t *testing.T) {
	forEachStore(t, func(t *testing.T, b testenv.Backend, store string) {
		pw := newPhotoWorld(t, b, store)
		content := phototest.JPEG(phototest.Image(900, 700), 90, 0)
		replica := pw.e.Replica()
		servers := []*httptest.Server{httptest.NewServer(pw.e.App.Handler), httptest.NewServer(replica.Handler)}
		const n = 20
		var (
			start  = make(chan struct{})
			wg     sync.WaitGroup
			status = make([]int, n)
			ids    = make([]string, n)
		)
		for i := range n {
			// The client_id goes first in even sends (a resend is then only hashed) and after
			// the file in odd ones.
			body, ctype := photoForm(map[string]string{"client_id": photoClientID(1)}, "IMG_1.jpg", content, i%2 == 1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				srv := servers[i%2]
				<-start
				if i%4 == 3 || i%5 == 0 {
					// Cut off after a part of the body: in the headers of the form, in the file.
					cutOff(t, srv.URL, pw.photosPath(pw.visitID), pw.w.Tokens["staff"], ctype, body, len(body)*(i+1)/(n+2))
					return
				}
				req, _ := http.NewRequest(http.MethodPost, srv.URL+pw.photosPath(pw.visitID), bytes.NewReader(body))
				req.Header.Set("Content-Type", ctype)
				req.Header.Set("Authorization", "Bearer "+pw.w.Tokens["staff"])
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				defer resp.Body.Close()
				status[i] = resp.StatusCode
				var out struct {
					ID string `json:"id"`
				}
				_ = json.NewDecoder(resp.Body).Decode(&out)
				ids[i] = out.ID
			}()
		}
		close(start)
		wg.Wait()
		for _, s := range servers {
			s.Close() // waits for every handler, the cut-off ones included
		}
		replica.Photos.WaitThumbs()
		created, first := 0, ""
		for i := range n {
			switch status[i] {
			case 0: // cut off
				continue
			case http.StatusCreated:
				created++
			case http.StatusOK:
			default:
				t.Errorf("send %d: status %d", i, status[i])
			}
			if first == "" {
				first = ids[i]
			}
			if ids[i] == "" || ids[i] != first {
				t.Errorf("send %d answered photo %q, want %q", i, ids[i], first)
			}
		}
		if created != 1 {
			t.Errorf("%d sends created a photo, want 1", created)
		}
		if got := countRows(t, pw.e, "photos", "1 = 1"); got != 1 {
			t.Fatalf("%d photos stored", got)
		}
		if got := countRows(t, pw.e, "audit_logs", "action = ?", "photo.upload"); got != 1 {
			t.Errorf("%d upload audit rows", got)
		}
		pw.expectFiles(t, first)

		// The same client_id with another photo is a conflict, and stores nothing more; another
		// user's same client_id is their own photo.
		other := phototest.PlainJPEG(phototest.Image(50, 50), 80)
		if r := pw.upload(t, "staff", pw.visitID, 1, other, http.StatusConflict); r.Code() != "client_id_conflict" {
			t.Fatalf("code %s", r.Code())
		}
		pw.expectFiles(t, first)
		mine := pw.upload(t, "manager", pw.visitID, 1, content, http.StatusCreated).Map(t)["id"].(string)
		if mine == first {
			t.Fatal("the manager's client_id reached the staff member's photo")
		}
		pw.expectFiles(t, first, mine)
	})
}

// cutOff sends the request's headers and the first n bytes of its body, then drops the
// connection, as a phone losing its signal does.
func cutOff(t *testing.T, base, path, token, ctype string, body []byte, n int) {
	u, _ := url.Parse(base)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Error(err)
		return
	}
	defer c.Close()
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		path, u.Host, token, ctype, len(body))
	_, _ = c.Write(body[:n])
}
