package router

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"fayuan/api"
	"fayuan/model"
	"fayuan/service"
)

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._\-]{8,64}$`)

// requestID takes a well-formed X-Request-ID from the proxy or makes one, and gives the request
// a logger that carries it, so every log line of one request can be found together.
func requestID(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if !requestIDRE.MatchString(id) {
			b := make([]byte, 12)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		c.Set(api.RequestIDKey, id)
		c.Set(api.LoggerKey, log.With("request_id", id))
		c.Header("X-Request-ID", id)
		c.Next()
	}
}

// accessLog writes one line per request. It logs the route pattern, never the concrete path or
// query: those can hold survey tokens, ids of people, or search terms with names in them.
func accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "(no route)"
		}
		attrs := []any{"method", c.Request.Method, "route", route, "status", c.Writer.Status(),
			"ms", float64(time.Since(start).Microseconds()) / 1000, "bytes", c.Writer.Size()}
		if a, ok := c.Get(api.ActorKey); ok {
			attrs = append(attrs, "user_id", a.(model.Actor).UserID)
		}
		api.Logger(c).InfoContext(c.Request.Context(), "request", attrs...)
	}
}

// recovery turns a panic into a logged 500 with the contract's body.
func recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				api.Logger(c).ErrorContext(c.Request.Context(), "panic", "panic", slog.AnyValue(r).String())
				c.AbortWithStatusJSON(http.StatusInternalServerError, &model.Error{Code: "internal", Message: "服务器内部错误，请稍后再试"})
			}
		}()
		c.Next()
	}
}

// securityHeaders are sent on every answer; API answers are never cached by proxies.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		if strings.HasPrefix(c.Request.URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
			h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		}
		c.Next()
	}
}

// cors allows the configured origins only; with none configured it adds nothing, so browsers
// refuse cross-origin calls (the mini-program is not a browser and needs no CORS).
func cors(origins []string) gin.HandlerFunc {
	return func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		if origin == "" || !slices.Contains(origins, origin) {
			c.Next()
			return
		}
		h := c.Writer.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
		h.Set("Access-Control-Expose-Headers", "X-Request-ID")
		if c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-HTTP-Method-Override, X-Request-ID")
			h.Set("Access-Control-Max-Age", "600")
			c.AbortWithStatus(http.StatusNoContent)
			return
		}
		c.Next()
	}
}

// bodyLimit caps every request body; reading past it fails and the handler answers 413.
func bodyLimit(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > n {
			c.AbortWithStatusJSON(http.StatusRequestEntityTooLarge, &model.Error{Code: "body_too_large", Message: "请求体过大"})
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}

// Authenticator resolves a bearer token to an actor.
type Authenticator func(ctx context.Context, bearer string, m service.Meta) (model.Actor, error)

// authenticate requires a valid access token.
func authenticate(auth Authenticator) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.GetHeader("Authorization")
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			c.AbortWithStatusJSON(http.StatusUnauthorized, model.ErrNotLoggedIn)
			return
		}
		a, err := auth(c.Request.Context(), token, service.Meta{IP: c.ClientIP(), RequestID: c.GetString(api.RequestIDKey)})
		if err != nil {
			if e, ok := model.AsError(err); ok {
				c.AbortWithStatusJSON(e.Status, e)
				return
			}
			api.Logger(c).ErrorContext(c.Request.Context(), "authenticate", "err", err.Error())
			c.AbortWithStatusJSON(http.StatusInternalServerError, &model.Error{Code: "internal", Message: "服务器内部错误，请稍后再试"})
			return
		}
		c.Set(api.ActorKey, a)
		c.Next()
	}
}

// requireRole refuses with 403 a caller none of whose roles may use the function at all.
func requireRole(roles ...model.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		a, _ := c.Get(api.ActorKey)
		if actor, ok := a.(model.Actor); !ok || !actor.Is(roles...) {
			c.AbortWithStatusJSON(http.StatusForbidden, model.ErrRoleForbidden)
			return
		}
		c.Next()
	}
}

// methodOverride lets wx.request, which has no PATCH, send POST with X-HTTP-Method-Override:
// PATCH. It must run before routing, so it wraps the engine instead of being gin middleware.
func methodOverride(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.EqualFold(r.Header.Get("X-HTTP-Method-Override"), http.MethodPatch) {
			r.Method = http.MethodPatch
		}
		next.ServeHTTP(w, r)
	})
}
