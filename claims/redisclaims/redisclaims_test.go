package redisclaims_test

import (
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/claims/claimstest"
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
