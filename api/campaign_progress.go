package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// Progress godoc
// @Summary      A campaign's progress
// @Description  Per phase: in_scope, done, rate, target, days_left (Asia/Shanghai calendar days counting today), met, projected_rate (the rate at the phase end at the pace so far, capped at 1) and behind_pace. For calls: in_scope is every case of the follow-up scope (案件总数), done the cases with a reached call, excluded the confirmed exclusions, adjusted_rate done ÷ (in_scope − excluded), reached_any the cases reached by any channel. For visits: the cases the visit rule selects. For reviews: the review scope. Breakdowns of the calls phase by handling organisation, staff member and town. Served from counters kept in the same transaction as every write, so always equal to the raw records; live=true computes it from the raw records instead (slow on large campaigns).
// @Tags         campaigns
// @Produce      json
// @Security     Bearer
// @Param        id    path      string  true   "campaign id"
// @Param        live  query     bool    false  "compute from the raw records, not the counters"
// @Success      200  {object}  model.Progress
// @Failure      403  {object}  model.Error
// @Failure      404  {object}  model.Error
// @Failure      422  {object}  model.Error
// @Router       /api/v1/campaigns/{id}/progress [get]
func (h *CampaignHandler) Progress(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	live, ok := liveParam(c)
	if !ok {
		return
	}
	progress := h.campaigns.Progress
	if live {
		progress = h.campaigns.ProgressLive
	}
	out, err := progress(c.Request.Context(), actor(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
