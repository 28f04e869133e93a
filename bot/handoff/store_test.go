package handoff_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/bot/handoff/casetest"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

func TestMemoryStore(t *testing.T) {
	casetest.Run(t, func(*testing.T) handoff.Store { return handoff.NewMemoryStore() })
}

// redisClient returns a client of the test Redis (see redistest: REDIS_TEST_URL, else the
// local one). A test that needs Redis fails when it cannot have one; it never skips.
func redisClient(t testing.TB) redis.UniversalClient {
	t.Helper()
	return redistest.Client(t)
}

func TestMemoryStoreBoundsRollingLogs(t *testing.T) {
	st := &handoff.MemoryStore{MaxRecent: 20}
	ctx := context.Background()
	t0 := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	for i := range 21 {
		conv := "telegram:" + strconv.Itoa(i)
		if err := st.Record(ctx, conv, conv, handoff.Entry{At: t0.Add(time.Duration(i) * time.Minute), Who: handoff.Customer, Text: "hi"}); err != nil {
			t.Fatalf("Record: %v", err)
		}
	}
	// 21 > 20: the oldest tenth and one more go, leaving 18, the newest.
	for i, want := range map[int]int{0: 0, 2: 0, 3: 1, 20: 1} {
		es, _ := st.Recent(ctx, "telegram:"+strconv.Itoa(i))
		if len(es) != want {
			t.Errorf("conversation %d keeps %d entries, want %d", i, len(es), want)
		}
	}
}
