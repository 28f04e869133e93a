// Package memclaims keeps claims and webhook events in memory, for the console and for
// instances without Redis. It is bounded: claims expire Retention after creation (a sweep
// runs at most once a minute, and reads never return an expired claim), and beyond
// MaxClaims the oldest claims are evicted. Nothing survives a restart.
package memclaims

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/returnsbot/returnsbot/claims"
)

// DefaultMaxClaims bounds a Store whose options give no MaxClaims.
const DefaultMaxClaims = 100000

// sweepEvery spaces the sweeps of expired claims.
const sweepEvery = time.Minute

// Options configure a Store.
type Options struct {
	// Retention is how long a claim is kept after its creation; 0 means
	// claims.DefaultRetention.
	Retention time.Duration
	// MaxClaims bounds the claims held; 0 means DefaultMaxClaims.
	MaxClaims int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Store is an in-memory claims.Store.
type Store struct {
	opt Options

	mu        sync.Mutex
	claims    map[claims.ID]*entry
	byUser    map[string][]claims.ID // in creation order
	nextSweep time.Time
	seq       uint64
}

type entry struct {
	rec     claims.Record
	expires time.Time
	seq     uint64 // creation order, for eviction
}

var _ claims.Store = (*Store)(nil)

// New returns an empty store.
func New(opt Options) *Store {
	if opt.Retention <= 0 {
		opt.Retention = claims.DefaultRetention
	}
	if opt.MaxClaims <= 0 {
		opt.MaxClaims = DefaultMaxClaims
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Store{opt: opt, claims: map[claims.ID]*entry{}, byUser: map[string][]claims.ID{}}
}

// Create implements claims.Store.
func (s *Store) Create(_ context.Context, r claims.Record) error {
	now := s.opt.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	if e, ok := s.claims[r.ID]; ok {
		if now.Before(e.expires) {
			return fmt.Errorf("create claim %s: %w", r.ID, claims.ErrExists)
		}
		s.drop(r.ID, e)
	}
	if r.Created.IsZero() {
		r.Created = now
	}
	if r.Updated.IsZero() {
		r.Updated = r.Created
	}
	for len(s.claims) >= s.opt.MaxClaims {
		s.evictOldest()
	}
	s.seq++
	s.claims[r.ID] = &entry{rec: r.Clone(), expires: now.Add(s.opt.Retention), seq: s.seq}
	k := r.UserKey()
	s.byUser[k] = append(s.byUser[k], r.ID)
	return nil
}

// Get implements claims.Store.
func (s *Store) Get(_ context.Context, id claims.ID) (claims.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live(id)
	if !ok {
		return claims.Record{}, fmt.Errorf("get claim %s: %w", id, claims.ErrNotFound)
	}
	return e.rec.Clone(), nil
}

// Update implements claims.Store. The store's lock makes every update atomic, so fn runs
// once.
func (s *Store) Update(_ context.Context, id claims.ID, fn func(*claims.Record) error) (claims.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live(id)
	if !ok {
		return claims.Record{}, fmt.Errorf("update claim %s: %w", id, claims.ErrNotFound)
	}
	r := e.rec.Clone()
	if err := fn(&r); err != nil {
		return claims.Record{}, fmt.Errorf("update claim %s: %w", id, err)
	}
	if r.ID != id || r.UserKey() != e.rec.UserKey() {
		return claims.Record{}, fmt.Errorf("update claim %s: the update changed its id or customer", id)
	}
	if r.Updated.Equal(e.rec.Updated) {
		r.Updated = s.opt.Now()
	}
	e.rec = r.Clone()
	return r, nil
}

// ByUser implements claims.Store.
func (s *Store) ByUser(_ context.Context, userKey string, n int) ([]claims.Record, error) {
	n = claims.ByUserSize(n)
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.byUser[userKey]
	var out []claims.Record
	for i := len(ids) - 1; i >= 0 && len(out) < n; i-- {
		if e, ok := s.live(ids[i]); ok {
			out = append(out, e.rec.Clone())
		}
	}
	return out, nil
}

// List implements claims.Store. It sorts the live claims on every call: fine for the
// bounded numbers a memory store holds.
func (s *Store) List(_ context.Context, q claims.Query) ([]claims.Record, string, error) {
	limit := q.PageSize()
	s.mu.Lock()
	defer s.mu.Unlock()
	// Each key is made once and only the page is copied: the dashboard reads up to ten
	// pages of a range in a row.
	type keyed struct {
		key string
		rec *claims.Record
	}
	var all []keyed
	for id := range s.claims {
		if e, ok := s.live(id); ok && inRange(e.rec.Created, q) {
			if k := cursorKey(e.rec); k > q.Cursor {
				all = append(all, keyed{k, &e.rec})
			}
		}
	}
	slices.SortFunc(all, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
	next := ""
	if len(all) > limit {
		all, next = all[:limit], all[limit-1].key
	}
	page := make([]claims.Record, len(all))
	for i, k := range all {
		page[i] = k.rec.Clone()
	}
	return page, next, nil
}

// Forget implements claims.Store.
func (s *Store) Forget(_ context.Context, userKey string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, id := range s.byUser[userKey] {
		if _, ok := s.live(id); ok {
			n++
		}
		delete(s.claims, id)
	}
	delete(s.byUser, userKey)
	return n, nil
}

// Len returns the number of claims held, expired ones not yet swept included.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.claims)
}

// live returns the entry of a claim that has not expired; s.mu is held.
func (s *Store) live(id claims.ID) (*entry, bool) {
	e, ok := s.claims[id]
	if !ok || !s.opt.Now().Before(e.expires) {
		return nil, false
	}
	return e, true
}

// sweep drops expired claims, at most once per sweepEvery; s.mu is held.
func (s *Store) sweep(now time.Time) {
	if now.Before(s.nextSweep) {
		return
	}
	s.nextSweep = now.Add(sweepEvery)
	for id, e := range s.claims {
		if !now.Before(e.expires) {
			s.drop(id, e)
		}
	}
}

// evictOldest drops the claim created first; s.mu is held. It is O(n), and runs only
// when the store is full.
func (s *Store) evictOldest() {
	var oldest *entry
	for _, e := range s.claims {
		if oldest == nil || e.seq < oldest.seq {
			oldest = e
		}
	}
	if oldest != nil {
		s.drop(oldest.rec.ID, oldest)
	}
}

// drop removes a claim and its user index entry; s.mu is held.
func (s *Store) drop(id claims.ID, e *entry) {
	delete(s.claims, id)
	k := e.rec.UserKey()
	ids := slices.DeleteFunc(s.byUser[k], func(x claims.ID) bool { return x == id })
	if len(ids) == 0 {
		delete(s.byUser, k)
	} else {
		s.byUser[k] = ids
	}
}

func inRange(t time.Time, q claims.Query) bool {
	return (q.Since.IsZero() || !t.Before(q.Since)) && (q.Until.IsZero() || t.Before(q.Until))
}

// cursorKey is the List order and cursor of a claim.
func cursorKey(r claims.Record) string { return claims.CursorKey(r.Created, r.ID) }
