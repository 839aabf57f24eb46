package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"fayuan/model"
	"fayuan/service"
	"fayuan/web/survey"
)

// SurveyHandler serves the recipients' own survey: links for the staff, the token routes for
// the recipient, the code image and the web page.
type SurveyHandler struct{ surveys *service.Surveys }

// NewSurveyHandler builds the handler.
func NewSurveyHandler(s *service.Surveys) *SurveyHandler { return &SurveyHandler{surveys: s} }

// surveyFail is fail plus Retry-After for a slowed-down caller.
func surveyFail(c *gin.Context, err error) {
	var rl *service.ErrSurveyRateLimited
	if errors.As(err, &rl) {
		c.Header("Retry-After", strconv.Itoa(service.RetryAfterSeconds(rl.RetryAfter)))
	}
	fail(c, err)
}

// surveyBearer is the recipient's survey token from the Authorization header, if any.
func surveyBearer(c *gin.Context) string {
	b, _ := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	return b
}

// CreateLink godoc
// @Summary      A case's survey link for the recipient
// @Description  For the staff assigned to the case (calls or visits) or a manager (a case of the campaign's follow-up scope). Returns the case's live link, making one when there is none (201; 200 for the existing one, so a printed code keeps working): `token` (24 characters, fits the mini-program code's `scene`), `url` (the web page /s/{token}), `code_url` (a signed, short-lived URL of the mini-program code image; empty when WeChat is not configured) and `expires_at` (the end of the visits phase as it now stands: the link follows an extension of the phase). 409 phase_closed after the survey's window.
// @Tags         survey
// @Produce      json
// @Security     Bearer
// @Param        id       path      string  true  "campaign id"
// @Param        case_id  path      string  true  "case id"
// @Success      201      {object}  model.SurveyLinkResponse
// @Success      200      {object}  model.SurveyLinkResponse  "the case's existing live link"
// @Failure      403      {object}  model.Error
// @Failure      404      {object}  model.Error
// @Failure      409      {object}  model.Error
// @Router       /api/v1/campaigns/{id}/cases/{case_id}/survey-link [post]
func (h *SurveyHandler) CreateLink(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	caseID, ok := pathID(c, "case_id")
	if !ok {
		return
	}
	out, isNew, err := h.surveys.CreateLink(c.Request.Context(), actor(c), id, caseID)
	if err != nil {
		fail(c, err)
		return
	}
	created(c, isNew, out)
}

// RevokeLinks godoc
// @Summary      Revoke a case's survey links
// @Description  Ends every live survey link of the case at once, and with them the recipients' survey tokens. For the staff assigned to the case or a manager. `changed`: how many links it ended.
// @Tags         survey
// @Produce      json
// @Security     Bearer
// @Param        id       path      string  true  "campaign id"
// @Param        case_id  path      string  true  "case id"
// @Success      200      {object}  model.SurveyLinksChange
// @Failure      403      {object}  model.Error
// @Failure      404      {object}  model.Error
// @Router       /api/v1/campaigns/{id}/cases/{case_id}/survey-link/revoke [post]
func (h *SurveyHandler) RevokeLinks(c *gin.Context) {
	h.change(c, h.surveys.Revoke)
}

// UnlockLinks godoc
// @Summary      Unlock a case's survey after 5 failed identity checks
// @Description  Resets the failed identity checks of the case's survey links so the recipient may try again. For the staff assigned to the case or a manager.
// @Tags         survey
// @Produce      json
// @Security     Bearer
// @Param        id       path      string  true  "campaign id"
// @Param        case_id  path      string  true  "case id"
// @Success      200      {object}  model.SurveyLinksChange
// @Failure      403      {object}  model.Error
// @Failure      404      {object}  model.Error
// @Router       /api/v1/campaigns/{id}/cases/{case_id}/survey-link/unlock [post]
func (h *SurveyHandler) UnlockLinks(c *gin.Context) {
	h.change(c, h.surveys.Unlock)
}

func (h *SurveyHandler) change(c *gin.Context, do func(context.Context, model.Actor, model.ID, model.ID) (*model.SurveyLinksChange, error)) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	caseID, ok := pathID(c, "case_id")
	if !ok {
		return
	}
	out, err := do(c.Request.Context(), actor(c), id, caseID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Code godoc
// @Summary      A survey link's mini-program code image
// @Description  The JPEG WeChat made for the link (regenerated when missing), by signed URL only (`code_url` of the survey link: `exp` and `sig`); no Authorization header. 403 for an altered or expired signature, 404 for a revoked or expired link.
// @Tags         survey
// @Produce      jpeg
// @Param        id   path      string  true  "link id"
// @Param        exp  query     string  true  "expiry (signed URL)"
// @Param        sig  query     string  true  "signature (signed URL)"
// @Success      200  {file}    binary
// @Failure      403  {object}  model.Error
// @Failure      404  {object}  model.Error
// @Router       /api/v1/survey-codes/{id} [get]
func (h *SurveyHandler) Code(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	img, ctype, err := h.surveys.CodeImage(c.Request.Context(), id, c.Request.URL.Query())
	if err != nil {
		fail(c, err)
		return
	}
	c.Data(http.StatusOK, ctype, img)
}

// View godoc
// @Summary      What a survey token shows
// @Description  Anyone with the token. Before verifying: only `org_name`, `intro` and the `questions` (`verified: false`) — a code left at a house tells a passer-by nothing about the case. With the survey token from verify (`Authorization: Bearer <survey_token>`): also `cause`, `handler_name`, `closed_on`, `answered` and the subscribe-message `template_ids` to offer. Unknown, expired and revoked tokens are all 404; 429 with Retry-After when an IP or a token is used too often.
// @Tags         survey
// @Produce      json
// @Param        token  path      string  true  "survey token"
// @Success      200    {object}  model.SurveyView
// @Failure      404    {object}  model.Error
// @Failure      429    {object}  model.Error
// @Router       /api/v1/survey/{token} [get]
func (h *SurveyHandler) View(c *gin.Context) {
	out, err := h.surveys.View(c.Request.Context(), c.Param("token"), surveyBearer(c), meta(c))
	if err != nil {
		surveyFail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Verify godoc
// @Summary      The recipient proves who they are
// @Description  `{wx_code, phone_code}`: the server exchanges the getPhoneNumber code with WeChat and compares the number with the case's (the phone never comes from the client); or `{name, id_last4}` (the ID number's last 4 characters), optionally with `wx_code` so messages can follow the answer. → `{survey_token, expires_in}`: a short-lived bearer credential for this case's survey only. A mismatch is 401 survey_identity_mismatch with `details.attempts_left`; the 5th locks the survey: 423 survey_locked until the staff on the case or a manager unlocks it. Checks sent at the same time count as well: at most 5 are judged, the rest are 423, and so is a right answer once the survey is locked. WeChat's own failures (a used code) are not counted.
// @Tags         survey
// @Accept       json
// @Produce      json
// @Param        token  path      string                     true  "survey token"
// @Param        body   body      model.SurveyVerifyRequest  true  "identity"
// @Success      200    {object}  model.SurveyVerifyResponse
// @Failure      401    {object}  model.Error
// @Failure      404    {object}  model.Error
// @Failure      422    {object}  model.Error
// @Failure      423    {object}  model.Error
// @Failure      429    {object}  model.Error
// @Router       /api/v1/survey/{token}/verify [post]
func (h *SurveyHandler) Verify(c *gin.Context) {
	var req model.SurveyVerifyRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.surveys.Verify(c.Request.Context(), c.Param("token"), req, meta(c))
	if err != nil {
		surveyFail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Answer godoc
// @Summary      The recipient's answer
// @Description  With `Authorization: Bearer <survey_token>`. `{client_id, answers, template_ids?}` in the calls' answers shape (422 names each missing field). One answer per case: the first is 201; answering again within the survey's window (calls start to visits end; 409 phase_closed outside it) replaces it (200) and keeps the earlier version; the same client_id again is 200 and changes nothing, with another body 409. Alerts open exactly as for a call; a later answer never closes one. `template_ids` are the subscribe-message templates the recipient just accepted.
// @Tags         survey
// @Accept       json
// @Produce      json
// @Param        token  path      string                     true  "survey token"
// @Param        body   body      model.SurveyAnswerRequest  true  "the answer"
// @Success      201    {object}  model.SurveyAnswerResponse
// @Success      200    {object}  model.SurveyAnswerResponse  "replaced, or a replay"
// @Failure      401    {object}  model.Error
// @Failure      404    {object}  model.Error
// @Failure      409    {object}  model.Error
// @Failure      422    {object}  model.Error
// @Failure      429    {object}  model.Error
// @Router       /api/v1/survey/{token} [post]
func (h *SurveyHandler) Answer(c *gin.Context) {
	var req model.SurveyAnswerRequest
	if !bind(c, &req) {
		return
	}
	out, isNew, err := h.surveys.Answer(c.Request.Context(), c.Param("token"), surveyBearer(c), req, meta(c))
	if err != nil {
		surveyFail(c, err)
		return
	}
	created(c, isNew, out)
}

// Page godoc
// @Summary      The survey page
// @Description  The web page of a survey link (mobile-first, self-contained HTML for WeChat's browser). Unknown, expired and revoked tokens are 404.
// @Tags         survey
// @Produce      html
// @Param        token  path      string  true  "survey token"
// @Success      200    {string}  string  "text/html"
// @Failure      404    {string}  string  "text/html"
// @Router       /s/{token} [get]
func (h *SurveyHandler) Page(c *gin.Context) {
	c.Header("Content-Security-Policy", survey.CSP)
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	if err := h.surveys.Check(c.Request.Context(), c.Param("token"), meta(c)); err != nil {
		var rl *service.ErrSurveyRateLimited
		status := http.StatusInternalServerError
		if errors.As(err, &rl) {
			c.Header("Retry-After", strconv.Itoa(service.RetryAfterSeconds(rl.RetryAfter)))
		}
		if e, ok := model.AsError(err); ok {
			status = e.Status
		} else {
			Logger(c).ErrorContext(c.Request.Context(), "survey page", "err", err.Error())
		}
		c.Data(status, "text/html; charset=utf-8", survey.ErrorPage(status))
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", survey.Page)
}
