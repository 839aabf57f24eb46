package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"fayuan/model"
	"fayuan/service"
)

// Assign godoc
// @Summary      Assign a phase's cases to staff
// @Description  Shares the phase's unassigned in-scope cases (calls: the follow-up scope without confirmed exclusions; visits: the same for now; reviews: the review scope), or the listed `case_ids`, among `staff_ids`: the least loaded first, a town's cases together for visits, and 回避 — nobody gets a case their organisation handled or that a handler record linked to them handled. Cases nobody listed may take come back in `unassignable`. A listed case held by someone not listed moves (history kept). Staff must be active users with role staff (reviewer for reviews). Never assigns a case twice, even with replicas assigning at once. Audited.
// @Tags         campaigns
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string               true  "campaign id"
// @Param        body  body      model.AssignRequest  true  "phase, staff and optional cases"
// @Success      200   {object}  model.AssignResponse
// @Failure      404   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/campaigns/{id}/assignments [post]
func (h *CampaignHandler) Assign(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req model.AssignRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.assignments.Assign(c.Request.Context(), actor(c), id, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// FollowUps godoc
// @Summary      The staff member's work list
// @Description  The caller's own assigned cases of the phase — never-called first, then pending cases whose retry is due (`min_retry_gap_minutes` since the last attempt, default 2 h), then the rest; within each by town and village — with `status`, `attempts`, `last_outcome`, `answers_so_far` (the latest reached call's answers) and the recipient's phone in full (one `case.read_phone` audit row per fetch). With `updated_since` (RFC 3339): only items changed since, plus `removed_case_ids` moved away from the caller since; send the answer's `synced_at` next time.
// @Tags         campaigns
// @Produce      json
// @Security     Bearer
// @Param        id             path      string  true   "campaign id"
// @Param        phase          query     string  true   "calls or visits"
// @Param        updated_since  query     string  false  "RFC 3339 time"
// @Param        page           query     int     false  "page (1-based)"
// @Param        page_size      query     int     false  "at most 500"
// @Success      200            {object}  model.WorkList
// @Failure      404            {object}  model.Error
// @Failure      422            {object}  model.Error
// @Router       /api/v1/campaigns/{id}/follow-ups [get]
func (h *CampaignHandler) FollowUps(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	p, ok := page(c)
	if !ok {
		return
	}
	q := service.WorkListQuery{Phase: c.Query("phase"), Page: p}
	if v := c.Query("updated_since"); v != "" {
		// An unencoded "+08:00" in a query string arrives as " 08:00".
		t, err := time.Parse(time.RFC3339Nano, strings.Replace(v, " ", "+", 1))
		if err != nil {
			fail(c, model.InvalidField("updated_since", "时间格式应为 RFC 3339，如 2024-05-24T09:30:00+08:00"))
			return
		}
		q.UpdatedSince = &t
	}
	out, err := h.assignments.WorkList(c.Request.Context(), actor(c), id, q)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
