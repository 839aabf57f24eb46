package db

import (
	"errors"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// txAttempts is how often Transact runs a transaction that InnoDB chose as a deadlock victim.
const txAttempts = 4

// Transact runs fn in a transaction, and runs it again when MySQL/MariaDB rolled it back as a
// deadlock victim (error 1213). Writers that touch the same case from different sides — a call
// and a case edit both refreshing the case's progress row and counters — can deadlock however
// carefully their locks are ordered, and InnoDB's answer is to roll one back and expect the
// client to retry. The whole transaction was undone, so running fn again is safe as long as fn
// has no effects outside the database (send messages and write files after it returns).
func Transact(db *gorm.DB, fn func(tx *gorm.DB) error) error {
	var err error
	for range txAttempts {
		if err = db.Transaction(fn); !isDeadlock(err) {
			return err
		}
	}
	return err
}

func isDeadlock(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1213
}
