// Package redisstore keeps dialog sessions in Redis (one server, Sentinel or Cluster), so
// several bot instances share conversations and a restart loses none.
//
// Each session is one string key, hash-tagged by conversation ("rb:{telegram:42}:s") so
// that everything about a conversation lives in one Cluster slot. Its value is
//
//	<schema>:<version>:<session JSON>
//
// Save is one EVALSHA of a compare-and-set script; the version it compares is a random
// number drawn for every write, so a write cannot be mistaken for another one after a
// Delete (the ABA problem of counters), and a write that go-redis retries after a lost
// reply is recognised as already done. The Store remembers the last session it read or
// wrote for each conversation, so a dialog step costs one round trip: the save. When
// another instance changed the session meanwhile, the save fails with dialog.ErrConflict
// and returns the current value with it, so the re-run of the step needs no extra read.
//
// The same script deduplicates inbound messages for 24 hours: ids that leave the
// session's ring of recent ids (Session.Seen) go to a sorted set beside the session
// ("rb:{telegram:42}:d"), and a write handling one of them again is refused with
// dialog.ErrDuplicate.
package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/internal/redisbatch"
)

// Schema is the version of the session encoding this package writes. A value with
// another schema is refused rather than misread.
const Schema = 1

// Defaults of Options.
const (
	DefaultTTL       = 30 * 24 * time.Hour
	DefaultPrefix    = "rb:"
	DefaultCacheSize = 10000
	DefaultCacheTTL  = 10 * time.Minute
	DefaultDedup     = 24 * time.Hour
)

// ErrCorrupt marks a stored value this package cannot read. It wraps
// dialog.ErrUnreadable, which callers outside this package test for.
var ErrCorrupt = fmt.Errorf("redisstore: %w", dialog.ErrUnreadable)

// DefaultUnreadableTTL is how long a value that could not be read is kept aside for an
// operator to look at (Options.UnreadableTTL).
const DefaultUnreadableTTL = 7 * 24 * time.Hour

// Options configure a Store. The zero value uses the defaults.
type Options struct {
	// TTL is how long a session lives after its last change; 0 means DefaultTTL.
	TTL time.Duration
	// Prefix starts every key, so several deployments (or tests) can share a Redis;
	// "" means DefaultPrefix.
	Prefix string
	// CacheSize bounds how many sessions the Store remembers to skip the read before a
	// step; 0 means DefaultCacheSize, a negative number disables the cache, and with it
	// deduplication beyond the session's ring of recent ids (see Dedup).
	CacheSize int
	// CacheTTL is how long a remembered session is used without reading Redis again;
	// 0 means DefaultCacheTTL. A stale one costs a conflict and a re-run, never an answer.
	CacheTTL time.Duration
	// AutoPipeline sends the reads and writes of concurrent conversations together,
	// one pipeline per batch (go-redis's autopipelining through package redisbatch,
	// shared with the other stores of the client): 2-3 times the steps per second
	// under load. A command sent while no other is in flight goes straight out. A
	// write the pipeliner replays after a broken connection is harmless: the script
	// recognises its own version.
	AutoPipeline bool
	// Dedup is how long, at least, the id of an inbound message is remembered, so a
	// platform delivering it again is not answered twice; 0 means DefaultDedup, a
	// negative number leaves deduplication to the ring of recent ids in the session.
	Dedup time.Duration
	// UnreadableTTL is how long a stored value Load cannot read is kept under
	// UnreadableKey before Redis expires it; 0 means DefaultUnreadableTTL.
	UnreadableTTL time.Duration
	// Holds names the keys that, while any of them exists, hold a conversation in front
	// of the dialog (the staff desk's open case and awaited rating comment:
	// rediscases.Store.HoldKeys). SaveUnlessHeld checks them in the same script as the
	// compare-and-set, so they must share the conversation's hash tag. Nil: nothing
	// holds a conversation and SaveUnlessHeld refuses every save.
	Holds func(conversation string) []string
}

// Store is a dialog.Store in Redis. It is safe for concurrent use.
type Store struct {
	rdb redis.UniversalClient
	// batch sends the reads and writes, through the autopipeliner when others are in
	// flight if Options.AutoPipeline.
	batch  *redisbatch.Batcher
	ttl    time.Duration
	dedup  time.Duration
	prefix string
	cache  *cache
	holds  func(string) []string
	// unreadableTTL is Options.UnreadableTTL with its default.
	unreadableTTL time.Duration
}

// New returns a Store that keeps sessions in rdb. Closing rdb is the caller's job.
func New(rdb redis.UniversalClient, opt Options) *Store {
	s := &Store{rdb: rdb, batch: redisbatch.For(rdb, opt.AutoPipeline), ttl: opt.TTL, dedup: opt.Dedup, prefix: opt.Prefix, holds: opt.Holds, unreadableTTL: opt.UnreadableTTL}
	if s.unreadableTTL <= 0 {
		s.unreadableTTL = DefaultUnreadableTTL
	}
	if s.dedup == 0 {
		s.dedup = DefaultDedup
	}
	if s.ttl <= 0 {
		s.ttl = DefaultTTL
	}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	size, age := opt.CacheSize, opt.CacheTTL
	if size == 0 {
		size = DefaultCacheSize
	}
	if age <= 0 {
		age = DefaultCacheTTL
	}
	if size > 0 {
		s.cache = &cache{max: size, age: age, m: map[string]entry{}}
	}
	return s
}

// Ping reports whether Redis answers, for health checks.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping session store: %w", err)
	}
	return nil
}

// healthTTL is how long the key Check writes lives.
const healthTTL = 10 * time.Second

// Check reports whether the store can take a write, as every handled message needs: it
// sets a health key under the prefix with a short TTL. PING alone answers while Redis
// refuses writes (maxmemory reached with noeviction, a read-only replica, a failed
// background save with stop-writes-on-bgsave-error).
func (s *Store) Check(ctx context.Context) error {
	if err := s.rdb.Set(ctx, s.prefix+"health", "1", healthTTL).Err(); err != nil {
		return fmt.Errorf("write to session store: %w", err)
	}
	return nil
}

// Key returns the Redis key of the session of a conversation.
func (s *Store) Key(conversation string) string {
	return s.prefix + "{" + conversation + "}:s"
}

// DedupKey returns the Redis key of the ids of the messages of a conversation handled
// within Options.Dedup: a sorted set scored by when, in Unix milliseconds.
func (s *Store) DedupKey(conversation string) string {
	return s.prefix + "{" + conversation + "}:d"
}

// UnreadableKey returns the Redis key a stored value of the conversation that Load could
// not read is renamed to, at Unix time unix. It shares the conversation's hash tag.
func (s *Store) UnreadableKey(conversation string, unix int64) string {
	return s.prefix + "{" + conversation + "}:unreadable:" + strconv.FormatInt(unix, 10)
}

// Load implements dialog.Store. A value it cannot read is renamed to UnreadableKey, with
// a TTL of Options.UnreadableTTL, and reported with an error wrapping ErrCorrupt (and so
// dialog.ErrUnreadable): the conversation starts afresh, and the value is kept for an
// operator, never shown to the customer or logged.
func (s *Store) Load(ctx context.Context, key string) (*dialog.Session, error) {
	if e, ok := s.cache.get(key); ok {
		return e.session(), nil
	}
	// A value that changes between the read and the rename is read again: it was
	// written by an instance that could read what it replaced, or replaced by one.
	for range 3 {
		r, done := s.batch.Client()
		val, err := r.Get(ctx, s.Key(key)).Result()
		done()
		if errors.Is(err, redis.Nil) {
			s.cache.fill(key, entry{})
			return &dialog.Session{}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("load session %s: %w", key, err)
		}
		e, perr := parse(val)
		if perr == nil {
			s.cache.fill(key, e)
			return e.session(), nil
		}
		aside := s.UnreadableKey(key, time.Now().Unix())
		moved, err := setAsideScript.Run(ctx, s.rdb, []string{s.Key(key), aside}, val, s.unreadableTTL.Milliseconds()).Int()
		if err != nil {
			return nil, fmt.Errorf("load session %s: set unreadable value aside: %w", key, err)
		}
		if moved == 1 {
			s.cache.drop(key)
			return nil, fmt.Errorf("load session %s (value kept as %s): %w", key, aside, perr)
		}
	}
	return nil, fmt.Errorf("load session %s: the stored value kept changing while it was read", key)
}

// setAsideScript renames KEYS[1] to KEYS[2] with a TTL of ARGV[2] milliseconds if it
// still holds ARGV[1], the value found unreadable; it returns 1 if it did. Doing both in
// one script means no instance can write a new session in between and have it renamed,
// and of two instances finding the same value one renames it.
var setAsideScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
`)

// casScript stores ARGV[3] under KEYS[1] for ARGV[4] milliseconds if the stored version
// is still ARGV[1] ("0": nothing stored). ARGV[2] is the version inside ARGV[3]. It
// returns 1 when stored, or the current value ("" for none) on a conflict.
//
// The rest deduplicates messages beyond the session's ring of recent ids, in the sorted
// set KEYS[2] of older ids scored by when they left the ring (Unix milliseconds).
// ARGV[5] is now, ARGV[6] the start of the window, ARGV[7] a count n: ARGV[8..7+n] are
// the ids of the messages this write handles. If one is in the set with a score in the
// window, it was handled already: nothing is written and the script returns {id,
// current value}. The ids after those left the ring with this write: they join the set,
// which expires a window after its last change. Ids older than the window no longer
// count; they are removed once the set holds 64, which saves the work on most writes.
//
// KEYS[3] and after are the keys that hold the conversation (Options.Holds), given by
// SaveUnlessHeld: if one exists the script writes nothing and returns 0. A write that
// landed before is recognised first, so a replay after a lost reply is never refused.
var casScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
local v = '0'
if cur then
  v = string.match(cur, '^%d+:(%w+):') or '?'
end
if v == ARGV[2] then
  return 1
end
for i = 3, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    return 0
  end
end
if v ~= ARGV[1] then
  return cur or ''
end
if #ARGV > 7 then
  local n = tonumber(ARGV[7])
  for i = 8, 7 + n do
    local at = redis.call('ZSCORE', KEYS[2], ARGV[i])
    if at and tonumber(at) > tonumber(ARGV[6]) then
      return {ARGV[i], cur or ''}
    end
  end
  if #ARGV > 7 + n then
    if redis.call('ZCARD', KEYS[2]) >= 64 then
      redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[6])
    end
    for i = 8 + n, #ARGV do
      redis.call('ZADD', KEYS[2], ARGV[5], ARGV[i])
    end
    redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[5]) - tonumber(ARGV[6]))
  end
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
return 1
`)

// Save implements dialog.Store.
func (s *Store) Save(ctx context.Context, key string, sess *dialog.Session) error {
	return s.save(ctx, key, sess, nil)
}

// SaveUnlessHeld is Save, in the same one round trip, unless one of the keys of
// Options.Holds exists: then it stores nothing and returns an error wrapping
// dialog.ErrHeld. This is how the staff desk learns, without a round trip of its own, that
// a customer's message is the dialog's (bot.Service.HandleUnlessHeld): the check and the
// write are one script, so no case can open in between. Without Options.Holds every call
// returns ErrHeld at once.
func (s *Store) SaveUnlessHeld(ctx context.Context, key string, sess *dialog.Session) error {
	if s.holds == nil {
		return fmt.Errorf("save session %s: no holds configured: %w", key, dialog.ErrHeld)
	}
	return s.save(ctx, key, sess, s.holds(key))
}

func (s *Store) save(ctx context.Context, key string, sess *dialog.Session, holds []string) error {
	next := newVersion(sess.Version)
	// A new buffer each time: a command whose context ends may still be queued in the
	// pipeliner after Save returns, so a pooled one could change under it.
	val := sess.AppendJSON(appendHeader(make([]byte, 0, 512), next))
	args := []any{formatVersion(sess.Version), formatVersion(next), val, s.ttl.Milliseconds()}
	if fresh, gone := s.seenChanges(key, sess); len(fresh)+len(gone) > 0 {
		now := time.Now().UnixMilli()
		args = append(args, now, now-s.dedup.Milliseconds(), len(fresh))
		for _, id := range fresh {
			args = append(args, id)
		}
		for _, id := range gone {
			args = append(args, id)
		}
	}
	keys := append([]string{s.Key(key), s.DedupKey(key)}, holds...)
	w, done := s.batch.Client()
	res, err := casScript.Run(ctx, w, keys, args...).Result()
	done()
	if err != nil {
		// Whether the write landed is unknown: read again next time.
		s.cache.drop(key)
		return fmt.Errorf("save session %s: %w", key, err)
	}
	switch r := res.(type) {
	case int64:
		if r == 0 {
			return fmt.Errorf("save session %s: %w", key, dialog.ErrHeld)
		}
		base := sess.Version
		sess.Version = next
		s.cache.replace(key, base, entry{version: next, sess: clone(sess)})
		return nil
	case string:
		s.remember(key, sess.Version, r)
		return fmt.Errorf("save session %s at version %s: %w", key, formatVersion(sess.Version), dialog.ErrConflict)
	case []any:
		// The message was handled within the window, though it has left the session's
		// ring of recent ids: nothing was written, and bot.Service drops the message.
		if len(r) == 2 {
			id, _ := r[0].(string)
			cur, _ := r[1].(string)
			s.remember(key, sess.Version, cur)
			return fmt.Errorf("save session %s: message %s handled within %v: %w", key, id, s.dedup, dialog.ErrDuplicate)
		}
	}
	s.cache.drop(key)
	return fmt.Errorf("save session %s: unexpected script result %T", key, res)
}

// remember caches the current value a refused write from version base got back from
// Redis ("": no session).
func (s *Store) remember(key string, base int64, val string) {
	e := entry{}
	if val != "" {
		var err error
		if e, err = parse(val); err != nil {
			s.cache.drop(key)
			return
		}
	}
	s.cache.replace(key, base, e)
}

// seenChanges compares the ring of recent message ids in sess with the one in the
// session as loaded: fresh are the ids this write handles, gone those that left the
// ring. Ids stay in the ring while a conversation is short, so most writes touch no
// sorted set; a conversation's set exists only once it has had more messages than the
// ring holds. If the session as loaded is no longer cached, every id in the ring is
// checked, and the ids that left it cannot be told: they go undeduplicated.
func (s *Store) seenChanges(key string, sess *dialog.Session) (fresh, gone []string) {
	if s.dedup < 0 || len(sess.Seen) == 0 {
		return nil, nil
	}
	base, ok := s.cache.get(key)
	if !ok || base.version != sess.Version {
		return sess.Seen, nil
	}
	for _, id := range sess.Seen {
		if base.sess == nil || !base.sess.HasSeen(id) {
			fresh = append(fresh, id)
		}
	}
	if base.sess != nil {
		for _, id := range base.sess.Seen {
			if !sess.HasSeen(id) {
				gone = append(gone, id)
			}
		}
	}
	return fresh, gone
}

// Delete implements dialog.Store. It also forgets the ids of the conversation's
// messages: Delete is how a customer's data is erased ("returnsbot forget").
func (s *Store) Delete(ctx context.Context, key string) error {
	s.cache.drop(key)
	if err := s.rdb.Del(ctx, s.Key(key), s.DedupKey(key)).Err(); err != nil {
		return fmt.Errorf("delete session %s: %w", key, err)
	}
	return nil
}

// newVersion draws the version of the next write: random, non-zero and different from
// the current one.
func newVersion(cur int64) int64 {
	for {
		var b [8]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
		v := int64(binary.LittleEndian.Uint64(b[:]) >> 1)
		if v != 0 && v != cur {
			return v
		}
	}
}

// Versions are written in base 36 to keep sessions small.
func formatVersion(v int64) string { return strconv.FormatInt(v, 36) }

// appendHeader appends the start of a stored value, "<schema>:<version>:", to b; the
// session JSON follows.
func appendHeader(b []byte, version int64) []byte {
	b = strconv.AppendInt(b, Schema, 10)
	b = append(b, ':')
	b = strconv.AppendInt(b, version, 36)
	return append(b, ':')
}

// parse splits a stored value into its version and session JSON.
func parse(val string) (entry, error) {
	schema, rest, ok := strings.Cut(val, ":")
	if !ok {
		return entry{}, fmt.Errorf("%w: no schema", ErrCorrupt)
	}
	if schema != strconv.Itoa(Schema) {
		return entry{}, fmt.Errorf("%w: schema %q, this build reads %d (written by another version of returnsbot?)", ErrCorrupt, schema, Schema)
	}
	ver, data, ok := strings.Cut(rest, ":")
	if !ok {
		return entry{}, fmt.Errorf("%w: no version", ErrCorrupt)
	}
	v, err := strconv.ParseInt(ver, 36, 64)
	if err != nil || v == 0 {
		return entry{}, fmt.Errorf("%w: bad version %q", ErrCorrupt, ver)
	}
	sess := &dialog.Session{}
	if err := json.Unmarshal([]byte(data), sess); err != nil {
		return entry{}, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	sess.Version = v
	return entry{version: v, sess: sess}, nil
}

// entry is a session as last read or written: its version (0: none stored) and the
// session, which nobody outside the Store may hold.
type entry struct {
	version int64
	sess    *dialog.Session
	at      time.Time
}

// session returns a copy of the session for a caller to change.
func (e entry) session() *dialog.Session {
	if e.sess == nil {
		return &dialog.Session{}
	}
	return clone(e.sess)
}

// clone copies s deeply. It is the cache's reason to exist: a copy costs a tenth of
// decoding the JSON again. TestCloneCoversSession fails when Session gains a field this
// does not copy.
func clone(s *dialog.Session) *dialog.Session {
	c := *s
	c.Answers.CarrierChecked = cloneBool(s.Answers.CarrierChecked)
	c.Answers.Defect = cloneBool(s.Answers.Defect)
	c.Answers.Exclusions = maps.Clone(s.Answers.Exclusions)
	c.Answers.Photos = slices.Clone(s.Answers.Photos)
	c.Answers.Shop = maps.Clone(s.Answers.Shop)
	c.Seen = slices.Clone(s.Seen)
	return &c
}

func cloneBool(b *bool) *bool {
	if b == nil {
		return nil
	}
	v := *b
	return &v
}

// cache remembers sessions by conversation. A nil cache remembers nothing.
type cache struct {
	max int
	age time.Duration
	mu  sync.Mutex
	m   map[string]entry
}

func (c *cache) get(key string) (entry, bool) {
	if c == nil {
		return entry{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if ok && time.Since(e.at) > c.age {
		delete(c.m, key)
		return entry{}, false
	}
	return e, ok
}

// The cache must never go back to an older session than it held, or a reader in this
// process would not see a write this process made. Redis orders the writes, but their
// answers reach the cache in any order, and versions are random, so they cannot be
// compared: instead every update says which entry it follows from, and when that is
// no longer the one cached, the entry is dropped and the next Load reads Redis.

// fill caches e, read from Redis when nothing was cached, if nothing was cached since.
func (c *cache) fill(key string, e entry) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[key]; ok {
		delete(c.m, key)
		return
	}
	c.put(key, e)
}

// replace caches e, the result of a write from version base, if the cached entry is
// still the one at base.
func (c *cache) replace(key string, base int64, e entry) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur, ok := c.m[key]; !ok || cur.version != base {
		delete(c.m, key)
		return
	}
	c.put(key, e)
}

// put caches e; c.mu is held.
func (c *cache) put(key string, e entry) {
	e.at = time.Now()
	if _, ok := c.m[key]; !ok && len(c.m) >= c.max {
		// Evict an arbitrary entry (map order is random): cheap, and a miss only
		// costs one read.
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[key] = e
}

func (c *cache) drop(key string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}
