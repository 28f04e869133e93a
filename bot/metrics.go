package bot

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/funnel"
	"github.com/returnsbot/returnsbot/policy"
)

// Metrics counts what a Service does and serves the counts at /metrics with
// prometheus/client_golang, on a registry of its own (with the go_* and process_*
// collectors), so several Services in one test process do not share counts. The zero
// value is ready to use; a nil *Metrics counts nothing.
type Metrics struct {
	// Outbox, if set, is read for the webhook outbox's pending, delivered and failed
	// events on every scrape.
	Outbox OutboxCounter
	// Queue, if set, is read for the staff desk's waiting cases on every scrape.
	Queue QueueCounter

	once        sync.Once
	reg         *prometheus.Registry
	handler     http.Handler
	messages    prometheus.Counter
	counts      [len(counters)]prometheus.Counter
	decisions   *prometheus.CounterVec
	escalations *prometheus.CounterVec
	funnel      map[funnel.Kind]*prometheus.CounterVec
	handle      prometheus.Histogram
	firstReply  prometheus.Histogram
	ratings     *prometheus.CounterVec
}

// latencyBuckets are the upper bounds, in seconds, of the handling-time histogram: from a
// memory-store step to a slow Redis.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// firstReplyBuckets are the upper bounds, in seconds, of the time from an escalation to
// staff's first answer: a minute to three days.
var firstReplyBuckets = []float64{60, 300, 900, 1800, 3600, 4 * 3600, 8 * 3600, 24 * 3600, 72 * 3600}

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
	metricQueueLeft
	metricIdleClosed
)

// counters are the name and help of each unlabelled counter.
var counters = [...]struct{ name, help string }{
	metricDuplicate:   {"returnsbot_duplicates_total", "Messages dropped because they were already handled."},
	metricRepeated:    {"returnsbot_repeats_total", "Redelivered messages answered with where the conversation stands, as their replies may have been lost."},
	metricConflict:    {"returnsbot_conflicts_total", "Dialog steps re-run because another instance changed the session."},
	metricUnavailable: {"returnsbot_unavailable_total", "Messages answered with a try-again because the session store failed."},
	metricUnreadable:  {"returnsbot_unreadable_sessions_total", "Stored sessions that could not be read, set aside, and started afresh."},
	metricLimited:     {"returnsbot_limited_total", "Messages dropped because their customer was over the inbound limit (INBOUND_RATE)."},
	metricPanic:       {"returnsbot_panics_total", "Messages whose handling panicked (recovered; the customer was asked to try again)."},
	metricGaveUp:      {"returnsbot_gave_up_total", "Messages given up on after bounded retries of a store failure."},
	metricClaimFailed: {"returnsbot_claim_failures_total", "Claim records or webhook events the store failed to keep (logged)."},
	metricQueueLeft:   {"returnsbot_queue_left_total", "Waiting customers who left the staff queue and went back to the bot."},
	metricIdleClosed:  {"returnsbot_idle_closed_total", "Staff cases closed for no message either way in HANDOFF_IDLE_CLOSE."},
}

// funnelHelp is the help of the funnel counter of each kind, named
// returnsbot_funnel_<kind>_total.
var funnelHelp = map[funnel.Kind]string{
	funnel.Reached:   "Times the bot asked a question (the dialog entered it), by question.",
	funnel.Answered:  "Times a customer's answer moved the dialog on from a question, by question.",
	funnel.Escalated: "Times the dialog went to staff from a question, by question.",
}

// init builds the collectors once; every method calls it.
func (m *Metrics) init() {
	m.once.Do(func() {
		m.reg = prometheus.NewRegistry()
		m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		m.messages = prometheus.NewCounter(prometheus.CounterOpts{Name: "returnsbot_messages_total", Help: "Messages run through the dialog."})
		m.reg.MustRegister(m.messages)
		for i, c := range counters {
			m.counts[i] = prometheus.NewCounter(prometheus.CounterOpts{Name: c.name, Help: c.help})
			m.reg.MustRegister(m.counts[i])
		}
		m.decisions = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "returnsbot_decisions_total", Help: "Eligibility decisions stated, by outcome."}, []string{"outcome"})
		for _, o := range policy.Outcomes {
			m.decisions.WithLabelValues(string(o))
		}
		m.escalations = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "returnsbot_escalations_total", Help: "Claims handed to staff, by reason."}, []string{"reason"})
		for _, r := range []string{policy.ReasonAsked, policy.ReasonDisputed, policy.ReasonUndecidable} {
			m.escalations.WithLabelValues(r)
		}
		m.funnel = map[funnel.Kind]*prometheus.CounterVec{}
		for _, k := range funnel.Kinds {
			m.funnel[k] = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "returnsbot_funnel_" + string(k) + "_total", Help: funnelHelp[k]}, []string{"question"})
			m.reg.MustRegister(m.funnel[k])
		}
		m.handle = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "returnsbot_handle_seconds", Help: "Time to handle a message: load, dialog step, save.", Buckets: latencyBuckets})
		m.firstReply = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "returnsbot_first_staff_reply_seconds", Help: "Time from an escalation to staff's first answer to the customer.", Buckets: firstReplyBuckets})
		m.ratings = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "returnsbot_ratings_total", Help: "Customers' 1-5 satisfaction ratings of closed cases, by score."}, []string{"score"})
		for s := 1; s <= 5; s++ {
			m.ratings.WithLabelValues(strconv.Itoa(s))
		}
		m.reg.MustRegister(m.decisions, m.escalations, m.handle, m.firstReply, m.ratings, storeCollector{m})
		m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	})
}

func (m *Metrics) handled(d time.Duration, replies []Outbound) {
	if m == nil {
		return
	}
	m.init()
	m.messages.Inc()
	m.handle.Observe(d.Seconds())
	for _, r := range replies {
		if r.Decision == nil {
			continue
		}
		m.decisions.WithLabelValues(string(r.Decision.Outcome)).Inc()
		if r.Decision.Outcome == policy.Escalated {
			m.escalations.WithLabelValues(r.Decision.Reason).Inc()
		}
	}
}

func (m *Metrics) count(which metric) {
	if m == nil {
		return
	}
	m.init()
	m.counts[which].Inc()
}

// steps counts a dialog step's funnel events.
func (m *Metrics) steps(es []funnel.Event) {
	if m == nil {
		return
	}
	m.init()
	for _, e := range es {
		m.funnel[e.Kind].WithLabelValues(e.Question).Inc()
	}
}

// FirstStaffReply counts the time from an escalation to staff's first answer. The claim
// store ObserveClaims returns calls it when a record first gets its FirstStaffReply.
func (m *Metrics) FirstStaffReply(d time.Duration) {
	if m == nil || d < 0 {
		return
	}
	m.init()
	m.firstReply.Observe(d.Seconds())
}

// Rated counts a customer's rating (1–5; others are ignored). The claim store
// ObserveClaims returns calls it when a record first gets its Rating.
func (m *Metrics) Rated(score int) {
	if m == nil || score < 1 || score > 5 {
		return
	}
	m.init()
	m.ratings.WithLabelValues(strconv.Itoa(score)).Inc()
}

// ServeHTTP serves the metrics in the Prometheus exposition format.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.init()
	m.handler.ServeHTTP(w, r)
}

// OutboxCounter reads the webhook outbox's figures (claims.Outbox and webhook.Deliverer
// have it).
type OutboxCounter interface {
	Counts(ctx context.Context) (claims.Counts, error)
}

// QueueCounter lists the staff desk's cases waiting for a staff member (handoff.Store has
// it: Due with a time far ahead lists every waiting case).
type QueueCounter interface {
	Due(ctx context.Context, before time.Time) ([]string, error)
}

// storeTimeout bounds the store reads of one scrape: a slow store costs the scrape its
// outbox and queue lines, not the other metrics.
const storeTimeout = 2 * time.Second

// storeCollector reads the figures that live in the stores (the outbox, the desk queue)
// on every scrape.
type storeCollector struct{ m *Metrics }

var (
	outboxUp        = prometheus.NewDesc("returnsbot_outbox_up", "Whether the webhook outbox could be read.", nil, nil)
	outboxPending   = prometheus.NewDesc("returnsbot_outbox_pending", "Webhook events waiting for delivery.", nil, nil)
	outboxDelivered = prometheus.NewDesc("returnsbot_outbox_delivered_total", "Webhook events delivered and acknowledged.", nil, nil)
	outboxFailed    = prometheus.NewDesc("returnsbot_outbox_failed", "Webhook events given up on, kept for inspection.", nil, nil)
	deskQueue       = prometheus.NewDesc("returnsbot_desk_queue", "Staff desk cases waiting for a staff member to claim them.", nil, nil)
)

// Describe sends nothing: what the collector yields depends on what is configured and
// readable, which makes it an unchecked collector.
func (storeCollector) Describe(chan<- *prometheus.Desc) {}

// Collect writes the outbox's pending and failed events (gauges) and delivered ones (a
// counter), or returnsbot_outbox_up 0 alone if the outbox cannot be read; and the desk's
// queue length.
func (c storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if ob := c.m.Outbox; ob != nil {
		n, err := ob.Counts(ctx)
		up := 1.0
		if err != nil {
			up = 0
		}
		ch <- prometheus.MustNewConstMetric(outboxUp, prometheus.GaugeValue, up)
		if err == nil {
			ch <- prometheus.MustNewConstMetric(outboxPending, prometheus.GaugeValue, float64(n.Pending))
			ch <- prometheus.MustNewConstMetric(outboxDelivered, prometheus.CounterValue, float64(n.Delivered))
			ch <- prometheus.MustNewConstMetric(outboxFailed, prometheus.GaugeValue, float64(n.Failed))
		}
	}
	if q := c.m.Queue; q != nil {
		// Due lists cases notified before the time: a day ahead covers every waiting one.
		if ids, err := q.Due(ctx, time.Now().Add(24*time.Hour)); err == nil {
			ch <- prometheus.MustNewConstMetric(deskQueue, prometheus.GaugeValue, float64(len(ids)))
		}
	}
}
