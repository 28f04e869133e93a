// Package bottest helps the tests of the bot and its adapters, in the manner of
// net/http/httptest: the real dialog Service with a fixed clock, and a log sink that
// concurrent goroutines may write to while a test reads it.
package bottest

import (
	"bytes"
	"sync"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/policy"
)

// Now is the clock of tests: Wednesday 25 November 2026, noon UTC, so "yesterday" and the
// dates in decisions are known.
var Now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// NewService returns the real Service, deciding by the default policy, on store, with the
// clock fixed at Now.
func NewService(store dialog.Store) *bot.Service {
	return &bot.Service{
		Engine: dialog.NewEngine(policy.Default()),
		Store:  store,
		Now:    func() time.Time { return Now },
	}
}

// LogBuffer collects log output from any goroutine; tests read it to check what was
// logged (and that no token ever is) or print it when they fail.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
