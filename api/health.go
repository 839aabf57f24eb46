package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
)

// HealthHandler answers the load balancer's probes.
type HealthHandler struct{ ready func(context.Context) error }

// NewHealthHandler builds the handler; ready reports whether the database answers.
func NewHealthHandler(ready func(context.Context) error) *HealthHandler {
	return &HealthHandler{ready: ready}
}

// Live godoc
// @Summary  Liveness
// @Tags     health
// @Produce  json
// @Success  200  {object}  map[string]string
// @Router   /healthz [get]
func (h *HealthHandler) Live(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

// Ready godoc
// @Summary  Readiness: 503 while the database is unreachable
// @Tags     health
// @Produce  json
// @Success  200  {object}  map[string]string
// @Failure  503  {object}  model.Error
// @Router   /readyz [get]
func (h *HealthHandler) Ready(c *gin.Context) {
	if err := h.ready(c.Request.Context()); err != nil {
		Logger(c).WarnContext(c.Request.Context(), "not ready", "err", err.Error())
		c.JSON(http.StatusServiceUnavailable, gin.H{"code": "database_unavailable", "message": "数据库暂时不可用"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
