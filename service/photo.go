package service

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/internal/clock"
	"fayuan/internal/photo"
	"fayuan/internal/signedurl"
	"fayuan/internal/storage"
	"fayuan/model"
)

// Photos keeps the photos of field visits: checked and stripped of their metadata while they
// stream into the storage, thumbnailed in the background, served by signed URL.
type Photos struct {
	db     *gorm.DB
	clock  clock.Clock
	audit  *Audit
	visits *Visits
	store  storage.Store
	signer *signedurl.Signer
	thumbs *photo.Pool
	log    *slog.Logger
	cfg    PhotoConfig
	// thumbsPaused: see PauseThumbs.
	thumbsPaused atomic.Bool
}

// PhotoConfig are the photos' settings.
type PhotoConfig struct {
	MaxBytes     int64 // one photo's file; larger → 413
	ThumbWorkers int
	PublicURL    string // put before the signed URLs; empty: they are relative
}

// NewPhotos builds the service and registers it to remove a deleted visit's photos. Close
// stops its thumbnail workers.
func NewPhotos(db *gorm.DB, c clock.Clock, audit *Audit, visits *Visits, store storage.Store, signer *signedurl.Signer,
	cfg PhotoConfig, log *slog.Logger) *Photos {
	// A queue of a few hundred: a burst of uploads waits its turn; past it a thumbnail is
	// made when first asked for.
	s := &Photos{db: db, clock: c, audit: audit, visits: visits, store: store, signer: signer,
		thumbs: photo.NewPool(max(1, cfg.ThumbWorkers), 256), log: log, cfg: cfg}
	visits.OnDelete(s.visitDeleted)
	return s
}

// MaxBytes is the largest photo accepted.
func (s *Photos) MaxBytes() int64 { return s.cfg.MaxBytes }

// Close stops the thumbnail workers after the queued thumbnails.
func (s *Photos) Close() { s.thumbs.Close() }

// WaitThumbs returns when the queued thumbnails are made (tests, benchmarks).
func (s *Photos) WaitThumbs() { s.thumbs.Wait() }

var (
	errPhotoUnsupported = &model.Error{Status: http.StatusUnsupportedMediaType, Code: "photo_unsupported_type",
		Message: "只能上传 JPEG、PNG 或 WebP 格式的照片。HEIC 等格式请在相机设置中选择“兼容性最佳”后重新拍摄"}
	errPhotoPixels     = model.InvalidField("photo", "照片像素过大（最多 5000 万像素，每边不超过 12000 像素）")
	errPhotoMalformed  = model.InvalidField("photo", "照片文件已损坏或不完整，请重新选择")
	errPhotoIncomplete = model.BadRequest("upload_incomplete", "照片上传中断，请在信号好时重试")
	errPhotoNotFound   = model.NotFound("photo_not_found", "照片不存在")
	errPhotoDuplicate  = errors.New("photo: client_id already stored")
)

func errPhotoTooLarge(limit int64) *model.Error {
	return &model.Error{Status: http.StatusRequestEntityTooLarge, Code: "photo_too_large",
		Message: fmt.Sprintf("照片不能超过 %.0f MB", float64(limit)/(1<<20))}
}

// Uploadable returns the visit when by may add photos to it: anyone who may see it.
func (s *Photos) Uploadable(ctx context.Context, by model.Actor, visitID model.ID) (*model.Visit, error) {
	return s.visits.Visible(ctx, by, visitID)
}

// StoredPhoto is a photo written to the storage and not yet recorded.
type StoredPhoto struct {
	key  string // "" when only hashed: the client_id was known, this is a resend
	info *photo.Info
}

// Store reads a photo from r, checks it and writes it without its metadata under a new key.
// When clientID already names one of by's photos, the photo is only hashed, to be compared
// with it: a resend from a weak signal costs no storage write. On error nothing is stored.
func (s *Photos) Store(ctx context.Context, by model.Actor, clientID string, r io.Reader) (*StoredPhoto, error) {
	src := &sourceReader{r: r, limit: s.cfg.MaxBytes}
	if clientID != "" {
		found, err := exists(s.db.WithContext(ctx).Model(&model.Photo{}).Where("user_id = ? AND client_id = ?", by.UserID, clientID))
		if err != nil {
			return nil, err
		}
		if found {
			info, err := rewriteAll(io.Discard, src)
			if err != nil {
				return nil, s.uploadError(src, err)
			}
			return &StoredPhoto{info: info}, nil
		}
	}
	key := newPhotoKey()
	pr, pw := io.Pipe()
	done := make(chan struct{})
	var info *photo.Info
	var rerr error
	go func() {
		defer close(done)
		// Buffered: the rewrite writes a JPEG's scans in small pieces, and each piece through the
		// pipe would be a write of its own to the disk or the network.
		bw := bufio.NewWriterSize(pw, 64<<10)
		info, rerr = rewriteAll(bw, src)
		if rerr == nil {
			rerr = bw.Flush()
		}
		pw.CloseWithError(rerr) // nil: the storage sees the end of the file
	}()
	_, perr := s.store.Put(ctx, key, pr)
	_ = pr.CloseWithError(errors.New("photo: storage stopped reading"))
	<-done
	if rerr != nil {
		if e := s.uploadError(src, rerr); e != rerr || perr == nil {
			return nil, e // the photo or the upload was the problem
		}
	}
	if perr != nil {
		return nil, perr // the storage failed: 500
	}
	return &StoredPhoto{key: key, info: info}, nil
}

// rewriteAll rewrites the photo and reads what follows its end too (dropped), so the size
// limit holds for the whole file as sent.
func rewriteAll(w io.Writer, src *sourceReader) (*photo.Info, error) {
	info, err := photo.Rewrite(w, src, photo.DefaultLimits)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(io.Discard, src); err != nil {
		return nil, err
	}
	return info, nil
}

// uploadError tells apart a photo that is not acceptable from an upload that did not arrive.
func (s *Photos) uploadError(src *sourceReader, err error) error {
	var tooBig *http.MaxBytesError
	switch {
	case src.tooLarge || errors.As(err, &tooBig):
		return errPhotoTooLarge(s.cfg.MaxBytes)
	case src.err != nil:
		return errPhotoIncomplete
	case errors.Is(err, photo.ErrUnsupported):
		return errPhotoUnsupported
	case errors.Is(err, photo.ErrTooLarge):
		return errPhotoPixels
	case errors.Is(err, photo.ErrMalformed):
		return errPhotoMalformed
	}
	return err
}

// Discard removes a stored photo that will not be recorded.
func (s *Photos) Discard(ctx context.Context, st *StoredPhoto) {
	if st == nil || st.key == "" {
		return
	}
	if err := s.store.Delete(context.WithoutCancel(ctx), st.key); err != nil {
		s.log.Error("photo: discard", "key", st.key, "err", err.Error())
	}
}

// PhotoFields are the upload's form fields.
type PhotoFields struct {
	ClientID string
	TakenAt  string // RFC 3339, optional: wx.uploadFile sends strings
}

// Save records a stored photo on the visit. The same client_id again with the same photo is
// the first record (false); with another photo or for another visit 409; a visit deleted
// while the photo streamed in 404. The stored file is discarded whenever no new record keeps it.
func (s *Photos) Save(ctx context.Context, by model.Actor, v *model.Visit, st *StoredPhoto, f PhotoFields) (*model.PhotoResponse, bool, error) {
	bad := map[string]string{}
	if !uuidRE.MatchString(f.ClientID) {
		bad["client_id"] = "应为手机端生成的 UUID"
	}
	var takenAt *time.Time
	if f.TakenAt != "" {
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(f.TakenAt))
		if err != nil || t.Year() < 2000 || t.After(s.clock.Now().Add(24*time.Hour)) {
			bad["taken_at"] = "应为 RFC 3339 时间，例如 2024-06-17T10:30:00+08:00，且不晚于现在"
		} else {
			t = t.UTC()
			takenAt = &t
		}
	}
	if len(bad) > 0 {
		s.Discard(ctx, st)
		return nil, false, model.Invalid(bad)
	}
	db := s.db.WithContext(ctx)
	if st.key == "" {
		return s.replay(db, by, v, f.ClientID, st)
	}
	p := model.Photo{VisitID: v.ID, CampaignID: v.CampaignID, CaseID: v.CaseID, UserID: by.UserID, ClientID: f.ClientID,
		SHA256: st.info.SHA256, Type: string(st.info.Type), Size: st.info.Size, Width: st.info.Width, Height: st.info.Height,
		Orientation: st.info.Orientation, TakenAt: takenAt, StorageKey: st.key, CreatedAt: s.clock.Now().UTC()}
	if g := st.info.GPS; g != nil {
		p.Lat, p.Lng, p.Alt, p.CoordType = &g.Lat, &g.Lng, g.Alt, "wgs84"
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		// The visit was checked before the photo streamed in; it may have been deleted since,
		// its OnDelete hook finding no photo to remove. Locking its row orders this insert
		// against a deletion (SQLite's immediate transactions already run one at a time): it
		// is either gone now, or its deletion waits and its hook removes this photo too.
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id").Take(&model.Visit{}, v.ID).Error; err != nil {
			return notFoundAs(err, errVisitNotFound)
		}
		if err := tx.Create(&p).Error; err != nil {
			return duplicateAs(err, errPhotoDuplicate)
		}
		return s.audit.Record(tx, by, Entry{Action: "photo.upload", ObjectType: "photo", ObjectID: p.ID,
			Reason: "visit " + model.ID(v.ID).String(), After: map[string]any{"visit_id": v.ID, "sha256": p.SHA256, "size": p.Size}})
	})
	if errors.Is(err, errPhotoDuplicate) {
		return s.replay(db, by, v, f.ClientID, st) // another send of the same photo won the race
	}
	if err != nil {
		s.Discard(ctx, st)
		return nil, false, err
	}
	s.queueThumb(p)
	return s.response(&p), true, nil
}

// replay answers a resend: the first record when the photo and the visit are the same.
func (s *Photos) replay(db *gorm.DB, by model.Actor, v *model.Visit, clientID string, st *StoredPhoto) (*model.PhotoResponse, bool, error) {
	s.Discard(db.Statement.Context, st)
	var p model.Photo
	if err := db.Where("user_id = ? AND client_id = ?", by.UserID, clientID).Take(&p).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			err = errors.New("photo: duplicate client_id but no stored row")
		}
		return nil, false, err
	}
	if p.SHA256 != st.info.SHA256 || p.VisitID != v.ID {
		return nil, false, errClientIDConflict
	}
	return s.response(&p), false, nil
}

// response signs the photo's URLs.
func (s *Photos) response(p *model.Photo) *model.PhotoResponse {
	base := "/api/v1/photos/" + model.ID(p.ID).String()
	url, exp := s.signer.Sign(base)
	thumb, _ := s.signer.Sign(base + "/thumb")
	r := &model.PhotoResponse{ID: model.ID(p.ID), VisitID: model.ID(p.VisitID), CaseID: model.ID(p.CaseID),
		URL: s.cfg.PublicURL + url, ThumbURL: s.cfg.PublicURL + thumb, URLExpiresAt: model.NewTime(exp),
		ThumbReady: p.ThumbKey != "", ContentType: photo.Type(p.Type).ContentType(), Width: p.Width, Height: p.Height,
		Size: p.Size, SHA256: p.SHA256, TakenAt: model.TimePtr(p.TakenAt), UploadedBy: model.ID(p.UserID),
		CreatedAt: model.NewTime(p.CreatedAt)}
	if p.Lat != nil && p.Lng != nil {
		r.Location = &model.PhotoLocation{Lat: *p.Lat, Lng: *p.Lng, Alt: p.Alt, CoordType: p.CoordType}
	}
	return r
}

// newPhotoKey is a fresh, unguessable storage key, spread over 256 folders.
func newPhotoKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return "p/" + h[:2] + "/" + h
}

// thumbKey is where a photo's thumbnail goes: known from the photo's key alone, so deleting a
// photo removes its thumbnail even while it is being made.
func thumbKey(key string) string { return key + "-thumb" }

// sourceReader is the uploaded file: it stops at the size limit without reading further and
// remembers whether the upload itself failed (cut off) rather than the image.
type sourceReader struct {
	r        io.Reader
	limit    int64
	n        int64
	tooLarge bool
	err      error
}

var errSourceTooLarge = errors.New("photo: over the size limit")

func (s *sourceReader) Read(p []byte) (int, error) {
	if s.n > s.limit {
		s.tooLarge = true
		return 0, errSourceTooLarge
	}
	if rest := s.limit + 1 - s.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := s.r.Read(p)
	s.n += int64(n)
	if s.n > s.limit {
		s.tooLarge = true
		return n, errSourceTooLarge
	}
	if err != nil && err != io.EOF {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.tooLarge = true
		} else {
			s.err = err
		}
	}
	return n, err
}

// TooLarge is the 413 of an upload past the photo size limit.
func (s *Photos) TooLarge() error { return errPhotoTooLarge(s.cfg.MaxBytes) }
