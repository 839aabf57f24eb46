package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"fayuan/model"
	"fayuan/service"
)

// VisitHandler serves the field visits.
type VisitHandler struct{ visits *service.Visits }

// NewVisitHandler builds the handler.
func NewVisitHandler(s *service.Visits) *VisitHandler { return &VisitHandler{visits: s} }

// Record godoc
// @Summary      Record one field visit
// @Description  A visit (进村入户) to a case's recipient by the staff member assigned to the case for the visits phase (or a manager); others see no such case (404). `answers` are required every time, in the calls' shape and validated the same way (422 names each missing field). `visited_at` is judged by the phase engine (409 phase_closed outside the visits phase; `late` and `flags` kept: future_time, stale_upload). `location` is optional ({lat, lng, accuracy, coord_type: wgs84|gcj02, address}); coordinates are kept as sent, never converted. `participants`: `staff_ids` (accounts) and `cadres` (named township cadres, free text). The server computes `verification` against the case's first reached call in the campaign (its latest version): consistent, inconsistent with `differences`, or not_reached_by_phone; a `verification` the visitor sends that disagrees is kept as `verification_claimed` and flagged `verification_disputed`, never refused. `client_id` (UUID) is idempotent per user: the same body again → 200 with the first record, another body → 409 client_id_conflict. A "yes" to charged_fee or negligent, or dissatisfied, opens an alert (channel visit) in the same transaction.
// @Tags         visits
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id       path      string                    true  "campaign id"
// @Param        case_id  path      string                    true  "case id"
// @Param        body     body      model.RecordVisitRequest  true  "the visit"
// @Success      201      {object}  model.VisitResponse
// @Success      200      {object}  model.VisitResponse  "replay of the same client_id"
// @Failure      403      {object}  model.Error
// @Failure      404      {object}  model.Error
// @Failure      409      {object}  model.Error
// @Failure      422      {object}  model.Error
// @Router       /api/v1/campaigns/{id}/cases/{case_id}/visits [post]
func (h *VisitHandler) Record(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	caseID, ok := pathID(c, "case_id")
	if !ok {
		return
	}
	var req model.RecordVisitRequest
	if !bind(c, &req) {
		return
	}
	out, isNew, err := h.visits.Record(c.Request.Context(), actor(c), id, caseID, req)
	if err != nil {
		fail(c, err)
		return
	}
	created(c, isNew, out)
}

// Get godoc
// @Summary      One field visit
// @Description  For its visitor, the staff who went with them, and managers; anyone else sees no such visit (404).
// @Tags         visits
// @Produce      json
// @Security     Bearer
// @Param        id   path      string  true  "visit id"
// @Success      200  {object}  model.VisitResponse
// @Failure      404  {object}  model.Error
// @Router       /api/v1/visits/{id} [get]
func (h *VisitHandler) Get(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	out, err := h.visits.Get(c.Request.Context(), actor(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Delete godoc
// @Summary      Delete a field visit
// @Description  A manager at any time; the visitor within 24 hours of its receipt (later 403 delete_window_closed; staff who only went along 403 not_visitor). Its photos go with it; the alerts it opened stay. Others see no such visit (404). Audited.
// @Tags         visits
// @Security     Bearer
// @Param        id   path  string  true  "visit id"
// @Success      204
// @Failure      403  {object}  model.Error
// @Failure      404  {object}  model.Error
// @Router       /api/v1/visits/{id} [delete]
func (h *VisitHandler) Delete(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	if err := h.visits.Delete(c.Request.Context(), actor(c), id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
