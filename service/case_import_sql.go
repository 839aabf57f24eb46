package service

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"gorm.io/gorm"

	"fayuan/internal/caseimport"
	"fayuan/model"
)

// importColumns are the columns an import writes, in the order of importValues.
var importColumns = []string{"case_no", "category", "source", "cause", "service_type", "recipient_name",
	"recipient_phone_enc", "recipient_phone_hash", "recipient_id_enc", "recipient_id_hash", "recipient_gender",
	"recipient_birth_date", "recipient_group", "town", "village", "address_enc", "handler_id", "handler_name",
	"handler_org_id", "accepted_on", "assigned_on", "closed_on", "archived_on", "closing_method", "court_or_organ",
	"subsidy_cents", "notes", "row_hash", "version", "created_at", "updated_at"}

// importValues appends c's values in the order of importColumns.
func importValues(args []any, c *model.Case) []any {
	return append(args, c.CaseNo, string(c.Category), string(c.Source), c.Cause, c.ServiceType, c.RecipientName,
		c.RecipientPhoneEnc, c.RecipientPhoneHash, c.RecipientIDEnc, c.RecipientIDHash, c.RecipientGender,
		c.RecipientBirthDate, string(c.RecipientGroup), c.Town, c.Village, c.AddressEnc, c.HandlerID, c.HandlerName,
		c.HandlerOrgID, c.AcceptedOn, c.AssignedOn, c.ClosedOn, c.ArchivedOn, c.ClosingMethod, c.CourtOrOrgan,
		c.SubsidyCents, c.Notes, c.RowHash, c.Version, c.CreatedAt.UTC(), c.UpdatedAt.UTC())
}

// optionalColumns are the columns an update writes only when the file has them: a file
// without 备注 leaves a case's notes alone.
var optionalColumns = map[caseimport.Field]string{
	caseimport.ArchivedOn: "archived_on", caseimport.Subsidy: "subsidy_cents",
	caseimport.AcceptedOn: "accepted_on", caseimport.AssignedOn: "assigned_on",
	caseimport.ServiceType: "service_type", caseimport.Group: "recipient_group",
	caseimport.Address: "address_enc", caseimport.ClosingMethod: "closing_method",
	caseimport.CourtOrOrgan: "court_or_organ", caseimport.Notes: "notes",
}

// updatedColumns are what an update of an existing case writes: the required columns, the
// optional ones the file has, the row hash and the update time (the version is bumped too).
func updatedColumns(present caseimport.FieldSet) []string {
	cols := []string{"category", "source", "cause", "recipient_name", "recipient_phone_enc", "recipient_phone_hash",
		"recipient_id_enc", "recipient_id_hash", "recipient_gender", "recipient_birth_date", "town", "village",
		"handler_id", "handler_name", "handler_org_id", "closed_on", "row_hash", "updated_at"}
	for _, f := range caseimport.Fields() {
		if col, ok := optionalColumns[f]; ok && present.Has(f) {
			cols = append(cols, col)
		}
	}
	return cols
}

// caseWriter writes cases with multi-row INSERTs (upserts for updates) prepared once per
// transaction and reused for every full batch. gorm re-prepares its statement on every call
// inside a transaction, and a statement of a thousand placeholders costs more to prepare than
// to run.
type caseWriter struct {
	ctx    context.Context
	tx     *sql.Tx
	batch  int    // cases per statement
	suffix string // the upsert clause, empty for plain inserts
	full   *sql.Stmt
	args   []any
}

// newCaseWriter prepares to write cases in tx; update makes it an upsert by case number that
// writes cols and bumps the version.
func newCaseWriter(tx *gorm.DB, update bool, cols []string) (*caseWriter, error) {
	var raw *sql.Tx
	switch p := tx.Statement.ConnPool.(type) {
	case *sql.Tx:
		raw = p
	case *gorm.PreparedStmtTX:
		raw, _ = p.Tx.(*sql.Tx)
	}
	if raw == nil {
		return nil, errors.New("case import: writer needs an SQL transaction")
	}
	w := &caseWriter{ctx: tx.Statement.Context, tx: raw, batch: insertChunk(tx)}
	if update {
		set := make([]string, 0, len(cols)+1)
		for _, c := range cols {
			if tx.Dialector.Name() == "mysql" {
				set = append(set, c+" = VALUES("+c+")")
			} else {
				set = append(set, c+" = excluded."+c)
			}
		}
		set = append(set, "version = cases.version + 1")
		if tx.Dialector.Name() == "mysql" {
			w.suffix = " ON DUPLICATE KEY UPDATE " + strings.Join(set, ", ")
		} else {
			w.suffix = " ON CONFLICT (case_no) DO UPDATE SET " + strings.Join(set, ", ")
		}
	}
	return w, nil
}

// statement is the INSERT of n cases.
func (w *caseWriter) statement(n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(importColumns)), ", ") + ")"
	return "INSERT INTO cases (" + strings.Join(importColumns, ", ") + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") + w.suffix
}

// write writes one batch of at most w.batch cases.
func (w *caseWriter) write(cases []model.Case) error {
	w.args = w.args[:0]
	for i := range cases {
		w.args = importValues(w.args, &cases[i])
	}
	if len(cases) < w.batch {
		_, err := w.tx.ExecContext(w.ctx, w.statement(len(cases)), w.args...)
		return err
	}
	if w.full == nil {
		var err error
		if w.full, err = w.tx.PrepareContext(w.ctx, w.statement(w.batch)); err != nil {
			return err
		}
	}
	_, err := w.full.ExecContext(w.ctx, w.args...)
	return err
}

// close releases the prepared statement.
func (w *caseWriter) close() {
	if w.full != nil {
		_ = w.full.Close()
	}
}
