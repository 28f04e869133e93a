// Package redisclaims keeps claims and the webhook outbox in Redis (go-redis v9, any
// redis.UniversalClient: a single server, Sentinel or Cluster).
//
// Key layout, under the caller's prefix P (every key expires):
//
//	P{claim:ID}                 string, the record as JSON; PX Retention from creation (Update keeps the TTL)
//	P{user:PLATFORM:USER}:claims sorted set of the customer's claim ids by creation time (ms); PX Retention from their newest claim
//	P{claims}:index             sorted set, all scores 0, of claims.CursorKey(created, id) for List; PX Retention from the newest claim
//	P{outbox}:due               sorted set of pending event ids by next attempt (ms)
//	P{outbox}:events            hash event id -> event JSON (pending and failed events)
//	P{outbox}:meta              hash event id -> "added_ms attempts last_error"
//	P{outbox}:failed            sorted set of given-up event ids by when (ms); trimmed to Retention and claims.MaxFailed
//	P{outbox}:delivered         counter of acknowledged events
//
// The outbox keys are PX Retention from their last write. Each braced part is a Cluster
// hash tag: the outbox's keys share one slot, so its Lua scripts are atomic; a claim and
// its index entries lie in different slots and are written one after the other (index
// entries whose claim has gone are skipped on read). On one server (or a Sentinel-managed
// primary), where slots do not bind a script, Create writes a new claim and its index
// entries in one script, and CreateWithEvent its webhook event in the same script: one
// round trip, where a Cluster takes two and then the outbox's one.
package redisclaims

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/internal/pause"
	"github.com/returnsbot/returnsbot/internal/redisbatch"
)

// DefaultPrefix starts every key when the options give none; it is the session store's.
const DefaultPrefix = "rb:"

// Options configure a Store.
type Options struct {
	// Prefix starts every key; "" means DefaultPrefix.
	Prefix string
	// Retention is how long a claim is kept after its creation; 0 means
	// claims.DefaultRetention.
	Retention time.Duration
	// Now is the clock for creation times and index trimming; nil means time.Now. The keys'
	// TTLs run on the server's clock.
	Now func() time.Time
	// AutoPipeline sends a new claim's record through the client's shared
	// autopipeliner when other commands are in flight (package redisbatch), as the
	// session store does.
	AutoPipeline bool
}

// Store is a claims.Store in Redis.
type Store struct {
	rdb   redis.UniversalClient
	batch *redisbatch.Batcher
	opt   Options
}

var _ claims.Store = (*Store)(nil)

// New returns a store on rdb.
func New(rdb redis.UniversalClient, opt Options) *Store {
	if opt.Prefix == "" {
		opt.Prefix = DefaultPrefix
	}
	if opt.Retention <= 0 {
		opt.Retention = claims.DefaultRetention
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Store{rdb: rdb, batch: redisbatch.For(rdb, opt.AutoPipeline), opt: opt}
}

// ClaimKey returns the key of the claim.
func (s *Store) ClaimKey(id claims.ID) string { return s.opt.Prefix + "{claim:" + string(id) + "}" }

// UserKey returns the key of the customer's claim index.
func (s *Store) UserKey(userKey string) string { return s.opt.Prefix + "{user:" + userKey + "}:claims" }

// IndexKey returns the key of the List index.
func (s *Store) IndexKey() string { return s.opt.Prefix + "{claims}:index" }

// Create implements claims.Store. On one server (or a Sentinel-managed primary) the
// record and its index entries are one script; on a Cluster, where they lie in different
// slots, the record is set first and its index entries follow in a pipeline.
func (s *Store) Create(ctx context.Context, r claims.Record) error {
	if s.single() {
		return s.create(ctx, r, nil, claims.Event{})
	}
	r, val, err := s.newRecord(r)
	if err != nil {
		return err
	}
	c, done := s.batch.Client()
	ok, err := c.SetNX(ctx, s.ClaimKey(r.ID), val, s.opt.Retention).Result()
	done()
	if err != nil {
		return fmt.Errorf("create claim %s: %w", r.ID, err)
	}
	if !ok {
		return fmt.Errorf("create claim %s: %w", r.ID, claims.ErrExists)
	}
	ix := s.index(r)
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, ix.user, redis.Z{Score: float64(ix.created), Member: string(r.ID)})
		p.ZRemRangeByScore(ctx, ix.user, "-inf", "("+strconv.FormatInt(ix.cutoff, 10))
		p.PExpire(ctx, ix.user, s.opt.Retention)
		p.ZAdd(ctx, ix.all, redis.Z{Member: ix.cursor})
		p.ZRemRangeByLex(ctx, ix.all, "-", "("+ix.cutoffCursor)
		p.PExpire(ctx, ix.all, s.opt.Retention)
		return nil
	})
	if err != nil {
		// Without its index entries the claim would be invisible to /status and export:
		// take it back, so the caller's retry (with a new id) is the only copy.
		s.rdb.Del(context.WithoutCancel(ctx), s.ClaimKey(r.ID))
		return fmt.Errorf("create claim %s: index: %w", r.ID, err)
	}
	return nil
}

// single tells whether the client talks to one server (directly or through Sentinel),
// where a script may touch keys of any slot.
func (s *Store) single() bool {
	_, ok := s.rdb.(*redis.Client)
	return ok
}

// newRecord fills in r's times as Create does and returns its JSON.
func (s *Store) newRecord(r claims.Record) (claims.Record, []byte, error) {
	if r.Created.IsZero() {
		r.Created = s.opt.Now()
	}
	if r.Updated.IsZero() {
		r.Updated = r.Created
	}
	val, err := r.MarshalJSON() // what json.Marshal writes, without re-reading it
	if err != nil {
		return r, nil, fmt.Errorf("create claim %s: %w", r.ID, err)
	}
	return r, val, nil
}

// index is what a new claim writes to the two indexes: its entries, and the bounds below
// which the entries have outlived the retention and are trimmed.
type index struct {
	user, all       string // the keys: the customer's claims, and List's
	created, cutoff int64  // Unix milliseconds
	cursor          string // the claim's entry in all
	cutoffCursor    string
}

func (s *Store) index(r claims.Record) index {
	cutoff := s.opt.Now().Add(-s.opt.Retention)
	return index{
		user: s.UserKey(r.UserKey()), all: s.IndexKey(),
		created: r.Created.UnixMilli(), cutoff: cutoff.UnixMilli(),
		cursor: claims.CursorKey(r.Created, r.ID), cutoffCursor: claims.CursorKey(cutoff, ""),
	}
}

// createScript is Create, and with an event the outbox's add, in one script, on one
// server (the keys lie in different Cluster slots). KEYS: the claim, the customer's index,
// List's index, then with an event the outbox's due, events and meta. ARGV: the record's
// JSON, its TTL, its creation (ms), the customer index's cutoff (ms), the id, List's entry
// and cutoff, then with an event add's arguments. It returns 0 when the id is taken
// (nothing written), 1 when all is written, 2 when the claim is but the outbox is full.
var createScript = redis.NewScript(addLua + `
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], 0, ARGV[6])
redis.call('ZREMRANGEBYLEX', KEYS[3], '-', '(' .. ARGV[7])
redis.call('PEXPIRE', KEYS[3], ARGV[2])
if #KEYS > 3 and add(KEYS[4], KEYS[5], KEYS[6], ARGV[8], ARGV[9], ARGV[10], ARGV[11], ARGV[12]) == 0 then return 2 end
return 1
`)

// CreateWithEvent implements claims.EventCreator: with out an Outbox on the same
// single server or Sentinel-managed primary, the claim, its index entries and its event
// are one script, one round trip where Create and Add take two, and atomic. On a Cluster
// the claim, the indexes and the outbox lie in different slots: it declines.
func (s *Store) CreateWithEvent(ctx context.Context, r claims.Record, e claims.Event, out claims.Outbox) (bool, error) {
	o, ok := out.(*Outbox)
	if !ok || !s.single() || o.rdb != s.rdb {
		return false, nil
	}
	return true, s.create(ctx, r, o, e)
}

// create runs createScript for r, and e in o unless o is nil.
func (s *Store) create(ctx context.Context, r claims.Record, o *Outbox, e claims.Event) error {
	r, val, err := s.newRecord(r)
	if err != nil {
		return err
	}
	ix := s.index(r)
	keys := []string{s.ClaimKey(r.ID), ix.user, ix.all}
	args := []any{val, s.opt.Retention.Milliseconds(), ix.created, ix.cutoff, string(r.ID), ix.cursor, ix.cutoffCursor}
	if o != nil {
		add, err := o.addArgs(e)
		if err != nil {
			return fmt.Errorf("create claim %s: event %s: %w", r.ID, e.ID, err)
		}
		keys, args = append(keys, o.keys[:3]...), append(args, add...)
	}
	c, done := s.batch.Client()
	n, err := createScript.Run(ctx, c, keys, args...).Int()
	done()
	switch {
	case err != nil:
		return fmt.Errorf("create claim %s: %w", r.ID, err)
	case n == 0:
		return fmt.Errorf("create claim %s: %w", r.ID, claims.ErrExists)
	case n == 2:
		return fmt.Errorf("create claim %s: %w: event %s: %w", r.ID, claims.ErrNotQueued, e.ID, claims.ErrOutboxFull)
	}
	return nil
}

// Get implements claims.Store.
func (s *Store) Get(ctx context.Context, id claims.ID) (claims.Record, error) {
	val, err := s.rdb.Get(ctx, s.ClaimKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return claims.Record{}, fmt.Errorf("get claim %s: %w", id, claims.ErrNotFound)
	}
	if err != nil {
		return claims.Record{}, fmt.Errorf("get claim %s: %w", id, err)
	}
	var r claims.Record
	if err := json.Unmarshal(val, &r); err != nil {
		return claims.Record{}, fmt.Errorf("get claim %s: decode: %w", id, err)
	}
	return r, nil
}

// casScript replaces KEYS[1] by ARGV[2], keeping its TTL, if it still holds ARGV[1]. It
// returns 1 when replaced, 0 when the value changed, -1 when the key has gone.
var casScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if not cur then return -1 end
if cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1
`)

// Update implements claims.Store.
func (s *Store) Update(ctx context.Context, id claims.ID, fn func(*claims.Record) error) (claims.Record, error) {
	key := s.ClaimKey(id)
	for try := range claims.MaxUpdateTries {
		if try > 0 {
			// Writers that lost the race back off by a random, growing pause, so they do
			// not all retry at the same moment again.
			if err := pause.For(ctx, jitter(try)); err != nil {
				return claims.Record{}, fmt.Errorf("update claim %s: %w", id, err)
			}
		}
		old, err := s.rdb.Get(ctx, key).Result()
		if errors.Is(err, redis.Nil) {
			return claims.Record{}, fmt.Errorf("update claim %s: %w", id, claims.ErrNotFound)
		}
		if err != nil {
			return claims.Record{}, fmt.Errorf("update claim %s: %w", id, err)
		}
		var r claims.Record
		if err := json.Unmarshal([]byte(old), &r); err != nil {
			return claims.Record{}, fmt.Errorf("update claim %s: decode: %w", id, err)
		}
		user, updated := r.UserKey(), r.Updated
		if err := fn(&r); err != nil {
			return claims.Record{}, fmt.Errorf("update claim %s: %w", id, err)
		}
		if r.ID != id || r.UserKey() != user {
			return claims.Record{}, fmt.Errorf("update claim %s: the update changed its id or customer", id)
		}
		if r.Updated.Equal(updated) {
			r.Updated = s.opt.Now()
		}
		val, err := r.MarshalJSON() // what json.Marshal writes, without re-reading it
		if err != nil {
			return claims.Record{}, fmt.Errorf("update claim %s: %w", id, err)
		}
		n, err := casScript.Run(ctx, s.rdb, []string{key}, old, val).Int()
		if err != nil {
			return claims.Record{}, fmt.Errorf("update claim %s: %w", id, err)
		}
		switch n {
		case 1:
			return r, nil
		case -1:
			return claims.Record{}, fmt.Errorf("update claim %s: %w", id, claims.ErrNotFound)
		}
	}
	return claims.Record{}, fmt.Errorf("update claim %s: %w", id, claims.ErrConflict)
}

// jitter is a random wait of up to try milliseconds (at most 20) between retries.
func jitter(try int) time.Duration {
	return time.Duration(rand.Int64N(int64(min(try, 20))*int64(time.Millisecond)) + 1)
}

// getMany reads the claims in order, skipping those that have gone.
func (s *Store) getMany(ctx context.Context, ids []string) ([]claims.Record, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	// One GET per claim in a pipeline, not MGET: the claims lie in different Cluster slots.
	cmds := make([]*redis.StringCmd, len(ids))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.Get(ctx, s.ClaimKey(claims.ID(id)))
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	out := make([]claims.Record, 0, len(ids))
	for i, c := range cmds {
		val, err := c.Bytes()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var r claims.Record
		if err := json.Unmarshal(val, &r); err != nil {
			return nil, fmt.Errorf("decode claim %s: %w", ids[i], err)
		}
		out = append(out, r)
	}
	return out, nil
}

// ByUser implements claims.Store.
func (s *Store) ByUser(ctx context.Context, userKey string, n int) ([]claims.Record, error) {
	ids, err := s.rdb.ZRevRange(ctx, s.UserKey(userKey), 0, int64(claims.ByUserSize(n)-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("claims of %s: %w", userKey, err)
	}
	rs, err := s.getMany(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("claims of %s: %w", userKey, err)
	}
	return rs, nil
}

// List implements claims.Store.
func (s *Store) List(ctx context.Context, q claims.Query) ([]claims.Record, string, error) {
	limit := q.PageSize()
	lo := "-"
	if !q.Since.IsZero() {
		lo = "[" + claims.CursorKey(q.Since, "")
	}
	if q.Cursor != "" && (lo == "-" || q.Cursor >= lo[1:]) {
		lo = "(" + q.Cursor
	}
	hi := "+"
	if !q.Until.IsZero() {
		hi = "(" + claims.CursorKey(q.Until, "")
	}
	members, err := s.rdb.ZRangeByLex(ctx, s.IndexKey(), &redis.ZRangeBy{Min: lo, Max: hi, Count: int64(limit + 1)}).Result()
	if err != nil {
		return nil, "", fmt.Errorf("list claims: %w", err)
	}
	next := ""
	if len(members) > limit {
		members = members[:limit]
		next = members[limit-1]
	}
	ids := make([]string, len(members))
	for i, m := range members {
		_, ids[i], _ = strings.Cut(m, ":")
	}
	rs, err := s.getMany(ctx, ids)
	if err != nil {
		return nil, "", fmt.Errorf("list claims: %w", err)
	}
	return rs, next, nil
}

// Forget implements claims.Store.
func (s *Store) Forget(ctx context.Context, userKey string) (int, error) {
	uk := s.UserKey(userKey)
	zs, err := s.rdb.ZRangeWithScores(ctx, uk, 0, -1).Result()
	if err != nil {
		return 0, fmt.Errorf("forget claims of %s: %w", userKey, err)
	}
	dels := make([]*redis.IntCmd, len(zs))
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, z := range zs {
			id := claims.ID(z.Member.(string))
			dels[i] = p.Del(ctx, s.ClaimKey(id))
			p.ZRem(ctx, s.IndexKey(), claims.CursorKey(time.UnixMilli(int64(z.Score)), id))
		}
		p.Del(ctx, uk)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("forget claims of %s: %w", userKey, err)
	}
	n := 0
	for _, d := range dels {
		n += int(d.Val())
	}
	return n, nil
}
