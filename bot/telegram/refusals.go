package telegram

import (
	"log/slog"
	"sync"
	"time"
)

// refusalLogEvery is how often refused webhook requests are logged at most: anyone can
// post to the webhook URL, and one line per request would let them fill the log.
const refusalLogEvery = time.Minute

// refusals counts webhook requests refused for a wrong secret and logs the first, then
// at most one line every refusalLogEvery with how many came since the last line.
type refusals struct {
	mu     sync.Mutex
	logged time.Time
	n      int
}

func (r *refusals) note(log *slog.Logger, now time.Time, remote string) {
	r.mu.Lock()
	r.n++
	if !r.logged.IsZero() && now.Sub(r.logged) < refusalLogEvery {
		r.mu.Unlock()
		return
	}
	n := r.n
	r.n, r.logged = 0, now
	r.mu.Unlock()
	log.Warn("telegram: webhook requests with a wrong secret refused", "count", n, "last_remote", remote, "logged_at_most_every", refusalLogEvery.String())
}
