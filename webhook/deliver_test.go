package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/claims/claimstest"
	"github.com/returnsbot/returnsbot/claims/memclaims"
	"github.com/returnsbot/returnsbot/claims/redisclaims"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
	"github.com/returnsbot/returnsbot/webhook"
	"github.com/returnsbot/returnsbot/webhook/webhooktest"
)

const secret = "test-secret"

var quiet = slog.New(slog.DiscardHandler)

// addEvents adds n events of every type in turn and returns their ids in order.
func addEvents(t *testing.T, o claims.Outbox, c *claimstest.Clock, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		r := claimstest.Claim(claims.NewID(), "telegram", "42", c.Now())
		e := claims.NewEvent(claims.EventTypes[i%len(claims.EventTypes)], r, c.Now())
		if err := o.Add(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
		c.Advance(time.Millisecond)
	}
	return ids
}

func acceptedIDs(es []claims.Event) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

// TestDeliver sends events of every type and checks what the receiver gets: signed, in
// order, each id once, the body a full event.
func TestDeliver(t *testing.T) {
	ctx := context.Background()
	rcv := webhooktest.NewReceiver(t, secret)
	c := claimstest.NewClock(claimstest.Epoch)
	o := memclaims.NewOutbox(memclaims.OutboxOptions{Now: c.Now})
	ids := addEvents(t, o, c, 12)
	d := webhook.New(o, webhook.Options{URL: rcv.URL, Secret: secret, Now: c.Now, Logger: quiet})
	if err := d.Deliver(ctx, time.Now().Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	got := rcv.Accepted()
	if fmt.Sprint(acceptedIDs(got)) != fmt.Sprint(ids) {
		t.Errorf("received %v, want %v in order", acceptedIDs(got), ids)
	}
	if bad := rcv.Refused(); len(bad) != 0 {
		t.Errorf("the receiver refused requests: %v", bad)
	}
	for i, e := range got {
		if e.Type != claims.EventTypes[i%len(claims.EventTypes)] || e.Claim.Answers["order_number"] != "10042" || e.Claim.PolicyVersion == "" {
			t.Errorf("event %d arrived as %+v, want type %s with the claim", i, e, claims.EventTypes[i%len(claims.EventTypes)])
		}
	}
	counts, err := d.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (claims.Counts{Delivered: 12}); counts != want {
		t.Errorf("Counts = %+v, want %+v", counts, want)
	}
	if st := d.Stats(); st.Sent != 12 || st.Delivered != 12 {
		t.Errorf("Stats = %+v, want 12 sent and delivered", st)
	}
}

// TestReceiverDownThenUp keeps the endpoint down for three hours of a fake clock: every
// event arrives once it is up, each id accepted exactly once, none given up.
func TestReceiverDownThenUp(t *testing.T) {
	ctx := context.Background()
	c := claimstest.NewClock(claimstest.Epoch)
	up := claimstest.Epoch.Add(3 * time.Hour)
	rcv := webhooktest.NewReceiver(t, secret)
	rcv.SetAnswer(func(claims.Event, int) int {
		if c.Now().Before(up) {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	o := memclaims.NewOutbox(memclaims.OutboxOptions{Now: c.Now})
	ids := addEvents(t, o, c, 20)
	d := webhook.New(o, webhook.Options{URL: rcv.URL, Secret: secret, Now: c.Now, Logger: quiet})
	for range 24 * 60 {
		if _, err := d.Step(ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := o.Counts(ctx); n.Pending == 0 {
			break
		}
		c.Advance(time.Minute)
	}
	for _, id := range ids {
		if n := rcv.AcceptedTimes(id); n != 1 {
			t.Errorf("event %s accepted %d times, want 1", id, n)
		}
		if n := rcv.Requests(id); n < 2 {
			t.Errorf("event %s was sent %d times, want retries while the endpoint was down", id, n)
		}
	}
	if counts, _ := o.Counts(ctx); counts != (claims.Counts{Delivered: 20}) {
		t.Errorf("Counts = %+v, want 20 delivered, none pending or failed", counts)
	}
	if !c.Now().After(up) || c.Now().After(up.Add(90*time.Minute)) {
		t.Errorf("everything was delivered at %v, want soon after the endpoint came up at %v", c.Now(), up)
	}
}

// TestGiveUp keeps the endpoint failing: the event is retried with growing pauses for
// MaxAge (24 h at least), then lands in the failed set, visible with its last error.
func TestGiveUp(t *testing.T) {
	ctx := context.Background()
	c := claimstest.NewClock(claimstest.Epoch)
	var first, last atomic.Int64
	rcv := webhooktest.NewReceiver(t, secret)
	rcv.SetAnswer(func(_ claims.Event, n int) int {
		if n == 1 {
			first.Store(c.Now().Unix())
		}
		last.Store(c.Now().Unix())
		return http.StatusInternalServerError
	})
	o := memclaims.NewOutbox(memclaims.OutboxOptions{Now: c.Now})
	ids := addEvents(t, o, c, 1)
	d := webhook.New(o, webhook.Options{URL: rcv.URL, Secret: secret, Now: c.Now, MaxAge: time.Hour, Logger: quiet})
	for range 7 * 24 * 6 {
		if _, err := d.Step(ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := o.Counts(ctx); n.Pending == 0 {
			break
		}
		c.Advance(10 * time.Minute)
	}
	fs, err := o.Failed(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Event.ID != ids[0] || !strings.HasPrefix(fs[0].Reason, "HTTP 500") {
		t.Fatalf("Failed = %+v, want %s with reason HTTP 500", fs, ids[0])
	}
	span := time.Duration(last.Load()-first.Load()) * time.Second
	if span < 24*time.Hour {
		t.Errorf("retried for %v, want at least 24h (MaxAge 1h is raised to it)", span)
	}
	if n := rcv.Requests(ids[0]); n > 60 {
		t.Errorf("%d attempts in %v, want backoff to space them out", n, span)
	}
	if counts, _ := o.Counts(ctx); counts != (claims.Counts{Failed: 1}) {
		t.Errorf("Counts = %+v, want 1 failed", counts)
	}
	if st := d.Stats(); st.GaveUp != 1 {
		t.Errorf("Stats = %+v, want GaveUp 1", st)
	}
}

// TestRedirects: a 307 on the same host is followed with the signed body; a 302 (which
// would turn the POST into a GET) and any redirect to another host are not.
func TestRedirects(t *testing.T) {
	ctx := context.Background()
	rcv := webhooktest.NewReceiver(t, secret)
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	t.Cleanup(other.Close)
	mux := http.NewServeMux()
	mux.HandleFunc("/same", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/final", http.StatusTemporaryRedirect)
	})
	mux.Handle("/final", rcv.Config.Handler)
	mux.HandleFunc("/found", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/final", http.StatusFound) })
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL, http.StatusTemporaryRedirect)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	tests := []struct {
		path      string
		delivered bool
	}{
		{"/same", true},
		{"/found", false},
		{"/away", false},
	}
	for _, tt := range tests {
		c := claimstest.NewClock(claimstest.Epoch)
		o := memclaims.NewOutbox(memclaims.OutboxOptions{Now: c.Now})
		addEvents(t, o, c, 1)
		d := webhook.New(o, webhook.Options{URL: srv.URL + tt.path, Secret: secret, Now: c.Now, Logger: quiet})
		if err := d.Deliver(ctx, time.Now().Add(10*time.Second)); err != nil {
			t.Fatal(err)
		}
		counts, _ := o.Counts(ctx)
		if got := counts.Delivered == 1; got != tt.delivered {
			t.Errorf("POST to %s redirected: delivered %v, want %v", tt.path, got, tt.delivered)
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the other host got %d requests, want 0", n)
	}
	if bad := rcv.Refused(); len(bad) != 0 {
		t.Errorf("the receiver refused requests: %v", bad)
	}
}

// TestTimeout: an endpoint that never answers costs one Timeout, and the attempt is
// retried later.
func TestTimeout(t *testing.T) {
	ctx := context.Background()
	rcv := webhooktest.NewReceiver(t, secret)
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	rcv.SetAnswer(func(claims.Event, int) int { <-block; return http.StatusOK })
	c := claimstest.NewClock(claimstest.Epoch)
	o := memclaims.NewOutbox(memclaims.OutboxOptions{Now: c.Now})
	ids := addEvents(t, o, c, 1)
	d := webhook.New(o, webhook.Options{URL: rcv.URL, Secret: secret, Now: c.Now, Timeout: 50 * time.Millisecond, Logger: quiet})
	if err := d.Deliver(ctx, time.Now().Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Hour)
	ds, err := o.Lease(ctx, c.Now(), 1, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Event.ID != ids[0] || ds[0].LastError != "request timed out" {
		t.Errorf("after a timeout the outbox holds %+v, want %s due with last error %q", ds, ids[0], "request timed out")
	}
}

// TestDeliverDeadline: Deliver gives up waiting at its deadline and says so.
func TestDeliverDeadline(t *testing.T) {
	rcv := webhooktest.NewReceiver(t, secret)
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	rcv.SetAnswer(func(claims.Event, int) int { <-block; return http.StatusOK })
	c := claimstest.NewClock(claimstest.Epoch)
	o := memclaims.NewOutbox(memclaims.OutboxOptions{Now: c.Now})
	addEvents(t, o, c, 1)
	d := webhook.New(o, webhook.Options{URL: rcv.URL, Secret: secret, Now: c.Now, Logger: quiet})
	err := d.Deliver(context.Background(), time.Now().Add(50*time.Millisecond))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Deliver past its deadline = %v, want DeadlineExceeded", err)
	}
	if counts, _ := o.Counts(context.Background()); counts.Pending != 1 {
		t.Errorf("Counts = %+v, want the event still pending", counts)
	}
}

// TestKilledWorker: a worker leases an event from the Redis outbox and is killed while the
// request is in flight; a new worker, on a new client of the same Redis, delivers it once
// the lease has run out.
func TestKilledWorker(t *testing.T) {
	ctx := context.Background()
	prefix := redistest.Prefix(t)
	c := claimstest.NewClock(claimstest.Epoch)
	inFlight := make(chan struct{})
	release := make(chan struct{})
	rcv := webhooktest.NewReceiver(t, secret)
	rcv.SetAnswer(func(_ claims.Event, n int) int {
		if n == 1 {
			close(inFlight)
			<-release
			return http.StatusServiceUnavailable // nobody is listening any more
		}
		return http.StatusOK
	})

	o1 := redisclaims.NewOutbox(redistest.Client(t), redisclaims.OutboxOptions{Prefix: prefix, Now: c.Now})
	ids := addEvents(t, o1, c, 1)
	d1 := webhook.New(o1, webhook.Options{URL: rcv.URL, Secret: secret, Now: c.Now, Logger: quiet})
	workerCtx, kill := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d1.Run(workerCtx) }()
	<-inFlight
	kill()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the killed worker's Run = %v, want context.Canceled", err)
	}
	close(release)

	rdb2, err := redisstore.NewClient(redistest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb2.Close() })
	o2 := redisclaims.NewOutbox(rdb2, redisclaims.OutboxOptions{Prefix: prefix, Now: c.Now})
	d2 := webhook.New(o2, webhook.Options{URL: rcv.URL, Secret: secret, Now: c.Now, Logger: quiet})
	if err := d2.Deliver(ctx, time.Now().Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if n := rcv.AcceptedTimes(ids[0]); n != 0 {
		t.Fatalf("delivered %d times while the dead worker's lease held, want 0", n)
	}
	c.Advance(10 * time.Minute) // past the lease
	if err := d2.Deliver(ctx, time.Now().Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if n := rcv.AcceptedTimes(ids[0]); n != 1 {
		t.Errorf("after the lease ran out the new worker delivered the event %d times, want 1", n)
	}
	if counts, _ := o2.Counts(ctx); counts != (claims.Counts{Delivered: 1}) {
		t.Errorf("Counts = %+v, want 1 delivered", counts)
	}
}

// TestRun: a running worker picks up an event added after it started.
func TestRun(t *testing.T) {
	rcv := webhooktest.NewReceiver(t, secret)
	o := memclaims.NewOutbox(memclaims.OutboxOptions{})
	d := webhook.New(o, webhook.Options{URL: rcv.URL, Secret: secret, Poll: 10 * time.Millisecond, Logger: quiet})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	c := claimstest.NewClock(time.Now())
	ids := addEvents(t, o, c, 3)
	got := rcv.WaitAccepted(t, 3, 10*time.Second)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run after cancel = %v, want context.Canceled", err)
	}
	if fmt.Sprint(acceptedIDs(got)) != fmt.Sprint(ids) {
		t.Errorf("Run delivered %v, want %v", acceptedIDs(got), ids)
	}
}

// TestHugeErrorBody: an endpoint answering an error with an endless body costs a bounded
// read, and the failure reason quotes only its start.
func TestHugeErrorBody(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		chunk := []byte(strings.Repeat("x", 4096))
		for range 4096 { // 16 MiB, far past what is read
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	c := claimstest.NewClock(claimstest.Epoch)
	o := memclaims.NewOutbox(memclaims.OutboxOptions{Now: c.Now})
	addEvents(t, o, c, 1)
	d := webhook.New(o, webhook.Options{URL: srv.URL, Secret: secret, Now: c.Now, Logger: quiet})
	if err := d.Deliver(ctx, time.Now().Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	c.Advance(2 * time.Hour)
	ds, err := o.Lease(ctx, c.Now(), 1, time.Minute)
	if err != nil || len(ds) != 1 {
		t.Fatalf("Lease = %v, %v; want the failed event", ds, err)
	}
	if r := ds[0].LastError; !strings.HasPrefix(r, "HTTP 502: \"xxx") || len(r) > 200 {
		t.Errorf("last error = %q (%d bytes), want HTTP 502 and a short quote", r, len(r))
	}
}
