package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"fayuan/model"
)

// Flags godoc
// @Summary      A campaign's plausibility flags
// @Description  Patterns a manager may want to look at, never blocking, computed from the calls on each request; each names the caller and the calls. `short_call`: reached calls with all answers under `min_reached_duration_s` (default 30); `identical_run`: at least `identical_run` (default 10) consecutive reached calls of one caller with identical four answers; `late_burst`: at least `burst_size` (default 10) records received within `burst_window_minutes` (default 10), each at least `burst_delay_hours` (default 24) after its stated `called_at`. From the visits: `visit_mismatch`, per caller with a call a visit found inconsistent, the share (`rate`) of their visited calls found inconsistent; per visitor (`caller_id`, with `visit_ids`): `visit_far` (located farther than `visit_distance_m`, default 10000, from the recipient's town centroid — approximate centroids, GCJ-02 converted to WGS-84 first), `visit_stale_upload` and `visit_future_time` (the phase engine's judgement of `visited_at`), `verification_disputed`. The query parameters of the same names change the thresholds; the answer echoes them in `settings`.
// @Tags         calls
// @Produce      json
// @Security     Bearer
// @Param        id                      path      string  true   "campaign id"
// @Param        min_reached_duration_s  query     int     false  "default 30"
// @Param        identical_run           query     int     false  "default 10"
// @Param        burst_size              query     int     false  "default 10"
// @Param        burst_window_minutes    query     int     false  "default 10"
// @Param        burst_delay_hours       query     int     false  "default 24"
// @Param        visit_distance_m        query     int     false  "default 10000"
// @Success      200  {object}  model.FlagList
// @Failure      404  {object}  model.Error
// @Failure      422  {object}  model.Error
// @Router       /api/v1/campaigns/{id}/flags [get]
func (h *CallHandler) Flags(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	st := model.DefaultFlagSettings()
	bad := map[string]string{}
	for name, p := range map[string]*int{"min_reached_duration_s": &st.MinReachedDurationS, "identical_run": &st.IdenticalRun,
		"burst_size": &st.BurstSize, "burst_window_minutes": &st.BurstWindowMinutes, "burst_delay_hours": &st.BurstDelayHours,
		"visit_distance_m": &st.VisitDistanceM} {
		if v := c.Query(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 100000 {
				bad[name] = "应为 1–100000 的整数"
				continue
			}
			*p = n
		}
	}
	if len(bad) > 0 {
		fail(c, model.Invalid(bad))
		return
	}
	out, err := h.calls.Flags(c.Request.Context(), actor(c), id, st)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Export godoc
// @Summary      Export a campaign as .xlsx
// @Description  `kind=calls`: the registration forms (电话回访登记表), one row per case in the follow-up scope — 案号, 案由, 受援人 (full name; never phone or ID number), 案件承办人, 结案时间, 回访日期, the four questions (是/否/不确定, 满意/不满意/不确定, the notes), who answered, outcome, attempts, status and caller. `kind=visits`: the field visits (走访记录), one row per visit in visit time order — the case, visit and upload times, visitor and participants, location as recorded (with its coordinate system), the four answers, the verification against the phone with what differs, the visitor's own conclusion, suggestions, note, late and flags. Other kinds (reviews, results) are 422 naming `kind` for now. The file name is Chinese, sent with RFC 5987 `filename*`. Audited.
// @Tags         exports
// @Produce      application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
// @Security     Bearer
// @Param        id    path      string  true  "campaign id"
// @Param        kind  query     string  true  "calls or visits"
// @Success      200   {file}    file
// @Failure      404   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/campaigns/{id}/export [get]
func (h *CallHandler) Export(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	kind := c.Query("kind")
	name, b, err := h.calls.Export(c.Request.Context(), actor(c), id, kind)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.xlsx"; filename*=UTF-8''%s`, kind, id, rfc5987(name)))
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
}

// Form godoc
// @Summary      One case's printable registration form
// @Description  The notice's attachment 柞水县法律援助案件电话回访登记表 as an HTML page for the browser's print or PDF (A4, no external resources): 案由, 受援人姓名, 案件承办人, 结案时间, 回访日期, the intro and the four questions with the boxes ticked (√) from the reached call's answers, blank when there is none. For a manager or the caller assigned to the case; others see no such case (404).
// @Tags         calls
// @Produce      html
// @Security     Bearer
// @Param        id       path      string  true  "campaign id"
// @Param        case_id  path      string  true  "case id"
// @Success      200      {string}  string  "text/html"
// @Failure      404      {object}  model.Error
// @Router       /api/v1/campaigns/{id}/cases/{case_id}/form [get]
func (h *CallHandler) Form(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	caseID, ok := pathID(c, "case_id")
	if !ok {
		return
	}
	b, err := h.calls.Form(c.Request.Context(), actor(c), id, caseID)
	if err != nil {
		fail(c, err)
		return
	}
	// The page's own inline styles lay it out on A4; nothing else may load.
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	c.Data(http.StatusOK, "text/html; charset=utf-8", b)
}

// rfc5987 percent-encodes a UTF-8 value for a header's ext-value: every byte outside attr-char.
func rfc5987(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte("!#$&+-.^_`|~", ch) >= 0 {
			b.WriteByte(ch)
		} else {
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}
