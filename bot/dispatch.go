package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/internal/pause"
)

// Deliverer sends replies wherever they go; Router is one.
type Deliverer interface {
	Deliver(ctx context.Context, out []Outbound) error
}

// DispatchConfig configures a Dispatcher. Zero values take the defaults noted.
type DispatchConfig struct {
	Handler Handler
	// Deliver sends the replies of handled messages.
	Deliver Deliverer
	// Platform names the adapter in logs.
	Platform string

	// QueueSize bounds the messages one conversation may have waiting behind the one
	// being handled; default 32. A message beyond it is treated as over the inbound limit.
	QueueSize int
	// InboundRate is how many messages a minute one customer may send; default 20, a
	// negative value switches the limit off. InboundBurst is how many may come at once;
	// default a quarter of the rate, at least 1.
	InboundRate  float64
	InboundBurst int
	// Exempt, if set, reports the messages the inbound limit does not apply to: staff
	// answering at the desk must never be told to slow down by a limit meant for
	// customers. The queue bound still applies to them.
	Exempt func(Message) bool

	// RetryFor and RetryAttempts bound the tries of a message the session store could not
	// take (ErrUnavailable); default 2 minutes and 30. RetryMin and RetryMax bound the
	// backoff between tries; default 100ms and 5s. After the last try the customer gets
	// the store's apology and the message counts as handled.
	RetryFor      time.Duration
	RetryAttempts int
	RetryMin      time.Duration
	RetryMax      time.Duration
	// HandleTimeout bounds handling and delivering one message; default 3 minutes, so a
	// message retried for RetryFor still has time to deliver the apology.
	HandleTimeout time.Duration
	// DrainTimeout is how long Close waits for the messages held; default 10s.
	DrainTimeout time.Duration

	Log     *slog.Logger
	Metrics *Metrics
	// Now is the clock of the inbound limit; nil is time.Now.
	Now func() time.Time
}

func (c *DispatchConfig) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 32
	}
	if c.InboundRate == 0 {
		c.InboundRate = 20
	}
	if c.InboundBurst <= 0 {
		c.InboundBurst = max(1, int(c.InboundRate/4))
	}
	if c.RetryAttempts <= 0 {
		c.RetryAttempts = 30
	}
	def(&c.RetryFor, 2*time.Minute)
	def(&c.RetryMin, 100*time.Millisecond)
	def(&c.RetryMax, 5*time.Second)
	def(&c.HandleTimeout, 3*time.Minute)
	def(&c.DrainTimeout, 10*time.Second)
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Outcome is what became of a submitted Job, which tells the adapter whether it may
// confirm the update to its platform.
type Outcome int

const (
	// Handled: the message was handled and its replies sent, or given up on after
	// bounded retries (logged). Confirm it.
	Handled Outcome = iota
	// Dropped: deliberately not handled (over the inbound limit). Confirm it.
	Dropped
	// Unfinished: shutdown came first; the replies may not all have been sent. Do not
	// confirm it: the platform delivers it again after a restart.
	Unfinished
)

func (o Outcome) String() string {
	switch o {
	case Handled:
		return "handled"
	case Dropped:
		return "dropped"
	}
	return "unfinished"
}

// Job is one message for a Dispatcher, with what the adapter does around it.
type Job struct {
	Msg Message
	// Lane is the conversation the job runs in, one job at a time; default Msg.From.Key().
	Lane string
	// NoLimit exempts the job from the inbound limit (updates the bot only confirms).
	NoLimit bool
	// NoRetry ends the job Unfinished, without an apology, when the session store fails,
	// instead of retrying: for platforms that deliver the update again themselves (a
	// webhook answered 503).
	NoRetry bool
	// Before, if set, runs on the lane before the message is handled (stop a button's
	// spinner, wait for an acknowledgement).
	Before func(ctx context.Context)
	// Run, if set, replaces handling and delivery: it returns the error of delivering
	// what it handled, if any.
	Run func(ctx context.Context) error
	// Release, if set, is called at most once, before Done, when the job may be confirmed
	// before it is done: its customer went over the inbound limit, so the messages held
	// for them must no longer hold back other customers' updates (long polling's offset, a
	// webhook request). A crash then loses such a held message.
	Release func()
	// Done, if set, is called exactly once with the outcome.
	Done func(Outcome)
}

// Dispatcher is the runtime every adapter shares: it runs the messages of one
// conversation one at a time, in order, and different conversations in parallel; it
// bounds each conversation's queue and each customer's inbound rate (the excess gets one
// polite "slow down" and is dropped); it retries a message the store could not take a
// bounded number of times; it recovers a panic per message; it delivers the replies; and
// it tells the adapter, per message, when the update may be confirmed. Close drains it
// with a deadline.
type Dispatcher struct {
	cfg DispatchConfig

	work     context.Context // cancelled at the drain deadline
	stopWork context.CancelFunc

	mu      sync.Mutex
	lanes   map[string]*lane
	limits  map[string]*bucket
	closing bool
	wg      sync.WaitGroup
	swept   time.Time
}

type lane struct {
	queue    []*Job
	flooding bool // a customer of the lane went over the limit since it was last idle
}

// NewDispatcher returns a Dispatcher; cfg.Handler and cfg.Deliver are required.
func NewDispatcher(cfg DispatchConfig) *Dispatcher {
	cfg.setDefaults()
	d := &Dispatcher{cfg: cfg, lanes: map[string]*lane{}, limits: map[string]*bucket{}}
	d.work, d.stopWork = context.WithCancel(context.Background())
	return d
}

// Submit queues j on its lane. It never blocks. It returns false if the dispatcher is
// closing; j.Done is then called with Unfinished.
func (d *Dispatcher) Submit(j *Job) bool {
	if j.Lane == "" {
		j.Lane = j.Msg.From.Key()
	}
	d.mu.Lock()
	if d.closing {
		d.mu.Unlock()
		j.done(Unfinished)
		return false
	}
	l := d.lanes[j.Lane]
	idle := l == nil
	if idle {
		l = &lane{}
		d.lanes[j.Lane] = l
	}
	full := len(l.queue) > d.cfg.QueueSize
	exempt := !full && d.cfg.Exempt != nil && d.cfg.Exempt(j.Msg)
	if !j.NoLimit && !exempt && !d.allowLocked(j, full) {
		var release []*Job
		if !l.flooding {
			l.flooding = true
			release = append(release, l.queue...)
			if len(release) > 0 {
				release = release[1:] // the first is being handled: it is not held
			}
		}
		if idle {
			delete(d.lanes, j.Lane)
		}
		d.mu.Unlock()
		for _, h := range release {
			h.release()
		}
		d.cfg.Metrics.count(metricLimited)
		d.cfg.Log.Debug("message over the inbound limit dropped", "platform", d.cfg.Platform, "conversation", j.Lane, "id", j.Msg.ID)
		j.done(Dropped)
		return true
	}
	l.queue = append(l.queue, j)
	held := len(l.queue) > 1 && l.flooding
	if idle {
		d.wg.Add(1)
		go d.runLane(j.Lane, l)
	}
	d.mu.Unlock()
	if held {
		j.release()
	}
	return true
}

// allowLocked applies the customer's inbound limit (and the lane's queue bound, full);
// it sends the one slow-down reply of a stretch over the limit.
func (d *Dispatcher) allowLocked(j *Job, full bool) bool {
	if d.cfg.InboundRate < 0 && !full {
		return true
	}
	now := d.cfg.Now()
	d.sweepLocked(now)
	key := j.Lane + "|" + j.Msg.User
	b := d.limits[key]
	if b == nil {
		b = &bucket{Limiter: rate.NewLimiter(d.perSecond(), d.cfg.InboundBurst)}
		d.limits[key] = b
	}
	if b.full(now) {
		// Back to the full burst: the customer paused, so a new stretch over the
		// limit gets its own slow-down. A flood that goes on gets one in all.
		b.warned = false
	}
	if !full && b.AllowN(now, 1) {
		return true
	}
	if !b.warned {
		b.warned = true
		d.wg.Add(1)
		go d.slowDown(j.Msg)
	}
	return false
}

// sweepLocked forgets the limits of customers back at their full burst, once a minute.
func (d *Dispatcher) sweepLocked(now time.Time) {
	if now.Sub(d.swept) < time.Minute {
		return
	}
	d.swept = now
	for k, b := range d.limits {
		if b.full(now) {
			delete(d.limits, k)
		}
	}
}

func (d *Dispatcher) slowDown(m Message) {
	defer d.wg.Done()
	ctx, cancel := context.WithTimeout(d.work, d.cfg.HandleTimeout)
	defer cancel()
	lang := m.Lang
	out := []Outbound{{To: m.From, Reply: dialog.Reply{Text: SlowDownText(lang)}}}
	if err := d.cfg.Deliver.Deliver(ctx, out); err != nil {
		d.cfg.Log.Warn("cannot send the slow-down reply", "platform", d.cfg.Platform, "conversation", m.From.Key(), "err", err)
	}
	d.cfg.Log.Info("customer over the inbound limit: told to slow down, excess dropped", "platform", d.cfg.Platform, "conversation", m.From.Key())
}

func (d *Dispatcher) runLane(key string, l *lane) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		if len(l.queue) == 0 {
			delete(d.lanes, key)
			d.mu.Unlock()
			return
		}
		j := l.queue[0]
		d.mu.Unlock()
		d.run(j)
		d.mu.Lock()
		l.queue[0] = nil
		l.queue = l.queue[1:]
		d.mu.Unlock()
	}
}

// run handles one job and reports its outcome.
func (d *Dispatcher) run(j *Job) {
	if d.work.Err() != nil {
		j.done(Unfinished)
		return
	}
	ctx, cancel := context.WithTimeout(d.work, d.cfg.HandleTimeout)
	defer cancel()
	outcome := Handled
	defer func() {
		if r := recover(); r != nil {
			d.cfg.Metrics.count(metricPanic)
			d.cfg.Log.Error("panic handling a message: recovered, the customer is asked to try again", "platform", d.cfg.Platform,
				"conversation", j.Lane, "id", j.Msg.ID, "panic", r, "stack", string(debug.Stack()))
			apology := []Outbound{{To: j.Msg.From, Reply: dialog.Reply{Text: dialog.Unavailable(j.Msg.Lang)}}}
			if err := d.cfg.Deliver.Deliver(ctx, apology); err != nil {
				d.cfg.Log.Error("cannot send the apology", "platform", d.cfg.Platform, "conversation", j.Lane, "err", err)
			}
			outcome = Handled // handling it again would panic again
			if d.work.Err() != nil {
				outcome = Unfinished
			}
		}
		j.done(outcome)
	}()
	if j.Before != nil {
		j.Before(ctx)
	}
	var err error
	if j.Run != nil {
		err = j.Run(ctx)
	} else {
		err = d.handleAndDeliver(ctx, j)
	}
	if errors.Is(err, errRedeliver) {
		outcome = Unfinished
		return
	}
	if err != nil && d.work.Err() != nil {
		outcome = Unfinished
		d.cfg.Log.Warn("shutdown cut a message short: left unconfirmed, for platforms that deliver it again after a restart", "platform", d.cfg.Platform,
			"conversation", j.Lane, "id", j.Msg.ID, "err", err)
	}
}

// handleAndDeliver runs m through the handler, retrying a store failure with backoff up to
// RetryAttempts times within RetryFor, and delivers the replies. The error returned is
// the delivery's, or the handler's if shutdown cut it short.
func (d *Dispatcher) handleAndDeliver(ctx context.Context, j *Job) error {
	m := j.Msg
	start := time.Now()
	var out []Outbound
	var err error
	for attempt := 1; ; attempt++ {
		out, err = d.cfg.Handler.Handle(ctx, m)
		if !errors.Is(err, ErrUnavailable) {
			break
		}
		if j.NoRetry {
			d.cfg.Log.Warn("message not handled: the platform delivers it again", "platform", d.cfg.Platform, "conversation", m.From.Key(), "id", m.ID, "err", err)
			return errRedeliver
		}
		if attempt >= d.cfg.RetryAttempts || time.Since(start) >= d.cfg.RetryFor {
			d.cfg.Metrics.count(metricGaveUp)
			d.cfg.Log.Error("message not handled after retries: the customer is asked to try again", "platform", d.cfg.Platform,
				"conversation", m.From.Key(), "id", m.ID, "attempts", attempt, "err", err)
			break // out holds the store's apology
		}
		d.cfg.Log.Warn("message not handled, will retry", "platform", d.cfg.Platform, "conversation", m.From.Key(), "id", m.ID, "attempt", attempt, "err", err)
		if pause.For(ctx, d.backoff(attempt)) != nil {
			return fmt.Errorf("retry %s: %w", m.ID, ctx.Err())
		}
	}
	if err != nil && !errors.Is(err, ErrUnavailable) {
		if ctx.Err() != nil {
			return fmt.Errorf("handle %s: %w", m.ID, err)
		}
		d.cfg.Log.Error("handler failed", "platform", d.cfg.Platform, "conversation", m.From.Key(), "id", m.ID, "err", err)
	}
	if err := d.cfg.Deliver.Deliver(ctx, out); err != nil {
		d.cfg.Log.Error("replies not all delivered", "platform", d.cfg.Platform, "conversation", m.From.Key(), "id", m.ID, "err", err)
		return err
	}
	return nil
}

// errRedeliver ends a NoRetry job whose message the store could not take.
var errRedeliver = errors.New("not handled: to be delivered again")

func (d *Dispatcher) backoff(attempt int) time.Duration {
	b := d.cfg.RetryMin << min(attempt-1, 20)
	if b > d.cfg.RetryMax || b <= 0 {
		b = d.cfg.RetryMax
	}
	return b/2 + rand.N(b/2+1) // jitter, so instances do not retry in step
}

// Busy returns how many conversations have work queued or running.
func (d *Dispatcher) Busy() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.lanes)
}

// Close stops taking jobs and waits up to DrainTimeout for those held; then it cancels
// the rest, whose Done gets Unfinished, and waits for them to end. It returns how many
// conversations were cut short. Close may be called more than once.
func (d *Dispatcher) Close() int {
	d.mu.Lock()
	d.closing = true
	d.mu.Unlock()
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	t := time.NewTimer(d.cfg.DrainTimeout)
	defer t.Stop()
	cut := 0
	select {
	case <-done:
	case <-t.C:
		cut = d.Busy()
		d.cfg.Log.Warn("drain timeout: the messages still held stay unconfirmed and are handled after a restart",
			"platform", d.cfg.Platform, "conversations", cut)
	}
	d.stopWork()
	<-done
	return cut
}

func (j *Job) done(o Outcome) {
	if j.Done != nil {
		j.Done(o)
	}
}

func (j *Job) release() {
	if j.Release != nil {
		j.Release()
	}
}

// bucket is a customer's token bucket (INBOUND_RATE a minute, InboundBurst at once).
type bucket struct {
	*rate.Limiter
	warned bool // the slow-down reply of this stretch over the limit was sent
}

// full reports whether the customer is back at the full burst: paused long enough that
// forgetting their limit changes nothing.
func (b *bucket) full(now time.Time) bool { return b.TokensAt(now) >= float64(b.Burst()) }

// perSecond is the inbound limit's rate; off (a negative InboundRate) lets everything by.
func (d *Dispatcher) perSecond() rate.Limit {
	if d.cfg.InboundRate < 0 {
		return rate.Inf
	}
	return rate.Limit(d.cfg.InboundRate / 60)
}
