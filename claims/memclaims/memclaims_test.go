package memclaims_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/claims/claimstest"
	"github.com/returnsbot/returnsbot/claims/memclaims"
)

func TestStore(t *testing.T) {
	claimstest.RunStore(t, claimstest.StoreSetup{
		New: func(t *testing.T, c *claimstest.Clock, retention time.Duration) claims.Store {
			return memclaims.New(memclaims.Options{Retention: retention, Now: c.Now})
		},
		FollowsClock: true,
	})
}

func TestOutbox(t *testing.T) {
	claimstest.RunOutbox(t, claimstest.OutboxSetup{
		New: func(t *testing.T, c *claimstest.Clock, retention time.Duration, maxPending int) claims.Outbox {
			return memclaims.NewOutbox(memclaims.OutboxOptions{Retention: retention, MaxPending: maxPending, Now: c.Now})
		},
	})
}

// TestBounded checks the store never holds more than MaxClaims, evicting the oldest, and
// that the sweep releases expired claims even if nobody reads them.
func TestBounded(t *testing.T) {
	ctx := context.Background()
	c := claimstest.NewClock(claimstest.Epoch)
	s := memclaims.New(memclaims.Options{MaxClaims: 10, Retention: time.Hour, Now: c.Now})
	for i := range 25 {
		r := claimstest.Claim(claims.ID(fmt.Sprintf("R-BOUND%02d", i)), "telegram", "42", c.Now())
		if err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		if s.Len() > 10 {
			t.Fatalf("after %d creates the store holds %d claims, want at most 10", i+1, s.Len())
		}
	}
	if _, err := s.Get(ctx, "R-BOUND00"); !errors.Is(err, claims.ErrNotFound) {
		t.Errorf("Get of the oldest claim of a full store: got %v, want ErrNotFound (evicted)", err)
	}
	if _, err := s.Get(ctx, "R-BOUND24"); err != nil {
		t.Errorf("Get of the newest claim: %v", err)
	}
	if rs, _ := s.ByUser(ctx, "telegram:42", 50); len(rs) != 10 {
		t.Errorf("ByUser of a full store = %d claims, want 10", len(rs))
	}
	c.Advance(2 * time.Hour)
	if err := s.Create(ctx, claimstest.Claim("R-AFTER1", "telegram", "43", c.Now())); err != nil {
		t.Fatal(err)
	}
	if got := s.Len(); got != 1 {
		t.Errorf("after the retention and a sweep the store holds %d claims, want 1", got)
	}
}

func TestCreateWithEvent(t *testing.T) {
	claimstest.RunCreateWithEvent(t, claimstest.CreateSetup{
		New: func(t *testing.T, c *claimstest.Clock, maxPending int) (claims.Store, claims.Outbox) {
			return memclaims.New(memclaims.Options{Now: c.Now}), memclaims.NewOutbox(memclaims.OutboxOptions{MaxPending: maxPending, Now: c.Now})
		},
	})
}
