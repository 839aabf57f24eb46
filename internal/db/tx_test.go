package db_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"fayuan/internal/db"
	"fayuan/internal/testenv"
)

// Two transactions lock two rows in opposite orders. On MariaDB that is a real deadlock: InnoDB
// rolls one back with error 1213, and Transact must run it again so that both writes land. On
// SQLite the transactions take the write lock at BEGIN and simply queue; both land there too.
func TestTransactRetriesDeadlockVictim(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		g := testenv.NewDatabase(t, b).Open(t)
		if err := g.Exec("CREATE TABLE pair (id INT PRIMARY KEY, n INT NOT NULL)").Error; err != nil {
			t.Fatal(err)
		}
		if err := g.Exec("INSERT INTO pair (id, n) VALUES (1, 0), (2, 0)").Error; err != nil {
			t.Fatal(err)
		}
		var runs atomic.Int32
		firstLocked, secondLocked := make(chan struct{}), make(chan struct{})
		var once1, once2 sync.Once
		// writer locks first then second; the other writer the reverse. Each waits (a bounded
		// time: on SQLite the other never gets in) until the other holds its first row.
		writer := func(first, second int, mine, theirs chan struct{}, once *sync.Once) error {
			return db.Transact(g, func(tx *gorm.DB) error {
				runs.Add(1)
				if err := tx.Exec("UPDATE pair SET n = n + 1 WHERE id = ?", first).Error; err != nil {
					return err
				}
				once.Do(func() { close(mine) })
				select {
				case <-theirs:
				case <-time.After(2 * time.Second):
				}
				return tx.Exec("UPDATE pair SET n = n + 1 WHERE id = ?", second).Error
			})
		}
		errs := make(chan error, 2)
		go func() { errs <- writer(1, 2, firstLocked, secondLocked, &once1) }()
		go func() { errs <- writer(2, 1, secondLocked, firstLocked, &once2) }()
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatalf("a writer failed despite the retry: %v", err)
			}
		}
		var sum int
		if err := g.Raw("SELECT SUM(n) FROM pair").Scan(&sum).Error; err != nil {
			t.Fatal(err)
		}
		if sum != 4 {
			t.Fatalf("sum %d, want 4: a write was lost", sum)
		}
		if b == testenv.MySQL && runs.Load() < 3 {
			t.Fatalf("%d transaction runs: the deadlock this test builds did not happen, so it proves nothing", runs.Load())
		}
	})
}
