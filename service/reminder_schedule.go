package service

import (
	"context"
	"fmt"
	"sync"
	"time"

	"fayuan/model"
)

// ReminderSchedule runs the reminder job once a day at a time of day (Asia/Shanghai), read from
// the injected clock. Every replica runs one: the job's per-day records make the second run a
// no-op, so no leader election is needed.
type ReminderSchedule struct {
	r        *Reminders
	hour, mi int

	mu   sync.Mutex
	last string // the last day this process ran the job
}

// NewReminderSchedule schedules r daily at "HH:MM".
func NewReminderSchedule(r *Reminders, at string) (*ReminderSchedule, error) {
	t, err := time.Parse("15:04", at)
	if err != nil {
		return nil, fmt.Errorf("reminder time %q: %v", at, err)
	}
	return &ReminderSchedule{r: r, hour: t.Hour(), mi: t.Minute()}, nil
}

// Tick runs the day's job when its time has come and this process has not run it today; it
// reports whether it ran. A server started after the hour catches up at once.
func (s *ReminderSchedule) Tick(ctx context.Context) bool {
	now := s.r.clock.Now().In(model.Shanghai)
	day := now.Format(time.DateOnly)
	due := time.Date(now.Year(), now.Month(), now.Day(), s.hour, s.mi, 0, 0, model.Shanghai)
	s.mu.Lock()
	if now.Before(due) || s.last == day {
		s.mu.Unlock()
		return false
	}
	s.last = day
	s.mu.Unlock()
	if _, err := s.r.RunDaily(ctx, now); err != nil && ctx.Err() == nil {
		s.r.log.Error("reminder run failed", "day", day, "err", err.Error())
		s.mu.Lock()
		s.last = "" // try again on the next tick
		s.mu.Unlock()
	}
	return true
}

// Run ticks every interval until ctx ends.
func (s *ReminderSchedule) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.Tick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
