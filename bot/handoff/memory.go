package handoff

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// MemoryStore keeps cases in process memory: for a single instance without Redis, and for
// tests. Cases are lost when the process ends. The zero value is ready to use.
type MemoryStore struct {
	// MaxRecent bounds how many conversations keep a rolling log (Redis expires them
	// instead); beyond it the least recently active tenth is dropped. Zero means 10000.
	MaxRecent int

	mu      sync.Mutex
	cases   map[string][]byte // encoded, so callers never share memory with the store
	open    map[string]string // conversation key -> open case id
	threads map[string]string // thread address key -> case id
	logs    map[string][]Entry
	recent  map[string][]Entry
	who     map[string]map[string]bool // ref -> "case:"+id / "conv:"+key
	comment map[string]awaited         // conversation key -> case awaiting a comment
}

type awaited struct {
	id    string
	until time.Time
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

func (s *MemoryStore) init() {
	if s.cases == nil {
		s.cases, s.open, s.threads = map[string][]byte{}, map[string]string{}, map[string]string{}
		s.logs, s.recent, s.who = map[string][]Entry{}, map[string][]Entry{}, map[string]map[string]bool{}
		s.comment = map[string]awaited{}
	}
}

func (s *MemoryStore) get(id string) (*Case, error) {
	data, ok := s.cases[id]
	if !ok {
		return nil, fmt.Errorf("case %s: %w", id, ErrNotFound)
	}
	var c Case
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("case %s: %w", id, err)
	}
	return &c, nil
}

func (s *MemoryStore) put(c *Case) error {
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("case %s: %w", c.ID, err)
	}
	s.cases[c.ID] = data
	for _, t := range c.Threads {
		// A reopened case's threads belong to the new case: an ended case written
		// again (a rating) does not take them back.
		if cur, ok := s.threads[t.Key()]; !ok || cur == c.ID || c.Status == Open {
			s.threads[t.Key()] = c.ID
		}
	}
	if c.Status != Open && s.open[c.Customer.Key()] == c.ID {
		delete(s.open, c.Customer.Key())
	}
	return nil
}

func (s *MemoryStore) addWho(ref, member string) {
	if s.who[ref] == nil {
		s.who[ref] = map[string]bool{}
	}
	s.who[ref][member] = true
}

// Open implements Store.
func (s *MemoryStore) Open(ctx context.Context, c *Case) (*Case, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	conv := c.Customer.Key()
	if id, ok := s.open[conv]; ok {
		if cur, err := s.get(id); err == nil && cur.Status == Open {
			return cur, false, nil
		}
	}
	if _, taken := s.cases[c.ID]; taken {
		return nil, false, fmt.Errorf("open case %s: id already used", c.ID)
	}
	if err := s.put(c); err != nil {
		return nil, false, fmt.Errorf("open case: %w", err)
	}
	s.open[conv] = c.ID
	for _, ref := range c.Refs() {
		s.addWho(ref, "case:"+c.ID)
	}
	got, err := s.get(c.ID)
	return got, true, err
}

// Get implements Store.
func (s *MemoryStore) Get(ctx context.Context, id string) (*Case, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.get(id)
}

// OpenFor implements Store.
func (s *MemoryStore) OpenFor(ctx context.Context, conv string) (*Case, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.open[conv]
	if !ok {
		return nil, fmt.Errorf("open case of %s: %w", conv, ErrNotFound)
	}
	return s.get(id)
}

// ByThread implements Store.
func (s *MemoryStore) ByThread(ctx context.Context, thread string) (*Case, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.threads[thread]
	if !ok {
		return nil, fmt.Errorf("case of thread %s: %w", thread, ErrNotFound)
	}
	return s.get(id)
}

// Update implements Store. Holding the lock makes it atomic.
func (s *MemoryStore) Update(ctx context.Context, id string, fn func(*Case) error) (*Case, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.get(id)
	if err != nil {
		return nil, fmt.Errorf("update: %w", err)
	}
	if err := fn(c); err != nil {
		return c, err
	}
	if err := s.put(c); err != nil {
		return nil, fmt.Errorf("update: %w", err)
	}
	return s.get(id)
}

// Append implements Store.
func (s *MemoryStore) Append(ctx context.Context, id string, es ...Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.logs[id] = capped(append(s.logs[id], es...), TranscriptLimit)
	return nil
}

// Transcript implements Store.
func (s *MemoryStore) Transcript(ctx context.Context, id string) ([]Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.logs[id]), nil
}

// Record implements Store.
func (s *MemoryStore) Record(ctx context.Context, conv, user string, es ...Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.recent[conv] = capped(append(s.recent[conv], es...), RecentLimit)
	if user != "" && user != conv {
		s.addWho(user, "conv:"+conv)
	}
	if limit := cmp.Or(s.MaxRecent, 10000); len(s.recent) > limit {
		s.evictRecent(limit - limit/10)
	}
	return nil
}

// evictRecent drops the rolling logs whose last entry is oldest until keep remain.
func (s *MemoryStore) evictRecent(keep int) {
	convs := make([]string, 0, len(s.recent))
	for conv := range s.recent {
		convs = append(convs, conv)
	}
	last := func(conv string) time.Time {
		es := s.recent[conv]
		if len(es) == 0 {
			return time.Time{}
		}
		return es[len(es)-1].At
	}
	slices.SortFunc(convs, func(a, b string) int { return last(a).Compare(last(b)) })
	for _, conv := range convs[:len(convs)-keep] {
		delete(s.recent, conv)
	}
}

// Recent implements Store.
func (s *MemoryStore) Recent(ctx context.Context, conv string) ([]Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.recent[conv]), nil
}

// Due implements Store.
func (s *MemoryStore) Due(ctx context.Context, before time.Time) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id := range s.cases {
		c, err := s.get(id)
		if err != nil {
			return nil, fmt.Errorf("due: %w", err)
		}
		if c.Waiting() && !c.Notified.After(before) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// Idle implements Store.
func (s *MemoryStore) Idle(ctx context.Context, before time.Time, limit int) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var idle []*Case
	for id := range s.cases {
		c, err := s.get(id)
		if err != nil {
			return nil, fmt.Errorf("idle: %w", err)
		}
		if c.Status == Open && !c.LastActive().After(before) {
			idle = append(idle, c)
		}
	}
	slices.SortFunc(idle, func(a, b *Case) int {
		if n := a.LastActive().Compare(b.LastActive()); n != 0 {
			return n
		}
		return strings.Compare(a.ID, b.ID)
	})
	ids := make([]string, 0, min(len(idle), limit))
	for _, c := range idle[:min(len(idle), limit)] {
		ids = append(ids, c.ID)
	}
	return ids, nil
}

// AwaitComment implements Store. The entries are few (one per rating, for minutes), so
// expired ones are dropped when the next is added.
func (s *MemoryStore) AwaitComment(ctx context.Context, conv, id string, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	now := time.Now()
	for k, a := range s.comment {
		if a.until.Before(now) {
			delete(s.comment, k)
		}
	}
	s.comment[conv] = awaited{id: id, until: now.Add(ttl)}
	return nil
}

// Arrival implements Store.
func (s *MemoryStore) Arrival(ctx context.Context, conv string, take bool) (*Case, string, error) {
	c, err := s.OpenFor(ctx, conv)
	if err == nil || !take {
		return c, "", err
	}
	id, terr := s.TakeComment(ctx, conv)
	if terr != nil {
		return nil, "", terr
	}
	return nil, id, err
}

// TakeComment implements Store.
func (s *MemoryStore) TakeComment(ctx context.Context, conv string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.comment[conv]
	delete(s.comment, conv)
	if !ok || a.until.Before(time.Now()) {
		return "", nil
	}
	return a.id, nil
}

// Forget implements Store.
func (s *MemoryStore) Forget(ctx context.Context, who string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	convs := map[string]bool{}
	members := s.who[who]
	if _, ok := s.recent[who]; ok {
		convs[who] = true
	}
	for m := range members {
		kind, key, _ := cut(m)
		switch kind {
		case "conv":
			convs[key] = true
		case "case":
			c, err := s.get(key)
			if err != nil {
				continue
			}
			convs[c.Customer.Key()] = true
			for _, t := range c.Threads {
				delete(s.threads, t.Key())
			}
			for _, ref := range c.Refs() {
				delete(s.who, ref)
			}
			delete(s.cases, key)
			delete(s.logs, key)
		}
	}
	delete(s.who, who)
	for conv := range convs {
		delete(s.recent, conv)
		delete(s.open, conv)
		delete(s.comment, conv)
	}
	out := make([]string, 0, len(convs))
	for conv := range convs {
		out = append(out, conv)
	}
	slices.Sort(out)
	return out, nil
}

func cut(member string) (kind, key string, ok bool) {
	for i := 0; i < len(member); i++ {
		if member[i] == ':' {
			return member[:i], member[i+1:], true
		}
	}
	return "", member, false
}

// capped drops the oldest entries beyond limit, in place.
func capped(es []Entry, limit int) []Entry {
	if len(es) > limit {
		return slices.Delete(es, 0, len(es)-limit)
	}
	return es
}
