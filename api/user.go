package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"fayuan/model"
	"fayuan/service"
)

// UserHandler serves account administration.
type UserHandler struct{ users *service.Users }

// NewUserHandler builds the handler.
func NewUserHandler(u *service.Users) *UserHandler { return &UserHandler{users: u} }

// List godoc
// @Summary      List accounts
// @Tags         users
// @Produce      json
// @Security     Bearer
// @Param        org_id     query     string  false  "organisation"
// @Param        role       query     string  false  "role"
// @Param        q          query     string  false  "username or name contains"
// @Param        page       query     int     false  "page (1-based)"
// @Param        page_size  query     int     false  "at most 500"
// @Success      200        {object}  model.List[model.UserResponse]
// @Router       /api/v1/users [get]
func (h *UserHandler) List(c *gin.Context) {
	p, ok := page(c)
	if !ok {
		return
	}
	f := service.UserFilter{Role: model.Role(c.Query("role")), Q: c.Query("q"), Page: p}
	if v := c.Query("org_id"); v != "" {
		id, ok := model.ParseID(v)
		if !ok {
			fail(c, model.InvalidField("org_id", "机构编号格式不对"))
			return
		}
		f.OrgID = id
	}
	out, err := h.users.List(c.Request.Context(), actor(c), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Get godoc
// @Summary      One account
// @Tags         users
// @Produce      json
// @Security     Bearer
// @Param        id   path      string  true  "user id"
// @Success      200  {object}  model.UserResponse
// @Failure      404  {object}  model.Error
// @Router       /api/v1/users/{id} [get]
func (h *UserHandler) Get(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	out, err := h.users.Get(c.Request.Context(), actor(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Create godoc
// @Summary      Create an account
// @Description  Roles must fit the organisation: a manager belongs to the bureau or the aid centre, and so on (422 otherwise).
// @Tags         users
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        body  body      model.CreateUserRequest  true  "account"
// @Success      201   {object}  model.UserResponse
// @Failure      409   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/users [post]
func (h *UserHandler) Create(c *gin.Context) {
	var req model.CreateUserRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.users.Create(c.Request.Context(), actor(c), req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, out)
}

// Update godoc
// @Summary      Edit, move or disable an account
// @Description  Disabling ends the user's sessions at once. Also answers POST with `X-HTTP-Method-Override: PATCH`.
// @Tags         users
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string                   true  "user id"
// @Param        body  body      model.UpdateUserRequest  true  "changes"
// @Success      200   {object}  model.UserResponse
// @Failure      404   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/users/{id} [patch]
func (h *UserHandler) Update(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req model.UpdateUserRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.users.Update(c.Request.Context(), actor(c), id, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// ResetPassword godoc
// @Summary      Reset an account's password
// @Description  The user's sessions end.
// @Tags         users
// @Accept       json
// @Security     Bearer
// @Param        id    path  string                      true  "user id"
// @Param        body  body  model.ResetPasswordRequest  true  "new password"
// @Success      204
// @Failure      404  {object}  model.Error
// @Router       /api/v1/users/{id}/password [post]
func (h *UserHandler) ResetPassword(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req model.ResetPasswordRequest
	if !bind(c, &req) {
		return
	}
	if err := h.users.ResetPassword(c.Request.Context(), actor(c), id, req); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
