package db

import (
	"gorm.io/gorm"
)

// workBucketSQL is the work list's category of an assignment, as the database computes it on
// every write: 0 never tried, 1 pending after an attempt (due or not is a matter of the time
// of the last one), 3 finished. A generated column cannot be forgotten by a write path.
const workBucketSQL = "CASE WHEN attempts = 0 THEN 0 WHEN status = 'pending' THEN 1 ELSE 3 END"

// v15 copies each case's town, village and number onto its assignments and adds the work
// bucket, so that one index (caller, bucket, town, village, number, case) holds each category
// of a caller's work list already in order: a page is a few short index range reads instead of
// sorting every case the caller holds.
func v15(tx *gorm.DB) error {
	m := tx.Migrator()
	mysql := tx.Dialector.Name() == "mysql"
	text := "TEXT NOT NULL DEFAULT ''"
	bucket := "INTEGER GENERATED ALWAYS AS (" + workBucketSQL + ") VIRTUAL"
	if mysql {
		text = "VARCHAR(64) NOT NULL DEFAULT ''"
		bucket = "TINYINT AS (" + workBucketSQL + ") VIRTUAL"
	}
	for _, col := range []struct{ name, def string }{
		{"town", text}, {"village", text}, {"case_no", text}, {"work_bucket", bucket},
	} {
		if m.HasColumn("case_assignments", col.name) {
			continue
		}
		if err := tx.Exec("ALTER TABLE case_assignments ADD COLUMN " + col.name + " " + col.def).Error; err != nil {
			return err
		}
	}
	backfill := "UPDATE case_assignments SET town = (SELECT c.town FROM cases c WHERE c.id = case_assignments.case_id), " +
		"village = (SELECT c.village FROM cases c WHERE c.id = case_assignments.case_id), " +
		"case_no = (SELECT c.case_no FROM cases c WHERE c.id = case_assignments.case_id)"
	if mysql {
		backfill = "UPDATE case_assignments a JOIN cases c ON c.id = a.case_id SET a.town = c.town, a.village = c.village, a.case_no = c.case_no"
	}
	if err := tx.Exec(backfill).Error; err != nil {
		return err
	}
	if !m.HasIndex("case_assignments", "idx_assign_work_order") {
		// last_attempt_at last: the due/not-due split of bucket 1 is read from the index alone.
		err := tx.Exec("CREATE INDEX idx_assign_work_order ON case_assignments " +
			"(campaign_id, phase, user_id, work_bucket, town, village, case_no, case_id, last_attempt_at)").Error
		if err != nil {
			return err
		}
	}
	// v14's work-list index on the assignments served only the sort this index replaces; every
	// recorded call rewrote it.
	if m.HasIndex("case_assignments", "idx_assign_worklist") {
		return m.DropIndex("case_assignments", "idx_assign_worklist")
	}
	return nil
}
