package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"fayuan/model"
	"fayuan/service"
)

// CampaignHandler serves campaigns, their phases, exclusions and assignments.
type CampaignHandler struct {
	campaigns   *service.Campaigns
	assignments *service.Assignments
}

// NewCampaignHandler builds the handler.
func NewCampaignHandler(c *service.Campaigns, a *service.Assignments) *CampaignHandler {
	return &CampaignHandler{campaigns: c, assignments: a}
}

// Templates godoc
// @Summary      List the campaign templates
// @Description  Shipped templates (the notice 柞政司发〔2024〕53号 as `zhashui-2024-53`) and a bureau's own, from FAYUAN_CAMPAIGN_TEMPLATES_DIR.
// @Tags         campaigns
// @Produce      json
// @Security     Bearer
// @Success      200  {array}  model.TemplateResponse
// @Router       /api/v1/campaign-templates [get]
func (h *CampaignHandler) Templates(c *gin.Context) {
	out, err := h.campaigns.Templates(c.Request.Context(), actor(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// List godoc
// @Summary      List campaigns
// @Tags         campaigns
// @Produce      json
// @Security     Bearer
// @Param        page       query     int  false  "page (1-based)"
// @Param        page_size  query     int  false  "at most 500"
// @Success      200        {object}  model.List[model.CampaignResponse]
// @Router       /api/v1/campaigns [get]
func (h *CampaignHandler) List(c *gin.Context) {
	p, ok := page(c)
	if !ok {
		return
	}
	out, err := h.campaigns.List(c.Request.Context(), actor(c), p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Get godoc
// @Summary      One campaign: scopes, phases, target, grade bands and the questions' wording
// @Description  Managers, and anyone holding (or having held) an assignment in it; 404 to everyone else. `settings.visit_seed` is shown to managers only.
// @Tags         campaigns
// @Produce      json
// @Security     Bearer
// @Param        id   path      string  true  "campaign id"
// @Success      200  {object}  model.CampaignResponse
// @Failure      404  {object}  model.Error
// @Router       /api/v1/campaigns/{id} [get]
func (h *CampaignHandler) Get(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	out, err := h.campaigns.Get(c.Request.Context(), actor(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Create godoc
// @Summary      Start a campaign
// @Description  `{"template": "zhashui-2024-53"}` creates the notice's campaign exactly; a full body (no template) defines one from scratch; a template with fields changes those. Phases must follow one another without overlapping; grade bands descend within 0–100; target_rate in (0, 1]. 422 names each bad field (`phases.visits.start`, `grade_bands.good`, `scopes.follow_up.closed_to`, …).
// @Tags         campaigns
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        body  body      model.CreateCampaignRequest  true  "template and/or definition"
// @Success      201   {object}  model.CampaignResponse
// @Failure      422   {object}  model.Error
// @Router       /api/v1/campaigns [post]
func (h *CampaignHandler) Create(c *gin.Context) {
	var req model.CreateCampaignRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.campaigns.Create(c.Request.Context(), actor(c), req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, out)
}

// Update godoc
// @Summary      Edit a campaign
// @Description  Absent fields stay; grade_bands, each scope and questions are replaced whole; settings change field by field; a listed phase replaces that phase. `version`, when given, must be current (409 version_conflict). A scope edit that would leave cases with records outside the scopes answers 409 `scope_drops_records` (details: cases, by_phase) unless `force: true` with a `reason`. Audited. Also answers POST with `X-HTTP-Method-Override: PATCH`.
// @Tags         campaigns
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string                       true  "campaign id"
// @Param        body  body      model.UpdateCampaignRequest  true  "changes"
// @Success      200   {object}  model.CampaignResponse
// @Failure      404   {object}  model.Error
// @Failure      409   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/campaigns/{id} [patch]
func (h *CampaignHandler) Update(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req model.UpdateCampaignRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.campaigns.Update(c.Request.Context(), actor(c), id, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// ExtendPhase godoc
// @Summary      Extend a phase
// @Description  Moves the phase's last day later, for a reason (required, audited). The new end may not be earlier than the old one (422 end) nor reach the next phase (409 phases_overlap).
// @Tags         campaigns
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id     path      string                    true  "campaign id"
// @Param        phase  path      string                    true  "calls, visits or reviews"
// @Param        body   body      model.ExtendPhaseRequest  true  "new last day and reason"
// @Success      200    {object}  model.CampaignResponse
// @Failure      404    {object}  model.Error
// @Failure      409    {object}  model.Error
// @Failure      422    {object}  model.Error
// @Router       /api/v1/campaigns/{id}/phases/{phase}/extend [post]
func (h *CampaignHandler) ExtendPhase(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req model.ExtendPhaseRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.campaigns.ExtendPhase(c.Request.Context(), actor(c), id, c.Param("phase"), req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
