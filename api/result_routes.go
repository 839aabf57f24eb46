package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"fayuan/model"
)

// The hearing and result routes differ only in the service call: these read the path ids (and
// the JSON body), call once and answer, so each handler is one line under its godoc.

// answer writes out with status, or the error.
func answer(c *gin.Context, status int, out any, err error) {
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(status, out)
}

// serveByID answers a route on the object of path parameter :id, without a body.
func serveByID[O any](c *gin.Context, call func(context.Context, model.Actor, model.ID) (O, error)) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	out, err := call(c.Request.Context(), actor(c), id)
	answer(c, http.StatusOK, out, err)
}

// serveBodyByID answers a route on the object of :id with a JSON body R, with status.
func serveBodyByID[R, O any](c *gin.Context, status int, call func(context.Context, model.Actor, model.ID, R) (O, error)) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req R
	if !bind(c, &req) {
		return
	}
	out, err := call(c.Request.Context(), actor(c), id, req)
	answer(c, status, out, err)
}

// serveHandlerList answers a campaign's list filtered by the optional handler, paged.
func serveHandlerList[O any](c *gin.Context, call func(context.Context, model.Actor, model.ID, uint64, model.Page) (O, error)) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	p, ok := page(c)
	if !ok {
		return
	}
	handler, ok := handlerFilter(c)
	if !ok {
		return
	}
	out, err := call(c.Request.Context(), actor(c), id, handler, p)
	answer(c, http.StatusOK, out, err)
}

// pathIDs reads the named path ids in order, answering 404 for the first malformed one.
func pathIDs(c *gin.Context, names ...string) ([]model.ID, bool) {
	ids := make([]model.ID, len(names))
	for i, n := range names {
		id, ok := pathID(c, n)
		if !ok {
			return nil, false
		}
		ids[i] = id
	}
	return ids, true
}

// serveResult answers a route on one case's result (:id campaign, :case_id case) with a JSON body R.
func serveResult[R any](c *gin.Context, call func(context.Context, model.Actor, model.ID, model.ID, R) (*model.ResultResponse, error)) {
	ids, ok := pathIDs(c, "id", "case_id")
	if !ok {
		return
	}
	var req R
	if !bind(c, &req) {
		return
	}
	out, err := call(c.Request.Context(), actor(c), ids[0], ids[1], req)
	answer(c, http.StatusOK, out, err)
}
