package api

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"fayuan/model"
	"fayuan/service"
)

// ReviewHandler serves the case-file review: rubrics, settings, sampling, assignment, files and
// scoresheets.
type ReviewHandler struct{ reviews *service.Reviews }

// NewReviewHandler builds the handler.
func NewReviewHandler(s *service.Reviews) *ReviewHandler { return &ReviewHandler{reviews: s} }

// ListRubrics godoc
// @Summary      Rubric templates
// @Description  Every stored template version (评查表): the three shipped ones (criminal, civil-administrative, hearing) and the bureau's own, newest version of each key first. `full=true` adds each version's content.
// @Tags         reviews
// @Produce      json
// @Security     Bearer
// @Param        full  query     bool  false  "include the content"
// @Success      200   {array}   model.RubricTemplateResponse
// @Failure      403   {object}  model.Error
// @Router       /api/v1/rubrics [get]
func (h *ReviewHandler) ListRubrics(c *gin.Context) {
	out, err := h.reviews.ListRubrics(c.Request.Context(), actor(c), c.Query("full") == "true")
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// UploadRubric godoc
// @Summary      Upload a bureau's own rubric
// @Description  The template as JSON: `{id, title, applies_to: [criminal|civil|administrative] or [hearing], sections: [{code, title, max}], items: [{code, section, label, max, deductions: [{label, points}], na_allowed, veto, veto_label}], vetoes: [{code, label, item?}]}`, points with at most one decimal. Stored as the next version of `id` (the body's version is ignored). A new version keeps the categories of its key: an `applies_to` other than the key's first version's → 422 naming `applies_to`. This includes the built-in keys (`criminal`, `civil-administrative`, `hearing`): uploading one of them with the same `applies_to` is allowed and is how a bureau adopts a revised official table — campaigns that follow the newest version (version 0) score files created afterwards on it. Items not summing to 100, a section's max not matching its items, duplicate codes → 422 naming each field.
// @Tags         reviews
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        body  body      object  true  "the rubric"
// @Success      201   {object}  model.RubricTemplateResponse
// @Failure      403   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/rubrics [post]
func (h *ReviewHandler) UploadRubric(c *gin.Context) {
	var raw json.RawMessage
	if !bind(c, &raw) {
		return
	}
	out, err := h.reviews.UploadRubric(c.Request.Context(), actor(c), raw)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, out)
}

// Settings godoc
// @Summary      A campaign's review settings
// @Description  Templates per slot (criminal → criminal; civil, administrative, non_litigation → civil-administrative; hearing → hearing by default; version 0 = newest), the hand-in deadline (`hand_in_due` in force: the set date or the reviews phase's start + `hand_in_days`), reviewers per file and the third-reviewer triggers; the grade bands are the campaign's.
// @Tags         reviews
// @Produce      json
// @Security     Bearer
// @Param        id   path      string  true  "campaign id"
// @Success      200  {object}  model.ReviewSettingsResponse
// @Failure      404  {object}  model.Error
// @Router       /api/v1/campaigns/{id}/review-settings [get]
func (h *ReviewHandler) Settings(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	out, err := h.reviews.ReviewSettings(c.Request.Context(), actor(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// UpdateSettings godoc
// @Summary      Change a campaign's review settings
// @Description  Only the fields given change; `rubrics` only for the slots listed, each naming a stored template (and version, 0 = newest) that applies to the slot; in `triggers` only the triggers given change, the others keep their value. The veto trigger cannot be switched off (`triggers.veto: false` → 422): a veto always calls a third reviewer. Sheets already created keep their template version. Audited.
// @Tags         reviews
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string                       true  "campaign id"
// @Param        body  body      model.ReviewSettingsRequest  true  "the changes"
// @Success      200   {object}  model.ReviewSettingsResponse
// @Failure      404   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/campaigns/{id}/review-settings [put]
func (h *ReviewHandler) UpdateSettings(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req model.ReviewSettingsRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.reviews.UpdateReviewSettings(c.Request.Context(), actor(c), id, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Sample godoc
// @Summary      Sample files for review
// @Description  Draws files from the review scope: `{all: true}`, `{percent}` of each category × source stratum (half up, at least one per stratum), or `{case_nos}`; `seed` reproduces a drawing (same seed and same cases → same files), otherwise one is drawn and answered. Files already sampled stay. Audited.
// @Tags         reviews
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string               true  "campaign id"
// @Param        body  body      model.SampleRequest  true  "how to sample"
// @Success      200   {object}  model.SampleResponse
// @Failure      404   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/campaigns/{id}/reviews/sample [post]
func (h *ReviewHandler) Sample(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req model.SampleRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.reviews.Sample(c.Request.Context(), actor(c), id, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// Assign godoc
// @Summary      Assign reviewers to the sampled files
// @Description  `{reviewer_ids, per_case: 2, sample?: {percent} or {case_nos}}`: samples first when `sample` is given (or nothing was sampled yet: the whole scope), then gives each file the rest of its `per_case` sheets, least loaded first. 回避 is automatic: never the handler, never someone of the handler's firm or office, never someone who declared a conflict with the case or the handler; a file left with too few eligible reviewers is `unassignable` and given to nobody. With `case_ids`, exactly the listed reviewers go on the listed files and any recusal → 409 `recused`, nothing written. Never twice, even with concurrent runs. Audited per sheet.
// @Tags         reviews
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string                     true  "campaign id"
// @Param        body  body      model.ReviewAssignRequest  true  "reviewers and files"
// @Success      200   {object}  model.ReviewAssignResponse
// @Failure      404   {object}  model.Error
// @Failure      409   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/campaigns/{id}/reviews/assign [post]
func (h *ReviewHandler) Assign(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req model.ReviewAssignRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.reviews.Assign(c.Request.Context(), actor(c), id, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// ListSheets godoc
// @Summary      Scoresheets of a campaign
// @Description  A reviewer's own sheets, or all of them for a manager (with `reviewer_id`): `{id, case_id, template, status: draft|submitted, version}` and the file's status. A manager who also scores a file is blind on it: a colleague's sheet of that file is not listed until every sheet of the file is submitted, and then without `reviewer_id` (GET /reviews/{id} answers 404 for it until then).
// @Tags         reviews
// @Produce      json
// @Security     Bearer
// @Param        id         path      string  true   "campaign id"
// @Param        page       query     int     false  "page"
// @Param        page_size  query     int     false  "page size"
// @Success      200        {object}  model.List[model.SheetSummary]
// @Failure      404        {object}  model.Error
// @Router       /api/v1/campaigns/{id}/reviews [get]
func (h *ReviewHandler) ListSheets(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	pg, ok := page(c)
	if !ok {
		return
	}
	out, err := h.reviews.ListSheets(c.Request.Context(), actor(c), id, pg)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// GetSheet godoc
// @Summary      One scoresheet
// @Description  The sheet's reviewer (or a manager): items with max, deduction, reason, not_applicable and the typical deductions; the rubric's vetoes with those applied; score (rescaled over applicable items, half up to 0.1) and grade. Reviewers score blind: another reviewer's sheet of the same file is 404 until every sheet of the file is submitted — also for a manager who scores that file.
// @Tags         reviews
// @Produce      json
// @Security     Bearer
// @Param        id   path      string  true  "sheet id"
// @Success      200  {object}  model.SheetResponse
// @Failure      404  {object}  model.Error
// @Router       /api/v1/reviews/{id} [get]
func (h *ReviewHandler) GetSheet(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	out, err := h.reviews.GetSheet(c.Request.Context(), actor(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// SaveSheet godoc
// @Summary      Save or submit a scoresheet
// @Description  `{version, items: [{code, deduction, reason, not_applicable}], veto?: {code, reason}, submit?}`: the items replace the draft's (items not listed keep full marks); a deduction is in points to 0.1, at most the item's max, with a reason when > 0; not_applicable only where the item allows. `submit: true` locks the sheet; the file's last sheet decides it (mean of two, or a third reviewer, then the median). 409: `stale_version`, `sheet_submitted`, `file_not_received` (the file is not yet handed in and received), `phase_closed` (judged on the save time). Another's sheet → 404.
// @Tags         reviews
// @Accept       json
// @Produce      json
// @Security     Bearer
// @Param        id    path      string                  true  "sheet id"
// @Param        body  body      model.SaveSheetRequest  true  "the entries"
// @Success      200   {object}  model.SheetResponse
// @Failure      404   {object}  model.Error
// @Failure      409   {object}  model.Error
// @Failure      422   {object}  model.Error
// @Router       /api/v1/reviews/{id} [put]
func (h *ReviewHandler) SaveSheet(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req model.SaveSheetRequest
	if !bind(c, &req) {
		return
	}
	out, err := h.reviews.SaveSheet(c.Request.Context(), actor(c), id, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
