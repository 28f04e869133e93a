package redisclaims_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/claims/claimstest"
	"github.com/returnsbot/returnsbot/claims/redisclaims"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

// BenchmarkCreate measures Create of a typical claim (one SET NX, one pipeline of index
// writes), and reports the Redis memory a claim takes: its own key and its share of the
// user and List indexes (MEMORY USAGE).
//
//	REDIS_TEST_URL=redis://127.0.0.1:6394 go test -run '^$' -bench Create ./claims/redisclaims/
func BenchmarkCreate(b *testing.B) {
	ctx := context.Background()
	rdb := redistest.Client(b)
	prefix := redistest.Prefix(b)
	s := redisclaims.New(rdb, redisclaims.Options{Prefix: prefix})
	now := time.Now()
	var last claims.Record
	i := 0
	for b.Loop() {
		last = claimstest.Claim(claims.NewID(), "telegram", strconv.Itoa(i%1000), now)
		if err := s.Create(ctx, last); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.StopTimer()
	claimBytes, _ := rdb.MemoryUsage(ctx, s.ClaimKey(last.ID)).Result()
	indexBytes, _ := rdb.MemoryUsage(ctx, s.IndexKey()).Result()
	var userBytes int64
	users := min(i, 1000)
	for u := range users {
		n, _ := rdb.MemoryUsage(ctx, s.UserKey("telegram:"+strconv.Itoa(u))).Result()
		userBytes += n
	}
	b.ReportMetric(float64(claimBytes), "claim-B")
	b.ReportMetric(float64(indexBytes+userBytes)/float64(i), "index-B/claim")
}

// BenchmarkOutboxAddAck measures one event's way through the Redis outbox: Add, Lease and
// Ack, three scripts. "backlog" is the same with 10000 events pending; it reports the
// memory a pending event takes.
func BenchmarkOutboxAddAck(b *testing.B) {
	for _, backlog := range []int{0, 10000} {
		b.Run(fmt.Sprintf("backlog=%d", backlog), func(b *testing.B) {
			ctx := context.Background()
			rdb := redistest.Client(b)
			clock := claimstest.NewClock(time.Now())
			o := redisclaims.NewOutbox(rdb, redisclaims.OutboxOptions{Prefix: redistest.Prefix(b), Now: clock.Now})
			for i := range backlog {
				if err := o.Add(ctx, claimstest.Event(fmt.Sprintf("evt_backlog_%d", i), clock.Now())); err != nil {
					b.Fatal(err)
				}
			}
			var perEvent float64
			if backlog > 0 {
				keys := o.Keys()
				ev, _ := rdb.MemoryUsage(ctx, keys[1], 0).Result()
				meta, _ := rdb.MemoryUsage(ctx, keys[2], 0).Result()
				due, _ := rdb.MemoryUsage(ctx, keys[0], 0).Result()
				perEvent = float64(ev+meta+due) / float64(backlog)
				// Lease the backlog for an hour: it stays pending, and Lease below finds
				// only the benchmark's own event.
				for {
					ds, err := o.Lease(ctx, clock.Now(), claims.MaxLease, time.Hour)
					if err != nil {
						b.Fatal(err)
					}
					if len(ds) == 0 {
						break
					}
				}
			}
			i := 0
			for b.Loop() {
				id := "evt_" + strconv.Itoa(i)
				i++
				if err := o.Add(ctx, claimstest.Event(id, clock.Now())); err != nil {
					b.Fatal(err)
				}
				ds, err := o.Lease(ctx, clock.Now(), 1, time.Minute)
				if err != nil || len(ds) != 1 {
					b.Fatalf("Lease = %d events, %v; want 1", len(ds), err)
				}
				if err := o.Ack(ctx, ds[0].Event.ID); err != nil {
					b.Fatal(err)
				}
			}
			if perEvent > 0 {
				b.ReportMetric(perEvent, "pending-B/event")
			}
		})
	}
}
