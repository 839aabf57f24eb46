package wechat_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"fayuan/internal/wechat"

	"github.com/redis/go-redis/v9"
)

// testRedis connects to FAYUAN_TEST_REDIS_ADDR (default 127.0.0.1:6379) and
// returns a cache under a unique prefix whose keys are deleted afterwards. An
// unreachable Redis fails the test unless FAYUAN_TEST_NO_REDIS=1.
func testRedis(t *testing.T) (*redis.Client, *wechat.RedisCache, string) {
	t.Helper()
	if os.Getenv("FAYUAN_TEST_NO_REDIS") == "1" {
		t.Skip("FAYUAN_TEST_NO_REDIS=1")
	}
	addr := os.Getenv("FAYUAN_TEST_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		t.Fatalf("Redis at %s unreachable (set FAYUAN_TEST_NO_REDIS=1 to skip): %v", addr, err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	prefix := "fayuan-test-wechat-" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		iter := rdb.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("cleaning Redis keys: %v", err)
		}
		_ = rdb.Close()
	})
	return rdb, wechat.NewRedisCache(rdb, prefix), prefix
}

func TestRedisCache(t *testing.T) {
	rdb, c, prefix := testRedis(t)
	ctx := context.Background()
	if c.Get("k") != nil || c.IsExist("k") {
		t.Fatal("fresh prefix has k")
	}
	if err := c.Set("k", "v", time.Minute); err != nil {
		t.Fatal(err)
	}
	if c.Get("k") != "v" || !c.IsExist("k") {
		t.Fatal("k not stored")
	}
	if ttl := rdb.TTL(ctx, prefix+"k").Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("TTL %v", ttl)
	}
	if err := c.Set("n", 1, time.Minute); err == nil {
		t.Fatal("non-string value accepted")
	}
	_ = c.CompareAndDelete(ctx, "k", "other")
	if c.Get("k") != "v" {
		t.Fatal("CompareAndDelete removed a different value")
	}
	_ = c.CompareAndDelete(ctx, "k", "v")
	if c.IsExist("k") {
		t.Fatal("CompareAndDelete kept the value")
	}
	_ = c.Set("short", "x", 50*time.Millisecond)
	time.Sleep(120 * time.Millisecond)
	if c.Get("short") != nil {
		t.Fatal("short did not expire")
	}
	_ = c.Set("d", "x", time.Minute)
	if err := c.Delete("d"); err != nil || c.IsExist("d") {
		t.Fatalf("Delete: %v", err)
	}
}

// Replicas share one token through Redis; an evicted token is refetched once
// for everybody.
func TestTwoClientsShareRedisToken(t *testing.T) {
	_, c, _ := testRedis(t)
	f := newFixture(t, c)
	other := f.newClient(t, c)
	ctx := context.Background()
	for _, code := range []string{"a", "b", "c", "d"} {
		f.srv.AddPhoneCode(code, "13800000000")
	}
	if _, err := f.client.PhoneNumber(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.PhoneNumber(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if got := f.srv.TokenFetches(); got != 1 {
		t.Fatalf("TokenFetches = %d, want 1", got)
	}
	f.srv.InvalidateTokens()
	if _, err := other.PhoneNumber(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.PhoneNumber(ctx, "d"); err != nil {
		t.Fatal(err)
	}
	if got := f.srv.TokenFetches(); got != 2 {
		t.Fatalf("TokenFetches after invalidation = %d, want 2", got)
	}
}
