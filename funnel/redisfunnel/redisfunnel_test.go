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
	ttl, err := rdb.TTL(t.Context(), tl.DayKey(at)).Result()
	if err != nil || ttl <= 0 || ttl > time.Hour {
		t.Fatalf("TTL of %s = %v, %v; want within an hour", tl.DayKey(at), ttl, err)
	}
}
