package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/internal/pause"
)

// Defaults of Options.
const (
	DefaultTimeout = 10 * time.Second
	// DefaultMaxAge is how long an event is retried: the contract asks for 24 h at least.
	DefaultMaxAge = 48 * time.Hour
	DefaultBatch  = 10
	DefaultPoll   = time.Second
	// maxResponse bounds how much of a response body is read (and then dropped).
	maxResponse = 64 << 10
	// maxRedirects bounds the same-host 307/308 redirects followed.
	maxRedirects = 3
)

// Options configure a Deliverer.
type Options struct {
	// URL is the endpoint (WEBHOOK_URL); Secret signs the requests (WEBHOOK_SECRET).
	URL, Secret string
	// Client sends the requests; nil means one that follows only 307/308 redirects to the
	// same host (others would drop the body or leak it). Timeout applies either way.
	Client *http.Client
	// Timeout bounds one request, response included; 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxAge: an event still undelivered this long after it was added is given up on;
	// 0 means DefaultMaxAge. Values under 24 h are raised to 24 h.
	MaxAge time.Duration
	// Backoff returns the pause after the attempt-th failed attempt; nil means Backoff.
	Backoff func(attempt int) time.Duration
	// Batch is how many events one Step leases; 0 means DefaultBatch.
	Batch int
	// Lease is how long leased events stay hidden from other workers; 0 means enough for a
	// whole batch of timeouts, plus a margin.
	Lease time.Duration
	// Poll is Run's pause when nothing was due; 0 means DefaultPoll.
	Poll time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger logs failed attempts (never the secret or the URL); nil means slog.Default().
	Logger *slog.Logger
}

// Deliverer takes due events from an Outbox and POSTs them. Several may run against one
// outbox (in one process or many): the outbox's leases keep them from sending an event
// twice at once.
type Deliverer struct {
	out claims.Outbox
	opt Options

	sent, delivered, retried, gaveUp atomic.Int64
}

// New returns a Deliverer of out's events to opt.URL.
func New(out claims.Outbox, opt Options) *Deliverer {
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.MaxAge <= 0 {
		opt.MaxAge = DefaultMaxAge
	}
	opt.MaxAge = max(opt.MaxAge, 24*time.Hour)
	if opt.Backoff == nil {
		opt.Backoff = Backoff
	}
	if opt.Batch <= 0 || opt.Batch > claims.MaxLease {
		opt.Batch = DefaultBatch
	}
	if opt.Lease <= 0 {
		opt.Lease = time.Duration(opt.Batch)*opt.Timeout + 30*time.Second
	}
	if opt.Poll <= 0 {
		opt.Poll = DefaultPoll
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Client == nil {
		opt.Client = &http.Client{CheckRedirect: sameHostRedirect}
	}
	return &Deliverer{out: out, opt: opt}
}

// sameHostRedirect follows a 307 or 308 (which keep the method and body) to the same
// host only, a few times at most; any other redirect is answered as a failure.
func sameHostRedirect(req *http.Request, via []*http.Request) error {
	code := req.Response.StatusCode
	if (code != http.StatusTemporaryRedirect && code != http.StatusPermanentRedirect) ||
		req.URL.Host != via[0].URL.Host || len(via) > maxRedirects {
		return http.ErrUseLastResponse
	}
	return nil
}

// Backoff is the default pause after the attempt-th failure: 30 s doubling up to 1 h,
// with its second half random ("equal jitter") so that retries of many events spread out.
func Backoff(attempt int) time.Duration {
	d := 30 * time.Second << min(max(attempt-1, 0), 7)
	d = min(d, time.Hour)
	return d/2 + rand.N(d/2+1)
}

// Stats are a Deliverer's own counts since it started; the outbox's Counts are the
// totals across instances.
type Stats struct {
	// Sent counts requests made; Delivered those acknowledged with 2xx; Retried the failed
	// attempts scheduled again; GaveUp the events moved to the failed set.
	Sent, Delivered, Retried, GaveUp int64
}

// Stats returns the counts since New.
func (d *Deliverer) Stats() Stats {
	return Stats{Sent: d.sent.Load(), Delivered: d.delivered.Load(), Retried: d.retried.Load(), GaveUp: d.gaveUp.Load()}
}

// Counts returns the outbox's pending, delivered and failed events, for /metrics.
func (d *Deliverer) Counts(ctx context.Context) (claims.Counts, error) { return d.out.Counts(ctx) }

// Run delivers events until ctx ends, pausing Poll whenever nothing was due. It returns
// ctx's error. Events it has leased but not finished when ctx ends are due again when their
// lease runs out.
func (d *Deliverer) Run(ctx context.Context) error {
	for {
		n, err := d.Step(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			d.opt.Logger.Warn("webhook: outbox", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		if err := pause.For(ctx, d.opt.Poll); err != nil {
			return err
		}
	}
}

// Deliver makes one attempt at every event due now, for the console to flush before it
// exits: it returns when nothing is due any more (delivered, or failed and scheduled for a
// retry by a later run), or with an error at deadline.
func (d *Deliverer) Deliver(ctx context.Context, deadline time.Time) error {
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	for {
		n, err := d.Step(ctx)
		if err != nil {
			return fmt.Errorf("deliver webhook events: %w", err)
		}
		if n == 0 {
			return nil
		}
	}
}

// Step leases the events due now, makes one attempt at each, and records the results. It
// returns how many it leased.
func (d *Deliverer) Step(ctx context.Context) (int, error) {
	ds, err := d.out.Lease(ctx, d.opt.Now(), d.opt.Batch, d.opt.Lease)
	if err != nil {
		return 0, err
	}
	for _, dl := range ds {
		if err := d.attempt(ctx, dl); err != nil {
			return len(ds), err
		}
	}
	return len(ds), nil
}

// attempt sends one event and acks, reschedules or gives it up. It returns an error only
// when ctx ended or the outbox failed.
func (d *Deliverer) attempt(ctx context.Context, dl claims.Delivery) error {
	id := dl.Event.ID
	status, err := d.post(ctx, dl.Event)
	if ctx.Err() != nil {
		// Killed mid-way: the lease runs out and another attempt follows.
		return ctx.Err()
	}
	if err == nil {
		d.delivered.Add(1)
		if err := d.out.Ack(ctx, id); err != nil && !errors.Is(err, claims.ErrUnknownEvent) {
			return err
		}
		return nil
	}
	now := d.opt.Now()
	reason := err.Error()
	if now.Sub(dl.Added) >= d.opt.MaxAge {
		d.gaveUp.Add(1)
		d.opt.Logger.Warn("webhook: giving up", "event", id, "type", dl.Event.Type, "attempts", dl.Attempts, "status", status, "err", reason)
		if err := d.out.GiveUp(ctx, id, now, reason); err != nil && !errors.Is(err, claims.ErrUnknownEvent) {
			return err
		}
		return nil
	}
	d.retried.Add(1)
	retry := now.Add(d.opt.Backoff(dl.Attempts))
	d.opt.Logger.Info("webhook: attempt failed", "event", id, "attempt", dl.Attempts, "status", status, "err", reason, "retry", retry)
	if err := d.out.Fail(ctx, id, retry, reason); err != nil && !errors.Is(err, claims.ErrUnknownEvent) {
		return err
	}
	return nil
}

// post sends the event, signed, and returns the response status, with an error unless it
// is 2xx.
func (d *Deliverer) post(ctx context.Context, e claims.Event) (int, error) {
	body, err := e.AppendJSON(nil) // json.Marshal's bytes, which the signature covers
	if err != nil {
		return 0, fmt.Errorf("encode event: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, d.opt.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.opt.URL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("webhook request: %w", err)
	}
	ts := d.opt.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "returnsbot-webhook")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(d.opt.Secret, ts, body))
	d.sent.Add(1)
	resp, err := d.opt.Client.Do(req)
	if err != nil {
		return 0, redact(err)
	}
	defer resp.Body.Close()
	// Read a bounded part of the body, so a well-behaved endpoint's connection is reused
	// and a misbehaving one cannot make us read forever.
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if resp.StatusCode/100 == 2 {
		return resp.StatusCode, nil
	}
	return resp.StatusCode, fmt.Errorf("HTTP %d%s", resp.StatusCode, excerpt(snippet))
}

// redact drops the URL from a client error: it may hold a token.
func redact(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	if ue.Timeout() {
		return errors.New("request timed out")
	}
	return ue.Err
}

// excerpt quotes the start of a response body for the failure reason.
func excerpt(b []byte) string {
	const n = 120
	if len(b) == 0 {
		return ""
	}
	if len(b) > n {
		b = b[:n]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
	}
	return ": " + strconv.Quote(string(b))
}

// CheckURL reports whether raw can be a WEBHOOK_URL: an absolute http or https URL with a
// host. The error does not repeat the URL, which may hold a token.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("want an http:// or https:// URL")
	}
	if u.Host == "" {
		return errors.New("the URL names no host")
	}
	return nil
}
