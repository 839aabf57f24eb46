package service_test

import (
	"fmt"
	"sync"
	"testing"

	"gorm.io/gorm"

	"fayuan/internal/testenv"
	"fayuan/model"
	"fayuan/service"
)

// The assignment runs of one campaign queue behind a row lock, so the duplicate-skipping insert
// is what keeps a case from being held twice should two writers ever meet anyway (another
// feature, a replica on a database without row locks). Here two processes' connections insert
// the same cases at the same moment with no lock at all.
func TestInsertAssignmentsSkipsWhatAnotherRunHolds(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		dbs := []*gorm.DB{e.App.DB, e.Replica().DB}
		const n = 200
		rows := func(run uint64, user uint64) []model.CaseAssignment {
			out := make([]model.CaseAssignment, n)
			for i := range out {
				out[i] = model.CaseAssignment{CampaignID: 1, Phase: "calls", CaseID: uint64(i + 1), UserID: user, RunID: run,
					Status: model.AssignmentPending, CreatedAt: e.Clock.Now(), UpdatedAt: e.Clock.Now()}
			}
			return out
		}
		// One run holds the first ten already.
		if _, err := service.InsertAssignments(e.App.DB, 1, rows(1, 7)[:10]); err != nil {
			t.Fatal(err)
		}
		got := make([][]model.CaseAssignment, 2)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				run := uint64(i + 2)
				<-start
				err := dbs[i].Transaction(func(tx *gorm.DB) error {
					var err error
					got[i], err = service.InsertAssignments(tx, run, rows(run, uint64(10+i)))
					return err
				})
				if err != nil {
					t.Errorf("run %d: %v", run, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if len(got[0])+len(got[1]) != n-10 {
			t.Errorf("the racing runs inserted %d and %d, want %d together", len(got[0]), len(got[1]), n-10)
		}
		seen := map[uint64]string{}
		for i, list := range got {
			for _, a := range list {
				if prev, dup := seen[a.CaseID]; dup || a.CaseID <= 10 {
					t.Fatalf("case %d reported by run %d (and %q)", a.CaseID, i+2, prev)
				}
				seen[a.CaseID] = fmt.Sprint("run ", i+2)
			}
		}
		var total, distinct int64
		e.App.DB.Model(&model.CaseAssignment{}).Count(&total)
		e.App.DB.Model(&model.CaseAssignment{}).Distinct("case_id").Count(&distinct)
		if total != n || distinct != n {
			t.Errorf("%d rows for %d cases, want %d", total, distinct, n)
		}
	})
}
