package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/bot/handoff/casetest"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

// TestStorageSharesOneClient: sessions, claims, the outbox and the staff desk's cases run
// on the one Redis client openStorage opens, on one server and on a Cluster, so closing it
// once leaves every store with a closed client and none with a pool of its own still open.
func TestStorageSharesOneClient(t *testing.T) {
	for _, tt := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"server", func(t *testing.T) string { return redistest.URL(t) }},
		{"cluster", func(t *testing.T) string { return redistest.StartCluster(t, 3).URL() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			getenv := env("REDIS_URL", tt.url(t), "REDIS_KEY_PREFIX", redistest.Prefix(t))
			st, err := openStorage(ctx, getenv, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatalf("openStorage: %v", err)
			}
			c := casetest.NewCase("telegram", "1", "1")
			if _, _, err := st.cases.Open(ctx, c); err != nil {
				t.Fatalf("cases.Open: %v", err)
			}
			if got, err := st.cases.OpenFor(ctx, "telegram:1"); err != nil || got.ID != c.ID {
				t.Fatalf("cases.OpenFor = %v, %v; want case %s", got, err, c.ID)
			}
			if _, err := st.cases.Forget(ctx, "telegram:1"); err != nil {
				t.Fatalf("cases.Forget: %v", err)
			}
			st.close()
			for _, call := range []struct {
				store string
				do    func() error
			}{
				{"sessions", func() error { _, err := st.sessions.Load(ctx, "telegram:1"); return err }},
				{"claims", func() error { _, err := st.claims.Get(ctx, claims.ID("R-7K2Q9M")); return err }},
				{"outbox", func() error { _, err := st.outbox.Forget(ctx, "telegram:1"); return err }},
				{"cases", func() error { _, err := st.cases.Get(ctx, c.ID); return err }},
			} {
				if err := call.do(); !errors.Is(err, redis.ErrClosed) {
					t.Errorf("%s after close: error = %v, want %v", call.store, err, redis.ErrClosed)
				}
			}
		})
	}
}

// TestStorageInMemory: without REDIS_URL every store, the cases included, is in memory.
func TestStorageInMemory(t *testing.T) {
	st, err := openStorage(context.Background(), env(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("openStorage: %v", err)
	}
	defer st.close()
	if _, ok := st.cases.(*handoff.MemoryStore); !ok || !st.memory {
		t.Fatalf("cases = %T, memory %v; want *handoff.MemoryStore, true", st.cases, st.memory)
	}
}
