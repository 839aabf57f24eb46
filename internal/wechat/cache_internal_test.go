package wechat

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestMemoryCache(t *testing.T) {
	m := NewMemoryCache()
	now := time.Unix(1000, 0)
	var mu sync.Mutex
	m.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }

	if m.Get("k") != nil || m.IsExist("k") {
		t.Fatal("empty cache has k")
	}
	if err := m.Set("k", "v", time.Minute); err != nil {
		t.Fatal(err)
	}
	if m.Get("k") != "v" || !m.IsExist("k") {
		t.Fatal("k not stored")
	}
	if err := m.Set("n", 42, time.Minute); err == nil {
		t.Fatal("non-string value accepted")
	}
	if err := m.Set("forever", []byte("b"), 0); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	if m.Get("k") != nil || m.IsExist("k") {
		t.Fatal("k did not expire")
	}
	if m.Get("forever") != "b" {
		t.Fatal("zero timeout should not expire")
	}
	_ = m.Set("k", "new", time.Minute)
	_ = m.CompareAndDelete(context.Background(), "k", "old")
	if m.Get("k") != "new" {
		t.Fatal("CompareAndDelete removed a different value")
	}
	_ = m.CompareAndDelete(context.Background(), "k", "new")
	_ = m.Delete("forever")
	if m.Get("k") != nil || m.Get("forever") != nil {
		t.Fatal("delete failed")
	}
}

// Run with -race: the SDK's cache.Memory fails this.
func TestMemoryCacheConcurrent(t *testing.T) {
	m := NewMemoryCache()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				k := fmt.Sprintf("k%d", j%5)
				_ = m.Set(k, fmt.Sprint(i), time.Millisecond)
				_ = m.Get(k)
				_ = m.IsExist(k)
				if j%7 == 0 {
					_ = m.Delete(k)
				}
			}
		}()
	}
	wg.Wait()
}

func TestTokenCacheKeyMatchesSDK(t *testing.T) {
	// The SDK builds it as fmt.Sprintf("%s_stable_access_token_%s", "gowechat_miniprogram_", appID).
	if got := tokenCacheKey("wx123"); got != "gowechat_miniprogram__stable_access_token_wx123" {
		t.Fatalf("key %q", got)
	}
}
