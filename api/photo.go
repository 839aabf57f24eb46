package api

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"fayuan/internal/signedurl"
	"fayuan/model"
	"fayuan/service"
)

// PhotoHandler serves the photos of field visits.
type PhotoHandler struct{ photos *service.Photos }

// NewPhotoHandler builds the handler.
func NewPhotoHandler(s *service.Photos) *PhotoHandler { return &PhotoHandler{photos: s} }

// maxPhotoField bounds a text field of the upload form.
const maxPhotoField = 256

// Upload godoc
// @Summary      Add a photo to a field visit
// @Description  multipart/form-data as wx.uploadFile sends it: file field `photo` (JPEG, PNG or WebP, known from the content, not the name; anything else, HEIC included, → 415 photo_unsupported_type with a message to show), text fields `client_id` (UUID made on the phone) and `taken_at` (RFC 3339, optional). The photo streams through: larger than FAYUAN_PHOTO_MAX_BYTES (10 MB) → 413 photo_too_large without the rest being read; more than 50 megapixels or a side over 12000 (from the header, before decoding) → 422; a damaged file → 422. EXIF, XMP, comments and text chunks are removed from the stored file without re-encoding it; the EXIF GPS position is kept as `location` (WGS-84). Only someone who may see the visit may add to it (others 404). The same `client_id` again with the same photo → 200 with the first record; with another photo → 409 client_id_conflict. `url` and `thumb_url` are signed (no token needed) until `url_expires_at`; the thumbnail is made in the background (`thumb_ready`; until then its URL answers 404 thumb_not_ready).
// @Tags         visits
// @Accept       mpfd
// @Produce      json
// @Security     Bearer
// @Param        id         path      string  true   "visit id"
// @Param        photo      formData  file    true   "the photo"
// @Param        client_id  formData  string  true   "UUID made on the phone"
// @Param        taken_at   formData  string  false  "when the photo was taken, RFC 3339"
// @Success      201  {object}  model.PhotoResponse
// @Success      200  {object}  model.PhotoResponse  "replay of the same client_id"
// @Failure      400  {object}  model.Error
// @Failure      404  {object}  model.Error
// @Failure      409  {object}  model.Error
// @Failure      413  {object}  model.Error
// @Failure      415  {object}  model.Error
// @Failure      422  {object}  model.Error
// @Router       /api/v1/visits/{id}/photos [post]
func (h *PhotoHandler) Upload(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	ctx, by := c.Request.Context(), actor(c)
	visit, err := h.photos.Uploadable(ctx, by, id)
	if err != nil {
		fail(c, err)
		return
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		fail(c, &model.Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Message: "请以 multipart/form-data 上传照片，文件字段名为 photo"})
		return
	}
	var f service.PhotoFields
	var stored *service.StoredPhoto
	// Parts are read in the order sent: a client_id before the photo lets a resend skip the
	// storage; one after it still works.
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil {
			switch part.FormName() {
			case "photo":
				if stored != nil {
					err = model.InvalidField("photo", "每次只能上传一张照片")
					break
				}
				// Store's errors are the contract's (the photo, the upload) or the storage's (500).
				if stored, err = h.photos.Store(ctx, by, f.ClientID, part); err != nil {
					fail(c, err)
					return
				}
			case "client_id":
				f.ClientID, err = formField(part, "client_id")
			case "taken_at":
				f.TakenAt, err = formField(part, "taken_at")
			default:
				_, err = io.Copy(io.Discard, part)
			}
		}
		if err != nil {
			h.photos.Discard(ctx, stored)
			fail(c, h.formError(err))
			return
		}
	}
	if stored == nil {
		fail(c, model.InvalidField("photo", "请选择要上传的照片"))
		return
	}
	out, isNew, err := h.photos.Save(ctx, by, visit, stored, f)
	if err != nil {
		fail(c, err)
		return
	}
	created(c, isNew, out)
}

// formError is the answer to a form that could not be read: too large, malformed, cut off.
func (h *PhotoHandler) formError(err error) error {
	if _, ok := model.AsError(err); ok {
		return err
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return h.photos.TooLarge()
	}
	return model.BadRequest("malformed_multipart", "上传的表单格式错误或上传中断，请重试")
}

// formField reads a short text field of the form.
func formField(r io.Reader, name string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxPhotoField+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxPhotoField {
		return "", model.InvalidField(name, "内容过长")
	}
	return strings.TrimSpace(string(b)), nil
}

// Get godoc
// @Summary      A photo, EXIF removed
// @Description  By its signed URL (no token; expired or altered → 403 signed_url_expired / signed_url_invalid) or with the token of someone who may see the visit — its visitor, staff who went along, managers; anyone else 404. ETag from the content hash, Cache-Control private; ranges and If-None-Match answered.
// @Tags         visits
// @Produce      image/jpeg,image/png,image/webp
// @Security     Bearer
// @Param        id   path   string  true   "photo id"
// @Param        exp  query  string  false  "signed URL expiry"
// @Param        sig  query  string  false  "signed URL signature"
// @Success      200
// @Failure      403  {object}  model.Error
// @Failure      404  {object}  model.Error
// @Router       /api/v1/photos/{id} [get]
func (h *PhotoHandler) Get(c *gin.Context) { h.serve(c, false) }

// Thumb godoc
// @Summary      A photo's thumbnail (JPEG, 320 px on its longer side)
// @Description  As GET /photos/{id}. Made in the background after the upload: until then 404 thumb_not_ready (show a placeholder and try again).
// @Tags         visits
// @Produce      image/jpeg
// @Security     Bearer
// @Param        id   path   string  true   "photo id"
// @Param        exp  query  string  false  "signed URL expiry"
// @Param        sig  query  string  false  "signed URL signature"
// @Success      200
// @Failure      403  {object}  model.Error
// @Failure      404  {object}  model.Error
// @Router       /api/v1/photos/{id}/thumb [get]
func (h *PhotoHandler) Thumb(c *gin.Context) { h.serve(c, true) }

func (h *PhotoHandler) serve(c *gin.Context, thumb bool) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var by *model.Actor
	if q := c.Request.URL.Query(); signedurl.Signed(q) {
		if err := h.photos.CheckSignature(c.Request.URL.Path, q); err != nil {
			fail(c, err)
			return
		}
	} else {
		a := actor(c)
		by = &a
	}
	f, err := h.photos.Open(c.Request.Context(), by, id, thumb)
	if err != nil {
		fail(c, err)
		return
	}
	defer f.Close()
	c.Header("Content-Type", f.ContentType)
	c.Header("ETag", f.ETag)
	// Private: the photos show people's homes; a photo never changes under its id.
	c.Header("Cache-Control", "private, max-age=600")
	http.ServeContent(c.Writer, c.Request, "", f.ModTime(), f)
}

// Delete godoc
// @Summary      Delete a photo and its files
// @Description  A manager at any time, its uploader within 24 hours of the upload (403 photo_delete_forbidden otherwise); anyone who may not see the visit 404.
// @Tags         visits
// @Security     Bearer
// @Param        id   path  string  true  "photo id"
// @Success      204
// @Failure      403  {object}  model.Error
// @Failure      404  {object}  model.Error
// @Router       /api/v1/photos/{id} [delete]
func (h *PhotoHandler) Delete(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	if err := h.photos.Delete(c.Request.Context(), actor(c), id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
