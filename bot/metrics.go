package bot

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/returnsbot/returnsbot/policy"
)

// Metrics counts what a Service does and serves the counts in the Prometheus text format,
// with the standard library only. The zero value is ready to use; a nil *Metrics counts
// nothing.
type Metrics struct {
	messages atomic.Int64
	counts   [len(counters)]atomic.Int64

	// Outbox, if set, is read for the webhook outbox's pending, delivered and failed
	// events on every scrape.
	Outbox OutboxCounter

	mu       sync.Mutex
	outcomes map[policy.Outcome]int64
	buckets  [len(latencyBuckets) + 1]int64 // the last is +Inf
	sum      float64
}

// latencyBuckets are the upper bounds, in seconds, of the handling-time histogram: from a
// memory-store step to a slow Redis.
var latencyBuckets = [...]float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

func (m *Metrics) handled(d time.Duration, replies []Outbound) {
	if m == nil {
		return
	}
	m.messages.Add(1)
	s := d.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	i := 0
	for i < len(latencyBuckets) && s > latencyBuckets[i] {
		i++
	}
	m.buckets[i]++
	m.sum += s
	for _, r := range replies {
		if r.Decision != nil {
			if m.outcomes == nil {
				m.outcomes = map[policy.Outcome]int64{}
			}
			m.outcomes[r.Decision.Outcome]++
		}
	}
}

// metric names one of the counters.
type metric int

const (
	metricDuplicate metric = iota
	metricRepeated
	metricConflict
	metricUnavailable
	metricUnreadable
	metricLimited
	metricPanic
	metricGaveUp
	metricClaimFailed
	metricRatings
	metricRatingPoints
	metricQueueLeft
	metricIdleClosed
)

// counters are the name and help of each metric, in the order /metrics shows them.
var counters = [...]struct{ name, help string }{
	metricDuplicate:    {"returnsbot_duplicates_total", "Messages dropped because they were already handled."},
	metricRepeated:     {"returnsbot_repeats_total", "Redelivered messages answered with where the conversation stands, as their replies may have been lost."},
	metricConflict:     {"returnsbot_conflicts_total", "Dialog steps re-run because another instance changed the session."},
	metricUnavailable:  {"returnsbot_unavailable_total", "Messages answered with a try-again because the session store failed."},
	metricUnreadable:   {"returnsbot_unreadable_sessions_total", "Stored sessions that could not be read, set aside, and started afresh."},
	metricLimited:      {"returnsbot_limited_total", "Messages dropped because their customer was over the inbound limit (INBOUND_RATE)."},
	metricPanic:        {"returnsbot_panics_total", "Messages whose handling panicked (recovered; the customer was asked to try again)."},
	metricGaveUp:       {"returnsbot_gave_up_total", "Messages given up on after bounded retries of a store failure."},
	metricClaimFailed:  {"returnsbot_claim_failures_total", "Claim records or webhook events the store failed to keep (logged)."},
	metricRatings:      {"returnsbot_ratings_total", "Ratings customers gave closed staff cases."},
	metricRatingPoints: {"returnsbot_rating_points_total", "Sum of the 1-5 scores of those ratings: divided by returnsbot_ratings_total, the average."},
	metricQueueLeft:    {"returnsbot_queue_left_total", "Waiting customers who left the staff queue and went back to the bot."},
	metricIdleClosed:   {"returnsbot_idle_closed_total", "Staff cases closed for no message either way in HANDOFF_IDLE_CLOSE."},
}

func (m *Metrics) count(which metric) {
	if m == nil {
		return
	}
	m.counts[which].Add(1)
}

// ServeHTTP writes the metrics in the Prometheus text exposition format.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	counter := func(name, help string, v int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	counter("returnsbot_messages_total", "Messages run through the dialog.", m.messages.Load())
	for i, c := range counters {
		counter(c.name, c.help, m.counts[i].Load())
	}
	m.writeOutbox(r.Context(), w)

	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprint(w, "# HELP returnsbot_decisions_total Eligibility decisions stated, by outcome.\n# TYPE returnsbot_decisions_total counter\n")
	for _, o := range policy.Outcomes {
		fmt.Fprintf(w, "returnsbot_decisions_total{outcome=%q} %d\n", o, m.outcomes[o])
	}
	fmt.Fprint(w, "# HELP returnsbot_handle_seconds Time to handle a message: load, dialog step, save.\n# TYPE returnsbot_handle_seconds histogram\n")
	var cum int64
	for i, le := range latencyBuckets {
		cum += m.buckets[i]
		fmt.Fprintf(w, "returnsbot_handle_seconds_bucket{le=\"%g\"} %d\n", le, cum)
	}
	cum += m.buckets[len(latencyBuckets)]
	fmt.Fprintf(w, "returnsbot_handle_seconds_bucket{le=\"+Inf\"} %d\nreturnsbot_handle_seconds_sum %g\nreturnsbot_handle_seconds_count %d\n", cum, m.sum, cum)
}
