package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config reaches an S3-compatible bucket.
type S3Config struct {
	Endpoint  string // host:port
	Bucket    string
	AccessKey string
	SecretKey string
	Secure    bool   // https
	Region    string // empty: the server's default
	Prefix    string // put before every key, e.g. "photos/"
}

// s3PartSize is the smallest part S3 accepts. An upload of unknown length is sent in parts of
// this size, each held in memory once, so a photo upload costs at most this much per request.
const s3PartSize = 5 << 20

// S3 keeps files in a bucket of S3-compatible object storage. A Put of unknown length is a
// multipart upload that is aborted when the reader fails, so a cut-off upload leaves no object.
type S3 struct {
	c      *minio.Client
	bucket string
	prefix string
}

// NewS3 connects and creates the bucket when it is missing.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.Secure, Region: cfg.Region,
	})
	if err != nil {
		return nil, err
	}
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("bucket %q: %v", cfg.Bucket, err)
	}
	if !ok {
		if err := c.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region}); err != nil {
			// Another replica may have made it in the meantime.
			if exists, e2 := c.BucketExists(ctx, cfg.Bucket); e2 != nil || !exists {
				return nil, fmt.Errorf("make bucket %q: %v", cfg.Bucket, err)
			}
		}
	}
	return &S3{c: c, bucket: cfg.Bucket, prefix: cfg.Prefix}, nil
}

// Put streams r into the bucket.
func (s *S3) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	if err := checkKey(key); err != nil {
		return 0, err
	}
	size := int64(-1) // unknown: sent in parts, aborted when the reader fails
	if l, ok := r.(interface{ Len() int }); ok {
		size = int64(l.Len()) // a thumbnail in memory: one request
	}
	// The S3 requests do not follow ctx: a client that goes away mid-request would leave an
	// upload begun on the server that nobody aborts. ctx stops the reading instead, and a
	// failed read aborts the upload.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Minute)
	defer cancel()
	r = ctxReader{ctx, r}
	info, err := s.c.PutObject(pctx, s.bucket, s.prefix+key, r, size, minio.PutObjectOptions{
		PartSize: s3PartSize, ContentType: "application/octet-stream"})
	if err != nil {
		// minio-go aborts the multipart upload; this is the belt to its braces.
		_ = s.c.RemoveIncompleteUpload(pctx, s.bucket, s.prefix+key)
		return 0, err
	}
	return info.Size, nil
}

// Open reads an object; Stat is asked first so a missing key is ErrNotFound here, not on the
// first read.
func (s *S3) Open(ctx context.Context, key string) (Object, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	o, err := s.c.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, s3Err(err)
	}
	st, err := o.Stat()
	if err != nil {
		_ = o.Close()
		return nil, s3Err(err)
	}
	return &s3Object{Object: o, size: st.Size, mod: st.LastModified}, nil
}

type s3Object struct {
	*minio.Object
	size int64
	mod  time.Time
}

func (o *s3Object) Size() int64        { return o.size }
func (o *s3Object) ModTime() time.Time { return o.mod }

// Delete removes an object; S3 answers success for a missing one too.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	return s.c.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{})
}

// List lists the objects under prefix, and unfinished multipart uploads too: an upload that
// was never aborted is a stray file as much as a temp file on disk.
func (s *S3) List(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	for o := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true}) {
		if o.Err != nil {
			return nil, o.Err
		}
		out = append(out, o.Key[len(s.prefix):])
	}
	for u := range s.c.ListIncompleteUploads(ctx, s.bucket, s.prefix+prefix, true) {
		if u.Err != nil {
			return nil, u.Err
		}
		out = append(out, u.Key[len(s.prefix):]+" (incomplete upload)")
	}
	sort.Strings(out)
	return out, nil
}

func s3Err(err error) error {
	var r minio.ErrorResponse
	if errors.As(err, &r) && (r.StatusCode == http.StatusNotFound || r.Code == "NoSuchKey") {
		return ErrNotFound
	}
	return err
}
