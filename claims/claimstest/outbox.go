package claimstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/claims"
)

// OutboxSetup tells RunOutbox how to make the outboxes it tests.
type OutboxSetup struct {
	// New returns an empty outbox that stamps Add with clock, keeps failures for retention
	// and holds at most maxPending events. Each call gets an outbox of its own.
	New func(t *testing.T, clock *Clock, retention time.Duration, maxPending int) claims.Outbox
}

// Event returns an event of type claim.decided about a typical claim, with the id.
func Event(id string, t time.Time) claims.Event {
	return claims.Event{ID: id, Type: claims.ClaimDecided, Time: t, Claim: Claim("R-EVENTS", "telegram", "42", t)}
}

// RunOutbox runs the outbox conformance suite.
func RunOutbox(t *testing.T, setup OutboxSetup) {
	ctx := context.Background()
	newOutbox := func(t *testing.T) (claims.Outbox, *Clock) {
		c := NewClock(Epoch)
		return setup.New(t, c, claims.DefaultRetention, 0), c
	}
	const lease = 30 * time.Second

	t.Run("AddLeaseAck", func(t *testing.T) {
		o, c := newOutbox(t)
		for i := range 3 {
			mustAdd(t, o, Event(fmt.Sprintf("evt_%d", i), c.Now()))
			c.Advance(time.Millisecond)
		}
		ds, err := o.Lease(ctx, c.Now(), 10, lease)
		if err != nil {
			t.Fatal(err)
		}
		if got := eventIDs(ds); fmt.Sprint(got) != "[evt_0 evt_1 evt_2]" {
			t.Fatalf("Lease = %v, want [evt_0 evt_1 evt_2] (oldest first)", got)
		}
		d := ds[0]
		if d.Attempts != 1 || !d.Added.Equal(Epoch) || d.Event.Claim.Answers["order_number"] != "10042" || d.Event.Type != claims.ClaimDecided {
			t.Errorf("the first delivery: attempts %d, added %v, event %+v; want 1, %v and the event added", d.Attempts, d.Added, d.Event, Epoch)
		}
		if again, _ := o.Lease(ctx, c.Now(), 10, lease); len(again) != 0 {
			t.Errorf("Lease while all are leased = %v, want none", eventIDs(again))
		}
		for _, d := range ds {
			if err := o.Ack(ctx, d.Event.ID); err != nil {
				t.Fatal(err)
			}
		}
		wantCounts(t, o, claims.Counts{Pending: 0, Delivered: 3, Failed: 0})
		c.Advance(time.Hour)
		if again, _ := o.Lease(ctx, c.Now(), 10, lease); len(again) != 0 {
			t.Errorf("Lease after every event was acked = %v, want none", eventIDs(again))
		}
		if err := o.Ack(ctx, "evt_0"); !errors.Is(err, claims.ErrUnknownEvent) {
			t.Errorf("a second Ack: got %v, want ErrUnknownEvent", err)
		}
	})

	t.Run("AddTwice", func(t *testing.T) {
		o, c := newOutbox(t)
		mustAdd(t, o, Event("evt_same", c.Now()))
		mustAdd(t, o, Event("evt_same", c.Now()))
		wantCounts(t, o, claims.Counts{Pending: 1})
	})

	t.Run("LeaseExpires", func(t *testing.T) {
		o, c := newOutbox(t)
		mustAdd(t, o, Event("evt_crash", c.Now()))
		if ds, _ := o.Lease(ctx, c.Now(), 1, lease); len(ds) != 1 {
			t.Fatalf("Lease = %v, want evt_crash", eventIDs(ds))
		}
		// The worker dies here without Ack or Fail.
		c.Advance(lease - time.Second)
		if ds, _ := o.Lease(ctx, c.Now(), 1, lease); len(ds) != 0 {
			t.Fatalf("Lease within the lease = %v, want none", eventIDs(ds))
		}
		c.Advance(2 * time.Second)
		ds, err := o.Lease(ctx, c.Now(), 1, lease)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].Attempts != 2 {
			t.Fatalf("Lease after the lease ran out = %+v, want evt_crash on its second attempt", ds)
		}
	})

	t.Run("FailRetries", func(t *testing.T) {
		o, c := newOutbox(t)
		mustAdd(t, o, Event("evt_fail", c.Now()))
		o.Lease(ctx, c.Now(), 1, lease)
		if err := o.Fail(ctx, "evt_fail", c.Now().Add(time.Minute), "503 Service Unavailable"); err != nil {
			t.Fatal(err)
		}
		c.Advance(59 * time.Second)
		if ds, _ := o.Lease(ctx, c.Now(), 1, lease); len(ds) != 0 {
			t.Fatalf("Lease before the retry time = %v, want none", eventIDs(ds))
		}
		c.Advance(time.Second)
		ds, _ := o.Lease(ctx, c.Now(), 1, lease)
		if len(ds) != 1 || ds[0].LastError != "503 Service Unavailable" || ds[0].Attempts != 2 {
			t.Fatalf("Lease at the retry time = %+v, want evt_fail, attempt 2, last error 503 Service Unavailable", ds)
		}
		if err := o.Fail(ctx, "evt_nosuch", c.Now(), "x"); !errors.Is(err, claims.ErrUnknownEvent) {
			t.Errorf("Fail of an unknown event: got %v, want ErrUnknownEvent", err)
		}
		wantCounts(t, o, claims.Counts{Pending: 1})
	})

	t.Run("GiveUp", func(t *testing.T) {
		o, c := newOutbox(t)
		mustAdd(t, o, Event("evt_dead", c.Now()))
		mustAdd(t, o, Event("evt_live", c.Now()))
		o.Lease(ctx, c.Now(), 2, lease)
		c.Advance(25 * time.Hour)
		if err := o.GiveUp(ctx, "evt_dead", c.Now(), "connection refused"); err != nil {
			t.Fatal(err)
		}
		wantCounts(t, o, claims.Counts{Pending: 1, Failed: 1})
		fs, err := o.Failed(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 1 || fs[0].Event.ID != "evt_dead" || fs[0].Reason != "connection refused" || !fs[0].Failed.Equal(c.Now()) || fs[0].Attempts != 1 || !fs[0].Added.Equal(Epoch) {
			t.Fatalf("Failed = %+v, want evt_dead, failed now after 1 attempt: connection refused", fs)
		}
		if ds, _ := o.Lease(ctx, c.Now(), 10, lease); fmt.Sprint(eventIDs(ds)) != "[evt_live]" {
			t.Errorf("Lease after GiveUp = %v, want [evt_live]", eventIDs(ds))
		}
		if err := o.Ack(ctx, "evt_dead"); !errors.Is(err, claims.ErrUnknownEvent) {
			t.Errorf("Ack of a failed event: got %v, want ErrUnknownEvent", err)
		}
		mustAdd(t, o, Event("evt_dead", c.Now()))
		wantCounts(t, o, claims.Counts{Pending: 1, Failed: 1})
	})

	t.Run("FailedRetention", func(t *testing.T) {
		c := NewClock(Epoch)
		o := setup.New(t, c, 48*time.Hour, 0)
		mustAdd(t, o, Event("evt_old", c.Now()))
		mustAdd(t, o, Event("evt_new", c.Now()))
		o.Lease(ctx, c.Now(), 2, lease)
		o.GiveUp(ctx, "evt_old", c.Now(), "gone")
		c.Advance(49 * time.Hour)
		o.GiveUp(ctx, "evt_new", c.Now(), "gone")
		fs, err := o.Failed(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 1 || fs[0].Event.ID != "evt_new" {
			t.Errorf("Failed after the retention of evt_old = %v, want only evt_new", fs)
		}
		wantCounts(t, o, claims.Counts{Failed: 1})
	})

	t.Run("LeaseBounded", func(t *testing.T) {
		o, c := newOutbox(t)
		for i := range claims.MaxLease + 5 {
			mustAdd(t, o, Event(fmt.Sprintf("evt_%03d", i), c.Now()))
		}
		for _, n := range []int{0, 1000} {
			ds, err := o.Lease(ctx, c.Now(), n, time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != claims.MaxLease {
				t.Errorf("Lease(n=%d) = %d events, want MaxLease=%d", n, len(ds), claims.MaxLease)
			}
			c.Advance(time.Second)
		}
	})

	t.Run("Full", func(t *testing.T) {
		c := NewClock(Epoch)
		o := setup.New(t, c, claims.DefaultRetention, 3)
		for i := range 3 {
			mustAdd(t, o, Event(fmt.Sprintf("evt_%d", i), c.Now()))
		}
		if err := o.Add(ctx, Event("evt_3", c.Now())); !errors.Is(err, claims.ErrOutboxFull) {
			t.Errorf("Add to a full outbox: got %v, want ErrOutboxFull", err)
		}
		wantCounts(t, o, claims.Counts{Pending: 3})
	})

	t.Run("Forget", func(t *testing.T) {
		o, c := newOutbox(t)
		mine := Event("evt_mine", c.Now())
		mine.Claim.Platform, mine.Claim.User = "discord", "7"
		dead := mine
		dead.ID = "evt_mine_dead"
		mustAdd(t, o, mine)
		mustAdd(t, o, dead)
		mustAdd(t, o, Event("evt_other", c.Now()))
		o.Lease(ctx, c.Now(), 10, lease)
		if err := o.GiveUp(ctx, dead.ID, c.Now(), "gone"); err != nil {
			t.Fatal(err)
		}
		n, err := o.Forget(ctx, "discord:7")
		if err != nil || n != 2 {
			t.Fatalf("Forget = %d, %v; want 2, nil", n, err)
		}
		wantCounts(t, o, claims.Counts{Pending: 1})
		if fs, _ := o.Failed(ctx, 10); len(fs) != 0 {
			t.Errorf("Failed after Forget = %v, want none", fs)
		}
		c.Advance(time.Hour)
		if ds, _ := o.Lease(ctx, c.Now(), 10, lease); fmt.Sprint(eventIDs(ds)) != "[evt_other]" {
			t.Errorf("Lease after Forget = %v, want [evt_other]", eventIDs(ds))
		}
		if n, _ := o.Forget(ctx, "discord:never-seen"); n != 0 {
			t.Errorf("Forget of an unknown customer = %d, want 0", n)
		}
	})

	t.Run("ConcurrentLease", func(t *testing.T) {
		o, c := newOutbox(t)
		const events, workers = 60, 4
		for i := range events {
			mustAdd(t, o, Event(fmt.Sprintf("evt_%02d", i), c.Now()))
		}
		var mu sync.Mutex
		var got []string
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for {
					ds, err := o.Lease(ctx, c.Now(), 7, time.Hour)
					if err != nil {
						t.Error(err)
						return
					}
					if len(ds) == 0 {
						return
					}
					mu.Lock()
					got = append(got, eventIDs(ds)...)
					mu.Unlock()
					for _, d := range ds {
						if err := o.Ack(ctx, d.Event.ID); err != nil {
							t.Error(err)
						}
					}
				}
			})
		}
		wg.Wait()
		slices.Sort(got)
		if len(slices.Compact(slices.Clone(got))) != len(got) || len(got) != events {
			t.Errorf("%d workers leased %d events (%d distinct), want each of %d once", workers, len(got), len(slices.Compact(got)), events)
		}
		wantCounts(t, o, claims.Counts{Delivered: events})
	})
}

func mustAdd(t *testing.T, o claims.Outbox, e claims.Event) {
	t.Helper()
	if err := o.Add(context.Background(), e); err != nil {
		t.Fatalf("Add %s: %v", e.ID, err)
	}
}

func eventIDs(ds []claims.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Event.ID
	}
	return out
}

func wantCounts(t *testing.T, o claims.Outbox, want claims.Counts) {
	t.Helper()
	got, err := o.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("Counts = %+v, want %+v", got, want)
	}
}
