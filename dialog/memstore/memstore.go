// Package memstore keeps dialog sessions in process memory: the default when no Redis is
// configured, and a store for tests. Sessions are lost when the process ends. The store is
// bounded: a session expires TTL after its last save, and beyond MaxSessions the least
// recently saved tenth is dropped (see bound.go).
package memstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/returnsbot/returnsbot/dialog"
)

// Store is an in-memory dialog.Store. The zero value is ready to use.
type Store struct {
	// TTL is how long a session outlives its last save; 0 means DefaultTTL.
	TTL time.Duration
	// MaxSessions bounds the sessions held; 0 means DefaultMaxSessions.
	MaxSessions int
	// Now is the clock of expiry; nil means time.Now.
	Now func() time.Time

	mu sync.Mutex
	// swept is when expired sessions were last removed.
	swept time.Time
	m     map[string]entry
	// last is the last version handed out, across all keys: versions are never reused,
	// so a copy loaded before a Delete cannot overwrite the session created after it.
	last int64
}

// entry holds a session encoded, so callers never share memory with the store.
type entry struct {
	version int64
	data    []byte
	saved   time.Time
}

// New returns an empty Store.
func New() *Store { return &Store{} }

// Load implements dialog.Store. The store holds only values it encoded itself, in this
// process, from a Session of this build, so it never meets one it cannot read (which is
// why storetest.RunUnreadable does not run on it); should decoding fail all the same, the
// error wraps dialog.ErrUnreadable and the value is dropped, as there is nowhere to keep
// it aside that an operator could look at.
func (s *Store) Load(ctx context.Context, key string) (*dialog.Session, error) {
	s.mu.Lock()
	e, ok := s.m[key]
	if ok && s.expired(e, s.now()) {
		delete(s.m, key)
		ok = false
	}
	s.mu.Unlock()
	if !ok {
		return &dialog.Session{}, nil
	}
	var sess dialog.Session
	if err := json.Unmarshal(e.data, &sess); err != nil {
		s.mu.Lock()
		if cur, ok := s.m[key]; ok && cur.version == e.version {
			delete(s.m, key)
		}
		s.mu.Unlock()
		return nil, fmt.Errorf("load session %s: %w: %w", key, dialog.ErrUnreadable, err)
	}
	sess.Version = e.version
	return &sess, nil
}

// Save implements dialog.Store.
func (s *Store) Save(ctx context.Context, key string, sess *dialog.Session) error {
	// Encoded on the stack, then copied at its size: one allocation.
	data := bytes.Clone(sess.AppendJSON(make([]byte, 0, 1024)))
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	cur, ok := s.m[key]
	if ok && s.expired(cur, now) {
		delete(s.m, key)
		cur = entry{}
	}
	if cur.version != sess.Version {
		return fmt.Errorf("save session %s at version %d: %w", key, sess.Version, dialog.ErrConflict)
	}
	if s.m == nil {
		s.m = map[string]entry{}
	}
	s.last++
	next := s.last
	s.m[key] = entry{version: next, data: data, saved: now}
	s.bound(now)
	sess.Version = next
	return nil
}

// Delete implements dialog.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	s.mu.Lock()
	delete(s.m, key)
	s.mu.Unlock()
	return nil
}
