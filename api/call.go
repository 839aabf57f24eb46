package api

import (
	"github.com/gin-gonic/gin"

	"fayuan/model"
	"fayuan/service"
)

// CallHandler serves the phone follow-up attempts.
type CallHandler struct{ calls *service.Calls }

// NewCallHandler builds the handler.
func NewCallHandler(s *service.Calls) *CallHandler { return &CallHandler{calls: s} }

// Record godoc
// @Summary      Record one call attempt
// @Description  One phone attempt on a case by its assigned caller (or a manager). `outcome`: reached, no_answer, busy, powered_off, wrong_number, refused, not_recipient; only `reached` carries `answers`, and then all of them (three-valued charged_fee / negligent with a note for `yes`, satisfied with dissatisfied_about when dissatisfied, suggestion, answered_by with relationship for family) — 422 names each missing field. `called_at` is judged by the phase engine (409 phase_closed outside the calls phase; `late` and `flags` kept). `client_id` (UUID) is idempotent per user: the same body again → 200 with the first record, another body → 409 client_id_conflict. A "yes" to charged_fee or negligent, or dissatisfied, opens an alert in the same transaction. The answer carries the registration form's header (`form`) and the case's follow-up `status` and `attempts`.
// @Tags         calls
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id       path      string                   true  "campaign id"
// @Param        case_id  path      string                   true  "case id"
// @Param        body     body      model.RecordCallRequest  true  "the attempt"
// @Success      201      {object}  model.CallResponse
// @Success      200      {object}  model.CallResponse  "replay of the same client_id"
// @Failure      403      {object}  model.Error
// @Failure      404      {object}  model.Error
// @Failure      409      {object}  model.Error
// @Failure      422      {object}  model.Error
// @Router       /api/v1/campaigns/{id}/cases/{case_id}/calls [post]
func (h *CallHandler) Record(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	caseID, ok := pathID(c, "case_id")
	if !ok {
		return
	}
	var req model.RecordCallRequest
	if !bind(c, &req) {
		return
	}
	out, isNew, err := h.calls.Record(c.Request.Context(), actor(c), id, caseID, req)
	if err != nil {
		fail(c, err)
		return
	}
	created(c, isNew, out)
}
