// Package testenv gives each test a real server on a fresh real database — a SQLite file in a
// temp dir, or a new MariaDB/MySQL schema dropped afterwards — so tests drive the real router,
// services and SQL, never mocks.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"fayuan/internal/db"
)

// Backend names a database the suite runs on.
type Backend string

// The backends.
const (
	SQLite Backend = "sqlite"
	MySQL  Backend = "mysql"
)

// Backends are the databases to run on: FAYUAN_TEST_DBS ("sqlite,mysql" by default). MariaDB is
// required unless left out there explicitly; a missing server fails the test, never skips it.
func Backends() []Backend {
	v := os.Getenv("FAYUAN_TEST_DBS")
	if v == "" {
		v = "sqlite,mysql"
	}
	var out []Backend
	for _, b := range strings.Split(v, ",") {
		out = append(out, Backend(strings.TrimSpace(b)))
	}
	return out
}

// ForEachDB runs fn as a subtest on every backend.
func ForEachDB(t *testing.T, fn func(t *testing.T, b Backend)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(string(b), func(t *testing.T) { fn(t, b) })
	}
}

// MySQLServerDSN is the server to create test schemas on (no database name).
func MySQLServerDSN() string {
	if v := os.Getenv("FAYUAN_TEST_MYSQL_DSN"); v != "" {
		return v
	}
	return "root@tcp(127.0.0.1:3306)/"
}

// Database is a fresh, empty database for one test.
type Database struct {
	Backend Backend
	Driver  string
	DSN     string // what FAYUAN_DB_DSN would say
	Dir     string // the test's data dir
}

// NewDatabase creates a fresh database and registers its removal. It does not migrate.
func NewDatabase(t testing.TB, b Backend) Database {
	t.Helper()
	dir := t.TempDir()
	switch b {
	case SQLite:
		return Database{Backend: b, Driver: "sqlite", DSN: filepath.Join(dir, "fayuan.db"), Dir: dir}
	case MySQL:
		name := "fayuan_t_" + randHex(6)
		server := MySQLServerDSN()
		admin, err := db.Open(context.Background(), db.Options{Driver: "mysql", DSN: server + "mysql", MaxOpen: 2})
		if err != nil {
			t.Fatalf("MariaDB is required for the test suite and is not reachable at %s: %v\n"+
				"start it (start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd) or set FAYUAN_TEST_DBS=sqlite", server, err)
		}
		if err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci").Error; err != nil {
			t.Fatalf("create test database: %v", err)
		}
		t.Cleanup(func() {
			admin.Exec("DROP DATABASE IF EXISTS " + name)
			closeDB(admin)
		})
		return Database{Backend: b, Driver: "mysql", DSN: server + name, Dir: dir}
	}
	t.Fatalf("unknown backend %q (FAYUAN_TEST_DBS takes sqlite and mysql)", b)
	return Database{}
}

// Open connects to the database and closes it when the test ends.
func (d Database) Open(t testing.TB) *gorm.DB {
	t.Helper()
	g, err := db.Open(context.Background(), db.Options{Driver: d.Driver, DSN: d.DSN, MaxOpen: 10})
	if err != nil {
		t.Fatalf("open %s: %v", d.Backend, err)
	}
	t.Cleanup(func() { closeDB(g) })
	return g
}

func closeDB(g *gorm.DB) {
	if s, err := g.DB(); err == nil {
		_ = s.Close()
	}
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
