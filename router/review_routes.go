package router

import (
	"github.com/gin-gonic/gin"

	"fayuan/api"
	"fayuan/model"
)

// reviewRoutes are the case-file review's routes: managers run it; reviewers score their own
// sheets and declare conflicts; handlers and their firm's staff hand its files in (the service decides which).
func reviewRoutes(in, managers *gin.RouterGroup, h *api.ReviewHandler) {
	managers.GET("/rubrics", h.ListRubrics)
	managers.POST("/rubrics", h.UploadRubric)
	managers.GET("/campaigns/:id/review-settings", h.Settings)
	managers.PUT("/campaigns/:id/review-settings", h.UpdateSettings)
	managers.POST("/campaigns/:id/reviews/sample", h.Sample)
	managers.POST("/campaigns/:id/reviews/assign", h.Assign)
	managers.GET("/campaigns/:id/files/overdue", h.Overdue)
	managers.POST("/campaigns/:id/files/:case_id/receive", h.Receive)
	in.GET("/campaigns/:id/files", requireRole(model.RoleManager, model.RoleHandler, model.RoleStaff), h.Files)
	in.POST("/campaigns/:id/files/:case_id/hand-in", requireRole(model.RoleManager, model.RoleHandler, model.RoleStaff), h.HandIn)
	in.GET("/campaigns/:id/reviews", requireRole(model.RoleManager, model.RoleReviewer), h.ListSheets)
	in.POST("/campaigns/:id/reviews/conflicts", requireRole(model.RoleReviewer), h.DeclareConflict)
	in.GET("/campaigns/:id/reviews/conflicts", requireRole(model.RoleManager, model.RoleReviewer), h.Conflicts)
	in.GET("/reviews/:id", requireRole(model.RoleManager, model.RoleReviewer), h.GetSheet)
	in.PUT("/reviews/:id", requireRole(model.RoleReviewer), h.SaveSheet)
}
