package app

import (
	"log/slog"

	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"fayuan/config"
	"fayuan/internal/clock"
	"fayuan/internal/pii"
	"fayuan/service"
)

// surveys builds the recipients' survey. Its rate limits live in Redis when one is configured,
// so replicas share them; otherwise in this process.
func (a *App) surveys(cfg *config.Config, c clock.Clock, gdb *gorm.DB, audit *service.Audit, campaigns *service.Campaigns,
	alerts *service.Alerts, vault *pii.Vault, log *slog.Logger) *service.Surveys {
	var limiter service.RateLimiter = service.NewMemoryLimiter(c)
	if cfg.RedisAddr != "" {
		rc := redis.NewClient(&redis.Options{Addr: cfg.RedisAddr})
		a.closers = append(a.closers, rc.Close)
		limiter = service.NewRedisLimiter(rc, "fayuan:limit:", c)
	}
	var wx service.SurveyWechat
	if a.Wechat != nil {
		wx = a.Wechat
	}
	return service.NewSurveys(service.SurveyDeps{DB: gdb, Clock: c, Audit: audit, Campaigns: campaigns, Alerts: alerts,
		Vault: vault, Wechat: wx, Signer: a.Signer, JWTSecret: cfg.JWTSecret, Limiter: limiter, Messages: a.Reminders, Log: log},
		service.SurveyConfig{PublicURL: cfg.PublicURL, Page: cfg.WechatSurveyPage, ThanksTemplate: cfg.WechatTemplateSurveyThanks,
			ConcludedTemplate: cfg.WechatTemplateSurveyConcluded})
}
