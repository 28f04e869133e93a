package redisclaims_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/claims/claimstest"
	"github.com/returnsbot/returnsbot/claims/redisclaims"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

// TestKeyTTLs scans every key the store and the outbox write and checks each one's TTL
// against the retention: Redis, not a fake clock, expires them.
func TestKeyTTLs(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t)
	const retention = 30 * 24 * time.Hour
	now := time.Now()
	s := redisclaims.New(rdb, redisclaims.Options{Prefix: prefix, Retention: retention})
	o := redisclaims.NewOutbox(rdb, redisclaims.OutboxOptions{Prefix: prefix, Retention: retention})

	r := claimstest.Claim(claims.NewID(), "telegram", "42", now)
	if err := s.Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, r.ID, func(r *claims.Record) error { r.State = claims.StateClosed; return nil }); err != nil {
		t.Fatal(err)
	}
	// And one written with its event in one script, which sets the same TTLs.
	r2 := claimstest.Claim(claims.NewID(), "telegram", "42", now)
	if err := claims.CreateWithEvent(ctx, s, o, r2, claimstest.Event("evt_r2", now)); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"evt_a", "evt_b", "evt_c"} {
		if err := o.Add(ctx, claimstest.Event(id, now)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := o.Lease(ctx, now, 10, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := o.Ack(ctx, "evt_a"); err != nil {
		t.Fatal(err)
	}
	if err := o.Fail(ctx, "evt_b", now.Add(time.Minute), "503"); err != nil {
		t.Fatal(err)
	}
	if err := o.GiveUp(ctx, "evt_c", now, "410 Gone"); err != nil {
		t.Fatal(err)
	}

	want := map[string]bool{
		s.ClaimKey(r.ID): true, s.ClaimKey(r2.ID): true, s.UserKey("telegram:42"): true, s.IndexKey(): true,
	}
	for _, k := range o.Keys() {
		want[k] = true
	}
	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if !want[k] {
			t.Errorf("unexpected key %s", k)
		}
		delete(want, k)
		ttl, err := rdb.PTTL(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl <= retention-time.Minute || ttl > retention {
			t.Errorf("key %s: TTL %v, want about the retention %v", k, ttl, retention)
		}
	}
	for k := range want {
		t.Errorf("key %s was not written", k)
	}

	if n, err := s.Forget(ctx, "telegram:42"); err != nil || n != 2 {
		t.Fatalf("Forget = %d, %v; want 2, nil", n, err)
	}
	for _, k := range []string{s.ClaimKey(r.ID), s.ClaimKey(r2.ID), s.UserKey("telegram:42")} {
		if n, _ := rdb.Exists(ctx, k).Result(); n != 0 {
			t.Errorf("after Forget the key %s exists", k)
		}
	}
	if n, _ := rdb.ZCard(ctx, s.IndexKey()).Result(); n != 0 {
		t.Errorf("after Forget the index holds %d entries, want 0", n)
	}
}

// TestCluster runs both suites on a three-master Redis Cluster: every multi-key script
// stays in one slot, and the store's cross-slot reads are split by slot.
func TestCluster(t *testing.T) {
	c := redistest.StartCluster(t, 3)
	rdb, err := redisstore.NewClient(c.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	if _, ok := rdb.(*redis.ClusterClient); !ok {
		t.Fatalf("NewClient(%s) = %T, want *redis.ClusterClient", c.URL(), rdb)
	}
	// Prefix's cleanup deletes from the shared server; the cluster's keys die with it.
	prefix := func(t *testing.T) string { return redistest.Prefix(t) }
	claimstest.RunStore(t, claimstest.StoreSetup{
		New: func(t *testing.T, clk *claimstest.Clock, retention time.Duration) claims.Store {
			return redisclaims.New(rdb, redisclaims.Options{Prefix: prefix(t), Retention: retention, Now: clk.Now})
		},
	})
	claimstest.RunOutbox(t, claimstest.OutboxSetup{
		New: func(t *testing.T, clk *claimstest.Clock, retention time.Duration, maxPending int) claims.Outbox {
			return redisclaims.NewOutbox(rdb, redisclaims.OutboxOptions{Prefix: prefix(t), Retention: retention, MaxPending: maxPending, Now: clk.Now})
		},
	})
	// The claim, its indexes and the outbox lie in different slots: the store declines to
	// write them in one script, and Create and Add run.
	claimstest.RunCreateWithEvent(t, claimstest.CreateSetup{
		New: func(t *testing.T, clk *claimstest.Clock, maxPending int) (claims.Store, claims.Outbox) {
			p := prefix(t)
			return redisclaims.New(rdb, redisclaims.Options{Prefix: p, Now: clk.Now}),
				redisclaims.NewOutbox(rdb, redisclaims.OutboxOptions{Prefix: p, MaxPending: maxPending, Now: clk.Now})
		},
	})
	s := redisclaims.New(rdb, redisclaims.Options{Prefix: prefix(t)})
	o := redisclaims.NewOutbox(rdb, redisclaims.OutboxOptions{Prefix: prefix(t)})
	r := claimstest.Claim("R-CLUSTR", "telegram", "42", time.Now())
	if done, err := s.CreateWithEvent(context.Background(), r, claimstest.Event("evt_c", time.Now()), o); done || err != nil {
		t.Errorf("CreateWithEvent on a Cluster = %v, %v; want it declined", done, err)
	}
}
