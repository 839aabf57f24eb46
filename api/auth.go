package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"fayuan/model"
	"fayuan/service"
)

// AuthHandler serves login, token rotation and the current user.
type AuthHandler struct{ auth *service.Auth }

// NewAuthHandler builds the handler.
func NewAuthHandler(a *service.Auth) *AuthHandler { return &AuthHandler{auth: a} }

// Login godoc
// @Summary      Password login
// @Description  Unknown user and wrong password get the same answer. 5 failures within 15 minutes lock the name for 15 minutes (423). `wx_code` binds the caller's WeChat account on the way.
// @Tags         auth
// @Accept       json
// @Produce      json
// @Param        body  body      model.LoginRequest  true  "credentials"
// @Success      200   {object}  model.TokenResponse
// @Failure      401   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Failure      423   {object}  model.Error
// @Router       /api/v1/auth/login [post]
func (h *AuthHandler) Login(c *gin.Context) {
	var req model.LoginRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.auth.Login(c.Request.Context(), req, meta(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Wechat godoc
// @Summary      WeChat login
// @Description  `code` from wx.login. An unbound openid answers 403 wechat_not_bound unless `binding_code` (issued by an admin) comes with it. 401 for an invalid or used code, 429 when WeChat throttles, 503 when WeChat is down or not configured.
// @Tags         auth
// @Accept       json
// @Produce      json
// @Param        body  body      model.WechatLoginRequest  true  "wx.login code"
// @Success      200   {object}  model.TokenResponse
// @Failure      401   {object}  model.Error
// @Failure      403   {object}  model.Error
// @Failure      429   {object}  model.Error
// @Failure      503   {object}  model.Error
// @Router       /api/v1/auth/wechat [post]
func (h *AuthHandler) Wechat(c *gin.Context) {
	var req model.WechatLoginRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.auth.WechatLogin(c.Request.Context(), req, meta(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Refresh godoc
// @Summary      Rotate a refresh token
// @Description  Reused within FAYUAN_REFRESH_GRACE it returns the same new pair; reused later it is refused and its whole family revoked.
// @Tags         auth
// @Accept       json
// @Produce      json
// @Param        body  body      model.RefreshRequest  true  "refresh token"
// @Success      200   {object}  model.TokenResponse
// @Failure      401   {object}  model.Error
// @Router       /api/v1/auth/refresh [post]
func (h *AuthHandler) Refresh(c *gin.Context) {
	var req model.RefreshRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.auth.Refresh(c.Request.Context(), req, meta(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Logout godoc
// @Summary      Log out
// @Description  Revokes the refresh token's session; the token is refused afterwards.
// @Tags         auth
// @Accept       json
// @Param        body  body  model.RefreshRequest  true  "refresh token"
// @Success      204
// @Router       /api/v1/auth/logout [post]
func (h *AuthHandler) Logout(c *gin.Context) {
	var req model.RefreshRequest
	if !bind(c, &req) {
		return
	}
	if err := h.auth.Logout(c.Request.Context(), req, meta(c)); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// Me godoc
// @Summary      The logged-in user
// @Tags         auth
// @Produce      json
// @Security     Bearer
// @Success      200  {object}  model.MeResponse
// @Failure      401  {object}  model.Error
// @Router       /api/v1/me [get]
func (h *AuthHandler) Me(c *gin.Context) {
	out, err := h.auth.Me(c.Request.Context(), actor(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// ChangePassword godoc
// @Summary      Change my password
// @Description  Every session of the user ends, this one included.
// @Tags         auth
// @Accept       json
// @Security     Bearer
// @Param        body  body  model.ChangePasswordRequest  true  "old and new password"
// @Success      204
// @Failure      422  {object}  model.Error
// @Router       /api/v1/me/password [post]
func (h *AuthHandler) ChangePassword(c *gin.Context) {
	var req model.ChangePasswordRequest
	if !bind(c, &req) {
		return
	}
	if err := h.auth.ChangePassword(c.Request.Context(), actor(c), req); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// BindingCode godoc
// @Summary      Issue a WeChat binding code
// @Description  A one-time code (24 hours) the user types into the mini-program to bind their WeChat.
// @Tags         users
// @Produce      json
// @Security     Bearer
// @Param        id   path      string  true  "user id"
// @Success      201  {object}  model.BindingCodeResponse
// @Failure      404  {object}  model.Error
// @Router       /api/v1/users/{id}/wechat-binding-code [post]
func (h *AuthHandler) BindingCode(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	out, err := h.auth.IssueBindingCode(c.Request.Context(), actor(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, out)
}
