// Package model holds the domain's entities, the request and response shapes the API speaks,
// and the one error type that carries an expected failure to its HTTP answer.
package model

import (
	"errors"
	"net/http"
)

// Error is an expected failure: it knows its HTTP status, a stable snake_case code the clients
// branch on, and a Chinese message a person can read. Anything that is not an *Error is a bug
// and is answered as 500 "internal" without its text.
type Error struct {
	Status  int            `json:"-"`
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// WithDetails returns a copy of e carrying details.
func (e *Error) WithDetails(d map[string]any) *Error {
	c := *e
	c.Details = d
	return &c
}

// AsError finds an *Error in err's chain.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// BadRequest is a malformed request (400).
func BadRequest(code, msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Message: msg}
}

// Unauthorized means not logged in, or credentials refused (401).
func Unauthorized(code, msg string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: code, Message: msg}
}

// Forbidden is a function the caller's role may never use (403).
func Forbidden(code, msg string) *Error {
	return &Error{Status: http.StatusForbidden, Code: code, Message: msg}
}

// NotFound is an object that does not exist or that the caller may not see (404).
func NotFound(code, msg string) *Error {
	return &Error{Status: http.StatusNotFound, Code: code, Message: msg}
}

// Conflict is a duplicate, a stale version or a closed phase (409).
func Conflict(code, msg string) *Error {
	return &Error{Status: http.StatusConflict, Code: code, Message: msg}
}

// Invalid is valid JSON with invalid values (422); fields maps each bad field to its message.
func Invalid(fields map[string]string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid_fields", Message: "提交的内容有误，请检查标出的字段",
		Details: map[string]any{"fields": fields}}
}

// InvalidField is Invalid for one field.
func InvalidField(field, msg string) *Error { return Invalid(map[string]string{field: msg}) }

// Locked is an account or object locked for now (423).
func Locked(code, msg string) *Error {
	return &Error{Status: http.StatusLocked, Code: code, Message: msg}
}

// TooMany is a caller slowed down (429).
func TooMany(code, msg string) *Error {
	return &Error{Status: http.StatusTooManyRequests, Code: code, Message: msg}
}

// Unavailable is a dependency that cannot answer now (503).
func Unavailable(code, msg string) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Code: code, Message: msg}
}

// Errors shared by several services.
var (
	ErrNotLoggedIn     = Unauthorized("not_logged_in", "请先登录")
	ErrTokenInvalid    = Unauthorized("token_invalid", "登录已失效，请重新登录")
	ErrRoleForbidden   = Forbidden("role_forbidden", "您的角色无权使用此功能")
	ErrVersionConflict = Conflict("version_conflict", "数据已被他人修改，请刷新后重试")
)
