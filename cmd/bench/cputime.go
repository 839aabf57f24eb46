package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuClock reads the CPU time used so far by this process (server, baseline and generator)
// and by a database server on this machine (mariadbd or mysqld, found in /proc; zero when
// there is none or it cannot be read). The database's figure includes whatever else uses it.
type cpuClock struct{ dbPID int }

func newCPUClock() cpuClock {
	dirs, _ := filepath.Glob("/proc/[0-9]*/comm")
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		if n := strings.TrimSpace(string(b)); n == "mariadbd" || n == "mysqld" {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(d)))
			return cpuClock{dbPID: pid}
		}
	}
	return cpuClock{}
}

func (c cpuClock) read() (self, db time.Duration) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if c.dbPID == 0 {
		return self, 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(c.dbPID) + "/stat")
	if err != nil {
		return self, 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from the 3rd on
	if len(f) < 13 {
		return self, 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)              // utime, field 14
	st, _ := strconv.ParseInt(f[12], 10, 64)              // stime, field 15
	return self, time.Duration(ut+st) * time.Second / 100 // USER_HZ
}
