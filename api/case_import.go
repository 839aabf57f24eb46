package api

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"fayuan/model"
	"fayuan/service"
)

// CaseImportHandler serves the spreadsheet import of cases and its template.
type CaseImportHandler struct{ imports *service.CaseImports }

// NewCaseImportHandler builds the handler.
func NewCaseImportHandler(s *service.CaseImports) *CaseImportHandler {
	return &CaseImportHandler{imports: s}
}

// Import godoc
// @Summary      Import cases from a spreadsheet
// @Description  Multipart field `file`: an .xlsx workbook or a CSV in UTF-8 (BOM or not) or GBK; the type is read from the content, not the name.
// @Description  The header row has the contract's Chinese column names in any order (title rows above it are allowed; unknown columns are ignored).
// @Description  A row whose 案号 exists updates that case — only the columns the file has; an unchanged row is left alone, so re-importing a file changes nothing.
// @Description  Organisations are matched by name and handlers by name within their organisation; both are created when new.
// @Description  Every bad cell is reported as `{row, column, message}` with the spreadsheet's own row number (header = row 1), at most 1000 (`errors_truncated`).
// @Description  By default a file with any bad row writes nothing and answers **422**: the error body with code `import_invalid` whose `details` holds the same fields as the 200 answer (counts 0);
// @Description  `partial=true` writes the good rows and answers 200 listing the bad ones; `dry_run=true` writes nothing and answers what would happen (same status and counts).
// @Description  A missing or repeated column is a 422 `import_invalid` naming it on the header row, partial or not.
// @Description  Other 4xx: 413 `file_too_large` (default 20 MB), 415 `unsupported_file` (not a spreadsheet, .xls, a renamed file), 422 `too_many_rows` (default 200,000), `file_corrupt`, `file_suspicious` (zip bomb), `file_empty`.
// @Tags         cases
// @Accept       multipart/form-data
// @Produce      json
// @Security     Bearer
// @Param        file     formData  file    true   ".xlsx or .csv"
// @Param        partial  query     bool    false  "write the good rows, report the bad ones"
// @Param        dry_run  query     bool    false  "write nothing, report what would happen"
// @Success      200      {object}  model.ImportResult
// @Failure      403      {object}  model.Error
// @Failure      409      {object}  model.Error  "another import is writing the same organisations or cases"
// @Failure      413      {object}  model.Error
// @Failure      415      {object}  model.Error
// @Failure      429      {object}  model.Error  "import_busy: another import is running in this server"
// @Failure      422      {object}  model.ImportRejected  "import_invalid: details is the import's answer; other 422 codes have the plain error body"
// @Router       /api/v1/cases/import [post]
func (h *CaseImportHandler) Import(c *gin.Context) {
	var o service.ImportOptions
	bad := map[string]string{}
	for name, dst := range map[string]*bool{"partial": &o.Partial, "dry_run": &o.DryRun} {
		if v := c.Query(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				bad[name] = "应为 true 或 false"
			}
			*dst = b
		}
	}
	if len(bad) > 0 {
		fail(c, model.Invalid(bad))
		return
	}
	file, name, err := uploadedFile(c.Request, "file", h.imports.MaxBytes())
	if err != nil {
		fail(c, err)
		return
	}
	res, err := h.imports.Import(c.Request.Context(), actor(c), file, name, o)
	if e, ok := model.AsError(err); ok && res != nil {
		c.JSON(e.Status, model.ImportRejected{Code: e.Code, Message: e.Message, Details: *res})
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// Template godoc
// @Summary      Download the case import template
// @Description  An .xlsx with the header row, one example row (delete it before importing) and a sheet explaining each column.
// @Tags         cases
// @Produce      application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
// @Security     Bearer
// @Success      200  {file}    file
// @Failure      403  {object}  model.Error
// @Router       /api/v1/cases/import-template [get]
func (h *CaseImportHandler) Template(c *gin.Context) {
	b, err := h.imports.Template(c.Request.Context(), actor(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="case-import-template.xlsx"; filename*=UTF-8''`+
		url.PathEscape(service.CaseImportTemplateName))
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
}

// uploadedFile streams the multipart part named field, never buffering the body: the service
// spools it to disk. Parts before it are skipped (within the body limit).
func uploadedFile(r *http.Request, field string, limit int64) (io.Reader, string, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, "", &model.Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Message: "请以 multipart/form-data 上传文件，文件字段名为 file"}
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, "", model.InvalidField(field, "请选择要导入的文件")
		}
		if err == nil && part.FormName() == field {
			return part, part.FileName(), nil
		}
		if err == nil {
			_, err = io.Copy(io.Discard, part)
		}
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return nil, "", service.ErrImportTooLarge(limit)
		case err != nil:
			return nil, "", model.BadRequest("malformed_multipart", "上传的表单格式错误")
		}
	}
}
