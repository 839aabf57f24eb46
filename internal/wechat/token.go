package wechat

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
)

// tokenSource is our credential.AccessTokenContextHandle, installed in place of
// the SDK's StableAccessToken. The SDK handle would do for reading the cache
// (its key is known, see tokenCacheKey), but:
//   - it reports WeChat errors from stable_token only as fmt.Errorf text, so a
//     wrong secret (40125) or a busy WeChat (-1) could only be told apart by
//     parsing; we read the errcode from the SDK's filled result instead;
//   - eviction after 40001 must be compare-and-delete, or a replica evicting a
//     stale token throws away the fresh one another replica just cached;
//   - it caches for expires_in-300 s, which is zero or negative for a short
//     expires_in, and go-redis stores that as "never expire" / KEEPTTL.
//
// The HTTP call itself is still the SDK's (GetAccessTokenDirectly), so the wire
// format and util.DefaultHTTPClient routing stay the SDK's.
type tokenSource struct {
	sdk      *credential.StableAccessToken
	cache    cache.Cache
	key      string
	mu       sync.Mutex // one fetch at a time per process; replicas rely on stable_token returning the same token
	classify func(ctx context.Context, api string, err error) error
}

var _ credential.AccessTokenContextHandle = (*tokenSource)(nil)

// tokenCacheKey is the key the SDK's StableAccessToken uses for a mini-program
// (credential/default_access_token.go: "%s_stable_access_token_%s" with
// CacheKeyMiniProgramPrefix, hence the double underscore). Sharing it lets SDK
// handles elsewhere in the process read the same token.
func tokenCacheKey(appID string) string {
	return fmt.Sprintf("%s_stable_access_token_%s", credential.CacheKeyMiniProgramPrefix, appID)
}

// minTokenTTL keeps a token cached at least briefly even if WeChat answers an
// odd expires_in, rather than refetching on every call.
const minTokenTTL = 30 * time.Second

func newTokenSource(appID, secret string, c cache.Cache, classify func(context.Context, string, error) error) (*tokenSource, error) {
	sdk, ok := credential.NewStableAccessToken(appID, secret, credential.CacheKeyMiniProgramPrefix, c).(*credential.StableAccessToken)
	if !ok {
		return nil, fmt.Errorf("wechat: SDK stable token handle has an unexpected type")
	}
	return &tokenSource{sdk: sdk, cache: c, key: tokenCacheKey(appID), classify: classify}, nil
}

// GetAccessToken implements credential.AccessTokenHandle.
func (t *tokenSource) GetAccessToken() (string, error) {
	return t.GetAccessTokenContext(context.Background())
}

func (t *tokenSource) cached(ctx context.Context) string {
	if s, ok := cache.GetContext(ctx, t.cache, t.key).(string); ok {
		return s
	}
	return ""
}

// GetAccessTokenContext implements credential.AccessTokenContextHandle.
func (t *tokenSource) GetAccessTokenContext(ctx context.Context) (string, error) {
	if tok := t.cached(ctx); tok != "" {
		return tok, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if tok := t.cached(ctx); tok != "" {
		return tok, nil
	}
	res, err := t.sdk.GetAccessTokenDirectly(ctx, false)
	if res.ErrCode != 0 {
		return "", &Error{Code: int(res.ErrCode), Msg: Redact(res.ErrMsg), API: "stable_token"}
	}
	if err != nil {
		return "", t.classify(ctx, "stable_token", err)
	}
	if res.AccessToken == "" {
		return "", t.classify(ctx, "stable_token", fmt.Errorf("empty access_token in answer"))
	}
	ttl := time.Duration(res.ExpiresIn)*time.Second - 5*time.Minute
	if half := time.Duration(res.ExpiresIn) * time.Second / 2; ttl < half {
		ttl = half
	}
	ttl = max(ttl, minTokenTTL)
	// A failed cache write only costs a refetch later; the token is good now.
	_ = cache.SetContext(ctx, t.cache, t.key, res.AccessToken, ttl)
	return res.AccessToken, nil
}

type compareAndDeleter interface {
	CompareAndDelete(ctx context.Context, key, old string) error
}

// evict drops tok from the cache if it is still the cached token.
func (t *tokenSource) evict(ctx context.Context, tok string) {
	if cd, ok := t.cache.(compareAndDeleter); ok {
		_ = cd.CompareAndDelete(ctx, t.key, tok)
		return
	}
	if t.cached(ctx) == tok {
		_ = cache.DeleteContext(ctx, t.cache, t.key)
	}
}
