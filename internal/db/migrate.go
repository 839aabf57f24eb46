package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Migration is one versioned schema change. Up receives the connection that holds the
// migration lock; it must only use snapshot types of its own version, never the live models,
// so that replaying it years later builds the same schema.
type Migration struct {
	Version int
	Name    string
	Up      func(tx *gorm.DB) error
}

// schemaMigration records an applied migration.
type schemaMigration struct {
	Version   int    `gorm:"primaryKey;autoIncrement:false"`
	Name      string `gorm:"size:100;not null"`
	AppliedAt time.Time
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// Migrate applies every migration above the database's version up to target (0 = all), in
// order. On MySQL a named lock keeps two replicas starting at once from racing. On SQLite the
// whole run is one IMMEDIATE transaction (the DSN's _txlock; SQLite's DDL is transactional), so
// a second process opening the same file waits for the first and then finds nothing to do.
func Migrate(ctx context.Context, db *gorm.DB, migrations []Migration, target int) error {
	return db.WithContext(ctx).Connection(func(pinned *gorm.DB) error {
		switch pinned.Dialector.Name() {
		case "sqlite":
			return pinned.Transaction(func(tx *gorm.DB) error { return apply(tx, migrations, target) })
		case "mysql":
			var got int
			if err := pinned.Raw("SELECT GET_LOCK('fayuan_migrate', 120)").Scan(&got).Error; err != nil || got != 1 {
				return fmt.Errorf("migrate: cannot take the migration lock: %v", err)
			}
			defer pinned.Session(&gorm.Session{NewDB: true}).Exec("SELECT RELEASE_LOCK('fayuan_migrate')")
		}
		return apply(pinned, migrations, target)
	})
}

// apply runs the pending migrations on conn, which holds the lock.
func apply(conn *gorm.DB, migrations []Migration, target int) error {
	// Each step starts from a fresh statement on the same connection; reusing conn itself would
	// carry one step's Model into the next.
	fresh := func() *gorm.DB { return conn.Session(&gorm.Session{NewDB: true}) }
	if err := fresh().AutoMigrate(&schemaMigration{}); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	current, err := Version(fresh())
	if err != nil {
		return err
	}
	// A schema newer than this build was migrated by a newer release: running on it would
	// skip that release's migrations forever once this build's catch up, so refuse to start.
	if latest := Latest(migrations); current > latest {
		return fmt.Errorf("migrate: the database is at schema version %d but this build knows versions up to %d: run the release that upgraded it, or a newer one", current, latest)
	}
	for _, m := range migrations {
		if m.Version <= current || (target > 0 && m.Version > target) {
			continue
		}
		if err := m.Up(fresh()); err != nil {
			return fmt.Errorf("migrate %d %s: %w", m.Version, m.Name, err)
		}
		if err := fresh().Create(&schemaMigration{Version: m.Version, Name: m.Name, AppliedAt: time.Now().UTC()}).Error; err != nil {
			return fmt.Errorf("migrate %d: record: %w", m.Version, err)
		}
	}
	return nil
}

// Version is the highest applied migration, 0 for an empty database.
func Version(db *gorm.DB) (int, error) {
	var v *int
	err := db.Model(&schemaMigration{}).Select("MAX(version)").Scan(&v).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, fmt.Errorf("migrate: read version: %w", err)
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}

// Latest is the version the code expects.
func Latest(migrations []Migration) int {
	if len(migrations) == 0 {
		return 0
	}
	return migrations[len(migrations)-1].Version
}
