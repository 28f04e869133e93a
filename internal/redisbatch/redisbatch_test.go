package redisbatch_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
	"github.com/returnsbot/returnsbot/internal/redisbatch"
)

// run sends n GETs from each of g goroutines through b and checks every answer.
func run(t *testing.T, rdb redis.UniversalClient, b *redisbatch.Batcher, prefix string, g, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range g {
		if err := rdb.Set(ctx, prefix+strconv.Itoa(i), strconv.Itoa(i), 0).Err(); err != nil {
			t.Fatalf("SET: %v", err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, g*n)
	for i := range g {
		wg.Go(func() {
			for range n {
				c, done := b.Client()
				v, err := c.Get(ctx, prefix+strconv.Itoa(i)).Result()
				done()
				if err != nil || v != strconv.Itoa(i) {
					errs <- "GET " + strconv.Itoa(i) + " = " + v + ", err " + errString(err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

func TestBatching(t *testing.T) {
	tests := []struct {
		name        string
		batch       bool
		goroutines  int
		wantBatched bool
	}{
		// Alone, a command goes straight out: batching would only add a wait.
		{"alone", true, 1, false},
		// Many at once share pipelines.
		{"concurrent", true, 50, true},
		// Turned off (REDIS_AUTOPIPELINE=off), never.
		{"off", false, 50, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rdb := redistest.Client(t)
			trips := &redistest.Trips{}
			rdb.AddHook(trips)
			b := redisbatch.For(rdb, tt.batch)
			run(t, rdb, b, redistest.Prefix(t), tt.goroutines, 200)
			// The autopipeliner's batches: pipelines of more than one GET (a new
			// connection's handshake is a pipeline too).
			batched := 0
			for _, trip := range trips.Take() {
				if strings.HasPrefix(trip, "get+") {
					batched++
				}
			}
			if got := batched > 0; got != tt.wantBatched {
				t.Errorf("batched pipelines: %d, want some: %v", batched, tt.wantBatched)
			}
		})
	}
}

// TestOnePerClient: the stores of one client count their commands together, so they can
// share a pipeline.
func TestOnePerClient(t *testing.T) {
	rdb := redistest.Client(t)
	if a, b := redisbatch.For(rdb, true), redisbatch.For(rdb, true); a != b {
		t.Errorf("For(rdb) gave two Batchers")
	}
	if other := redisbatch.For(redistest.Client(t), true); other == redisbatch.For(rdb, true) {
		t.Errorf("two clients share a Batcher")
	}
}
