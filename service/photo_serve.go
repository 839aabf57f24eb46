package service

import (
	"context"
	"errors"
	"net/url"

	"gorm.io/gorm"

	"fayuan/internal/photo"
	"fayuan/internal/signedurl"
	"fayuan/internal/storage"
	"fayuan/model"
)

var (
	errSignedURLExpired = model.Forbidden("signed_url_expired", "图片链接已过期，请刷新后重试")
	errSignedURLInvalid = model.Forbidden("signed_url_invalid", "图片链接无效")
	errThumbNotReady    = model.NotFound("thumb_not_ready", "缩略图正在生成，请稍后重试")
	errPhotoDeleteOwn   = model.Forbidden("photo_delete_forbidden", "只能删除自己 24 小时内上传的照片，其他情况请联系管理人员")
)

// PhotoFile is an open photo or thumbnail to serve.
type PhotoFile struct {
	storage.Object
	ContentType string
	ETag        string // quoted, from the content hash
}

// CheckSignature verifies a signed photo URL: 403 when expired or altered.
func (s *Photos) CheckSignature(path string, q url.Values) error {
	switch err := s.signer.Verify(path, q); {
	case errors.Is(err, signedurl.ErrExpired):
		return errSignedURLExpired
	case err != nil:
		return errSignedURLInvalid
	}
	return nil
}

// Open opens a photo (or its thumbnail) for by, or for a signed URL when by is nil (the
// signature was checked). Anyone who may not see the visit sees no such photo. A thumbnail
// not made yet is 404 thumb_not_ready, and queued again in case its job was lost.
func (s *Photos) Open(ctx context.Context, by *model.Actor, id model.ID, thumb bool) (*PhotoFile, error) {
	db := s.db.WithContext(ctx)
	var p model.Photo
	if err := db.Take(&p, uint64(id)).Error; err != nil {
		return nil, notFoundAs(err, errPhotoNotFound)
	}
	if by != nil {
		if _, err := visibleVisit(db, *by, p.VisitID); err != nil {
			return nil, errPhotoNotFound
		}
	}
	key, ctype, etag := p.StorageKey, photo.Type(p.Type).ContentType(), `"`+p.SHA256+`"`
	if thumb {
		if p.ThumbKey == "" {
			s.queueThumb(p)
			return nil, errThumbNotReady
		}
		key, ctype, etag = p.ThumbKey, "image/jpeg", `"`+p.SHA256[:32]+`-thumb"`
	}
	o, err := s.store.Open(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errPhotoNotFound // deleted a moment ago
	}
	if err != nil {
		return nil, err
	}
	return &PhotoFile{Object: o, ContentType: ctype, ETag: etag}, nil
}

// Delete removes a photo and its files: a manager at any time, its uploader within 24 hours.
func (s *Photos) Delete(ctx context.Context, by model.Actor, id model.ID) error {
	db := s.db.WithContext(ctx)
	var p model.Photo
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Take(&p, uint64(id)).Error; err != nil {
			return notFoundAs(err, errPhotoNotFound)
		}
		if _, err := visibleVisit(tx, by, p.VisitID); err != nil {
			return errPhotoNotFound
		}
		if !by.Is(model.RoleManager) && (p.UserID != by.UserID || s.clock.Now().Sub(p.CreatedAt) > model.VisitDeleteWindow) {
			return errPhotoDeleteOwn
		}
		if res := tx.Delete(&model.Photo{}, p.ID); res.Error != nil || res.RowsAffected == 0 {
			return notFoundAs(orNotFound(res), errPhotoNotFound)
		}
		return s.audit.Record(tx, by, Entry{Action: "photo.delete", ObjectType: "photo", ObjectID: p.ID,
			Reason: "visit " + model.ID(p.VisitID).String(), Before: map[string]any{"visit_id": p.VisitID, "sha256": p.SHA256}})
	})
	if err != nil {
		return err
	}
	return s.removeFiles(ctx, p)
}

// visitDeleted removes a deleted visit's photos and their files (Visits.OnDelete). The visit's
// own audit entry covers them.
func (s *Photos) visitDeleted(ctx context.Context, visitID uint64) error {
	db := s.db.WithContext(ctx)
	var ps []model.Photo
	if err := db.Where("visit_id = ?", visitID).Find(&ps).Error; err != nil {
		return err
	}
	var first error
	for _, p := range ps {
		if err := db.Delete(&model.Photo{}, p.ID).Error; err != nil {
			return err
		}
		if err := s.removeFiles(ctx, p); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// removeFiles deletes a photo's files after its row is gone; a failure is logged and returned,
// the photo being unreachable all the same.
func (s *Photos) removeFiles(ctx context.Context, p model.Photo) error {
	ctx = context.WithoutCancel(ctx)
	var first error
	for _, k := range []string{p.StorageKey, thumbKey(p.StorageKey)} {
		if err := s.store.Delete(ctx, k); err != nil {
			s.log.Error("photo: delete file", "photo_id", p.ID, "err", err.Error())
			if first == nil {
				first = err
			}
		}
	}
	return first
}

// RemoveOrphans removes the photos (rows and files) whose visit is gone: a server that stopped
// between a visit's deletion and its OnDelete hook left them. Run at start.
func (s *Photos) RemoveOrphans(ctx context.Context) (int, error) {
	db := s.db.WithContext(ctx)
	var ps []model.Photo
	if err := db.Where("NOT EXISTS (SELECT 1 FROM visits WHERE visits.id = photos.visit_id)").Find(&ps).Error; err != nil {
		return 0, err
	}
	for _, p := range ps {
		if err := db.Delete(&model.Photo{}, p.ID).Error; err != nil {
			return 0, err
		}
		_ = s.removeFiles(ctx, p)
	}
	return len(ps), nil
}
