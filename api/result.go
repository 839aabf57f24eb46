package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"fayuan/service"
)

// ResultHandler serves the file results, objections, confirmations, rectifications and the
// reviewers' agreement.
type ResultHandler struct{ results *service.Results }

// NewResultHandler builds the handler.
func NewResultHandler(s *service.Results) *ResultHandler { return &ResultHandler{results: s} }

// Settings godoc
// @Summary      A campaign's result rules
// @Description  The objection window (days, default 7), whether hearings and judicial organs' opinions weigh in (default: shown only, no weight) and the consequence policy (reward 优秀; subsidy reduction by grade or per deducted point, in basis points; whether a substantiated fee alert is the money veto).
// @Tags         results
// @Produce      json
// @Security     Bearer
// @Param        id   path      string  true  "campaign id"
// @Success      200  {object}  model.ResultSettingsResponse
// @Failure      404  {object}  model.Error
// @Router       /api/v1/campaigns/{id}/result-settings [get]
func (h *ResultHandler) Settings(c *gin.Context) { serveByID(c, h.results.Settings) }

// PutSettings godoc
// @Summary      Replace a campaign's result rules
// @Description  `version` is the version read (0 before any was set); a stale one is 409. Audited with before and after.
// @Tags         results
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string                       true  "campaign id"
// @Param        body  body      model.ResultSettingsRequest  true  "the rules"
// @Success      200   {object}  model.ResultSettingsResponse
// @Failure      404   {object}  model.Error
// @Failure      409   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/campaigns/{id}/result-settings [put]
func (h *ResultHandler) PutSettings(c *gin.Context) {
	serveBodyByID(c, http.StatusOK, h.results.PutSettings)
}

// Publish godoc
// @Summary      Publish the file results
// @Description  Every reviewed file with a final score becomes a provisional result (files waiting for a third reviewer are listed), weighted by the campaign's rules; the objection window opens and each handler with an account is told by subscribe message (only subscribed users; failures recorded in the notifications, never blocking). Already published files are left alone. Audited.
// @Tags         results
// @Produce      json
// @Security     Bearer
// @Param        id   path      string  true  "campaign id"
// @Success      200  {object}  model.PublishResponse
// @Failure      404  {object}  model.Error
// @Failure      409  {object}  model.Error
// @Router       /api/v1/campaigns/{id}/results/publish [post]
func (h *ResultHandler) Publish(c *gin.Context) { serveByID(c, h.results.Publish) }

// List godoc
// @Summary      File results
// @Description  Managers: every published result (filter `handler`). A handler: their own files only, each with its score, grade (excellent, good, qualified, unqualified), status (provisional, objected, decided, final), every deduction with its reason (by sheet number, never by reviewer) and the consequence (proposed until a manager confirms), with the hearings observed and judicial organs' opinions about them beside the files (observers not named) and how the campaign weighs them.
// @Tags         results
// @Produce      json
// @Security     Bearer
// @Param        id         path      string  true   "campaign id"
// @Param        handler    query     string  false  "handler id"
// @Param        page       query     int     false  "page (1-based)"
// @Param        page_size  query     int     false  "at most 500"
// @Success      200        {object}  model.ResultsPage
// @Failure      404        {object}  model.Error
// @Router       /api/v1/campaigns/{id}/results [get]
func (h *ResultHandler) List(c *gin.Context) { serveHandlerList(c, h.results.List) }

// Object godoc
// @Summary      Object to a result
// @Description  The case's handler, within the objection window: calendar days in Asia/Shanghai, until 23:59:59 of the last (default: the 7th day after publication and notification, as `objection_deadline` says); after it 409 objection_window_closed; a second objection 409. Audited.
// @Tags         results
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id       path      string                  true  "campaign id"
// @Param        case_id  path      string                  true  "case id"
// @Param        body     body      model.ObjectionRequest  true  "the reason"
// @Success      200      {object}  model.ResultResponse
// @Failure      404      {object}  model.Error
// @Failure      409      {object}  model.Error
// @Failure      422      {object}  model.Error
// @Router       /api/v1/campaigns/{id}/results/{case_id}/objection [post]
func (h *ResultHandler) Object(c *gin.Context) { serveResult(c, h.results.Object) }

// Decide godoc
// @Summary      Decide an objection
// @Description  A manager's written decision: `upheld`, or `amended` with a new `score` and/or `veto` (the grade follows the bands). Only an objected result (409 otherwise). Audited with before and after.
// @Tags         results
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id       path      string                 true  "campaign id"
// @Param        case_id  path      string                 true  "case id"
// @Param        body     body      model.DecisionRequest  true  "the decision"
// @Success      200      {object}  model.ResultResponse
// @Failure      404      {object}  model.Error
// @Failure      409      {object}  model.Error
// @Failure      422      {object}  model.Error
// @Router       /api/v1/campaigns/{id}/results/{case_id}/decision [post]
func (h *ResultHandler) Decide(c *gin.Context) { serveResult(c, h.results.Decide) }

// Confirm godoc
// @Summary      Confirm a result: it becomes final and its consequence applies
// @Description  After the objection window (or once an objection is decided; 409 otherwise), with the bureau's findings (`seriously_irresponsible` needs a `note`, `other_violations`). The consequence is decided by the campaign's policy from the grade and the follow-ups (a substantiated fee alert of the case): reward list, rectification task, subsidy reduction, or withholding and referral — each figure with its reasons. `version` as read (stale → 409). Audited with before and after.
// @Tags         results
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id       path      string                true  "campaign id"
// @Param        case_id  path      string                true  "case id"
// @Param        body     body      model.ConfirmRequest  true  "findings"
// @Success      200      {object}  model.ResultResponse
// @Failure      404      {object}  model.Error
// @Failure      409      {object}  model.Error
// @Failure      422      {object}  model.Error
// @Router       /api/v1/campaigns/{id}/results/{case_id}/confirm [post]
func (h *ResultHandler) Confirm(c *gin.Context) { serveResult(c, h.results.Confirm) }

// Agreement godoc
// @Summary      How far the campaign's reviewers agree
// @Description  Over every submitted sheet: files scored at least twice, pairs, the mean absolute difference (points), ICC(2,1) (Shrout & Fleiss; first vs second sheet; null when undefined) and per reviewer the mean signed difference from the file's other reviewers (positive: more lenient).
// @Tags         results
// @Produce      json
// @Security     Bearer
// @Param        id   path      string  true  "campaign id"
// @Success      200  {object}  model.AgreementResponse
// @Failure      404  {object}  model.Error
// @Router       /api/v1/campaigns/{id}/agreement [get]
func (h *ResultHandler) Agreement(c *gin.Context) { serveByID(c, h.results.Agreement) }

// Interview godoc
// @Summary      Record a rectification's interview (约谈)
// @Tags         results
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string                  true  "rectification id"
// @Param        body  body      model.InterviewRequest  true  "date and note"
// @Success      200   {object}  model.RectificationResponse
// @Failure      404   {object}  model.Error
// @Failure      409   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/rectifications/{id}/interview [post]
func (h *ResultHandler) Interview(c *gin.Context) {
	serveBodyByID(c, http.StatusOK, h.results.Interview)
}

// Submit godoc
// @Summary      The handler's written rectification
// @Description  After the interview; the handler of the case only (others 404).
// @Tags         results
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string                          true  "rectification id"
// @Param        body  body      model.RectificationTextRequest  true  "the text"
// @Success      200   {object}  model.RectificationResponse
// @Failure      404   {object}  model.Error
// @Failure      409   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/rectifications/{id}/submission [post]
func (h *ResultHandler) Submit(c *gin.Context) { serveBodyByID(c, http.StatusOK, h.results.Submit) }

// Close godoc
// @Summary      Close a rectification
// @Description  A manager's closing note, once the handler's rectification is in.
// @Tags         results
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string                          true  "rectification id"
// @Param        body  body      model.RectificationTextRequest  true  "the closing note"
// @Success      200   {object}  model.RectificationResponse
// @Failure      404   {object}  model.Error
// @Failure      409   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/rectifications/{id}/close [post]
func (h *ResultHandler) Close(c *gin.Context) { serveBodyByID(c, http.StatusOK, h.results.Close) }
