package claimstest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/claims"
)

// CreateSetup tells RunCreateWithEvent how to make the store and outbox pairs it tests.
type CreateSetup struct {
	// New returns an empty store and an empty outbox that holds at most maxPending events,
	// both reading clock. Each call gets a pair of its own.
	New func(t *testing.T, clock *Clock, maxPending int) (claims.Store, claims.Outbox)
}

// RunCreateWithEvent checks claims.CreateWithEvent on a store and outbox pair, whichever
// way the store writes them: a new claim is stored, indexed and its event queued; a taken
// id stores and queues nothing; a full outbox leaves the claim stored without its event.
func RunCreateWithEvent(t *testing.T, setup CreateSetup) {
	ctx := context.Background()
	event := func(r claims.Record, c *Clock) claims.Event {
		e := claims.NewEvent(claims.ClaimDecided, r, c.Now())
		e.ID = "evt_" + string(r.ID)
		return e
	}

	t.Run("ClaimAndEvent", func(t *testing.T) {
		c := NewClock(Epoch)
		s, o := setup.New(t, c, 0)
		r := Claim("R-WITHEV", "telegram", "42", c.Now())
		if err := claims.CreateWithEvent(ctx, s, o, r, event(r, c)); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "Get", got, r)
		if rs, err := s.ByUser(ctx, r.UserKey(), 10); err != nil || len(rs) != 1 || rs[0].ID != r.ID {
			t.Errorf("ByUser = %v, %v; want the claim", ids(rs), err)
		}
		if rs, _, err := s.List(ctx, claims.Query{}); err != nil || len(rs) != 1 || rs[0].ID != r.ID {
			t.Errorf("List = %v, %v; want the claim", ids(rs), err)
		}
		ds, err := o.Lease(ctx, c.Now(), 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].Event.ID != "evt_R-WITHEV" || ds[0].Event.Type != claims.ClaimDecided {
			t.Fatalf("leased %v, want the claim's event", eventIDs(ds))
		}
		same(t, "the event's claim", ds[0].Event.Claim, r)
	})

	t.Run("TakenID", func(t *testing.T) {
		c := NewClock(Epoch)
		s, o := setup.New(t, c, 0)
		first := Claim("R-TAKENN", "telegram", "42", c.Now())
		if err := claims.CreateWithEvent(ctx, s, o, first, event(first, c)); err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Second)
		second := Claim("R-TAKENN", "discord", "7", c.Now())
		e := event(second, c)
		e.ID = "evt_second"
		if err := claims.CreateWithEvent(ctx, s, o, second, e); !errors.Is(err, claims.ErrExists) {
			t.Fatalf("CreateWithEvent of a taken id: got %v, want ErrExists", err)
		}
		got, _ := s.Get(ctx, first.ID)
		same(t, "the claim after a refused create", got, first)
		if rs, _ := s.ByUser(ctx, second.UserKey(), 10); len(rs) != 0 {
			t.Errorf("the refused claim's customer has claims %v, want none", ids(rs))
		}
		if rs, _, _ := s.List(ctx, claims.Query{}); len(rs) != 1 {
			t.Errorf("List = %v, want the first claim once", ids(rs))
		}
		wantCounts(t, o, claims.Counts{Pending: 1})
	})

	t.Run("OutboxFull", func(t *testing.T) {
		c := NewClock(Epoch)
		s, o := setup.New(t, c, 2)
		for i := range 2 {
			mustAdd(t, o, Event(fmt.Sprintf("evt_%d", i), c.Now()))
		}
		r := Claim("R-FULLOB", "telegram", "42", c.Now())
		err := claims.CreateWithEvent(ctx, s, o, r, event(r, c))
		if !errors.Is(err, claims.ErrNotQueued) || !errors.Is(err, claims.ErrOutboxFull) {
			t.Fatalf("CreateWithEvent with the outbox full: got %v, want ErrNotQueued and ErrOutboxFull", err)
		}
		if _, err := s.Get(ctx, r.ID); err != nil {
			t.Errorf("the claim is not stored: %v", err)
		}
		if rs, _ := s.ByUser(ctx, r.UserKey(), 10); len(rs) != 1 {
			t.Errorf("ByUser = %v, want the claim", ids(rs))
		}
		wantCounts(t, o, claims.Counts{Pending: 2})
	})

	t.Run("NoOutbox", func(t *testing.T) {
		c := NewClock(Epoch)
		s, _ := setup.New(t, c, 0)
		r := Claim("R-NOOUTB", "telegram", "42", c.Now())
		if err := claims.CreateWithEvent(ctx, s, nil, r, event(r, c)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, r.ID); err != nil {
			t.Errorf("the claim is not stored: %v", err)
		}
	})
}
