package db_test

import (
	"context"
	"fmt"
	"testing"

	"fayuan/internal/db"
	"fayuan/internal/testenv"
)

// Version 15 copies the town, village and number of existing cases onto their assignments and
// computes each assignment's work bucket, so a work list that existed before reads the same.
func TestUpgradeToVersion15CopiesCaseKeys(t *testing.T) {
	ctx := context.Background()
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		g := testenv.NewDatabase(t, b).Open(t)
		if err := db.Migrate(ctx, g, db.Migrations, 14); err != nil {
			t.Fatalf("migrate to 14: %v", err)
		}
		for _, q := range []string{
			"INSERT INTO cases (id, case_no, category, source, cause, recipient_name, town, village, handler_name, subsidy_cents, version, created_at, updated_at) VALUES " +
				"(1, '柞法援-1', 'civil', 'application', '劳动争议', '王秀英', '营盘镇', '朱家坪村', '李明', 0, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), " +
				"(2, '柞法援-2', 'civil', 'application', '劳动争议', '王秀英', '下梁镇', '', '李明', 0, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), " +
				"(3, '柞法援-3', 'civil', 'application', '劳动争议', '王秀英', '曹坪镇', '东村', '李明', 0, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
			"INSERT INTO case_assignments (campaign_id, phase, case_id, user_id, run_id, status, attempts, last_outcome, created_at, updated_at) VALUES " +
				"(1, 'calls', 1, 7, 0, 'pending', 0, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), " +
				"(1, 'calls', 2, 7, 0, 'pending', 2, 'no_answer', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), " +
				"(1, 'calls', 3, 7, 0, 'reached', 1, 'reached', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), " +
				"(1, 'visits', 3, 7, 0, 'pending', 0, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
		} {
			if err := g.Exec(q).Error; err != nil {
				t.Fatalf("v14 rows: %v", err)
			}
		}
		if err := db.Migrate(ctx, g, db.Migrations, 15); err != nil {
			t.Fatalf("migrate to 15: %v", err)
		}
		var got []struct {
			CaseID                uint64
			Phase                 string
			Town, Village, CaseNo string
			WorkBucket            int
		}
		if err := g.Raw("SELECT case_id, phase, town, village, case_no, work_bucket FROM case_assignments ORDER BY case_id, phase").Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		want := []string{"1 calls 营盘镇 朱家坪村 柞法援-1 0", "2 calls 下梁镇  柞法援-2 1", "3 calls 曹坪镇 东村 柞法援-3 3", "3 visits 曹坪镇 东村 柞法援-3 0"}
		if len(got) != len(want) {
			t.Fatalf("rows %+v", got)
		}
		for i, r := range got {
			if s := fmt.Sprintf("%d %s %s %s %s %d", r.CaseID, r.Phase, r.Town, r.Village, r.CaseNo, r.WorkBucket); s != want[i] {
				t.Errorf("row %d: %q, want %q", i, s, want[i])
			}
		}
		if m := g.Migrator(); !m.HasIndex("case_assignments", "idx_assign_work_order") || m.HasIndex("case_assignments", "idx_assign_worklist") {
			t.Error("version 15 should add idx_assign_work_order and drop v14's idx_assign_worklist")
		}
		// The bucket follows later writes by itself.
		if err := g.Exec("UPDATE case_assignments SET attempts = 1 WHERE case_id = 1").Error; err != nil {
			t.Fatal(err)
		}
		var bucket int
		if g.Raw("SELECT work_bucket FROM case_assignments WHERE case_id = 1").Scan(&bucket); bucket != 1 {
			t.Errorf("bucket after an attempt: %d, want 1", bucket)
		}
	})
}
