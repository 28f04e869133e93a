package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/claims/memclaims"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/memstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/funnel"
	"github.com/returnsbot/returnsbot/internal/redisstores"
)

// openStore returns the session store REDIS_URL names, or an in-memory one, and a function
// that releases it.
func openStore(ctx context.Context, getenv func(string) string, logger *slog.Logger) (dialog.Store, func(), error) {
	st, err := openStorage(ctx, getenv, logger)
	if err != nil {
		return nil, nil, err
	}
	return st.sessions, st.close, nil
}

// storage is what the bot keeps: sessions, claims, the webhook outbox and the staff desk's
// cases and transcripts, in Redis on one client and one key prefix when REDIS_URL is set,
// in memory otherwise.
type storage struct {
	sessions dialog.Store
	claims   claims.Store
	outbox   claims.Outbox
	cases    handoff.Store
	// funnel is the dialog funnel's per-day tally, kept as long as claims.
	funnel funnel.Tally
	// memory is true without REDIS_URL: everything is lost on restart.
	memory bool
	// retention is CLAIM_RETENTION.
	retention time.Duration
	close     func()
}

// openStorage opens the stores the environment names.
//
// A Redis that does not answer at start is logged and not fatal: every message then gets
// the "try again in a moment" answer until Redis is back, as it would if Redis stopped
// later, and the bot needs no restart.
func openStorage(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*storage, error) {
	retention, err := claims.ParseRetention(getenv("CLAIM_RETENTION"))
	if err != nil {
		return nil, usageError{fmt.Sprintf("CLAIM_RETENTION: %v", err)}
	}
	raw := getenv("REDIS_URL")
	if raw == "" {
		return &storage{
			sessions:  memstore.New(),
			claims:    memclaims.New(memclaims.Options{Retention: retention}),
			outbox:    memclaims.NewOutbox(memclaims.OutboxOptions{Retention: retention}),
			cases:     handoff.NewMemoryStore(),
			funnel:    &funnel.Memory{Retention: retention},
			memory:    true,
			retention: retention,
			close:     func() {},
		}, nil
	}
	opt := redisstore.Options{Prefix: getenv("REDIS_KEY_PREFIX"), AutoPipeline: true}
	switch v := getenv("REDIS_AUTOPIPELINE"); v {
	case "", "on", "1", "true":
	case "off", "0", "false":
		opt.AutoPipeline = false
	default:
		return nil, fmt.Errorf("REDIS_AUTOPIPELINE %q: want on or off", v)
	}
	if v := getenv("REDIS_SESSION_TTL"); v != "" {
		ttl, err := time.ParseDuration(v)
		if err != nil || ttl < time.Second {
			// Redis keeps whole milliseconds at least: less would store nothing.
			return nil, fmt.Errorf("REDIS_SESSION_TTL %q: want a Go duration of at least 1s, such as 720h", v)
		}
		opt.TTL = ttl
	}
	rdb, err := redisstore.NewClient(raw)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	redis.SetLogger(redisLogger{logger})
	where := redisAddr(raw)
	pingCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := rdb.Ping(pingCtx).Err(); err != nil {
		logger.Warn("redis does not answer yet; messages get a try-again answer until it does", "redis", where, "err", err)
	} else {
		logger.Info("sessions in redis", "redis", where)
		checkEviction(ctx, rdb, logger)
	}
	st := redisstores.Open(rdb, redisstores.Options{Sessions: opt, Retention: retention, Log: logger})
	return &storage{
		sessions:  st.Sessions,
		claims:    st.Claims,
		outbox:    st.Outbox,
		cases:     st.Cases,
		funnel:    st.Funnel,
		retention: retention,
		close: func() {
			// The conversation logs and funnel counts still pending go before the client.
			if err := st.Close(); err != nil {
				logger.Error("redis stores: close", "err", err)
			}
			rdb.Close()
		},
	}, nil
}

// redisAddr names the Redis of a URL for logs: scheme and host only, since a password
// can sit in the user part or, for Sentinel, in the query.
func redisAddr(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(REDIS_URL)"
	}
	return u.Scheme + "://" + u.Host
}

// redisLogger passes go-redis's own messages (dial failures and the like, which name
// addresses, never credentials) to the program's logger.
type redisLogger struct{ l *slog.Logger }

func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.l.WarnContext(ctx, strings.TrimPrefix(fmt.Sprintf(format, v...), "redis: "), "component", "go-redis")
}
