// Package redisstores opens every store the bot keeps in Redis, on one client and one key
// prefix, wired as `serve` runs them: the session store checks the staff desk's holds in
// its save, every store batches through the client's one autopipeliner, and the desk's
// rolling log and the funnel's counts are written behind the reply. cmd/returnsbot serves
// with it and cmd/returnsload measures it, so the load tool measures what runs.
package redisstores

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/bot/handoff/rediscases"
	"github.com/returnsbot/returnsbot/claims/redisclaims"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/funnel/redisfunnel"
)

// Options configure the stores.
type Options struct {
	// Sessions configures the session store. Its Prefix ("" for redisstore.DefaultPrefix)
	// and AutoPipeline apply to every store, its TTL to the desk's rolling log too (which
	// lives no longer than its session); Holds is set by Open.
	Sessions redisstore.Options
	// Retention is how long claims, cases, transcripts and the funnel's days are kept
	// (CLAIM_RETENTION); 0 means each store's default.
	Retention time.Duration
	// FunnelFlush is redisfunnel.Options.FlushEvery.
	FunnelFlush time.Duration
	// Log receives the errors of the writes made behind the reply; nil means
	// slog.Default().
	Log *slog.Logger
}

// Stores are the bot's stores in one Redis.
type Stores struct {
	Sessions *redisstore.Store
	Claims   *redisclaims.Store
	Outbox   *redisclaims.Outbox
	Cases    *rediscases.Store
	Funnel   *redisfunnel.Tally
}

// Open returns the stores on rdb. Close them before rdb.
func Open(rdb redis.UniversalClient, opt Options) *Stores {
	prefix, batch := opt.Sessions.Prefix, opt.Sessions.AutoPipeline
	if prefix == "" {
		prefix = redisstore.DefaultPrefix
	}
	cases := rediscases.New(rdb, rediscases.Options{Prefix: prefix, RecentTTL: opt.Sessions.TTL, Retention: opt.Retention, AutoPipeline: batch, Log: opt.Log})
	sessions := opt.Sessions
	// A session is saved only while the desk holds no case or comment of its conversation,
	// checked in the save's own script: the desk's lookup is off the common path.
	sessions.Holds = cases.HoldKeys
	return &Stores{
		Sessions: redisstore.New(rdb, sessions),
		Claims:   redisclaims.New(rdb, redisclaims.Options{Prefix: prefix, Retention: opt.Retention, AutoPipeline: batch}),
		Outbox:   redisclaims.NewOutbox(rdb, redisclaims.OutboxOptions{Prefix: prefix, Retention: opt.Retention, AutoPipeline: batch}),
		Cases:    cases,
		Funnel:   redisfunnel.New(rdb, redisfunnel.Options{Prefix: prefix, Retention: opt.Retention, FlushEvery: opt.FunnelFlush, Log: opt.Log}),
	}
}

// Close writes what the stores hold back (the rolling log, the funnel's counts). The
// client stays the caller's to close, after this.
func (s *Stores) Close() error {
	s.Cases.Close()
	if err := s.Funnel.Close(); err != nil {
		return fmt.Errorf("funnel: write the last counts: %w", err)
	}
	return nil
}
