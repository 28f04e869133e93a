package redisstore_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
	"github.com/returnsbot/returnsbot/policy"
)

// handle runs one inbound message through st as bot.Service.Handle does (load, drop if
// seen, step, mark seen, compare-and-set: drop on a duplicate, again on a conflict) and
// reports whether it was answered.
func handle(t *testing.T, st dialog.Store, conv, id, text string) bool {
	t.Helper()
	ctx := context.Background()
	eng := dialog.NewEngine(policy.Default())
	for range 16 {
		s, err := st.Load(ctx, conv)
		if err != nil {
			t.Fatal(err)
		}
		if s.HasSeen(id) {
			return false
		}
		eng.Step(s, dialog.Input{Text: text}, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
		s.MarkSeen(id)
		err = st.Save(ctx, conv, s)
		if errors.Is(err, dialog.ErrDuplicate) {
			return false
		}
		if errors.Is(err, dialog.ErrConflict) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		return true
	}
	t.Fatalf("message %s: 16 conflicts in a row", id)
	return false
}

// TestDedup redelivers a message after more have come than the session's ring of recent
// ids holds: within the window it is dropped, by the instance that handled it or by
// another; after the window, or with deduplication off, it is handled again.
func TestDedup(t *testing.T) {
	rdb := redistest.Client(t)
	tests := []struct {
		name     string
		dedup    time.Duration
		wait     time.Duration
		other    bool // redelivered to another instance
		answered bool
	}{
		{"same instance", 0, 0, false, false},
		{"other instance", 0, 0, true, false},
		{"after the window", 300 * time.Millisecond, 400 * time.Millisecond, false, true},
		{"off", -1, 0, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := redisstore.Options{Prefix: redistest.Prefix(t), Dedup: tt.dedup}
			st := redisstore.New(rdb, opt)
			const conv = "telegram:555"
			for i := range 12 {
				if !handle(t, st, conv, strconv.Itoa(100+i), "hello") {
					t.Fatalf("message %d not answered", 100+i)
				}
			}
			time.Sleep(tt.wait)
			again := st
			if tt.other {
				again = redisstore.New(rdb, opt)
			}
			before, _ := again.Load(context.Background(), conv)
			if got := handle(t, again, conv, "101", "hello"); got != tt.answered {
				t.Fatalf("redelivered message answered = %v, want %v", got, tt.answered)
			}
			if !tt.answered {
				after, _ := redisstore.New(rdb, redisstore.Options{Prefix: opt.Prefix, CacheSize: -1}).Load(context.Background(), conv)
				if after.Version != before.Version {
					t.Fatalf("a dropped duplicate changed the session from version %d to %d", before.Version, after.Version)
				}
			}
			if !handle(t, again, conv, "200", "hello") {
				t.Fatal("the next new message was not answered")
			}
		})
	}
}

// TestDedupMemory checks what remembering message ids costs: nothing while a
// conversation fits the session's ring, then a sorted set of the ids that left it.
func TestDedupMemory(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	st := redisstore.New(rdb, redisstore.Options{})
	ctx := context.Background()
	const conv = "telegram:1234567890"
	for i := range 20 {
		handle(t, st, conv, strconv.Itoa(987654321+i), "hello")
		n, err := rdb.ZCard(ctx, st.DedupKey(conv)).Result()
		if err != nil {
			t.Fatal(err)
		}
		if want := int64(max(0, i+1-8)); n != want {
			t.Fatalf("after %d messages the set holds %d ids, want %d (those that left the ring of 8)", i+1, n, want)
		}
	}
	n, err := rdb.MemoryUsage(ctx, st.DedupKey(conv)).Result()
	if err != nil {
		t.Fatal(err)
	}
	ttl, err := rdb.PTTL(ctx, st.DedupKey(conv)).Result()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ids of the 12 of 20 messages that left the ring: MEMORY USAGE %d bytes, expiring in %v", n, ttl.Round(time.Minute))
	if ttl <= 23*time.Hour || ttl > 24*time.Hour {
		t.Fatalf("the ids expire in %v, want 24h", ttl)
	}
	// Erasing a customer erases the ids too.
	if err := st.Delete(ctx, conv); err != nil {
		t.Fatal(err)
	}
	if n, err := rdb.Exists(ctx, st.Key(conv), st.DedupKey(conv)).Result(); err != nil || n != 0 {
		t.Fatalf("after Delete %d of the conversation's keys exist (%v), want 0", n, err)
	}
}
