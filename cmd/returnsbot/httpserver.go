package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// httpLimits bound what one client can hold of the HTTP server: the webhook port faces
// the internet, so neither slow nor idle nor many connections may keep Telegram's posts
// out or exhaust file descriptors.
type httpLimits struct {
	ReadHeader, Read, Write, Idle time.Duration
	// MaxConns is how many connections are served at once; more wait in the kernel's
	// backlog. Near it, idle keep-alive connections are closed to make room.
	MaxConns int
	// MaxConnsPerIP is how many of them one remote address may hold; more are closed at
	// once unless it holds stale ones (see connLimit). Behind a proxy every connection
	// comes from the proxy: its limits then apply.
	MaxConnsPerIP  int
	MaxHeaderBytes int
}

// defaultHTTPLimits: Telegram posts one update (at most a few hundred KiB, bounded by the
// webhook handler) and waits for the answer, which takes as long as handling it, so
// writes get minutes; Telegram opens at most 100 connections (40 by default).
var defaultHTTPLimits = httpLimits{
	ReadHeader: 10 * time.Second, Read: 30 * time.Second, Write: 4 * time.Minute, Idle: 30 * time.Second,
	MaxConns: 256, MaxConnsPerIP: 128, MaxHeaderBytes: 32 << 10,
}

// listenHTTP serves h on addr with lim until ctx is done, then shuts down within 10s.
// It returns once listening; the returned channel yields the server's end.
func listenHTTP(ctx context.Context, name, addr string, h http.Handler, lim httpLimits, logger *slog.Logger) (net.Addr, <-chan error, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("serve: %s: %w", name, err)
	}
	srv := &http.Server{
		Handler: h, ReadHeaderTimeout: lim.ReadHeader, ReadTimeout: lim.Read, WriteTimeout: lim.Write,
		IdleTimeout: lim.Idle, MaxHeaderBytes: lim.MaxHeaderBytes,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
	limited := newConnLimit(ln, lim.MaxConns, lim.MaxConnsPerIP)
	srv.ConnState = limited.track
	logger.Info("listening", "what", name, "addr", ln.Addr().String(), "max_conns", lim.MaxConns)
	done := make(chan error, 1)
	go func() {
		err := srv.Serve(limited)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		done <- err
	}()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	return ln.Addr(), done, nil
}

// healthChecker is what /healthz asks of the session store: that it takes a write.
type healthChecker interface{ Check(context.Context) error }

// healthEvery is how long a /healthz result is reused: /healthz is often reachable from
// outside, and each check is a write to Redis.
const healthEvery = time.Second

// health answers /healthz: 200 "ok", or 503 saying what is down when the session store
// (Redis) cannot take a write, so an orchestrator stops routing webhooks to an instance
// that could only apologise. The body names no address and no internal error (those go
// to the log, at most once a minute). A result is reused for healthEvery.
func health(store any, logger *slog.Logger) http.HandlerFunc {
	return healthAt(store, logger, time.Now)
}

func healthAt(store any, logger *slog.Logger, now func() time.Time) http.HandlerFunc {
	checker, _ := store.(healthChecker)
	var mu sync.Mutex
	var checked, logged time.Time
	var last error
	return func(w http.ResponseWriter, r *http.Request) {
		if checker != nil {
			mu.Lock()
			if t := now(); checked.IsZero() || t.Sub(checked) >= healthEvery {
				ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
				last = checker.Check(ctx)
				cancel()
				checked = now()
				if last != nil && checked.Sub(logged) >= time.Minute {
					logged = checked
					logger.Warn("healthz: session store unavailable", "err", last)
				}
			}
			err := last
			mu.Unlock()
			if err != nil {
				http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
				return
			}
		}
		fmt.Fprintln(w, "ok")
	}
}
