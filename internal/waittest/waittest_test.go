package waittest_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/internal/waittest"
)

func TestUntil(t *testing.T) {
	var n atomic.Int32
	if !waittest.Until(time.Second, func() bool { return n.Add(1) == 3 }) {
		t.Fatal("Until gave up on a condition that came true on the third look")
	}
	if got := n.Load(); got != 3 {
		t.Errorf("got %d looks, want 3: Until must stop looking once cond holds", got)
	}
	if waittest.Until(20*time.Millisecond, func() bool { return false }) {
		t.Error("Until reported true for a condition that never held")
	}
}
