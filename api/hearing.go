package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"fayuan/internal/review"
	"fayuan/model"
	"fayuan/service"
)

// HearingHandler serves hearing observations and judicial organs' opinions.
type HearingHandler struct{ hearings *service.Hearings }

// NewHearingHandler builds the handler.
func NewHearingHandler(s *service.Hearings) *HearingHandler { return &HearingHandler{hearings: s} }

// handlerFilter reads the optional handler query parameter.
func handlerFilter(c *gin.Context) (uint64, bool) {
	v := c.Query("handler")
	if v == "" {
		return 0, true
	}
	id, ok := model.ParseID(v)
	if !ok {
		fail(c, model.InvalidField("handler", "承办人 id 有误"))
	}
	return uint64(id), ok
}

// List godoc
// @Summary      A campaign's hearing observations
// @Description  Hearing observations (庭审旁听), latest hearing first, each with its observers, their sheets on the hearing template and the combined score (mean of the scored sheets, half up to 0.1). Filter: `handler` (handler id). Managers see every hearing; staff only those they recorded or observe, never one of their own organisation's handler or of themselves as handler (回避).
// @Tags         hearings
// @Produce      json
// @Security     Bearer
// @Param        id         path      string  true   "campaign id"
// @Param        handler    query     string  false  "handler id"
// @Param        page       query     int     false  "page (1-based)"
// @Param        page_size  query     int     false  "at most 500"
// @Success      200        {object}  model.List[model.HearingResponse]
// @Failure      404        {object}  model.Error
// @Router       /api/v1/campaigns/{id}/hearings [get]
func (h *HearingHandler) List(c *gin.Context) { serveHandlerList(c, h.hearings.List) }

// Create godoc
// @Summary      Record a hearing observation
// @Description  A hearing observation is its own record: the case (ours by `case_id`, open or closed, or `case_nos` as text for a case not in the system), court, judges, hearing time, cause, the handler (defaults to the case's), announced or unannounced (四不两直), and the observers — staff accounts, lawyers or people's deputies (accounts by `user_id` or named people) — each with their sheet on the campaign's hearing template if they have scored. 回避: staff may not record a hearing of their own organisation's handler or of themselves as handler, and no account of the handler or of the handler's organisation observes (409 `recused`). Audited.
// @Tags         hearings
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string                true  "campaign id"
// @Param        body  body      model.HearingRequest  true  "the observation"
// @Success      201   {object}  model.HearingResponse
// @Failure      404   {object}  model.Error
// @Failure      409   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/campaigns/{id}/hearings [post]
func (h *HearingHandler) Create(c *gin.Context) {
	serveBodyByID(c, http.StatusCreated, h.hearings.Create)
}

// Get godoc
// @Summary      One hearing observation
// @Description  Managers, and the staff who recorded or observe it; anyone else 404.
// @Tags         hearings
// @Produce      json
// @Security     Bearer
// @Param        id   path      string  true  "campaign id"
// @Param        hid  path      string  true  "hearing id"
// @Success      200  {object}  model.HearingResponse
// @Failure      404  {object}  model.Error
// @Router       /api/v1/campaigns/{id}/hearings/{hid} [get]
func (h *HearingHandler) Get(c *gin.Context) {
	ids, ok := pathIDs(c, "id", "hid")
	if !ok {
		return
	}
	out, err := h.hearings.Get(c.Request.Context(), actor(c), ids[0], ids[1])
	answer(c, http.StatusOK, out, err)
}

// AddObserver godoc
// @Summary      Add an observer to a hearing
// @Description  With or without their sheet; an account of the handler or of the handler's organisation is refused (409 `recused`). Managers, and the staff who recorded or observe the hearing. Audited.
// @Tags         hearings
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string               true  "campaign id"
// @Param        hid   path      string               true  "hearing id"
// @Param        body  body      model.ObserverInput  true  "the observer"
// @Success      200   {object}  model.HearingResponse
// @Failure      404   {object}  model.Error
// @Failure      409   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/campaigns/{id}/hearings/{hid}/observers [post]
func (h *HearingHandler) AddObserver(c *gin.Context) {
	ids, ok := pathIDs(c, "id", "hid")
	if !ok {
		return
	}
	var req model.ObserverInput
	if !bind(c, &req) {
		return
	}
	out, err := h.hearings.AddObserver(c.Request.Context(), actor(c), ids[0], ids[1], req)
	answer(c, http.StatusOK, out, err)
}

// PutSheet godoc
// @Summary      Add or replace an observer's sheet
// @Description  The sheet on the hearing template: per item a deduction (to 0.1) with its reason, or N/A where allowed. Scored in integer tenths, half up; the hearing's combined score follows. Only the observer's own account, the one who recorded the hearing for a named observer without an account, or a manager (otherwise 403 `sheet_not_yours`). Audited with before and after.
// @Tags         hearings
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string        true  "campaign id"
// @Param        hid   path      string        true  "hearing id"
// @Param        oid   path      string        true  "observer id"
// @Param        body  body      review.Sheet  true  "the sheet"
// @Success      200   {object}  model.HearingResponse
// @Failure      403   {object}  model.Error
// @Failure      404   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/campaigns/{id}/hearings/{hid}/observers/{oid}/sheet [put]
func (h *HearingHandler) PutSheet(c *gin.Context) {
	ids, ok := pathIDs(c, "id", "hid", "oid")
	if !ok {
		return
	}
	var req review.Sheet
	if !bind(c, &req) {
		return
	}
	out, err := h.hearings.PutSheet(c.Request.Context(), actor(c), ids[0], ids[1], ids[2], req)
	answer(c, http.StatusOK, out, err)
}

// ListOpinions godoc
// @Summary      Judicial organs' opinions of handlers
// @Description  Newest first. Filter: `handler`. Managers only.
// @Tags         hearings
// @Produce      json
// @Security     Bearer
// @Param        id         path      string  true   "campaign id"
// @Param        handler    query     string  false  "handler id"
// @Param        page       query     int     false  "page (1-based)"
// @Param        page_size  query     int     false  "at most 500"
// @Success      200        {object}  model.List[model.OpinionResponse]
// @Failure      404        {object}  model.Error
// @Router       /api/v1/campaigns/{id}/opinions [get]
func (h *HearingHandler) ListOpinions(c *gin.Context) { serveHandlerList(c, h.hearings.ListOpinions) }

// RecordOpinion godoc
// @Summary      Record a judicial organ's opinion of a handler
// @Description  Per handler: the organ (an organisation of kind judicial_organ by `org_id`, or `organ_name`), the date, a rating (good 好, fair 一般, poor 差) and the text. Audited.
// @Tags         hearings
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string                true  "campaign id"
// @Param        body  body      model.OpinionRequest  true  "the opinion"
// @Success      201   {object}  model.OpinionResponse
// @Failure      404   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/campaigns/{id}/opinions [post]
func (h *HearingHandler) RecordOpinion(c *gin.Context) {
	serveBodyByID(c, http.StatusCreated, h.hearings.RecordOpinion)
}
