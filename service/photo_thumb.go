package service

import (
	"bytes"
	"context"
	"time"

	"fayuan/internal/photo"
	"fayuan/model"
)

// queueThumb asks a worker for p's thumbnail; with the queue full it is made when first asked for.
func (s *Photos) queueThumb(p model.Photo) {
	if s.thumbsPaused.Load() {
		return
	}
	s.thumbs.Go(func() { s.makeThumb(p) })
}

// PauseThumbs stops queueing thumbnails (they are made when first asked for instead), so a
// benchmark can measure the uploads alone.
func (s *Photos) PauseThumbs(paused bool) { s.thumbsPaused.Store(paused) }

// makeThumb decodes the stored photo (its size was checked at upload), writes the thumbnail and
// then records it. A photo deleted meanwhile loses the thumbnail again.
func (s *Photos) makeThumb(p model.Photo) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	o, err := s.store.Open(ctx, p.StorageKey)
	if err != nil {
		return // deleted, or the storage is down: asked again on the next request
	}
	b, err := photo.Thumbnail(o, p.Orientation, photo.ThumbSide)
	_ = o.Close()
	if err != nil {
		s.log.Error("photo: thumbnail", "photo_id", p.ID, "err", err.Error())
		return
	}
	key := thumbKey(p.StorageKey)
	if _, err := s.store.Put(ctx, key, bytes.NewReader(b)); err != nil {
		s.log.Error("photo: store thumbnail", "photo_id", p.ID, "err", err.Error())
		return
	}
	db := s.db.WithContext(ctx)
	res := db.Model(&model.Photo{}).Where("id = ? AND thumb_key = ''", p.ID).Update("thumb_key", key)
	if res.Error == nil && res.RowsAffected == 0 {
		// Made twice (asked for again while queued), or the photo is gone: only then delete.
		if found, err := exists(db.Model(&model.Photo{}).Where("id = ?", p.ID)); err == nil && !found {
			_ = s.store.Delete(ctx, key)
		}
	}
}
