package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"fayuan/model"
)

// Correct godoc
// @Summary      Correct a recorded call
// @Description  `{version, outcome?, answers?, note?, reason?}`: fields left out keep their value. The caller may correct their own record within 24 hours of recording it; after that only a manager, with a `reason` (422 without; the caller gets 403 correction_window_closed). Other staff see no such call (404). `version` is the version being corrected: a stale one is 409 stale_version. Every version is kept and shown in the case's history; the case's follow-up status is recomputed; answers newly saying yes or dissatisfied open alerts, and no existing alert is ever closed or downgraded. Audited with before and after. Also `POST` with `X-HTTP-Method-Override: PATCH`.
// @Tags         calls
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string                    true  "call id"
// @Param        body  body      model.CorrectCallRequest  true  "the correction"
// @Success      200   {object}  model.CallResponse
// @Failure      403   {object}  model.Error
// @Failure      404   {object}  model.Error
// @Failure      409   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/calls/{id} [patch]
func (h *CallHandler) Correct(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req model.CorrectCallRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.calls.Correct(c.Request.Context(), actor(c), id, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
