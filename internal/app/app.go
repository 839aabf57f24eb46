// Package app wires the server together — configuration, database, services, handlers, router —
// so that main and the tests build exactly the same thing.
package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/cache"
	"gorm.io/gorm"

	"fayuan/api"
	"fayuan/campaigns"
	"fayuan/config"
	"fayuan/internal/caseimport"
	"fayuan/internal/clock"
	"fayuan/internal/db"
	"fayuan/internal/pii"
	"fayuan/internal/signedurl"
	"fayuan/internal/storage"
	"fayuan/internal/wechat"
	"fayuan/router"
	"fayuan/service"
)

// Options are the parts tests replace.
type Options struct {
	LogOutput    io.Writer   // default io.Discard
	Clock        clock.Clock // default the wall clock
	PasswordCost int         // bcrypt cost; 0 = default
	DB           *gorm.DB    // an already open database (tests); nil = open from cfg
}

// App is a built server.
type App struct {
	Handler       http.Handler
	Engine        *gin.Engine
	DB            *gorm.DB
	Log           *slog.Logger
	Wechat        *wechat.Client // nil when not configured
	Vault         *pii.Vault
	AdminPassword string // set when this start created the admin account
	Reminders     *service.Reminders
	Signer        *signedurl.Signer // signs image URLs (photos, mini-program codes)
	ProgressBuilt chan struct{}     // closed when the start-up build of missing progress counters ends
	Visits        *service.Visits   // photos register their OnDelete hook on it
	Photos        *service.Photos
	PhotoStore    storage.Store
	closers       []func() error

	// Campaigns is the campaign service, for tests and tools that write records directly and
	// must keep the progress counters (Campaigns.CaseChanged, CasesChanged).
	Campaigns *service.Campaigns
}

// New builds the server from cfg. It migrates the database and creates the admin account on
// an empty database.
func New(ctx context.Context, cfg *config.Config, o Options) (*App, error) {
	if o.LogOutput == nil {
		o.LogOutput = io.Discard
	}
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	log := slog.New(slog.NewJSONHandler(o.LogOutput, &slog.HandlerOptions{Level: level(cfg.LogLevel)}))
	a := &App{Log: log}
	db.RouteDriverLog(log)
	if err := cfg.EnsureSecrets(); err != nil {
		return nil, err
	}
	gdb := o.DB
	if gdb == nil {
		var err error
		gdb, err = db.Open(ctx, db.Options{Driver: cfg.DBDriver, DSN: cfg.DBDSN, MaxOpen: cfg.DBMaxOpen})
		if err != nil {
			return nil, fmt.Errorf("FAYUAN_DB_DSN: %v", err)
		}
		a.closers = append(a.closers, func() error {
			s, err := gdb.DB()
			if err != nil {
				return err
			}
			return s.Close()
		})
	}
	a.DB = gdb
	if err := db.Migrate(ctx, gdb, db.Migrations, 0); err != nil {
		a.Close()
		return nil, err
	}

	wx, err := a.wechatClient(cfg, log)
	if err != nil {
		a.Close()
		return nil, err
	}
	var sessions service.WechatSessions
	if wx != nil {
		sessions = wx
		a.Wechat = wx
	}

	vault, err := pii.New(cfg.EncryptionKey, cfg.SearchKey(), cfg.OldEncryptionKeys...)
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("FAYUAN_ENCRYPTION_KEY: %v", err)
	}
	a.Vault = vault

	a.Signer = signedurl.New(cfg.URLSigningKey(), signedurl.DefaultTTL, o.Clock)
	audit := service.NewAudit(gdb, o.Clock)
	pw := service.NewPasswords(o.PasswordCost)
	auth := service.NewAuth(gdb, o.Clock, audit, pw, service.AuthConfig{
		JWTSecret: cfg.JWTSecret, AccessTTL: cfg.AccessTTL, RefreshTTL: cfg.RefreshTTL, RefreshGrace: cfg.RefreshGrace,
		LockoutThreshold: cfg.LockoutThreshold, LockoutWindow: cfg.LockoutWindow, LockoutDuration: cfg.LockoutDuration,
	}, sessions)
	users := service.NewUsers(gdb, o.Clock, audit, pw)
	orgs := service.NewOrgs(gdb, o.Clock, audit)
	campaignService := service.NewCampaigns(gdb, o.Clock, audit, campaigns.New(cfg.CampaignTemplatesDir), nil)
	a.Campaigns = campaignService
	a.buildMissingProgress(campaignService, log)
	assignments := service.NewAssignments(gdb, o.Clock, audit, vault)
	cases := service.NewCases(gdb, o.Clock, audit, vault)
	alerts := service.NewAlerts(gdb, o.Clock, audit)
	calls := service.NewCalls(gdb, o.Clock, audit, campaignService, alerts)
	cases.AddHistory(calls)
	visits := service.NewVisits(gdb, o.Clock, audit, campaignService, alerts)
	a.Visits = visits
	calls.AddFlagSource(visits)
	calls.AddExport("visits", visits.ExportFile)
	cases.AddHistory(visits)
	reviews := service.NewReviews(gdb, o.Clock, audit, campaignService)
	if err := reviews.EnsureDefaultRubrics(ctx); err != nil {
		a.Close()
		return nil, fmt.Errorf("default rubrics: %w", err)
	}
	calls.AddExport("reviews", reviews.ExportReviews)
	if a.PhotoStore, err = photoStore(ctx, cfg); err != nil {
		a.Close()
		return nil, err
	}
	a.Photos = service.NewPhotos(gdb, o.Clock, audit, visits, a.PhotoStore, a.Signer, service.PhotoConfig{
		MaxBytes: cfg.Storage.PhotoMaxBytes, ThumbWorkers: cfg.Storage.ThumbWorkers, PublicURL: cfg.PublicURL}, log)
	a.closers = append(a.closers, func() error { a.Photos.Close(); return nil })
	if _, err := a.Photos.RemoveOrphans(ctx); err != nil {
		a.Close()
		return nil, err
	}
	cases.AddHistory(a.Photos)
	calls.AddFlagSource(a.Photos)
	var sender service.SubscribeSender
	if wx != nil {
		sender = wx
	}
	a.Reminders = service.NewReminders(gdb, o.Clock, sender, service.ReminderConfig{
		ReminderTemplate: cfg.WechatTemplateReminder, SummaryTemplate: cfg.WechatTemplateSummary,
		AssignmentTemplate: cfg.WechatTemplateAssignment}, log)
	assignments.AfterAssign(a.Reminders.NotifyAssigned)
	surveys := a.surveys(cfg, o.Clock, gdb, audit, campaignService, alerts, vault, log)
	cases.AddHistory(surveys)
	calls.AddFlagSource(surveys)
	alerts.AfterConclude(surveys.AlertConcluded)
	reviewSource := reviews.ResultSource()
	hearings := service.NewHearings(gdb, o.Clock, audit, reviewSource)
	results := service.NewResults(gdb, o.Clock, audit, reviewSource, a.Reminders, hearings)
	calls.AddExport("results", results.Export)
	cases.AddHistory(results)
	imports := service.NewCaseImports(gdb, o.Clock, audit, vault, caseimport.Limits{MaxBytes: cfg.ImportMaxBytes, MaxRows: cfg.ImportMaxRows})

	created, adminPW, err := users.EnsureAdmin(ctx, cfg.AdminPassword)
	if err != nil {
		a.Close()
		return nil, err
	}
	if created && cfg.AdminPassword == "" {
		a.AdminPassword = adminPW
	}

	a.Handler, a.Engine = router.New(router.Options{
		Log: log, Authenticate: auth.Authenticate, MaxBodyBytes: cfg.MaxBodyBytes, CORSOrigins: cfg.CORSOrigins,
		ImportBytes: imports.MaxBytes(), PhotoBytes: a.Photos.MaxBytes(),
	}, router.Handlers{
		Health:        api.NewHealthHandler(func(ctx context.Context) error { return db.Ping(ctx, gdb) }),
		Auth:          api.NewAuthHandler(auth),
		Users:         api.NewUserHandler(users),
		Orgs:          api.NewOrgHandler(orgs),
		Audit:         api.NewAuditHandler(audit),
		Campaigns:     api.NewCampaignHandler(campaignService, assignments),
		Cases:         api.NewCaseHandler(cases),
		Imports:       api.NewCaseImportHandler(imports),
		Calls:         api.NewCallHandler(calls),
		Alerts:        api.NewAlertHandler(alerts),
		Notifications: api.NewNotificationHandler(a.Reminders),
		Visits:        api.NewVisitHandler(visits),
		Surveys:       api.NewSurveyHandler(surveys),
		Hearings:      api.NewHearingHandler(hearings),
		Results:       api.NewResultHandler(results),
		Reviews:       api.NewReviewHandler(reviews),
		Photos:        api.NewPhotoHandler(a.Photos),
	})
	if cfg.ReminderTime != "" {
		if err := a.startReminders(cfg.ReminderTime); err != nil {
			a.Close()
			return nil, fmt.Errorf("FAYUAN_REMINDER_TIME: %v", err)
		}
	}
	return a, nil
}

// wechatClient builds the WeChat client when configured, with a token cache shared through
// Redis when several replicas run.
func (a *App) wechatClient(cfg *config.Config, log *slog.Logger) (*wechat.Client, error) {
	if cfg.WechatAppID == "" {
		return nil, nil
	}
	var c cache.Cache = wechat.NewMemoryCache()
	if cfg.RedisAddr != "" {
		rc := redis.NewClient(&redis.Options{Addr: cfg.RedisAddr})
		a.closers = append(a.closers, rc.Close)
		c = wechat.NewRedisCache(rc, "fayuan:wechat:")
	}
	wx, err := wechat.New(wechat.Config{AppID: cfg.WechatAppID, AppSecret: cfg.WechatAppSecret,
		APIBase: cfg.WechatAPIBase, Timeout: cfg.WechatTimeout}, c, log)
	if err != nil {
		return nil, fmt.Errorf("FAYUAN_WECHAT_API_BASE: %v", err)
	}
	return wx, nil
}

// startReminders runs the daily reminder job in the background at the time of day at, checking
// the clock every minute; Close stops it.
func (a *App) startReminders(at string) error {
	sched, err := service.NewReminderSchedule(a.Reminders, at)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		sched.Run(ctx, time.Minute)
	}()
	a.closers = append(a.closers, func() error {
		cancel()
		<-done
		return nil
	})
	return nil
}

// buildMissingProgress builds, in the background, the progress counters of campaigns that have
// none; Close stops it. A failure is logged and the campaign stays served live until the next
// start or a manager's rebuild.
func (a *App) buildMissingProgress(c *service.Campaigns, log *slog.Logger) {
	ctx, cancel := context.WithCancel(context.Background())
	a.ProgressBuilt = make(chan struct{})
	go func() {
		defer close(a.ProgressBuilt)
		if err := c.RebuildMissingProgress(ctx); err != nil && ctx.Err() == nil {
			log.Error("progress counters not built; progress is served live", "err", err)
		}
	}()
	a.closers = append(a.closers, func() error {
		cancel()
		<-a.ProgressBuilt
		return nil
	})
}

// Close releases what New opened.
func (a *App) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		_ = a.closers[i]()
	}
	a.closers = nil
}

func level(s string) slog.Level {
	var l slog.Level
	_ = l.UnmarshalText([]byte(s))
	return l
}
