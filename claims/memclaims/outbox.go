package memclaims

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/returnsbot/returnsbot/claims"
)

// OutboxOptions configure an Outbox.
type OutboxOptions struct {
	// Retention is how long failed events are kept; 0 means claims.DefaultRetention.
	Retention time.Duration
	// MaxPending bounds the events waiting for delivery; 0 means claims.DefaultMaxPending.
	MaxPending int
	// Now is the clock Add stamps events with; nil means time.Now.
	Now func() time.Time
}

// Outbox is an in-memory claims.Outbox: events wait in memory until delivered, and are lost
// with the process (use the Redis outbox where that matters).
type Outbox struct {
	opt OutboxOptions

	mu        sync.Mutex
	pending   map[string]*item
	failed    map[string]*item
	delivered int64
}

type item struct {
	d      claims.Delivery
	due    time.Time
	failed time.Time
}

var _ claims.Outbox = (*Outbox)(nil)

// NewOutbox returns an empty outbox.
func NewOutbox(opt OutboxOptions) *Outbox {
	if opt.Retention <= 0 {
		opt.Retention = claims.DefaultRetention
	}
	if opt.MaxPending <= 0 {
		opt.MaxPending = claims.DefaultMaxPending
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Outbox{opt: opt, pending: map[string]*item{}, failed: map[string]*item{}}
}

// Add implements claims.Outbox.
func (o *Outbox) Add(_ context.Context, e claims.Event) error {
	now := o.opt.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.pending[e.ID]; ok {
		return nil
	}
	if _, ok := o.failed[e.ID]; ok {
		return nil
	}
	if len(o.pending) >= o.opt.MaxPending {
		return fmt.Errorf("add event %s: %w", e.ID, claims.ErrOutboxFull)
	}
	e.Claim = e.Claim.Clone()
	o.pending[e.ID] = &item{d: claims.Delivery{Event: e, Added: now}, due: now}
	return nil
}

// Lease implements claims.Outbox. It scans every pending event: the outbox is bounded.
func (o *Outbox) Lease(_ context.Context, now time.Time, n int, lease time.Duration) ([]claims.Delivery, error) {
	if n <= 0 || n > claims.MaxLease {
		n = claims.MaxLease
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	var due []*item
	for _, it := range o.pending {
		if !it.due.After(now) {
			due = append(due, it)
		}
	}
	slices.SortFunc(due, func(a, b *item) int {
		if c := a.due.Compare(b.due); c != 0 {
			return c
		}
		return a.d.Added.Compare(b.d.Added)
	})
	if len(due) > n {
		due = due[:n]
	}
	out := make([]claims.Delivery, len(due))
	for i, it := range due {
		it.d.Attempts++
		it.due = now.Add(lease)
		out[i] = it.d
		out[i].Event.Claim = it.d.Event.Claim.Clone()
	}
	return out, nil
}

// Ack implements claims.Outbox.
func (o *Outbox) Ack(_ context.Context, id string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.pending[id]; !ok {
		return fmt.Errorf("ack event %s: %w", id, claims.ErrUnknownEvent)
	}
	delete(o.pending, id)
	o.delivered++
	return nil
}

// Fail implements claims.Outbox.
func (o *Outbox) Fail(_ context.Context, id string, retry time.Time, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	it, ok := o.pending[id]
	if !ok {
		return fmt.Errorf("fail event %s: %w", id, claims.ErrUnknownEvent)
	}
	it.due = retry
	it.d.LastError = reason
	return nil
}

// GiveUp implements claims.Outbox.
func (o *Outbox) GiveUp(_ context.Context, id string, now time.Time, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	it, ok := o.pending[id]
	if !ok {
		return fmt.Errorf("give up event %s: %w", id, claims.ErrUnknownEvent)
	}
	delete(o.pending, id)
	it.failed = now
	it.d.LastError = reason
	o.failed[id] = it
	o.trimFailed(now)
	return nil
}

// trimFailed drops failures older than the retention, and the oldest beyond MaxFailed;
// o.mu is held.
func (o *Outbox) trimFailed(now time.Time) {
	cutoff := now.Add(-o.opt.Retention)
	for id, it := range o.failed {
		if it.failed.Before(cutoff) {
			delete(o.failed, id)
		}
	}
	for len(o.failed) > claims.MaxFailed {
		var oldest *item
		for _, it := range o.failed {
			if oldest == nil || it.failed.Before(oldest.failed) {
				oldest = it
			}
		}
		delete(o.failed, oldest.d.Event.ID)
	}
}

// Failed implements claims.Outbox.
func (o *Outbox) Failed(_ context.Context, n int) ([]claims.Failure, error) {
	if n <= 0 || n > claims.MaxFailed {
		n = claims.MaxFailed
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	cutoff := o.opt.Now().Add(-o.opt.Retention)
	var out []claims.Failure
	for _, it := range o.failed {
		if it.failed.Before(cutoff) {
			continue
		}
		ev := it.d.Event
		ev.Claim = ev.Claim.Clone()
		out = append(out, claims.Failure{Event: ev, Added: it.d.Added, Failed: it.failed, Attempts: it.d.Attempts, Reason: it.d.LastError})
	}
	slices.SortFunc(out, func(a, b claims.Failure) int { return b.Failed.Compare(a.Failed) })
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// Counts implements claims.Outbox.
func (o *Outbox) Counts(context.Context) (claims.Counts, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return claims.Counts{Pending: int64(len(o.pending)), Delivered: o.delivered, Failed: int64(len(o.failed))}, nil
}

// Forget implements claims.Outbox.
func (o *Outbox) Forget(_ context.Context, userKey string) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, m := range []map[string]*item{o.pending, o.failed} {
		for id, it := range m {
			if it.d.Event.Claim.UserKey() == userKey {
				delete(m, id)
				n++
			}
		}
	}
	return n, nil
}
