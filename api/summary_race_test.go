package api_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// A visit deleted while another visit of the same case is being recorded leaves the case's work
// list entry as the visits left say. On MariaDB the order is forced: the test holds the visits
// assignment, the record queues for it, then the delete (after its first read); on release the
// record commits first, and the delete must count the visit its snapshot lacks.
func TestVisitDeleteWhileAnotherIsRecorded(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		vw := newVisitWorld(t, b, nil)
		e, w := vw.e, vw.w
		at := "2024-06-17T09:00:00+08:00"
		for round := range 3 {
			k := vw.visitCase(t, "firm_staff", "营盘镇")
			first := vw.visit(t, "firm_staff", k, visitBody(100*round+1, at, answers(nil)), http.StatusCreated).Map(t)["id"].(string)
			var rec, del *testenv.Response
			raceAroundAssignment(t, e, b, vw.campaign, "visits", k,
				func() {
					rec = e.Do(http.MethodPost, vw.visitPath(k), w.Tokens["firm_staff"], visitBody(100*round+2, at, answers(nil)))
				},
				func() { del = e.Do(http.MethodDelete, "/api/v1/visits/"+first, w.Tokens["manager"], nil) })
			testenv.Expect(t, rec, http.StatusCreated)
			testenv.Expect(t, del, http.StatusNoContent)
			a := phaseAssignment(t, e, vw.campaign, "visits", k)
			left := countRows(t, e, "visits", "campaign_id = ? AND case_id = ?", parseWireID(t, vw.campaign), parseWireID(t, k))
			if left != 1 || a.Status != model.AssignmentVisited || int64(a.Attempts) != left {
				t.Fatalf("round %d: %d visits left, work list says %s with %d attempts", round, left, a.Status, a.Attempts)
			}
		}
	})
}

// A call corrected while another call of the same case is being recorded: the case's summary
// counts both calls (the same forced order as above on MariaDB).
func TestCallCorrectionWhileAnotherIsRecorded(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		cw := newCallWorld(t, b)
		e, w := cw.e, cw.w
		for round := range 3 {
			k := cw.caseFor(t, "staff", "营盘镇")
			first := cw.call(t, "staff", k, callBody(3000+10*round, "2024-05-24T08:30:00+08:00", "no_answer", nil), http.StatusCreated).Map(t)["id"].(string)
			var rec, cor *testenv.Response
			raceAroundAssignment(t, e, b, cw.campaign, "calls", k,
				func() {
					rec = e.Do(http.MethodPost, cw.callPath(k), w.Tokens["staff"], callBody(3001+10*round, "2024-05-24T08:50:00+08:00", "busy", nil))
				},
				func() {
					cor = e.Do(http.MethodPatch, "/api/v1/calls/"+first, w.Tokens["manager"],
						map[string]any{"version": 1, "outcome": "powered_off", "reason": "核对录音后更正"})
				})
			testenv.Expect(t, rec, http.StatusCreated)
			testenv.Expect(t, cor, http.StatusOK)
			a := cw.assignmentRow(t, k)
			calls := countRows(t, e, "calls", "campaign_id = ? AND case_id = ? AND extra = ?", parseWireID(t, cw.campaign), parseWireID(t, k), false)
			if calls != 2 || int64(a.Attempts) != calls || a.LastOutcome != "busy" {
				t.Fatalf("round %d: %d calls, work list says %d attempts, last %q", round, calls, a.Attempts, a.LastOutcome)
			}
		}
	})
}

// raceAroundAssignment runs first and then second concurrently on one case. On MariaDB it holds
// the case's assignment of the phase meanwhile, so that first queues for it, then second queues
// behind it, and releases it once both wait.
func raceAroundAssignment(t *testing.T, e *testenv.Env, b testenv.Backend, campaign, phase, caseID string, first, second func()) {
	t.Helper()
	var lock *gorm.DB
	if b == testenv.MySQL {
		lock = e.App.DB.Begin()
		var a model.CaseAssignment
		if err := lock.Clauses(clause.Locking{Strength: "UPDATE"}).Where("campaign_id = ? AND phase = ? AND case_id = ?",
			parseWireID(t, campaign), phase, parseWireID(t, caseID)).Take(&a).Error; err != nil {
			lock.Rollback()
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); first() }()
	if lock != nil {
		waitLockWaits(t, e, 1, lock)
	}
	go func() { defer wg.Done(); second() }()
	if lock != nil {
		waitLockWaits(t, e, 2, lock)
		if err := lock.Commit().Error; err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
}

// waitLockWaits waits until n statements of the test's schema wait for the held assignment.
// The processlist shows them: MariaDB takes a unique key's row lock while optimising
// ("Statistics"), before information_schema.innodb_trx lists the transaction.
func waitLockWaits(t *testing.T, e *testenv.Env, n int64, lock *gorm.DB) {
	t.Helper()
	for deadline := time.Now().Add(40 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var got int64
		err := e.App.DB.Raw("SELECT COUNT(*) FROM information_schema.processlist WHERE db = DATABASE() AND command = 'Query' " +
			"AND info LIKE 'SELECT * FROM `case_assignments` WHERE %FOR UPDATE'").Scan(&got).Error
		if err != nil {
			lock.Rollback()
			t.Fatal(err)
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			lock.Rollback()
			t.Fatalf("%d of %d statements wait for the held assignment", got, n)
		}
	}
}

// phaseAssignment reads a case's assignment of a phase straight from the database.
func phaseAssignment(t *testing.T, e *testenv.Env, campaign, phase, caseID string) model.CaseAssignment {
	t.Helper()
	var a model.CaseAssignment
	if err := e.App.DB.Where("campaign_id = ? AND phase = ? AND case_id = ?", parseWireID(t, campaign), phase, parseWireID(t, caseID)).
		Take(&a).Error; err != nil {
		t.Fatal(err)
	}
	return a
}
