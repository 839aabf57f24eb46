package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"fayuan/model"
	"fayuan/service"
)

// CaseHandler serves legal-aid cases.
type CaseHandler struct{ cases *service.Cases }

// NewCaseHandler builds the handler.
func NewCaseHandler(s *service.Cases) *CaseHandler { return &CaseHandler{cases: s} }

// List godoc
// @Summary      List cases
// @Description  Managers see every case; staff and reviewers the cases assigned to them; a handler their own cases. Phone and ID numbers are always masked in the list; reviewers and handlers see the recipient's name masked and no phone or ID at all. Ordered by closing date (open cases last), then id.
// @Tags         cases
// @Produce      json
// @Security     Bearer
// @Param        closed_from  query     string  false  "closed on or after, YYYY-MM-DD"
// @Param        closed_to    query     string  false  "closed on or before, YYYY-MM-DD"
// @Param        category     query     string  false  "criminal, civil, administrative, non_litigation; several separated by commas"
// @Param        source       query     string  false  "application or notified; both separated by a comma"
// @Param        handler      query     string  false  "handler id, or handler name (exact)"
// @Param        org          query     string  false  "handling organisation id"
// @Param        town         query     string  false  "township (exact)"
// @Param        status       query     string  false  "open or closed"
// @Param        q            query     string  false  "case number prefix, or the recipient's or handler's full name"
// @Param        phone        query     string  false  "recipient phone, exact (managers only)"
// @Param        id_number    query     string  false  "recipient ID number, exact (managers only)"
// @Param        sort         query     string  false  "-closed_on (default, newest first) or closed_on"
// @Param        page         query     int     false  "page (1-based)"
// @Param        page_size    query     int     false  "at most 500"
// @Success      200          {object}  model.List[model.CaseResponse]
// @Failure      403          {object}  model.Error
// @Failure      422          {object}  model.Error
// @Router       /api/v1/cases [get]
func (h *CaseHandler) List(c *gin.Context) {
	p, ok := page(c)
	if !ok {
		return
	}
	f := model.CaseFilter{ClosedFrom: c.Query("closed_from"), ClosedTo: c.Query("closed_to"), Town: c.Query("town"),
		Status: c.Query("status"), Q: c.Query("q"), Phone: c.Query("phone"), IDNumber: c.Query("id_number"), Page: p}
	for _, v := range commaList(c.Query("category")) {
		f.Categories = append(f.Categories, model.Category(v))
	}
	for _, v := range commaList(c.Query("source")) {
		f.Sources = append(f.Sources, model.Source(v))
	}
	bad := map[string]string{}
	if v := strings.TrimSpace(c.Query("handler")); v != "" {
		if id, ok := model.ParseID(v); ok {
			f.HandlerID = id
		} else {
			f.HandlerName = v
		}
	}
	if v := c.Query("org"); v != "" {
		if f.OrgID, ok = model.ParseID(v); !ok {
			bad["org"] = "机构编号格式不对"
		}
	}
	switch c.Query("sort") {
	case "", "-closed_on":
	case "closed_on":
		f.Ascending = true
	default:
		bad["sort"] = "排序只能是 closed_on 或 -closed_on"
	}
	if len(bad) > 0 {
		fail(c, model.Invalid(bad))
		return
	}
	out, err := h.cases.List(c.Request.Context(), actor(c), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Get godoc
// @Summary      One case with its history
// @Description  calls, visits, survey_answers and results are each in time order. survey_answers (the recipient's own survey) are listed only to managers and the staff assigned to the case; anyone else, the handler above all, gets an empty list. The staff member assigned to call or visit the recipient sees the phone in full here, and the read is audited (case.read_phone). A case the caller may not see answers 404.
// @Tags         cases
// @Produce      json
// @Security     Bearer
// @Param        id   path      string  true  "case id"
// @Success      200  {object}  model.CaseDetailResponse
// @Failure      404  {object}  model.Error
// @Router       /api/v1/cases/{id} [get]
func (h *CaseHandler) Get(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	out, err := h.cases.Get(c.Request.Context(), actor(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Create godoc
// @Summary      Create a case
// @Description  Managers only. The handler is given as handler {name, org_id} (matched by name within the organisation, created when new) or handler_id. Dates are YYYY-MM-DD; subsidy is in yuan. Phone and ID number are normalised and checked (GB 11643 check digit; a 15-digit number is upgraded to 18) and stored encrypted.
// @Tags         cases
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        body  body      model.CreateCaseRequest  true  "case"
// @Success      201   {object}  model.CaseDetailResponse
// @Failure      409   {object}  model.Error  "case_no_taken"
// @Failure      422   {object}  model.Error
// @Router       /api/v1/cases [post]
func (h *CaseHandler) Create(c *gin.Context) {
	var req model.CreateCaseRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.cases.Create(c.Request.Context(), actor(c), req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, out)
}

// Update godoc
// @Summary      Edit a case
// @Description  Managers only. version is the version read: if the case changed since, 409 version_conflict and nothing is written. Absent fields stay; an empty string clears a date or a text. Also answers POST with `X-HTTP-Method-Override: PATCH`.
// @Tags         cases
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string                   true  "case id"
// @Param        body  body      model.UpdateCaseRequest  true  "changes"
// @Success      200   {object}  model.CaseDetailResponse
// @Failure      404   {object}  model.Error
// @Failure      409   {object}  model.Error  "version_conflict or case_no_taken"
// @Failure      422   {object}  model.Error
// @Router       /api/v1/cases/{id} [patch]
func (h *CaseHandler) Update(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req model.UpdateCaseRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.cases.Update(c.Request.Context(), actor(c), id, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Reveal godoc
// @Summary      Reveal a recipient's phone, ID number or address
// @Description  Managers only, with a reason; the read and its reason are audited (case.reveal_phone, case.reveal_id_number, case.reveal_address).
// @Tags         cases
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string               true  "case id"
// @Param        body  body      model.RevealRequest  true  "field and reason"
// @Success      200   {object}  model.RevealResponse
// @Failure      404   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/cases/{id}/reveal [post]
func (h *CaseHandler) Reveal(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req model.RevealRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.cases.Reveal(c.Request.Context(), actor(c), id, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// commaList splits "a,b" into its non-empty, trimmed parts.
func commaList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
