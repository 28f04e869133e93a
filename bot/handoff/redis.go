package handoff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisStore keeps cases in Redis, so they survive restarts and are shared by every
// instance. Keys carry hash tags, so it works on Redis Cluster: a case and its transcript
// share a slot; every other operation touches one key at a time.
//
// Keys, under Prefix:
//
//	case:{ID}            the case, JSON
//	case:{ID}:log        its transcript, a list of JSON entries
//	open:{CONV}          the id of the conversation's open case
//	thread:{THREAD}      the id of the case a staff thread belongs to
//	recent:{CONV}        the conversation's rolling log before a case exists
//	who:{REF}            "case:ID" and "conv:KEY" members, for Forget
//	{due}                open, unclaimed cases scored by when staff were last notified
//
// Every key expires: the rolling log RecentTTL after its last message (no longer than a
// session lives, so the words of a customer who never reached a case go with their
// session), everything else Retention after its last write (CLAIM_RETENTION: cases and
// transcripts are kept as long as the claims they belong to).
type RedisStore struct {
	rdb    redis.UniversalClient
	prefix string
	// RecentTTL is how long a conversation's rolling log outlives its last message.
	RecentTTL time.Duration
	// Retention is how long cases, transcripts and indexes outlive their last write.
	Retention time.Duration
}

// DefaultRetention is RedisStore.Retention unless set: claims.DefaultRetention, 365 days.
const DefaultRetention = 365 * 24 * time.Hour

// DefaultRecentTTL is RedisStore.RecentTTL unless set: the session store's default TTL.
const DefaultRecentTTL = 30 * 24 * time.Hour

// DefaultPrefix is the key prefix of NewRedisStore with an empty prefix.
const DefaultPrefix = "returnsbot:handoff:"

// NewRedisStore returns a store on rdb whose keys start with prefix (DefaultPrefix if
// empty). Tests give each store its own prefix on a shared server.
func NewRedisStore(rdb redis.UniversalClient, prefix string) *RedisStore {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &RedisStore{rdb: rdb, prefix: prefix, RecentTTL: DefaultRecentTTL, Retention: DefaultRetention}
}

func (s *RedisStore) caseKey(id string) string       { return s.prefix + "case:{" + id + "}" }
func (s *RedisStore) logKey(id string) string        { return s.prefix + "case:{" + id + "}:log" }
func (s *RedisStore) openKey(conv string) string     { return s.prefix + "open:{" + conv + "}" }
func (s *RedisStore) threadKey(thread string) string { return s.prefix + "thread:{" + thread + "}" }
func (s *RedisStore) recentKey(conv string) string   { return s.prefix + "recent:{" + conv + "}" }
func (s *RedisStore) whoKey(ref string) string       { return s.prefix + "who:{" + ref + "}" }
func (s *RedisStore) dueKey() string                 { return s.prefix + "{due}" }

// maxAttempts bounds optimistic retries of one update under contention.
const maxAttempts = 64

// delIfScript deletes KEYS[1] only if it holds ARGV[1], so a stale index entry is removed
// without clobbering one another instance just wrote.
var delIfScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

func (s *RedisStore) get(ctx context.Context, c redis.Cmdable, id string) (*Case, error) {
	data, err := c.Get(ctx, s.caseKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("case %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", id, err)
	}
	var cs Case
	if err := json.Unmarshal(data, &cs); err != nil {
		return nil, fmt.Errorf("case %s: %w", id, err)
	}
	return &cs, nil
}

// Open implements Store. The case is written before the conversation's index points to
// it, so whoever finds the index also finds the case.
func (s *RedisStore) Open(ctx context.Context, c *Case) (*Case, bool, error) {
	data, err := json.Marshal(c)
	if err != nil {
		return nil, false, fmt.Errorf("open case %s: %w", c.ID, err)
	}
	ok, err := s.rdb.SetNX(ctx, s.caseKey(c.ID), data, s.Retention).Result()
	if err != nil {
		return nil, false, fmt.Errorf("open case %s: %w", c.ID, err)
	}
	if !ok {
		return nil, false, fmt.Errorf("open case %s: id already used", c.ID)
	}
	conv := c.Customer.Key()
	openKey := s.openKey(conv)
	for attempt := 0; attempt < maxAttempts; attempt++ {
		set, err := s.rdb.SetNX(ctx, openKey, c.ID, s.Retention).Result()
		if err != nil {
			return nil, false, fmt.Errorf("open case %s: %w", c.ID, err)
		}
		if set {
			break
		}
		cur, err := s.OpenFor(ctx, conv)
		if err == nil {
			s.rdb.Del(ctx, s.caseKey(c.ID))
			return cur, false, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, false, fmt.Errorf("open case %s: %w", c.ID, err)
		}
		// The index names a case that has ended or vanished; OpenFor removed it. Try again.
		if attempt == maxAttempts-1 {
			return nil, false, fmt.Errorf("open case %s: gave up after %d conflicting writes", c.ID, maxAttempts)
		}
	}
	pipe := s.rdb.Pipeline()
	for _, ref := range c.refs() {
		pipe.SAdd(ctx, s.whoKey(ref), "case:"+c.ID)
		pipe.Expire(ctx, s.whoKey(ref), s.Retention)
	}
	pipe.ZAdd(ctx, s.dueKey(), redis.Z{Score: score(c.Notified), Member: c.ID})
	pipe.Expire(ctx, s.dueKey(), s.Retention)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, false, fmt.Errorf("open case %s: index: %w", c.ID, err)
	}
	got, err := s.get(ctx, s.rdb, c.ID)
	if err != nil {
		return nil, false, fmt.Errorf("open: %w", err)
	}
	return got, true, nil
}

func score(t time.Time) float64 { return float64(t.UnixMilli()) }

// Get implements Store.
func (s *RedisStore) Get(ctx context.Context, id string) (*Case, error) {
	return s.get(ctx, s.rdb, id)
}

// OpenFor implements Store. An index entry naming a case that is no longer open (left by a
// crash between two writes) is removed on the way.
func (s *RedisStore) OpenFor(ctx context.Context, conv string) (*Case, error) {
	key := s.openKey(conv)
	id, err := s.rdb.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("open case of %s: %w", conv, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open case of %s: %w", conv, err)
	}
	c, err := s.get(ctx, s.rdb, id)
	if err == nil && c.Status == Open {
		return c, nil
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("open case of %s: %w", conv, err)
	}
	if err := delIfScript.Run(ctx, s.rdb, []string{key}, id).Err(); err != nil {
		return nil, fmt.Errorf("open case of %s: clean index: %w", conv, err)
	}
	return nil, fmt.Errorf("open case of %s: %w", conv, ErrNotFound)
}

// ByThread implements Store.
func (s *RedisStore) ByThread(ctx context.Context, thread string) (*Case, error) {
	id, err := s.rdb.Get(ctx, s.threadKey(thread)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("case of thread %s: %w", thread, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("case of thread %s: %w", thread, err)
	}
	return s.get(ctx, s.rdb, id)
}

// Update implements Store with WATCH/MULTI: a write by anyone else between the read and
// the write aborts the transaction, and fn runs again on what they wrote.
func (s *RedisStore) Update(ctx context.Context, id string, fn func(*Case) error) (*Case, error) {
	key := s.caseKey(id)
	for attempt := 0; attempt < maxAttempts; attempt++ {
		var c *Case
		var before indexed
		var fnErr error
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			var err error
			if c, err = s.get(ctx, tx, id); err != nil {
				return err
			}
			before = indexOf(c)
			if fnErr = fn(c); fnErr != nil {
				return fnErr
			}
			data, err := json.Marshal(c)
			if err != nil {
				return err
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, key, data, s.Retention)
				return nil
			})
			return err
		}, key)
		switch {
		case errors.Is(err, redis.TxFailedErr):
			continue
		case fnErr != nil:
			return c, fnErr
		case err != nil:
			return nil, fmt.Errorf("update case %s: %w", id, err)
		}
		if indexOf(c).equal(before) {
			return c, nil // most updates (a message id seen) leave the indexes as they are
		}
		if err := s.reindex(ctx, c); err != nil {
			return nil, fmt.Errorf("update case %s: saved, but index: %w", id, err)
		}
		return c, nil
	}
	return nil, fmt.Errorf("update case %s: gave up after %d conflicting writes", id, maxAttempts)
}

// indexed is what of a case the indexes depend on.
type indexed struct {
	threads  string
	status   Status
	waiting  bool
	notified time.Time
}

func indexOf(c *Case) indexed {
	var threads strings.Builder
	for _, t := range c.Threads {
		threads.WriteString(t.Key() + " ")
	}
	return indexed{threads: threads.String(), status: c.Status, waiting: c.waiting(), notified: c.Notified}
}

func (a indexed) equal(b indexed) bool {
	return a.threads == b.threads && a.status == b.status && a.waiting == b.waiting && a.notified.Equal(b.notified)
}

// reindex brings the indexes in line with a saved case. They live in other slots, so this
// cannot be part of the transaction; readers check what an index names against the case.
func (s *RedisStore) reindex(ctx context.Context, c *Case) error {
	pipe := s.rdb.Pipeline()
	for _, t := range c.Threads {
		pipe.Set(ctx, s.threadKey(t.Key()), c.ID, s.Retention)
	}
	if c.waiting() {
		pipe.ZAdd(ctx, s.dueKey(), redis.Z{Score: score(c.Notified), Member: c.ID})
		pipe.Expire(ctx, s.dueKey(), s.Retention)
	} else {
		pipe.ZRem(ctx, s.dueKey(), c.ID)
	}
	if c.Status != Open {
		// Eval, not Run: a pipeline cannot fall back from EVALSHA on NOSCRIPT.
		delIfScript.Eval(ctx, pipe, []string{s.openKey(c.Customer.Key())}, c.ID)
	}
	_, err := pipe.Exec(ctx)
	return err
}

// Append implements Store.
func (s *RedisStore) Append(ctx context.Context, id string, es ...Entry) error {
	if err := s.push(ctx, s.logKey(id), TranscriptLimit, s.Retention, es); err != nil {
		return fmt.Errorf("append to case %s: %w", id, err)
	}
	return nil
}

func (s *RedisStore) push(ctx context.Context, key string, limit int, ttl time.Duration, es []Entry) error {
	vals, err := encode(es)
	if err != nil || len(vals) == 0 {
		return err
	}
	pipe := s.rdb.Pipeline()
	s.pushTo(ctx, pipe, key, limit, ttl, vals)
	_, err = pipe.Exec(ctx)
	return err
}

// pushTo queues an append and a trim: without MULTI, so a Record can share one round trip
// with an index in another cluster slot. An append landing between two trims is trimmed
// by the later one.
func (s *RedisStore) pushTo(ctx context.Context, pipe redis.Pipeliner, key string, limit int, ttl time.Duration, vals []any) {
	pipe.RPush(ctx, key, vals...)
	pipe.LTrim(ctx, key, int64(-limit), -1)
	if ttl > 0 {
		pipe.Expire(ctx, key, ttl)
	}
}

func encode(es []Entry) ([]any, error) {
	vals := make([]any, len(es))
	for i, e := range es {
		data, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encode entry: %w", err)
		}
		vals[i] = data
	}
	return vals, nil
}

func (s *RedisStore) list(ctx context.Context, key string) ([]Entry, error) {
	vals, err := s.rdb.LRange(ctx, key, 0, -1).Result()
	if err != nil {
		return nil, err
	}
	es := make([]Entry, 0, len(vals))
	for _, v := range vals {
		var e Entry
		if err := json.Unmarshal([]byte(v), &e); err != nil {
			return nil, err
		}
		es = append(es, e)
	}
	return es, nil
}

// Transcript implements Store.
func (s *RedisStore) Transcript(ctx context.Context, id string) ([]Entry, error) {
	es, err := s.list(ctx, s.logKey(id))
	if err != nil {
		return nil, fmt.Errorf("transcript of case %s: %w", id, err)
	}
	return es, nil
}

// Record implements Store.
func (s *RedisStore) Record(ctx context.Context, conv, user string, es ...Entry) error {
	vals, err := encode(es)
	if err != nil || len(vals) == 0 {
		return err
	}
	pipe := s.rdb.Pipeline()
	s.pushTo(ctx, pipe, s.recentKey(conv), RecentLimit, s.RecentTTL, vals)
	if user != "" && user != conv {
		pipe.SAdd(ctx, s.whoKey(user), "conv:"+conv)
		// Retention, like the case members it may hold: a shorter TTL set here would
		// let it expire before the cases it names.
		pipe.Expire(ctx, s.whoKey(user), s.Retention)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("record %s: %w", conv, err)
	}
	return nil
}

// Recent implements Store.
func (s *RedisStore) Recent(ctx context.Context, conv string) ([]Entry, error) {
	es, err := s.list(ctx, s.recentKey(conv))
	if err != nil {
		return nil, fmt.Errorf("recent of %s: %w", conv, err)
	}
	return es, nil
}

// Due implements Store.
func (s *RedisStore) Due(ctx context.Context, before time.Time) ([]string, error) {
	ids, err := s.rdb.ZRangeByScore(ctx, s.dueKey(), &redis.ZRangeBy{
		Min: "-inf", Max: strconv.FormatInt(before.UnixMilli(), 10),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("due cases: %w", err)
	}
	slices.Sort(ids)
	return ids, nil
}

// Forget implements Store.
func (s *RedisStore) Forget(ctx context.Context, who string) ([]string, error) {
	members, err := s.rdb.SMembers(ctx, s.whoKey(who)).Result()
	if err != nil {
		return nil, fmt.Errorf("forget %s: %w", who, err)
	}
	convs := map[string]bool{}
	if n, err := s.rdb.Exists(ctx, s.recentKey(who), s.openKey(who)).Result(); err != nil {
		return nil, fmt.Errorf("forget %s: %w", who, err)
	} else if n > 0 {
		convs[who] = true
	}
	var keys []string
	for _, m := range members {
		kind, key, _ := cut(m)
		switch kind {
		case "conv":
			convs[key] = true
		case "case":
			c, err := s.get(ctx, s.rdb, key)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("forget %s: %w", who, err)
			}
			convs[c.Customer.Key()] = true
			for _, t := range c.Threads {
				keys = append(keys, s.threadKey(t.Key()))
			}
			for _, ref := range c.refs() {
				keys = append(keys, s.whoKey(ref))
			}
			keys = append(keys, s.caseKey(key), s.logKey(key))
			if err := s.rdb.ZRem(ctx, s.dueKey(), key).Err(); err != nil {
				return nil, fmt.Errorf("forget %s: %w", who, err)
			}
		}
	}
	keys = append(keys, s.whoKey(who))
	out := make([]string, 0, len(convs))
	for conv := range convs {
		keys = append(keys, s.recentKey(conv), s.openKey(conv))
		out = append(out, conv)
	}
	// One key per DEL: on a cluster the keys live in different slots.
	pipe := s.rdb.Pipeline()
	for _, k := range keys {
		pipe.Del(ctx, k)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("forget %s: %w", who, err)
	}
	slices.Sort(out)
	return out, nil
}
