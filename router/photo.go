package router

import (
	"github.com/gin-gonic/gin"

	"fayuan/internal/signedurl"
)

// signedOrAuthenticated lets a signed image URL through without a token (the mini-program's
// <image> sends none; the handler checks the signature) and asks every other request for one.
func signedOrAuthenticated(auth Authenticator) gin.HandlerFunc {
	withToken := authenticate(auth)
	return func(c *gin.Context) {
		if signedurl.Signed(c.Request.URL.Query()) {
			c.Next()
			return
		}
		withToken(c)
	}
}
