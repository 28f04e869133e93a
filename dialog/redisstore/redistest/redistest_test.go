package redistest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

// TestKillRestart checks the promise Redis-restart tests rely on: with an append-only
// file synced on every write, what was written before Kill is there after Restart, on
// the same address.
func TestKillRestart(t *testing.T) {
	srv := redistest.Start(t, "--appendonly", "yes", "--appendfsync", "always")
	ctx := context.Background()
	rdb := srv.Client(t)
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr
	srv.Kill()
	if err := rdb.Ping(ctx).Err(); err == nil {
		t.Fatal("PING answered after Kill")
	}
	srv.Restart()
	if srv.Addr != addr {
		t.Fatalf("restarted on %s, want %s", srv.Addr, addr)
	}
	if got, err := rdb.Get(ctx, "k").Result(); err != nil || got != "v" {
		t.Fatalf("GET after restart = %q, %v; want v", got, err)
	}
}

// TestPrefixCleansUp checks that the keys of a test sharing a Redis go with the test.
func TestPrefixCleansUp(t *testing.T) {
	rdb := redistest.Client(t)
	ctx := context.Background()
	var prefix string
	t.Run("writer", func(t *testing.T) {
		prefix = redistest.Prefix(t)
		if err := rdb.Set(ctx, prefix+"k", "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	})
	if n, err := rdb.Exists(ctx, prefix+"k").Result(); err != nil || n != 0 {
		t.Fatalf("after the test, %s exists: %d, %v; want it deleted", prefix+"k", n, err)
	}
}

func TestClientAndPrefix(t *testing.T) {
	rdb := redistest.Client(t)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	a, b := redistest.Prefix(t), redistest.Prefix(t)
	if a == b || !strings.HasPrefix(a, "rbtest:") {
		t.Fatalf("prefixes %q and %q, want two different ones starting rbtest:", a, b)
	}
}
