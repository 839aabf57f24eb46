package router

import "github.com/gin-gonic/gin"

// multipartSlack is what a multipart body adds around its file: boundaries and part headers.
const multipartSlack = 64 << 10

// uploadRoutes are the routes that take a file, by "METHOD /pattern", with their file limit
// from the options.
func uploadRoutes(o Options) map[string]int64 {
	out := map[string]int64{}
	if o.ImportBytes > 0 {
		out["POST /api/v1/cases/import"] = o.ImportBytes + multipartSlack
	}
	if o.PhotoBytes > 0 {
		out["POST /api/v1/visits/:id/photos"] = o.PhotoBytes + multipartSlack
	}
	return out
}

// bodyLimits caps every request body at def, or at the route's own cap for an upload route.
// The route is known here: gin matches it before running the global middleware.
func bodyLimits(def int64, perRoute map[string]int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		n := def
		if v, ok := perRoute[c.Request.Method+" "+c.FullPath()]; ok {
			n = v
		}
		bodyLimit(n)(c)
	}
}
