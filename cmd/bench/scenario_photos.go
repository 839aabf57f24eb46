package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fayuan/internal/loadgen"
	"fayuan/internal/photo/phototest"
)

// photosScenario uploads a ~5 MB JPEG (with EXIF GPS) per request to a visit, a fresh client_id
// each time, as a manager (who may see every visit). The visit is seeded directly. Thumbnails
// are paused while it runs, so the figures are the upload alone: sniffing, EXIF removal, hashing
// and the local-disk write (temp file, fsync, rename). Run it as
//
//	go run ./cmd/bench -scenario photos -c 20 -d 20s -warmup 0
//
// It prints the process's peak RSS growth over the run, and that divided by -c.
func photosScenario() Scenario {
	return Scenario{
		Name:  "photos",
		About: "POST /api/v1/visits/{id}/photos: ~5 MB JPEGs streamed to the local disk, thumbnails paused; prints peak RSS growth per concurrent upload",
		Setup: func(ctx context.Context, e *Env) (loadgen.RequestFunc, error) {
			tok, visit, err := seedVisit(ctx, e)
			if err != nil {
				return nil, err
			}
			img := phototest.JPEG(phototest.Image(3500, 2500), 95, 0)
			fmt.Fprintf(os.Stderr, "bench: photos: %.1f MB JPEG, 3500×2500\n", float64(len(img))/(1<<20))
			e.App.Photos.PauseThumbs(true)
			url := e.BaseURL + "/api/v1/visits/" + strconv.FormatUint(visit, 10) + "/photos"
			var n atomic.Uint64
			return func(ctx context.Context, _ int) (*http.Request, error) {
				head, tail, ctype := photoEnvelope(fmt.Sprintf("5e4d3c2b-0000-4000-8000-%012d", n.Add(1)))
				// The JPEG is shared, never copied per request: the generator's memory stays flat.
				body := io.MultiReader(bytes.NewReader(head), bytes.NewReader(img), bytes.NewReader(tail))
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, body)
				if err != nil {
					return nil, err
				}
				req.ContentLength = int64(len(head) + len(img) + len(tail))
				req.Header.Set("Content-Type", ctype)
				req.Header.Set("Authorization", "Bearer "+tok)
				return req, nil
			}, nil
		},
		Around: rssAround,
	}
}

// seedVisit makes a manager and inserts one visit for the uploads to go to.
func seedVisit(ctx context.Context, e *Env) (string, uint64, error) {
	admin, err := e.AdminToken(ctx)
	if err != nil {
		return "", 0, err
	}
	pw := "bench-manager-" + randHex(6)
	if err := e.Call(ctx, http.MethodPost, "/api/v1/users", admin, map[string]any{
		"username": "photo_manager", "password": pw, "display_name": "管理员", "org_id": "1", "roles": []string{"manager"},
	}, nil); err != nil {
		return "", 0, err
	}
	tok, err := e.Login(ctx, "photo_manager", pw)
	if err != nil {
		return "", 0, err
	}
	db := e.App.DB.WithContext(ctx)
	now := time.Now().UTC()
	if err := db.Exec("INSERT INTO visits (campaign_id, case_id, user_id, client_id, body_hash, visited_at, created_at) VALUES (1, 1, 1, ?, '', ?, ?)",
		"bench-visit", now, now).Error; err != nil {
		return "", 0, fmt.Errorf("seed visit: %w", err)
	}
	var id uint64
	err = db.Raw("SELECT id FROM visits WHERE client_id = 'bench-visit'").Scan(&id).Error
	return tok, id, err
}

// photoEnvelope is the multipart form around the file: client_id first, as the mini-program
// sends its formData, then the file part.
func photoEnvelope(clientID string) (head, tail []byte, ctype string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("client_id", clientID)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="photo"; filename="IMG_0001.jpg"`)
	h.Set("Content-Type", "image/jpeg")
	_, _ = w.CreatePart(h)
	head = append([]byte(nil), b.Bytes()...)
	b.Reset()
	_ = w.Close()
	return head, append([]byte(nil), b.Bytes()...), w.FormDataContentType()
}

// rssAround samples the process's resident set every 10 ms while the scenario runs, from a
// baseline taken after a GC that returns freed memory to the system.
func rssAround(_ context.Context, workers int) func() string {
	runtime.GC()
	debug.FreeOSMemory()
	base := rssBytes()
	var peak atomic.Int64
	peak.Store(base)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if r := rssBytes(); r > peak.Load() {
					peak.Store(r)
				}
			}
		}
	}()
	return func() string {
		close(stop)
		<-done
		runtime.GC() // the next scenario starts without this one's garbage
		growth := float64(peak.Load()-base) / (1 << 20)
		return fmt.Sprintf("RSS %.1f MB before, peak %.1f MB: growth %.1f MB, %.2f MB per concurrent upload (c=%d)",
			float64(base)/(1<<20), float64(peak.Load())/(1<<20), growth, growth/float64(workers), workers)
	}
}

// rssBytes is VmRSS from /proc/self/status (0 where there is none).
func rssBytes() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
