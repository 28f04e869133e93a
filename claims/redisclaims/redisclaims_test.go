package redisclaims_test

import (
	"context"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/claims/claimstest"
	"github.com/returnsbot/returnsbot/claims/memclaims"
	"github.com/returnsbot/returnsbot/claims/redisclaims"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

func TestStore(t *testing.T) {
	rdb := redistest.Client(t)
	claimstest.RunStore(t, claimstest.StoreSetup{
		New: func(t *testing.T, c *claimstest.Clock, retention time.Duration) claims.Store {
			return redisclaims.New(rdb, redisclaims.Options{Prefix: redistest.Prefix(t), Retention: retention, Now: c.Now})
		},
	})
}

func TestOutbox(t *testing.T) {
	rdb := redistest.Client(t)
	claimstest.RunOutbox(t, claimstest.OutboxSetup{
		New: func(t *testing.T, c *claimstest.Clock, retention time.Duration, maxPending int) claims.Outbox {
			return redisclaims.NewOutbox(rdb, redisclaims.OutboxOptions{Prefix: redistest.Prefix(t), Retention: retention, MaxPending: maxPending, Now: c.Now})
		},
	})
}

// TestCreateWithEvent runs the suite with the outbox beside the store on one server (one
// script) and with an outbox elsewhere (Create, then Add).
func TestCreateWithEvent(t *testing.T) {
	rdb := redistest.Client(t)
	t.Run("one server", func(t *testing.T) {
		claimstest.RunCreateWithEvent(t, claimstest.CreateSetup{
			New: func(t *testing.T, c *claimstest.Clock, maxPending int) (claims.Store, claims.Outbox) {
				p := redistest.Prefix(t)
				return redisclaims.New(rdb, redisclaims.Options{Prefix: p, Now: c.Now}),
					redisclaims.NewOutbox(rdb, redisclaims.OutboxOptions{Prefix: p, MaxPending: maxPending, Now: c.Now})
			},
		})
	})
	t.Run("outbox elsewhere", func(t *testing.T) {
		claimstest.RunCreateWithEvent(t, claimstest.CreateSetup{
			New: func(t *testing.T, c *claimstest.Clock, maxPending int) (claims.Store, claims.Outbox) {
				return redisclaims.New(rdb, redisclaims.Options{Prefix: redistest.Prefix(t), Now: c.Now}),
					memclaims.NewOutbox(memclaims.OutboxOptions{MaxPending: maxPending, Now: c.Now})
			},
		})
	})
}

// TestCreateWithEventOneRoundTrip: on one server a claim, its index entries and its event
// are one script; with the outbox elsewhere, or none, the store declines and Create, one
// script of the claim and its index entries, runs (and the other outbox's Add).
func TestCreateWithEventOneRoundTrip(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	trips := &redistest.Trips{}
	rdb.AddHook(trips)
	p := redistest.Prefix(t)
	s := redisclaims.New(rdb, redisclaims.Options{Prefix: p})
	o := redisclaims.NewOutbox(rdb, redisclaims.OutboxOptions{Prefix: p})
	create := func(id claims.ID, out claims.Outbox) []string {
		t.Helper()
		r := claimstest.Claim(id, "telegram", "42", time.Now())
		if err := claims.CreateWithEvent(ctx, s, out, r, claims.NewEvent(claims.ClaimDecided, r, time.Now())); err != nil {
			t.Fatal(err)
		}
		return trips.Take()
	}
	create("R-WARMUP", o) // the first run loads the script
	if got := create("R-ONETRP", o); len(got) != 1 || got[0] != "evalsha" {
		t.Errorf("a claim with its event cost the round trips %q, want one script (evalsha)", got)
	}
	mem := memclaims.NewOutbox(memclaims.OutboxOptions{})
	if got := create("R-MEMOUT", mem); len(got) != 1 || got[0] != "evalsha" {
		t.Errorf("with the outbox elsewhere the claim cost %q, want Create's one script (evalsha)", got)
	}
	if got := create("R-NOOUTB", nil); len(got) != 1 || got[0] != "evalsha" {
		t.Errorf("with no outbox the claim cost %q, want Create's one script (evalsha)", got)
	}
	if done, err := s.CreateWithEvent(ctx, claimstest.Claim("R-DECLIN", "telegram", "42", time.Now()), claimstest.Event("evt_x", time.Now()), mem); done || err != nil {
		t.Errorf("CreateWithEvent with a memory outbox = %v, %v; want it declined", done, err)
	}
}
