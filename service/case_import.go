package service

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"gorm.io/gorm"

	"fayuan/internal/caseimport"
	"fayuan/internal/clock"
	"fayuan/internal/pii"
	"fayuan/model"
)

// CaseImports brings cases in from the spreadsheets the bureaus get (managers only).
type CaseImports struct {
	db     *gorm.DB
	clock  clock.Clock
	audit  *Audit
	vault  *pii.Vault
	limits caseimport.Limits
	// busy admits one import at a time per process: a large one takes a few hundred MB of
	// memory, and two managers importing at once is rare enough to ask one to wait.
	busy chan struct{}
}

// NewCaseImports builds the import service; zero limits take caseimport's defaults.
func NewCaseImports(db *gorm.DB, c clock.Clock, audit *Audit, vault *pii.Vault, limits caseimport.Limits) *CaseImports {
	def := caseimport.DefaultLimits()
	if limits.MaxBytes == 0 {
		limits.MaxBytes = def.MaxBytes
	}
	if limits.MaxRows == 0 {
		limits.MaxRows = def.MaxRows
	}
	if limits.MaxUnzipped == 0 {
		limits.MaxUnzipped = def.MaxUnzipped
	}
	if limits.MaxRatio == 0 {
		limits.MaxRatio = def.MaxRatio
	}
	if limits.MaxInMemory == 0 {
		limits.MaxInMemory = def.MaxInMemory
	}
	return &CaseImports{db: db, clock: c, audit: audit, vault: vault, limits: limits, busy: make(chan struct{}, 1)}
}

// MaxBytes is the largest file accepted; the router sizes the request body limit from it.
func (s *CaseImports) MaxBytes() int64 { return s.limits.MaxBytes }

// CaseImportTemplateName is the template download's file name.
const CaseImportTemplateName = caseimport.TemplateFileName

// ErrImportTooLarge is the 413 of an upload past limit bytes.
func ErrImportTooLarge(limit int64) *model.Error { return caseimport.ErrTooLarge(limit) }

// ImportOptions are the query's switches.
type ImportOptions struct {
	Partial bool // write the good rows, report the bad ones
	DryRun  bool // write nothing, answer what would happen
}

// errImportInvalid is the 422 of a file whose bad rows (or header) kept it from being written.
func errImportInvalid(msg string) *model.Error {
	return &model.Error{Status: http.StatusUnprocessableEntity, Code: "import_invalid", Message: msg}
}

// Import reads a spreadsheet of cases and upserts them by case number in one transaction. By
// default any bad row writes nothing: it answers the result with its errors and a 422
// import_invalid error (the result is never nil then). Partial writes the good rows; DryRun
// writes nothing but answers the same counts. Organisations are matched by name and handlers
// by name within their organisation, both created when new. An unchanged row (same row hash)
// is left alone, so re-importing a file changes nothing.
func (s *CaseImports) Import(ctx context.Context, by model.Actor, file io.Reader, name string, o ImportOptions) (*model.ImportResult, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	up, err := caseimport.Spool(file, name, s.limits.TmpDir, s.limits.MaxBytes)
	if err != nil {
		return nil, err
	}
	defer func() { _ = up.Remove() }()
	select {
	case s.busy <- struct{}{}:
		defer func() { <-s.busy }()
	default:
		return nil, model.TooMany("import_busy", "另一个文件正在导入，请等它完成后再试")
	}
	now := s.clock.Now()
	p, err := caseimport.Parse(ctx, up, s.limits, now.In(model.Shanghai).Format(time.DateOnly))
	if err != nil {
		return nil, err
	}
	res := &model.ImportResult{Rows: p.DataRows, DryRun: o.DryRun, Partial: o.Partial, Errors: []model.ImportIssue{}}
	if len(p.HeaderIssues) > 0 {
		report(res, p.HeaderIssues)
		return res, errImportInvalid("文件的表头有误（缺少或重复的列），未导入任何数据")
	}

	var rejected error
	run := func(tx *gorm.DB) error {
		pl, err := s.plan(tx, p, !o.DryRun)
		if err != nil {
			return err
		}
		issues := append(p.Issues, pl.issues...)
		p.SortIssues(issues)
		report(res, issues)
		res.Rejected = p.BadRows + pl.rejected
		if len(issues) > 0 && !o.Partial {
			rejected = errImportInvalid(fmt.Sprintf("文件中有 %d 行有误（共 %d 处），未导入任何数据；请改正后重新导入，或选择只导入正确的行（partial=true）",
				res.Rejected, len(issues)))
			return nil
		}
		res.Created, res.Updated, res.Unchanged = len(pl.creates), len(pl.updates), pl.unchanged
		res.OrgsCreated, res.HandlersCreated = len(pl.newOrgs), len(pl.newHandlers)
		if o.DryRun {
			return nil
		}
		if err := s.write(tx, p, pl, now); err != nil {
			return err
		}
		if err := importChanged(tx, p, pl); err != nil {
			return err
		}
		return s.audit.Record(tx, by, Entry{Action: "case.import", ObjectType: "case", ObjectKey: "import",
			Reason: fmt.Sprintf("created=%d updated=%d unchanged=%d rejected=%d orgs_created=%d handlers_created=%d partial=%t file_sha256=%s",
				res.Created, res.Updated, res.Unchanged, res.Rejected, res.OrgsCreated, res.HandlersCreated, o.Partial, up.SHA256),
			After: up.SHA256})
	}
	if o.DryRun {
		err = run(s.db.WithContext(ctx))
	} else {
		err = s.db.WithContext(ctx).Transaction(run)
	}
	if err != nil {
		return nil, duplicateAs(err, model.Conflict("import_conflict", "另一次导入同时在写入相同的机构或案件，请稍后重试"))
	}
	if rejected != nil {
		res.Created, res.Updated, res.Unchanged, res.OrgsCreated, res.HandlersCreated = 0, 0, 0, 0, 0
		return res, rejected
	}
	return res, nil
}

// report puts issues on the result, at most model.MaxImportIssues of them.
func report(res *model.ImportResult, issues []model.ImportIssue) {
	if len(issues) > model.MaxImportIssues {
		issues, res.ErrorsTruncated = issues[:model.MaxImportIssues], true
	}
	res.Errors = append(res.Errors[:0], issues...)
}

// Template is the import template (.xlsx), for managers.
func (s *CaseImports) Template(ctx context.Context, by model.Actor) ([]byte, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	var b bytes.Buffer
	if err := caseimport.WriteTemplate(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
