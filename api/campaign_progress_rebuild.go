package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"fayuan/model"
)

// liveParam reads the progress query's live switch; anything but true, false or nothing is 422.
func liveParam(c *gin.Context) (bool, bool) {
	switch c.Query("live") {
	case "", "false":
		return false, true
	case "true":
		return true, true
	}
	fail(c, model.InvalidField("live", "live 应为 true 或 false"))
	return false, false
}

// RebuildProgress godoc
// @Summary      Recompute a campaign's progress counters from the raw records
// @Description  Maintenance for a bureau that suspects the counters drifted (a record written around the service, a restored backup): recomputes every case's standing and the counters in one transaction, audited, and answers the progress they now give. Takes seconds on a million cases.
// @Tags         campaigns
// @Produce      json
// @Security     Bearer
// @Param        id   path      string  true  "campaign id"
// @Success      200  {object}  model.Progress
// @Failure      403  {object}  model.Error
// @Failure      404  {object}  model.Error
// @Router       /api/v1/campaigns/{id}/progress/rebuild [post]
func (h *CampaignHandler) RebuildProgress(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	if err := h.campaigns.RebuildProgress(c.Request.Context(), actor(c), id); err != nil {
		fail(c, err)
		return
	}
	out, err := h.campaigns.Progress(c.Request.Context(), actor(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
