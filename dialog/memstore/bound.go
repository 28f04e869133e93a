package memstore

import (
	"cmp"
	"slices"
	"time"
)

// DefaultTTL is Store.TTL unless set: the Redis store's default session TTL.
const DefaultTTL = 30 * 24 * time.Hour

// DefaultMaxSessions is Store.MaxSessions unless set, as many as memclaims keeps claims.
const DefaultMaxSessions = 100000

// sweepEvery bounds how often a Save walks the map for expired sessions.
const sweepEvery = time.Minute

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Store) ttl() time.Duration {
	if s.TTL > 0 {
		return s.TTL
	}
	return DefaultTTL
}

func (s *Store) expired(e entry, now time.Time) bool { return now.Sub(e.saved) >= s.ttl() }

// bound drops expired sessions (at most once a sweepEvery) and, past MaxSessions, the least
// recently saved tenth. s.mu is held.
func (s *Store) bound(now time.Time) {
	if now.Sub(s.swept) >= sweepEvery {
		s.swept = now
		for k, e := range s.m {
			if s.expired(e, now) {
				delete(s.m, k)
			}
		}
	}
	limit := s.MaxSessions
	if limit <= 0 {
		limit = DefaultMaxSessions
	}
	if len(s.m) <= limit {
		return
	}
	type aged struct {
		key   string
		saved time.Time
	}
	all := make([]aged, 0, len(s.m))
	for k, e := range s.m {
		all = append(all, aged{k, e.saved})
	}
	slices.SortFunc(all, func(a, b aged) int { return cmp.Or(a.saved.Compare(b.saved), cmp.Compare(a.key, b.key)) })
	for _, a := range all[:max(len(all)-limit, limit/10)] {
		delete(s.m, a.key)
	}
}
