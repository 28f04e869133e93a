package redisfunnel_test

import (
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
	"github.com/returnsbot/returnsbot/funnel"
	"github.com/returnsbot/returnsbot/funnel/funneltest"
	"github.com/returnsbot/returnsbot/funnel/redisfunnel"
)

func TestTally(t *testing.T) {
	rdb := redistest.Client(t)
	funneltest.Run(t, func(t *testing.T) funnel.Tally {
		return redisfunnel.New(rdb, redisfunnel.Options{Prefix: redistest.Prefix(t)})
	})
}

// TestDayKeyExpires: every day's hash has a TTL (the project's rule: every key stored).
func TestDayKeyExpires(t *testing.T) {
	rdb := redistest.Client(t)
	tl := redisfunnel.New(rdb, redisfunnel.Options{Prefix: redistest.Prefix(t), Retention: time.Hour})
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	if err := tl.Add(t.Context(), at, funnel.Steps("new", "packaging")); err != nil {
		t.Fatal(err)
	}
	if err := tl.Close(); err != nil {
		t.Fatal(err)
	}
	ttl, err := rdb.TTL(t.Context(), tl.DayKey(at)).Result()
	if err != nil || ttl <= 0 || ttl > time.Hour {
		t.Fatalf("TTL of %s = %v, %v; want within an hour", tl.DayKey(at), ttl, err)
	}
}

// TestCountsAreSummedBeforeTheyAreWritten: a hundred steps cost Redis nothing until the
// flush, which writes their sum; Days flushes first, so it sees them, and Close writes
// what came after.
func TestCountsAreSummedBeforeTheyAreWritten(t *testing.T) {
	ctx := t.Context()
	rdb := redistest.Client(t)
	tl := redisfunnel.New(rdb, redisfunnel.Options{Prefix: redistest.Prefix(t), FlushEvery: time.Hour})
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for range 100 {
		if err := tl.Add(ctx, at, funnel.Steps("new", "packaging")); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := rdb.Exists(ctx, tl.DayKey(at)).Result(); err != nil || n != 0 {
		t.Fatalf("EXISTS before the flush = %d, %v; want nothing written yet", n, err)
	}
	days, err := tl.Days(ctx, at, at)
	if err != nil || len(days) != 1 || days[0].Counts[funnel.Reached]["packaging"] != 100 {
		t.Fatalf("Days = %+v, %v; want 100 reached packaging", days, err)
	}
	if err := tl.Add(ctx, at, funnel.Steps("new", "packaging")); err != nil {
		t.Fatal(err)
	}
	if err := tl.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := rdb.HGet(ctx, tl.DayKey(at), string(funnel.Reached)+"|packaging").Int()
	if err != nil || got != 101 {
		t.Fatalf("count after Close = %d, %v; want 101", got, err)
	}
}
