package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"fayuan/model"
	"fayuan/service"
)

// AuditHandler serves the audit log to auditors.
type AuditHandler struct{ audit *service.Audit }

// NewAuditHandler builds the handler.
func NewAuditHandler(a *service.Audit) *AuditHandler { return &AuditHandler{audit: a} }

// List godoc
// @Summary      Read the audit log
// @Description  Auditors only. Newest first.
// @Tags         audit
// @Produce      json
// @Security     Bearer
// @Param        actor_id     query     string  false  "who acted"
// @Param        action       query     string  false  "e.g. login.password, user.update"
// @Param        object_type  query     string  false  "e.g. user, org"
// @Param        object_id    query     string  false  "object id"
// @Param        from         query     string  false  "RFC 3339, inclusive"
// @Param        to           query     string  false  "RFC 3339, exclusive"
// @Param        page         query     int     false  "page"
// @Param        page_size    query     int     false  "at most 500"
// @Success      200          {object}  model.List[model.AuditResponse]
// @Router       /api/v1/audit [get]
func (h *AuditHandler) List(c *gin.Context) {
	p, ok := page(c)
	if !ok {
		return
	}
	f := model.AuditFilter{Action: c.Query("action"), ObjectType: c.Query("object_type"), ObjectID: c.Query("object_id"), Page: p}
	bad := map[string]string{}
	if v := c.Query("actor_id"); v != "" {
		if id, ok := model.ParseID(v); ok {
			f.ActorID = id
		} else {
			bad["actor_id"] = "编号格式不对"
		}
	}
	for name, dst := range map[string]**time.Time{"from": &f.From, "to": &f.To} {
		if v := c.Query(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				bad[name] = "时间格式应为 RFC 3339，如 2024-05-24T09:30:00+08:00"
				continue
			}
			*dst = &t
		}
	}
	if len(bad) > 0 {
		fail(c, model.Invalid(bad))
		return
	}
	out, err := h.audit.List(c.Request.Context(), actor(c), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
