package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"fayuan/model"
	"fayuan/service"
)

// AlertHandler serves the alerts raised by recipients' answers and their investigation.
type AlertHandler struct{ alerts *service.Alerts }

// NewAlertHandler builds the handler.
func NewAlertHandler(s *service.Alerts) *AlertHandler { return &AlertHandler{alerts: s} }

// List godoc
// @Summary      A campaign's alerts
// @Description  Reports of an illegal fee, negligence or dissatisfaction from any channel (call, visit, survey), most severe first (fee 3 > negligence 2 > dissatisfaction 1), with their handling, and the campaign's counts `by_kind`, `by_status` and `overdue` (open past the campaign's `alert_due_days`, default 15). Filters: `kind`, `status` (open, investigating, closed, or overdue), `org` (the handler's organisation id).
// @Tags         alerts
// @Produce      json
// @Security     Bearer
// @Param        id         path      string  true   "campaign id"
// @Param        kind       query     string  false  "fee, negligence or dissatisfaction"
// @Param        status     query     string  false  "open, investigating, closed or overdue"
// @Param        org        query     string  false  "handler's organisation id"
// @Param        page       query     int     false  "page (1-based)"
// @Param        page_size  query     int     false  "at most 500"
// @Success      200        {object}  model.AlertList
// @Failure      404        {object}  model.Error
// @Failure      422        {object}  model.Error
// @Router       /api/v1/campaigns/{id}/alerts [get]
func (h *AlertHandler) List(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	p, ok := page(c)
	if !ok {
		return
	}
	f := model.AlertFilter{Kind: c.Query("kind"), Status: c.Query("status"), Page: p}
	bad := map[string]string{}
	if _, known := model.AlertSeverity[f.Kind]; f.Kind != "" && !known {
		bad["kind"] = "类型应为 fee、negligence 或 dissatisfaction"
	}
	switch f.Status {
	case "", model.AlertOpen, model.AlertInvestigating, model.AlertClosed, "overdue":
	default:
		bad["status"] = "状态应为 open、investigating、closed 或 overdue"
	}
	if v := c.Query("org"); v != "" {
		org, ok := model.ParseID(v)
		if !ok {
			bad["org"] = "机构 id 有误"
		}
		f.OrgID = uint64(org)
	}
	if len(bad) > 0 {
		fail(c, model.Invalid(bad))
		return
	}
	out, err := h.alerts.List(c.Request.Context(), actor(c), id, f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Assign godoc
// @Summary      Assign an alert's investigator
// @Description  A manager names who looks into the alert: an active manager or staff account from outside the handler's organisation (409 investigator_recused otherwise). The alert becomes `investigating`. Audited.
// @Tags         alerts
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string                    true  "alert id"
// @Param        body  body      model.AssignAlertRequest  true  "the investigator"
// @Success      200   {object}  model.AlertResponse
// @Failure      404   {object}  model.Error
// @Failure      409   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/alerts/{id}/assign [post]
func (h *AlertHandler) Assign(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req model.AssignAlertRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.alerts.Assign(c.Request.Context(), actor(c), id, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Conclude godoc
// @Summary      Conclude an alert
// @Description  The assigned investigator, or a manager from outside the handler's organisation, closes the alert with `findings`, a `conclusion` (substantiated, not_substantiated, referred) and the `action` taken — all three required (422). Others see no such alert (404). A closed alert is 409 alert_closed. Audited.
// @Tags         alerts
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string                      true  "alert id"
// @Param        body  body      model.ConcludeAlertRequest  true  "findings, conclusion, action"
// @Success      200   {object}  model.AlertResponse
// @Failure      404   {object}  model.Error
// @Failure      409   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/alerts/{id}/conclude [post]
func (h *AlertHandler) Conclude(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req model.ConcludeAlertRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.alerts.Conclude(c.Request.Context(), actor(c), id, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
