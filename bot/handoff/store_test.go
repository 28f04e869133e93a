package handoff_test

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/bot/handoff/casetest"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

func TestMemoryStore(t *testing.T) {
	casetest.Run(t, func(*testing.T) handoff.Store { return handoff.NewMemoryStore() })
}

func TestRedisStore(t *testing.T) {
	rdb := redisClient(t)
	casetest.Run(t, func(t *testing.T) handoff.Store {
		return handoff.NewRedisStore(rdb, casetest.Prefix(t, rdb))
	})
}

// redisClient returns a client of the test Redis (see redistest: REDIS_TEST_URL, else the
// local one). A test that needs Redis fails when it cannot have one; it never skips.
func redisClient(t testing.TB) redis.UniversalClient {
	t.Helper()
	return redistest.Client(t)
}
