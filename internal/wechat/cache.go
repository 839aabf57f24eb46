package wechat

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/cache"
)

// Both caches keep strings only: the SDK type-asserts cached values to string,
// and Redis could not hand back anything else anyway. A non-positive timeout
// stores without expiry, as in Redis.

// errNotString is returned by Set for a value that is not a string or []byte.
var errNotString = errors.New("wechat cache: only string values can be cached")

func asString(val interface{}) (string, error) {
	switch v := val.(type) {
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	}
	return "", fmt.Errorf("%w (got %T)", errNotString, val)
}

// MemoryCache is a cache.Cache for one process. The SDK's cache.Memory reads its
// map without the lock, which races; this one does not.
type MemoryCache struct {
	mu   sync.Mutex
	data map[string]memoryEntry
	now  func() time.Time
}

type memoryEntry struct {
	val     string
	expires time.Time // zero: never
}

var _ cache.Cache = (*MemoryCache)(nil)

// NewMemoryCache returns an empty mutex-guarded in-process cache.
func NewMemoryCache() *MemoryCache {
	return &MemoryCache{data: map[string]memoryEntry{}, now: time.Now}
}

// lookup must be called with mu held.
func (m *MemoryCache) lookup(key string) (string, bool) {
	e, ok := m.data[key]
	if !ok {
		return "", false
	}
	if !e.expires.IsZero() && !m.now().Before(e.expires) {
		delete(m.data, key)
		return "", false
	}
	return e.val, true
}

// Get returns the cached string, or nil when absent or expired.
func (m *MemoryCache) Get(key string) interface{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.lookup(key); ok {
		return v
	}
	return nil
}

// Set stores a string (or []byte) value for timeout.
func (m *MemoryCache) Set(key string, val interface{}, timeout time.Duration) error {
	s, err := asString(val)
	if err != nil {
		return err
	}
	e := memoryEntry{val: s}
	if timeout > 0 {
		e.expires = m.now().Add(timeout)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data[key] = e
	return nil
}

// IsExist reports whether key holds an unexpired value.
func (m *MemoryCache) IsExist(key string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.lookup(key)
	return ok
}

// Delete removes key; absent keys are not an error.
func (m *MemoryCache) Delete(key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, key)
	return nil
}

// redisOpTimeout bounds cache calls made without a context (the SDK's
// cache.Cache methods take none) so a stuck Redis cannot hang a login.
const redisOpTimeout = 2 * time.Second

// RedisCache is a cache.Cache (and cache.ContextCache) in Redis, so every
// replica shares one access token instead of invalidating each other's.
type RedisCache struct {
	client *redis.Client
	prefix string
}

var _ cache.ContextCache = (*RedisCache)(nil)

// NewRedisCache stores keys as prefix+key in client.
func NewRedisCache(client *redis.Client, prefix string) *RedisCache {
	return &RedisCache{client: client, prefix: prefix}
}

func bg() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), redisOpTimeout)
}

// Get returns the cached string, or nil when absent; a Redis failure also reads
// as absent, because refetching a stable token is harmless.
func (r *RedisCache) Get(key string) interface{} {
	ctx, cancel := bg()
	defer cancel()
	return r.GetContext(ctx, key)
}

// GetContext is Get bounded by ctx.
func (r *RedisCache) GetContext(ctx context.Context, key string) interface{} {
	v, err := r.client.Get(ctx, r.prefix+key).Result()
	if err != nil {
		return nil
	}
	return v
}

// Set stores a string (or []byte) value for timeout.
func (r *RedisCache) Set(key string, val interface{}, timeout time.Duration) error {
	ctx, cancel := bg()
	defer cancel()
	return r.SetContext(ctx, key, val, timeout)
}

// SetContext is Set bounded by ctx.
func (r *RedisCache) SetContext(ctx context.Context, key string, val interface{}, timeout time.Duration) error {
	s, err := asString(val)
	if err != nil {
		return err
	}
	if timeout < 0 {
		timeout = 0 // go-redis reads -1 as KEEPTTL; we mean "no expiry"
	}
	return r.client.Set(ctx, r.prefix+key, s, timeout).Err()
}

// IsExist reports whether key exists; a Redis failure reads as absent.
func (r *RedisCache) IsExist(key string) bool {
	ctx, cancel := bg()
	defer cancel()
	return r.IsExistContext(ctx, key)
}

// IsExistContext is IsExist bounded by ctx.
func (r *RedisCache) IsExistContext(ctx context.Context, key string) bool {
	n, err := r.client.Exists(ctx, r.prefix+key).Result()
	return err == nil && n > 0
}

// Delete removes key.
func (r *RedisCache) Delete(key string) error {
	ctx, cancel := bg()
	defer cancel()
	return r.DeleteContext(ctx, key)
}

// DeleteContext is Delete bounded by ctx.
func (r *RedisCache) DeleteContext(ctx context.Context, key string) error {
	return r.client.Del(ctx, r.prefix+key).Err()
}

// CompareAndDelete removes key only while it still holds old, so evicting a
// rejected token cannot throw away a fresh one another caller just stored.
func (m *MemoryCache) CompareAndDelete(_ context.Context, key, old string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.lookup(key); ok && v == old {
		delete(m.data, key)
	}
	return nil
}

var compareAndDeleteScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
end
return 0`)

// CompareAndDelete removes key only while it still holds old, atomically, so a
// replica evicting a rejected token cannot throw away the fresh one another
// replica just stored.
func (r *RedisCache) CompareAndDelete(ctx context.Context, key, old string) error {
	return compareAndDeleteScript.Run(ctx, r.client, []string{r.prefix + key}, old).Err()
}
