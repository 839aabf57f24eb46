// Package router builds the HTTP engine: middleware, routes and who may reach them.
package router

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	swaggerFiles "github.com/swaggo/files"
	ginSwagger "github.com/swaggo/gin-swagger"

	"fayuan/api"
	"fayuan/docs"
	"fayuan/model"
)

// Options are the router's settings and collaborators.
type Options struct {
	Log          *slog.Logger
	Authenticate Authenticator
	MaxBodyBytes int64
	CORSOrigins  []string
	ImportBytes  int64 // the largest case import file; its route's body limit follows it
	PhotoBytes   int64 // the largest photo; its upload route's body limit follows it
}

// Handlers are the API's handlers, built by the caller.
type Handlers struct {
	Health        *api.HealthHandler
	Auth          *api.AuthHandler
	Users         *api.UserHandler
	Orgs          *api.OrgHandler
	Audit         *api.AuditHandler
	Campaigns     *api.CampaignHandler
	Cases         *api.CaseHandler
	Imports       *api.CaseImportHandler
	Calls         *api.CallHandler
	Alerts        *api.AlertHandler
	Notifications *api.NotificationHandler
	Hearings      *api.HearingHandler
	Results       *api.ResultHandler
	Visits        *api.VisitHandler
	Surveys       *api.SurveyHandler
	Reviews       *api.ReviewHandler
	Photos        *api.PhotoHandler
}

// New builds the engine. It returns the gin engine too, so tests can list its routes.
func New(o Options, h Handlers) (http.Handler, *gin.Engine) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.ContextWithFallback = true
	_ = e.SetTrustedProxies(nil) // ClientIP is the peer unless a proxy list is configured
	e.HandleMethodNotAllowed = true
	e.Use(requestID(o.Log), recovery(), accessLog(), securityHeaders(), cors(o.CORSOrigins), bodyLimits(o.MaxBodyBytes, uploadRoutes(o)))
	e.NoRoute(func(c *gin.Context) {
		c.JSON(http.StatusNotFound, model.NotFound("not_found", "请求的地址不存在"))
	})
	e.NoMethod(func(c *gin.Context) {
		c.JSON(http.StatusMethodNotAllowed, &model.Error{Code: "method_not_allowed", Message: "不支持此请求方法"})
	})

	e.GET("/healthz", h.Health.Live)
	e.GET("/readyz", h.Health.Ready)
	docs.SwaggerInfo.BasePath = "/"
	e.GET("/swagger/*any", ginSwagger.WrapHandler(swaggerFiles.Handler))

	v1 := e.Group("/api/v1")
	v1.POST("/auth/login", h.Auth.Login)
	v1.POST("/auth/wechat", h.Auth.Wechat)
	v1.POST("/auth/refresh", h.Auth.Refresh)
	v1.POST("/auth/logout", h.Auth.Logout)

	in := v1.Group("", authenticate(o.Authenticate))
	in.GET("/me", h.Auth.Me)
	in.POST("/me/password", h.Auth.ChangePassword)
	in.POST("/me/subscriptions", h.Notifications.Subscribe)

	admin := in.Group("", requireRole(model.RoleAdmin))
	admin.GET("/orgs", h.Orgs.List)
	admin.POST("/orgs", h.Orgs.Create)
	admin.PATCH("/orgs/:id", h.Orgs.Update)
	admin.GET("/users", h.Users.List)
	admin.POST("/users", h.Users.Create)
	admin.GET("/users/:id", h.Users.Get)
	admin.PATCH("/users/:id", h.Users.Update)
	admin.POST("/users/:id/password", h.Users.ResetPassword)
	admin.POST("/users/:id/wechat-binding-code", h.Auth.BindingCode)

	in.GET("/audit", requireRole(model.RoleAuditor), h.Audit.List)

	// Cases: every role that works on cases reads the ones it may see (the service scopes them);
	// admin and auditor never read recipients' personal data. Only managers write.
	caseReaders := in.Group("", requireRole(model.RoleManager, model.RoleStaff, model.RoleReviewer, model.RoleHandler))
	caseReaders.GET("/cases", h.Cases.List)
	caseReaders.GET("/cases/:id", h.Cases.Get)
	caseWriters := in.Group("", requireRole(model.RoleManager))
	caseWriters.POST("/cases", h.Cases.Create)
	caseWriters.PATCH("/cases/:id", h.Cases.Update)
	caseWriters.POST("/cases/:id/reveal", h.Cases.Reveal)
	caseWriters.POST("/cases/import", h.Imports.Import)
	caseWriters.GET("/cases/import-template", h.Imports.Template)

	// Campaigns: managers run them; anyone working in one may read it (the service decides);
	// staff fetch their own work list.
	in.GET("/campaigns/:id", h.Campaigns.Get)
	campaignManagers := in.Group("", requireRole(model.RoleManager))
	campaignManagers.GET("/campaign-templates", h.Campaigns.Templates)
	campaignManagers.GET("/campaigns", h.Campaigns.List)
	campaignManagers.POST("/campaigns", h.Campaigns.Create)
	campaignManagers.PATCH("/campaigns/:id", h.Campaigns.Update)
	campaignManagers.POST("/campaigns/:id/phases/:phase/extend", h.Campaigns.ExtendPhase)
	campaignManagers.GET("/campaigns/:id/exclusions", h.Campaigns.ListExclusions)
	campaignManagers.POST("/campaigns/:id/exclusions", h.Campaigns.RequestExclusion)
	campaignManagers.POST("/campaigns/:id/exclusions/:xid/confirm", h.Campaigns.ConfirmExclusion)
	campaignManagers.POST("/campaigns/:id/assignments", h.Campaigns.Assign)
	campaignManagers.GET("/campaigns/:id/progress", h.Campaigns.Progress)
	campaignManagers.POST("/campaigns/:id/progress/rebuild", h.Campaigns.RebuildProgress)
	campaignManagers.GET("/campaigns/:id/notifications", h.Notifications.List)
	in.GET("/campaigns/:id/follow-ups", requireRole(model.RoleStaff), h.Campaigns.FollowUps)

	// Calls: the assigned caller or a manager (the service tells a case that is not theirs).
	// Alerts: managers list and assign; the investigator (staff or manager) concludes.
	in.POST("/campaigns/:id/cases/:case_id/calls", requireRole(model.RoleStaff, model.RoleManager), h.Calls.Record)
	in.PATCH("/calls/:id", requireRole(model.RoleStaff, model.RoleManager), h.Calls.Correct)
	campaignManagers.GET("/campaigns/:id/alerts", h.Alerts.List)
	campaignManagers.GET("/campaigns/:id/flags", h.Calls.Flags)
	campaignManagers.GET("/campaigns/:id/export", h.Calls.Export)
	in.GET("/campaigns/:id/cases/:case_id/form", requireRole(model.RoleStaff, model.RoleManager), h.Calls.Form)
	campaignManagers.POST("/alerts/:id/assign", h.Alerts.Assign)
	reviewRoutes(in, campaignManagers, h.Reviews)
	in.POST("/alerts/:id/conclude", requireRole(model.RoleStaff, model.RoleManager), h.Alerts.Conclude)

	// Hearing observations: managers and staff record and score them; organs' opinions and
	// results belong to managers, except a handler's own results (the service scopes them).
	hearingWriters := in.Group("", requireRole(model.RoleManager, model.RoleStaff))
	hearingWriters.GET("/campaigns/:id/hearings", h.Hearings.List)
	hearingWriters.POST("/campaigns/:id/hearings", h.Hearings.Create)
	hearingWriters.GET("/campaigns/:id/hearings/:hid", h.Hearings.Get)
	hearingWriters.POST("/campaigns/:id/hearings/:hid/observers", h.Hearings.AddObserver)
	hearingWriters.PUT("/campaigns/:id/hearings/:hid/observers/:oid/sheet", h.Hearings.PutSheet)
	campaignManagers.GET("/campaigns/:id/opinions", h.Hearings.ListOpinions)
	campaignManagers.POST("/campaigns/:id/opinions", h.Hearings.RecordOpinion)
	campaignManagers.GET("/campaigns/:id/result-settings", h.Results.Settings)
	campaignManagers.PUT("/campaigns/:id/result-settings", h.Results.PutSettings)
	campaignManagers.POST("/campaigns/:id/results/publish", h.Results.Publish)
	in.GET("/campaigns/:id/results", requireRole(model.RoleManager, model.RoleHandler), h.Results.List)
	in.POST("/campaigns/:id/results/:case_id/objection", requireRole(model.RoleHandler), h.Results.Object)
	campaignManagers.POST("/campaigns/:id/results/:case_id/decision", h.Results.Decide)
	campaignManagers.POST("/campaigns/:id/results/:case_id/confirm", h.Results.Confirm)
	campaignManagers.GET("/campaigns/:id/agreement", h.Results.Agreement)
	campaignManagers.POST("/rectifications/:id/interview", h.Results.Interview)
	in.POST("/rectifications/:id/submission", requireRole(model.RoleHandler), h.Results.Submit)
	campaignManagers.POST("/rectifications/:id/close", h.Results.Close)

	// Visits: the assigned visitor or a manager records; the visitor, staff who went along and
	// managers read (the service tells a visit that is not theirs).
	in.POST("/campaigns/:id/cases/:case_id/visits", requireRole(model.RoleStaff, model.RoleManager), h.Visits.Record)
	in.GET("/visits/:id", requireRole(model.RoleStaff, model.RoleManager), h.Visits.Get)
	in.DELETE("/visits/:id", requireRole(model.RoleStaff, model.RoleManager), h.Visits.Delete)

	// The recipients' survey: links for the staff on the case or a manager (the service tells a
	// case that is not theirs); the token routes and the page are anonymous, guarded by the
	// token, rate limits and the identity check; the code image by its signed URL.
	in.POST("/campaigns/:id/cases/:case_id/survey-link", requireRole(model.RoleStaff, model.RoleManager), h.Surveys.CreateLink)
	in.POST("/campaigns/:id/cases/:case_id/survey-link/revoke", requireRole(model.RoleStaff, model.RoleManager), h.Surveys.RevokeLinks)
	in.POST("/campaigns/:id/cases/:case_id/survey-link/unlock", requireRole(model.RoleStaff, model.RoleManager), h.Surveys.UnlockLinks)
	v1.GET("/survey-codes/:id", h.Surveys.Code)
	v1.GET("/survey/:token", h.Surveys.View)
	v1.POST("/survey/:token", h.Surveys.Answer)
	v1.POST("/survey/:token/verify", h.Surveys.Verify)
	e.GET("/s/:token", h.Surveys.Page)
	// Photos: added by whoever may see the visit; read by signed URL or such a token.
	in.POST("/visits/:id/photos", requireRole(model.RoleStaff, model.RoleManager), h.Photos.Upload)
	v1.GET("/photos/:id", signedOrAuthenticated(o.Authenticate), h.Photos.Get)
	v1.GET("/photos/:id/thumb", signedOrAuthenticated(o.Authenticate), h.Photos.Thumb)
	in.DELETE("/photos/:id", requireRole(model.RoleStaff, model.RoleManager), h.Photos.Delete)

	return methodOverride(e), e
}
