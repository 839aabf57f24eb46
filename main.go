// Command fayuan serves the legal-aid follow-up and case-review campaign API (法援回访评查).
//
// @title           fayuan 法援回访评查 API
// @version         1.0
// @description     JSON API of the legal-aid quality campaign: phone follow-ups, field visits, recipient surveys, case-file review. Contract: shared/design/api.md.
// @BasePath        /
// @securityDefinitions.apikey  Bearer
// @in                          header
// @name                        Authorization
// @description                 "Bearer " followed by the access token.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"fayuan/config"
	"fayuan/internal/app"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "fayuan:", err)
		os.Exit(1)
	}
}

// run wires configuration → database → services → router and serves until SIGINT or SIGTERM,
// then drains in-flight requests before closing the database.
func run() error {
	cfg, err := config.Load(config.DefaultPath, os.LookupEnv)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	a, err := app.New(ctx, cfg, app.Options{LogOutput: os.Stdout})
	if err != nil {
		return err
	}
	defer a.Close()
	if a.AdminPassword != "" {
		fmt.Fprintf(os.Stderr, "\n  Created user admin with password: %s\n  (shown once; change it after logging in)\n\n", a.AdminPassword)
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("FAYUAN_ADDR: cannot listen on %s: %v", cfg.Addr, err)
	}
	fmt.Fprintf(os.Stderr, "  fayuan listening on http://%s (database: %s)\n", displayAddr(ln.Addr()), cfg.DBDriver)
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // large spreadsheet and photo uploads on slow links
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// displayAddr turns ":8080" into something a person can click.
func displayAddr(a net.Addr) string {
	if tcp, ok := a.(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", tcp.Port)
	}
	return a.String()
}
