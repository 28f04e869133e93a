package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

// TestStorageSharesOneClient: sessions, claims, the outbox and the staff desk's cases run
// on the one Redis client openStorage opens, so closing it once leaves every store with a
// closed client and none with a pool of its own still open.
func TestStorageSharesOneClient(t *testing.T) {
	ctx := context.Background()
	getenv := env("REDIS_URL", redistest.URL(t), "REDIS_KEY_PREFIX", redistest.Prefix(t))
	st, err := openStorage(ctx, getenv, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("openStorage: %v", err)
	}
	// Every store answers before the close: a missing record, not an error of the client.
	if _, err := st.cases.Get(ctx, "k7q2m9xa"); !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("cases.Get before close: error = %v, want ErrNotFound", err)
	}
	st.close()
	for _, tt := range []struct {
		name string
		call func() error
	}{
		{"sessions", func() error { _, err := st.sessions.Load(ctx, "telegram:1"); return err }},
		{"claims", func() error { _, err := st.claims.Get(ctx, claims.ID("R-7K2Q9M")); return err }},
		{"outbox", func() error { _, err := st.outbox.Forget(ctx, "telegram:1"); return err }},
		{"cases", func() error { _, err := st.cases.Get(ctx, "k7q2m9xa"); return err }},
	} {
		if err := tt.call(); !errors.Is(err, redis.ErrClosed) {
			t.Errorf("%s after close: error = %v, want %v", tt.name, err, redis.ErrClosed)
		}
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
