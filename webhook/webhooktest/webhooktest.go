// Package webhooktest is a webhook receiver for tests, in the manner of httptest: it checks
// every request's signature as a shop's endpoint should and records the events it accepts.
package webhooktest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/webhook"
)

// Answer decides a receiver's response status for a correctly signed event; n counts the
// requests for it so far, this one included.
type Answer func(e claims.Event, n int) int

// Receiver is a webhook endpoint on loopback.
type Receiver struct {
	*httptest.Server
	secret string

	mu       sync.Mutex
	answer   Answer
	accepted []claims.Event
	byID     map[string]int // requests per event id
	okByID   map[string]int // 2xx answers per event id
	bad      []string       // why requests were refused
	changed  chan struct{}  // closed and replaced on every request
}

// NewReceiver starts a receiver that checks signatures with secret and answers 204 until
// told otherwise; it closes when tb ends.
func NewReceiver(tb testing.TB, secret string) *Receiver {
	r := &Receiver{secret: secret, byID: map[string]int{}, okByID: map[string]int{}, changed: make(chan struct{})}
	r.answer = func(claims.Event, int) int { return http.StatusNoContent }
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	tb.Cleanup(r.Close)
	return r
}

// SetAnswer changes how the receiver answers.
func (r *Receiver) SetAnswer(a Answer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answer = a
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	var e claims.Event
	switch {
	case err != nil:
	case req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json":
		err = errString("want a POST of application/json, got " + req.Method + " " + req.Header.Get("Content-Type"))
	default:
		if err = webhook.Verify(r.secret, req.Header, body, time.Time{}, 0); err == nil {
			err = json.Unmarshal(body, &e)
		}
	}
	r.mu.Lock()
	if err != nil {
		r.bad = append(r.bad, err.Error())
		r.notify()
		r.mu.Unlock()
		http.Error(w, "bad request", http.StatusUnauthorized)
		return
	}
	r.byID[e.ID]++
	answer, n := r.answer, r.byID[e.ID]
	r.mu.Unlock()

	status := answer(e, n) // outside the lock: an answer may block

	r.mu.Lock()
	if status/100 == 2 {
		r.okByID[e.ID]++
		r.accepted = append(r.accepted, e)
	}
	r.notify()
	r.mu.Unlock()
	w.WriteHeader(status)
}

// notify wakes Wait; r.mu is held.
func (r *Receiver) notify() {
	close(r.changed)
	r.changed = make(chan struct{})
}

type errString string

func (e errString) Error() string { return string(e) }

// Accepted returns the events answered 2xx, in the order they arrived.
func (r *Receiver) Accepted() []claims.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]claims.Event(nil), r.accepted...)
}

// Requests returns how many correctly signed requests carried the event id.
func (r *Receiver) Requests(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byID[id]
}

// AcceptedTimes returns how many times the event id was answered 2xx.
func (r *Receiver) AcceptedTimes(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.okByID[id]
}

// Refused returns why requests were refused (bad signature, method or body).
func (r *Receiver) Refused() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.bad...)
}

// WaitAccepted waits until n events have been accepted, failing tb after timeout.
func (r *Receiver) WaitAccepted(tb testing.TB, n int, timeout time.Duration) []claims.Event {
	tb.Helper()
	deadline := time.After(timeout)
	for {
		r.mu.Lock()
		got, ch := len(r.accepted), r.changed
		r.mu.Unlock()
		if got >= n {
			return r.Accepted()
		}
		select {
		case <-ch:
		case <-deadline:
			tb.Fatalf("webhooktest: %d events accepted after %v, want %d", got, timeout, n)
		}
	}
}
