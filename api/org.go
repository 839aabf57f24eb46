package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"fayuan/model"
	"fayuan/service"
)

// OrgHandler serves organisation administration.
type OrgHandler struct{ orgs *service.Orgs }

// NewOrgHandler builds the handler.
func NewOrgHandler(o *service.Orgs) *OrgHandler { return &OrgHandler{orgs: o} }

// List godoc
// @Summary      List organisations
// @Tags         orgs
// @Produce      json
// @Security     Bearer
// @Param        page       query     int  false  "page"
// @Param        page_size  query     int  false  "at most 500"
// @Success      200        {object}  model.List[model.OrgResponse]
// @Router       /api/v1/orgs [get]
func (h *OrgHandler) List(c *gin.Context) {
	p, ok := page(c)
	if !ok {
		return
	}
	out, err := h.orgs.List(c.Request.Context(), actor(c), p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Create godoc
// @Summary      Create an organisation
// @Tags         orgs
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        body  body      model.CreateOrgRequest  true  "organisation"
// @Success      201   {object}  model.OrgResponse
// @Failure      409   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/orgs [post]
func (h *OrgHandler) Create(c *gin.Context) {
	var req model.CreateOrgRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.orgs.Create(c.Request.Context(), actor(c), req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, out)
}

// Update godoc
// @Summary      Rename, move or disable an organisation
// @Description  Also answers POST with `X-HTTP-Method-Override: PATCH`.
// @Tags         orgs
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string                  true  "organisation id"
// @Param        body  body      model.UpdateOrgRequest  true  "changes"
// @Success      200   {object}  model.OrgResponse
// @Failure      404   {object}  model.Error
// @Router       /api/v1/orgs/{id} [patch]
func (h *OrgHandler) Update(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req model.UpdateOrgRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.orgs.Update(c.Request.Context(), actor(c), id, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
