package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"fayuan/model"
	"fayuan/service"
)

// ListExclusions godoc
// @Summary      List a campaign's exclusions
// @Tags         campaigns
// @Produce      json
// @Security     Bearer
// @Param        id         path      string  true   "campaign id"
// @Param        status     query     string  false  "pending or confirmed"
// @Param        page       query     int     false  "page (1-based)"
// @Param        page_size  query     int     false  "at most 500"
// @Success      200        {object}  model.List[model.ExclusionResponse]
// @Failure      404        {object}  model.Error
// @Router       /api/v1/campaigns/{id}/exclusions [get]
func (h *CampaignHandler) ListExclusions(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	p, ok := page(c)
	if !ok {
		return
	}
	out, err := h.campaigns.ListExclusions(c.Request.Context(), actor(c), id, service.ExclusionFilter{Status: c.Query("status"), Page: p})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// RequestExclusion godoc
// @Summary      Ask to exclude a case from the follow-up denominator
// @Description  Reason deceased, moved_away, terminated or other (other needs a note); evidence required. The case must be in the follow-up scope. Pending until a second manager confirms; one request per case and campaign (409 exclusion_exists).
// @Tags         campaigns
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string                        true  "campaign id"
// @Param        body  body      model.CreateExclusionRequest  true  "case and reason"
// @Success      201   {object}  model.ExclusionResponse
// @Failure      404   {object}  model.Error
// @Failure      409   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/campaigns/{id}/exclusions [post]
func (h *CampaignHandler) RequestExclusion(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req model.CreateExclusionRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.campaigns.RequestExclusion(c.Request.Context(), actor(c), id, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, out)
}

// ConfirmExclusion godoc
// @Summary      Confirm an exclusion (a second manager)
// @Description  The manager who asked cannot confirm (409 second_manager_required); confirming twice is 409 exclusion_already_confirmed.
// @Tags         campaigns
// @Produce      json
// @Security     Bearer
// @Param        id   path      string  true  "campaign id"
// @Param        xid  path      string  true  "exclusion id"
// @Success      200  {object}  model.ExclusionResponse
// @Failure      404  {object}  model.Error
// @Failure      409  {object}  model.Error
// @Router       /api/v1/campaigns/{id}/exclusions/{xid}/confirm [post]
func (h *CampaignHandler) ConfirmExclusion(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	xid, ok := pathID(c, "xid")
	if !ok {
		return
	}
	out, err := h.campaigns.ConfirmExclusion(c.Request.Context(), actor(c), id, xid)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
