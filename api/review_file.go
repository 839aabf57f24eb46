package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"fayuan/model"
)

// Files godoc
// @Summary      Sampled case files (卷宗上报)
// @Description  A manager sees every sampled file, a handler or staff member those of their own firm or office: status sampled → handed_in → received, the deadline `due_on` and `overdue`, and once decided the final score and grade. `status` filters.
// @Tags         reviews
// @Produce      json
// @Security     Bearer
// @Param        id      path      string  true   "campaign id"
// @Param        status  query     string  false  "sampled, handed_in or received"
// @Success      200     {array}   model.FileResponse
// @Failure      404     {object}  model.Error
// @Router       /api/v1/campaigns/{id}/files [get]
func (h *ReviewHandler) Files(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	out, err := h.reviews.Files(c.Request.Context(), actor(c), id, c.Query("status"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Overdue godoc
// @Summary      Files not handed in by the deadline, by firm
// @Description  The sampled files still not handed in after the campaign's deadline (`hand_in_due`), grouped by the handler's firm or office.
// @Tags         reviews
// @Produce      json
// @Security     Bearer
// @Param        id   path      string  true  "campaign id"
// @Success      200  {array}   model.OverdueOrg
// @Failure      404  {object}  model.Error
// @Router       /api/v1/campaigns/{id}/files/overdue [get]
func (h *ReviewHandler) Overdue(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	out, err := h.reviews.Overdue(c.Request.Context(), actor(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// HandIn godoc
// @Summary      Hand a sampled file in
// @Description  The case's handler, a handler or staff member of the same firm or office, or a manager marks the file as handed in (卷宗已上报). Again → 200, unchanged; already received → 409. Others' files → 404. Audited.
// @Tags         reviews
// @Produce      json
// @Security     Bearer
// @Param        id       path      string  true  "campaign id"
// @Param        case_id  path      string  true  "case id"
// @Success      200      {object}  model.FileResponse
// @Failure      404      {object}  model.Error
// @Failure      409      {object}  model.Error
// @Router       /api/v1/campaigns/{id}/files/{case_id}/hand-in [post]
func (h *ReviewHandler) HandIn(c *gin.Context) { h.moveFile(c, false) }

// Receive godoc
// @Summary      Confirm receipt of a file
// @Description  The aid centre (a manager) confirms it has the handed-in file; its sheets open for scoring. Not handed in → 409 `file_not_handed_in`. Audited.
// @Tags         reviews
// @Produce      json
// @Security     Bearer
// @Param        id       path      string  true  "campaign id"
// @Param        case_id  path      string  true  "case id"
// @Success      200      {object}  model.FileResponse
// @Failure      404      {object}  model.Error
// @Failure      409      {object}  model.Error
// @Router       /api/v1/campaigns/{id}/files/{case_id}/receive [post]
func (h *ReviewHandler) Receive(c *gin.Context) { h.moveFile(c, true) }

func (h *ReviewHandler) moveFile(c *gin.Context, receive bool) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	caseID, ok := pathID(c, "case_id")
	if !ok {
		return
	}
	var out *model.FileResponse
	var err error
	if receive {
		out, err = h.reviews.Receive(c.Request.Context(), actor(c), id, caseID)
	} else {
		out, err = h.reviews.HandIn(c.Request.Context(), actor(c), id, caseID)
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// DeclareConflict godoc
// @Summary      Declare a conflict (回避申报)
// @Description  A reviewer declares they must not review a case (`case_id`) or any case of a handler (`handler_id`) in this campaign, with a reason; later assignments respect it, and the declarant's draft sheets it covers are withdrawn (the files go back to be assigned). Audited.
// @Tags         reviews
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string                 true  "campaign id"
// @Param        body  body      model.ConflictRequest  true  "the conflict"
// @Success      201   {object}  model.ConflictResponse
// @Failure      404   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/campaigns/{id}/reviews/conflicts [post]
func (h *ReviewHandler) DeclareConflict(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req model.ConflictRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.reviews.DeclareConflict(c.Request.Context(), actor(c), id, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, out)
}

// Conflicts godoc
// @Summary      Declared conflicts
// @Description  A manager sees every declaration of the campaign, a reviewer their own.
// @Tags         reviews
// @Produce      json
// @Security     Bearer
// @Param        id   path      string  true  "campaign id"
// @Success      200  {array}   model.ConflictResponse
// @Failure      404  {object}  model.Error
// @Router       /api/v1/campaigns/{id}/reviews/conflicts [get]
func (h *ReviewHandler) Conflicts(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	out, err := h.reviews.Conflicts(c.Request.Context(), actor(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
