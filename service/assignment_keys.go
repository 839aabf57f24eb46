package service

import (
	"slices"

	"gorm.io/gorm"
)

// copyCaseKeys copies the town, village and number of cases onto their assignments, which
// keep them so that a caller's work list is read in order from one index (idx_assign_work_order).
// Every write of those case fields, and every new assignment, goes through here in its own
// transaction; where selects the assignments (columns of case_assignments, unqualified).
func copyCaseKeys(tx *gorm.DB, where string, args ...any) error {
	if tx.Dialector.Name() == "mysql" {
		return tx.Exec("UPDATE case_assignments JOIN cases c ON c.id = case_assignments.case_id "+
			"SET case_assignments.town = c.town, case_assignments.village = c.village, case_assignments.case_no = c.case_no WHERE "+where, args...).Error
	}
	return tx.Exec("UPDATE case_assignments SET town = c.town, village = c.village, case_no = c.case_no "+
		"FROM cases c WHERE c.id = case_assignments.case_id AND "+where, args...).Error
}

// caseKeysChanged copies the keys of cases whose fields may have changed onto their assignments.
func caseKeysChanged(tx *gorm.DB, caseIDs []uint64) error {
	for chunk := range slices.Chunk(caseIDs, 1000) {
		if err := copyCaseKeys(tx, "case_assignments.case_id IN ?", chunk); err != nil {
			return err
		}
	}
	return nil
}
