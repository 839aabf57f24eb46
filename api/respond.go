// Package api holds the HTTP handlers: bind the request, call one service, write the answer.
// No SQL and no business rules live here.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"fayuan/model"
	"fayuan/service"
)

// Context keys the router's middleware sets.
const (
	ActorKey     = "fayuan.actor"
	RequestIDKey = "fayuan.request_id"
	LoggerKey    = "fayuan.logger"
)

// maxJSONDepth bounds nesting: no request of ours nests deeper, and a deeper one is an attack on
// the decoder's stack, not a form.
const maxJSONDepth = 32

// bind decodes a strict JSON body into req and writes the error answer itself when it cannot:
// 415 for another media type, 413 past the size limit, 400 for malformed JSON, unknown fields
// or too deep nesting, 422 for a value of the wrong type (naming the field).
func bind(c *gin.Context, req any) bool {
	if err := decodeJSON(c.Request, req); err != nil {
		fail(c, err)
		return false
	}
	return true
}

func decodeJSON(r *http.Request, req any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &model.Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Message: "请求体应为 JSON（Content-Type: application/json）"}
	}
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &model.Error{Status: http.StatusRequestEntityTooLarge, Code: "body_too_large",
			Message: "请求体过大，上限 " + strconv.FormatInt(tooBig.Limit, 10) + " 字节"}
	}
	if err != nil {
		return model.BadRequest("body_unreadable", "无法读取请求体")
	}
	if tooDeep(body) {
		return model.BadRequest("json_too_deep", "JSON 嵌套层级过深")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(req); err != nil {
		return jsonError(err)
	}
	// dec.More alone misses a stray closing } or ]: anything but whitespace after the value is garbage.
	if len(bytes.TrimSpace(body[dec.InputOffset():])) > 0 {
		return model.BadRequest("malformed_json", "JSON 之后还有多余内容")
	}
	return nil
}

// jsonError explains a decoding failure in the contract's terms.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var synErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return model.BadRequest("malformed_json", "请求体应为 JSON 对象")
		}
		return model.InvalidField(field, "类型或取值范围不对")
	case errors.As(err, &synErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return model.BadRequest("malformed_json", "JSON 格式错误")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return model.BadRequest("unknown_field", "不认识的字段："+name).WithDetails(map[string]any{"field": name})
	}
	return model.BadRequest("malformed_json", "JSON 格式错误")
}

// tooDeep scans for nesting beyond maxJSONDepth without decoding anything.
func tooDeep(b []byte) bool {
	depth, inString, escaped := 0, false, false
	for _, ch := range b {
		switch {
		case inString:
			if escaped {
				escaped = false
			} else if ch == '\\' {
				escaped = true
			} else if ch == '"' {
				inString = false
			}
		case ch == '"':
			inString = true
		case ch == '{' || ch == '[':
			if depth++; depth > maxJSONDepth {
				return true
			}
		case ch == '}' || ch == ']':
			depth--
		}
	}
	return false
}

// fail writes err as the contract's error body. Unexpected errors are logged with the request
// id and answered as 500 "internal": their text never reaches the client.
func fail(c *gin.Context, err error) {
	if e, ok := model.AsError(err); ok {
		c.AbortWithStatusJSON(e.Status, e)
		return
	}
	Logger(c).ErrorContext(c.Request.Context(), "request failed", "err", err.Error())
	c.AbortWithStatusJSON(http.StatusInternalServerError, &model.Error{Code: "internal", Message: "服务器内部错误，请稍后再试"})
}

// created answers 201 or, for a replayed offline record, 200.
func created(c *gin.Context, isNew bool, body any) {
	if isNew {
		c.JSON(http.StatusCreated, body)
		return
	}
	c.JSON(http.StatusOK, body)
}

// actor is who the auth middleware says is calling.
func actor(c *gin.Context) model.Actor {
	if a, ok := c.Get(ActorKey); ok {
		return a.(model.Actor)
	}
	return model.Actor{IP: c.ClientIP(), RequestID: c.GetString(RequestIDKey)}
}

// meta is where an anonymous request comes from.
func meta(c *gin.Context) service.Meta {
	return service.Meta{IP: c.ClientIP(), RequestID: c.GetString(RequestIDKey)}
}

// Logger is the request's logger, carrying its request id.
func Logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(LoggerKey); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}

// pathID reads an id path parameter; a malformed one is a 404 like any id the caller may not see.
func pathID(c *gin.Context, name string) (model.ID, bool) {
	id, ok := model.ParseID(c.Param(name))
	if !ok {
		fail(c, model.NotFound("not_found", "对象不存在"))
	}
	return id, ok
}

// page reads page and page_size (default 20, at most 500).
func page(c *gin.Context) (model.Page, bool) {
	p := model.Page{Page: 1, PageSize: 20}
	bad := map[string]string{}
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			bad["page"] = "页码应为正整数"
		}
		p.Page = n
	}
	if v := c.Query("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			bad["page_size"] = "每页条数应为 1–500"
		}
		p.PageSize = n
	}
	if len(bad) > 0 {
		fail(c, model.Invalid(bad))
		return p, false
	}
	return p, true
}
