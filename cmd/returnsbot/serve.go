package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"

	"github.com/returnsbot/returnsbot/bot"
)

// adapterEnv is what a platform adapter gets to start with.
type adapterEnv struct {
	Getenv  func(string) string
	Handler bot.Handler
	// Router delivers replies to any platform; the adapter adds itself to it.
	Router bot.Router
	// Mux serves LISTEN_ADDR; adapters that take webhooks add their routes.
	Mux *http.ServeMux
	Log *slog.Logger
	// Staff reports the messages of staff members, whom the customers' inbound limit
	// does not apply to; nil when no desk is configured.
	Staff func(bot.Message) bool
}

// adapter is a platform serve can run. Each platform's file adds itself to adapters in
// an init function, so adding a platform touches no shared code.
type adapter struct {
	name string
	// enabled reports whether the environment configures the platform.
	enabled func(getenv func(string) string) bool
	// start connects the platform, adds its Sender to env.Router, and returns a function
	// that runs it until ctx is done.
	start func(ctx context.Context, env adapterEnv) (run func(context.Context) error, err error)
}

var adapters []adapter

func platformsConfigured(getenv func(string) string) bool {
	for _, a := range adapters {
		if a.enabled(getenv) {
			return true
		}
	}
	return false
}

// serve runs every configured adapter until ctx is done, then shuts down gracefully: the
// adapters stop taking updates and finish the ones they hold. With no platform but
// LISTEN_ADDR it serves only the HTTP endpoints (/healthz, /metrics, /admin/): an
// admin-only instance, which runs no staff desk and delivers no webhooks.
func serve(ctx context.Context, getenv func(string) string, logger *slog.Logger) error {
	httpOnly := !platformsConfigured(getenv)
	if httpOnly && getenv("LISTEN_ADDR") == "" {
		return errors.New("serve: no platform configured: set TELEGRAM_TOKEN or DISCORD_TOKEN, or LISTEN_ADDR for an admin-only instance")
	}
	svc, st, err := newService(ctx, getenv, logger)
	if err != nil {
		return err
	}
	defer st.close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", health(svc.Store, logger))
	svc.Metrics = &bot.Metrics{Outbox: svc.Outbox, Queue: st.cases}
	// The desk writes first answers and ratings through svc.Claims: counted there.
	svc.Claims = bot.ObserveClaims(svc.Claims, svc.Metrics)
	// /metrics on its own address when METRICS_ADDR is set (keep it off the public webhook
	// port); unset, on LISTEN_ADDR as before.
	metricsAddr := getenv("METRICS_ADDR")
	if metricsAddr == "" {
		mux.Handle("GET /metrics", svc.Metrics)
	}
	mountAdmin(mux, getenv, st, logger)
	var runs []func(context.Context) error
	if httpOnly {
		logger.Info("no platform configured: serving the HTTP endpoints only", "addr", getenv("LISTEN_ADDR"))
	} else {
		if runs, err = startPlatforms(ctx, getenv, svc, st, mux, logger); err != nil {
			return err
		}
	}

	var wg sync.WaitGroup
	errs := make(chan error, len(runs)+2) // and the HTTP servers
	for _, run := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				errs <- err
				cancel() // one platform failing stops the process, so a supervisor restarts it
			}
		}()
	}
	servers := []struct {
		name, addr string
		h          http.Handler
	}{{"LISTEN_ADDR", getenv("LISTEN_ADDR"), mux}}
	if metricsAddr != "" {
		m := http.NewServeMux()
		m.Handle("GET /metrics", svc.Metrics)
		servers = append(servers, struct {
			name, addr string
			h          http.Handler
		}{"METRICS_ADDR", metricsAddr, m})
	}
	for _, s := range servers {
		if s.addr == "" {
			continue
		}
		_, done, err := listenHTTP(ctx, s.name, s.addr, s.h, defaultHTTPLimits, logger)
		if err != nil {
			cancel()
			wg.Wait()
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := <-done; err != nil {
				errs <- fmt.Errorf("serve http %s: %w", s.name, err)
				cancel()
			}
		}()
	}
	wg.Wait()
	close(errs)
	return errors.Join(collect(errs)...)
}

// startPlatforms starts every configured adapter, the staff desk and the webhook
// deliverer, and returns their run functions.
func startPlatforms(ctx context.Context, getenv func(string) string, svc *bot.Service, st *storage, mux *http.ServeMux, logger *slog.Logger) ([]func(context.Context) error, error) {
	deliverer, err := newDeliverer(getenv, svc.Outbox, logger)
	if err != nil {
		return nil, err
	}
	router := bot.Router{}
	handler, runDesk, err := newHandoff(ctx, getenv, svc, st, router, logger)
	if err != nil {
		return nil, err
	}
	env := adapterEnv{Getenv: getenv, Handler: handler, Router: router, Mux: mux, Log: logger}
	if cfg, ok, _ := handoffFromEnv(getenv); ok { // validated by newHandoff
		env.Staff = cfg.access.Allows
	}
	var runs []func(context.Context) error
	for _, a := range adapters {
		if !a.enabled(getenv) {
			continue
		}
		run, err := a.start(ctx, env)
		if err != nil {
			return nil, fmt.Errorf("serve: start %s: %w", a.name, err)
		}
		logger.Info("adapter started", "platform", a.name)
		runs = append(runs, run)
	}
	runs = append(runs, runDesk) // after the adapters: reminders go through their Senders
	if deliverer != nil {
		if getenv("REDIS_URL") == "" {
			logger.Warn("webhook events wait in memory until delivered: set REDIS_URL to keep them across restarts")
		}
		runs = append(runs, deliverer.Run)
	}
	return runs, nil
}

func collect(errs <-chan error) []error {
	var out []error
	for err := range errs {
		out = append(out, err)
	}
	return out
}

// inboundRate reads INBOUND_RATE, the messages a minute one customer may send before the
// excess is dropped with one slow-down reply: a number, or off. Unset is 0, the default
// (20 a minute).
func inboundRate(getenv func(string) string) (float64, error) {
	v := getenv("INBOUND_RATE")
	switch v {
	case "":
		return 0, nil
	case "off":
		return -1, nil
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n <= 0 || math.IsInf(n, 0) {
		return 0, fmt.Errorf("INBOUND_RATE %q: want messages a minute per customer, such as 20, or off", v)
	}
	return n, nil
}
