package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"fayuan/model"
	"fayuan/service"
)

// NotificationHandler serves the WeChat subscriptions and the reminder job's records.
type NotificationHandler struct {
	reminders *service.Reminders
}

// NewNotificationHandler builds the handler.
func NewNotificationHandler(r *service.Reminders) *NotificationHandler {
	return &NotificationHandler{reminders: r}
}

// Subscribe godoc
// @Summary      Report the subscribe-message templates the user just accepted
// @Description  Call after wx.requestSubscribeMessage succeeded, with the template ids the user accepted. Each acceptance allows one message (WeChat's one-time subscriptions), so the server counts them per template and spends one per reminder. Only configured templates (422 otherwise) and only with a WeChat binding (409 wechat_not_bound).
// @Tags         auth
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        body  body      model.SubscribeRequest  true  "accepted template ids"
// @Success      200   {object}  model.SubscriptionsResponse
// @Failure      409   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/me/subscriptions [post]
func (h *NotificationHandler) Subscribe(c *gin.Context) {
	var req model.SubscribeRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.reminders.Subscribe(c.Request.Context(), actor(c), req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// List godoc
// @Summary      List a campaign's reminder records
// @Description  One record per campaign, user, kind (staff_reminder, manager_summary) and day, with its status: sent, failed (with WeChat's errcode), skipped_not_subscribed, skipped_not_bound, skipped_not_configured, or sending (the send was cut short; never retried).
// @Tags         campaigns
// @Produce      json
// @Security     Bearer
// @Param        id         path      string  true   "campaign id"
// @Param        page       query     int     false  "page (1-based)"
// @Param        page_size  query     int     false  "at most 500"
// @Success      200        {object}  model.List[model.NotificationResponse]
// @Failure      404        {object}  model.Error
// @Router       /api/v1/campaigns/{id}/notifications [get]
func (h *NotificationHandler) List(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	p, ok := page(c)
	if !ok {
		return
	}
	out, err := h.reminders.ListNotifications(c.Request.Context(), actor(c), id, p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
