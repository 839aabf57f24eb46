package service

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"fayuan/internal/clock"
)

// RateLimiter counts hits of a key in fixed windows. One server can keep the counts in memory;
// several replicas share them through Redis, so a guesser cannot multiply the budget by the
// number of replicas.
type RateLimiter interface {
	// Count is the key's hits in the current window and how long until the window ends.
	Count(ctx context.Context, key string, window time.Duration) (int, time.Duration, error)
	// Hit counts one more hit and returns the new count and how long until the window ends.
	Hit(ctx context.Context, key string, window time.Duration) (int, time.Duration, error)
}

// windowOf is the fixed window now falls in: its index and how long until it ends.
func windowOf(now time.Time, window time.Duration) (int64, time.Duration) {
	n := now.UnixNano() / int64(window)
	return n, time.Duration((n+1)*int64(window) - now.UnixNano())
}

// MemoryLimiter is a RateLimiter for one process.
type MemoryLimiter struct {
	clock clock.Clock
	mu    sync.Mutex
	hits  map[string]memHits
}

type memHits struct {
	window int64
	n      int
}

// NewMemoryLimiter builds an in-process limiter on the clock c.
func NewMemoryLimiter(c clock.Clock) *MemoryLimiter {
	return &MemoryLimiter{clock: c, hits: map[string]memHits{}}
}

// Count implements RateLimiter.
func (m *MemoryLimiter) Count(_ context.Context, key string, window time.Duration) (int, time.Duration, error) {
	w, left := windowOf(m.clock.Now(), window)
	m.mu.Lock()
	defer m.mu.Unlock()
	if h := m.hits[key]; h.window == w {
		return h.n, left, nil
	}
	return 0, left, nil
}

// Hit implements RateLimiter. Stale keys are swept when the map grows, so a flood of random
// keys cannot grow it without bound.
func (m *MemoryLimiter) Hit(_ context.Context, key string, window time.Duration) (int, time.Duration, error) {
	w, left := windowOf(m.clock.Now(), window)
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.hits) > 100_000 {
		for k, h := range m.hits {
			if h.window != w {
				delete(m.hits, k)
			}
		}
	}
	h := m.hits[key]
	if h.window != w {
		h = memHits{window: w}
	}
	h.n++
	m.hits[key] = h
	return h.n, left, nil
}

// RedisLimiter is a RateLimiter shared by replicas through Redis: one counter per key and
// window, expiring with the window.
type RedisLimiter struct {
	rc     *redis.Client
	prefix string
	clock  clock.Clock
}

// NewRedisLimiter builds a limiter whose keys start with prefix.
func NewRedisLimiter(rc *redis.Client, prefix string, c clock.Clock) *RedisLimiter {
	return &RedisLimiter{rc: rc, prefix: prefix, clock: c}
}

func (r *RedisLimiter) key(key string, w int64) string {
	return r.prefix + key + ":" + strconv.FormatInt(w, 10)
}

// Count implements RateLimiter.
func (r *RedisLimiter) Count(ctx context.Context, key string, window time.Duration) (int, time.Duration, error) {
	w, left := windowOf(r.clock.Now(), window)
	n, err := r.rc.Get(ctx, r.key(key, w)).Int()
	if err == redis.Nil {
		return 0, left, nil
	}
	return n, left, err
}

// Hit implements RateLimiter.
func (r *RedisLimiter) Hit(ctx context.Context, key string, window time.Duration) (int, time.Duration, error) {
	w, left := windowOf(r.clock.Now(), window)
	k := r.key(key, w)
	pipe := r.rc.TxPipeline()
	incr := pipe.Incr(ctx, k)
	pipe.Expire(ctx, k, window+time.Minute)
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, left, err
	}
	return int(incr.Val()), left, nil
}
