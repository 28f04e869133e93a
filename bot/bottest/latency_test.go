package bottest_test

import (
	"sync"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/bottest"
)

// fake answers every message once, from another goroutine, as a platform fake does.
type fake struct {
	mu      sync.Mutex
	changed *sync.Cond
	replies []int
	sent    int
}

func (f *fake) waitFor(timeout time.Duration, cond func() bool) bool {
	stop := time.AfterFunc(timeout, func() { f.mu.Lock(); f.changed.Broadcast(); f.mu.Unlock() })
	defer stop.Stop()
	deadline := time.Now().Add(timeout)
	f.mu.Lock()
	defer f.mu.Unlock()
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		f.changed.Wait()
	}
	return true
}

func TestReplyLatencies(t *testing.T) {
	f := &fake{replies: make([]int, 3)}
	f.changed = sync.NewCond(&f.mu)
	lat := bottest.ReplyLatencies(t, bottest.Fake{
		Send: func(i int) {
			f.mu.Lock()
			f.sent++
			f.mu.Unlock()
			go func() { f.mu.Lock(); f.replies[i]++; f.changed.Broadcast(); f.mu.Unlock() }()
		},
		Replies: func(i int) int { return f.replies[i] },
		WaitFor: f.waitFor,
	}, 3, 4, time.Minute)
	if len(lat) != 12 || f.sent != 12 {
		t.Fatalf("got %d latencies after %d messages, want 12 of each", len(lat), f.sent)
	}
	for i := 1; i < len(lat); i++ {
		if lat[i] < lat[i-1] || lat[i-1] < 0 {
			t.Fatalf("latencies not sorted or negative: %v", lat)
		}
	}
}
