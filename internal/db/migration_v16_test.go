package db_test

import (
	"context"
	"testing"

	"fayuan/internal/db"
	"fayuan/internal/testenv"
	"fayuan/model"
)

// Version 16 gives the progress rows and counters a visited column, zero on the old rows, and
// removes the old counters' build marks, so the server's start-up rebuild recomputes them with
// the visits (until then progress is computed live).
func TestUpgradeToVersion16RebuildsProgress(t *testing.T) {
	ctx := context.Background()
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		g := testenv.NewDatabase(t, b).Open(t)
		if err := db.Migrate(ctx, g, db.Migrations, 14); err != nil {
			t.Fatalf("migrate to 14: %v", err)
		}
		for _, q := range []string{
			"INSERT INTO progress_cases (campaign_id, case_id, in_calls, in_review, org_id, town, assignee, reached, reached_any, excluded, alerted, caller) VALUES (1, 5, 1, 0, 2, '营盘镇', 7, 1, 1, 0, 0, 7)",
			"INSERT INTO progress_counters (campaign_id, dim, grp, slot, n, done, excluded_n, reached_any, must_visit, in_review) VALUES (1, 'built', '', 0, 1, 0, 0, 0, 0, 0)",
			"INSERT INTO progress_counters (campaign_id, dim, grp, slot, n, done, excluded_n, reached_any, must_visit, in_review) VALUES (1, 'all', '', 5, 1, 1, 0, 1, 0, 0)",
		} {
			if err := g.Exec(q).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx, g, db.Migrations, 0); err != nil {
			t.Fatalf("upgrade: %v", err)
		}
		var pc model.ProgressCase
		if err := g.Take(&pc, "campaign_id = 1 AND case_id = 5").Error; err != nil || pc.Visited != 0 || pc.Caller != 7 {
			t.Fatalf("progress row after the upgrade: %+v, %v", pc, err)
		}
		var marks, all int64
		g.Model(&model.ProgressCounter{}).Where("dim = 'built'").Count(&marks)
		g.Model(&model.ProgressCounter{}).Where("dim = 'all' AND visited = 0").Count(&all)
		if marks != 0 || all != 1 {
			t.Fatalf("after the upgrade: %d build marks (want 0), %d counters with visited 0 (want 1)", marks, all)
		}
		if !g.Migrator().HasIndex("progress_cases", "idx_progress_cases_caller") {
			t.Error("no index of the callers' candidates")
		}
	})
}
