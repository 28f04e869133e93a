package handoff

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/dialog"
)

// ThreadRetry bounds how a Desk opens a new case's threads. It does so in the background,
// after the customer has been answered: a desk platform that is slow or failing must never
// hold the customer's reply. What the retries do not open, Run opens later (Repair).
type ThreadRetry struct {
	// Attempts is how many times each missing thread is tried; 0 means 5.
	Attempts int
	// Wait is the pause before the first retry, doubled after each; 0 means 2s.
	Wait time.Duration
	// Timeout bounds one attempt, whatever the platform adapter's own retries; 0 means 20s.
	Timeout time.Duration
	// Repair is how often Run looks for waiting cases that still lack a thread, and how
	// long such a case waits before it is tried again; 0 means 1 minute.
	Repair time.Duration
	// Max bounds how many cases have threads opened in the background at once; more are
	// left to Run's repair. 0 means 64.
	Max int
}

func (r ThreadRetry) attempts() int          { return orDefault(r.Attempts, 5) }
func (r ThreadRetry) wait() time.Duration    { return orDefault(r.Wait, 2*time.Second) }
func (r ThreadRetry) timeout() time.Duration { return orDefault(r.Timeout, 20*time.Second) }
func (r ThreadRetry) repair() time.Duration  { return orDefault(r.Repair, time.Minute) }
func (r ThreadRetry) max() int               { return orDefault(r.Max, 64) }

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// background is the Desk's work after a reply has gone: opening threads.
type background struct {
	mu      sync.Mutex
	opening map[string]bool // case ids being worked on
	stop    chan struct{}   // closed by Run when it ends
	wg      sync.WaitGroup
}

// start claims the case for one background opener and reports whether the caller got it.
func (b *background) start(id string, limit int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.opening == nil {
		b.opening = map[string]bool{}
	}
	if b.opening[id] || len(b.opening) >= limit {
		return false
	}
	if b.stop == nil {
		b.stop = make(chan struct{})
	}
	select {
	case <-b.stop:
		return false // shutting down: Run's repair on the next start takes it
	default:
	}
	b.opening[id] = true
	b.wg.Add(1)
	return true
}

func (b *background) done(id string) {
	b.mu.Lock()
	delete(b.opening, id)
	b.mu.Unlock()
	b.wg.Done()
}

func (b *background) stopping() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stop == nil {
		b.stop = make(chan struct{})
	}
	return b.stop
}

// shutdown stops the retries and waits for the attempts in flight, each bounded by
// ThreadRetry.Timeout.
func (b *background) shutdown() {
	b.mu.Lock()
	if b.stop == nil {
		b.stop = make(chan struct{})
	}
	select {
	case <-b.stop:
	default:
		close(b.stop)
	}
	b.mu.Unlock()
	b.wg.Wait()
}

// Wait blocks until the background work started so far (opening the threads of new
// cases, with its retries) has ended.
func (d *Desk) Wait() { d.bg.wg.Wait() }

// openLater opens the case's missing threads in the background, retrying within
// d.Threads, and delivers their cards through d.Router. It does nothing when the case is
// being worked on already or too many are; Run's repair finds those.
func (d *Desk) openLater(c *Case) {
	if !d.bg.start(c.ID, d.Threads.max()) {
		return
	}
	go func() {
		defer d.bg.done(c.ID)
		// Not the message's context: the reply is gone and its handling over.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		stop := d.bg.stopping()
		go func() {
			select {
			case <-stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		wait := d.Threads.wait()
		for attempt := 1; ; attempt++ {
			if attempt > 1 {
				// Go by the stored case: another instance may have opened the thread, or
				// staff ended the case, or it was erased, while this one waited.
				cur, err := d.Cases.Get(ctx, c.ID)
				if errors.Is(err, ErrNotFound) || (err == nil && cur.Status != Open) {
					return
				}
				if err == nil {
					c = cur
				}
			}
			var errs []error
			c, errs = d.openAndDeliver(ctx, c)
			if len(errs) == 0 || ctx.Err() != nil {
				return
			}
			if attempt >= d.Threads.attempts() {
				d.gaveUp(ctx, c, attempt, errs)
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait *= 2
		}
	}()
}

// openAndDeliver opens the case's missing threads and delivers their cards; it returns
// the case as it now stands and the errors of the threads still missing.
func (d *Desk) openAndDeliver(ctx context.Context, c *Case) (*Case, []error) {
	out, c, errs := d.openThreads(ctx, c)
	if err := d.Router.Deliver(ctx, out); err != nil {
		d.log().ErrorContext(ctx, "handoff: deliver case card", "case", c.ID, "err", err)
	}
	return c, errs
}

// gaveUp reports threads that could not be opened: at ERROR, and to staff in the threads
// that did open. The case stays open and unclaimed, so Run's repair tries again.
func (d *Desk) gaveUp(ctx context.Context, c *Case, attempts int, errs []error) {
	err := errors.Join(errs...)
	d.log().ErrorContext(ctx, "handoff: could not open the case's threads; Run tries again later",
		"case", c.ID, "attempts", attempts, "err", err)
	var missing []string
	for _, desk := range d.Desks {
		if _, ok := c.thread(desk.Platform); !ok {
			missing = append(missing, desk.Platform)
		}
	}
	note := d.say("no_thread", map[string]any{"ID": c.ID, "Desks": strings.Join(missing, ", "), "Attempts": attempts})
	var out []bot.Outbound
	for _, th := range c.Threads {
		out = append(out, bot.Outbound{To: th, Reply: dialog.Reply{Text: note}})
	}
	if err := d.Router.Deliver(ctx, out); err != nil {
		d.log().ErrorContext(ctx, "handoff: tell staff a thread is missing", "case", c.ID, "err", err)
	}
}

// repair opens, in the background, the missing threads of waiting cases opened at least a
// Repair period ago: those whose background opening gave up or was cut short by a
// shutdown.
func (d *Desk) repair(ctx context.Context, now time.Time) error {
	ids, err := d.Cases.Due(ctx, now.Add(-d.Threads.repair()))
	if err != nil {
		return fmt.Errorf("repair threads: %w", err)
	}
	var errs []error
	for _, id := range ids {
		c, err := d.Cases.Get(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("repair threads of case %s: %w", id, err))
			continue
		}
		if len(c.Threads) < len(d.Desks) {
			d.log().InfoContext(ctx, "handoff: opening the missing threads of a waiting case", "case", id)
			d.openLater(c)
		}
	}
	return errors.Join(errs...)
}

// openThreads opens the case's missing threads, each attempt bounded by
// Threads.Timeout, and returns the cards to post in them, the case as it now stands, and
// the errors of the desks whose thread could not be opened.
func (d *Desk) openThreads(ctx context.Context, c *Case) ([]bot.Outbound, *Case, []error) {
	var opened []bot.Address
	var errs []error
	for _, desk := range d.Desks {
		if _, ok := c.thread(desk.Platform); ok {
			continue
		}
		opener, ok := d.Router[desk.Platform].(bot.ThreadOpener)
		if !ok {
			d.log().ErrorContext(ctx, "handoff: the desk's platform cannot open threads", "desk", desk.Key())
			errs = append(errs, fmt.Errorf("desk %s: platform cannot open threads", desk.Key()))
			continue
		}
		actx, cancel := context.WithTimeout(ctx, d.Threads.timeout())
		th, err := opener.OpenThread(actx, desk, threadTitle(d.lang(), c))
		cancel()
		if err != nil {
			d.log().WarnContext(ctx, "handoff: open thread", "case", c.ID, "desk", desk.Key(), "err", err)
			errs = append(errs, fmt.Errorf("desk %s: %w", desk.Key(), err))
			continue
		}
		opened = append(opened, th)
	}
	if len(opened) == 0 {
		return nil, c, errs
	}
	updated, err := d.Cases.Update(ctx, c.ID, func(c *Case) error {
		for _, th := range opened {
			if _, ok := c.thread(th.Platform); !ok {
				c.Threads = append(c.Threads, th)
			}
		}
		return nil
	})
	if err != nil {
		d.log().ErrorContext(ctx, "handoff: save threads", "case", c.ID, "err", err)
		return nil, c, append(errs, fmt.Errorf("save threads: %w", err))
	}
	text, refs := d.card(ctx, updated)
	photos, missing := d.photos(ctx, c.Customer.Platform, refs)
	if missing > 0 {
		text = truncate(text, maxCard-60) + "\n" + d.say("photos_missing", map[string]any{"Number": missing})
	}
	var out []bot.Outbound
	for _, th := range opened {
		out = append(out, bot.Outbound{To: th, Reply: dialog.Reply{Text: text, Buttons: cardButtons(d.lang(), c.ID)}, Photos: photos})
	}
	return out, updated, errs
}
