package testenv

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
)

// Upload posts content as the multipart file field of a form to path, with a Content-Length,
// as a browser does.
func (e *Env) Upload(path, token, field, filename string, content []byte) *Response {
	e.T.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile(field, filename)
	if err != nil {
		e.T.Fatalf("multipart: %v", err)
	}
	_, _ = part.Write(content)
	if err := w.Close(); err != nil {
		e.T.Fatalf("multipart: %v", err)
	}
	return e.Send(Request{Method: http.MethodPost, Path: path, Token: token, Body: body.Bytes(),
		Header: map[string]string{"Content-Type": w.FormDataContentType()}})
}

// UploadStream posts the file read from content as a multipart form without a Content-Length
// (chunked, as a client streaming from disk does), so the server cannot refuse it by its
// declared size and must stop reading by itself. It returns the answer and how many bytes of
// content the server consumed.
func (e *Env) UploadStream(path, token, field, filename string, content io.Reader) (*Response, int64) {
	e.T.Helper()
	pr, pw := io.Pipe()
	w := multipart.NewWriter(pw)
	counted := &countingReader{r: content}
	go func() {
		part, err := w.CreateFormFile(field, filename)
		if err == nil {
			_, err = io.Copy(part, counted)
		}
		if err == nil {
			err = w.Close()
		}
		pw.CloseWithError(err)
	}()
	req := httptest.NewRequest(http.MethodPost, path, pr)
	req.ContentLength = -1
	req.RemoteAddr = "192.0.2.10:41000"
	req.Header.Set("Content-Type", w.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	e.App.Handler.ServeHTTP(rec, req)
	_ = pr.CloseWithError(io.ErrClosedPipe) // release the writer if the server stopped early
	return &Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}, counted.n.Load()
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
