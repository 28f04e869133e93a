// Package rediscases keeps the staff desk's cases in Redis (go-redis v9, any
// redis.UniversalClient: a single server, Sentinel or Cluster), so they survive restarts
// and are shared by every instance. It is handoff.Store's Redis implementation, kept out of
// package handoff so the desk does not depend on a storage client; cmd/returnsbot gives it
// the client and key prefix of the sessions, claims and outbox.
//
// Keys carry hash tags, so it works on Redis Cluster: a case and its transcript share a
// slot; every other operation touches one key at a time. Key layout, under the caller's
// prefix P (REDIS_KEY_PREFIX, "rb:" by default) and the fixed namespace "handoff:", the
// layout of the earlier handoff.RedisStore, so stored cases stay readable:
//
//	Phandoff:case:{ID}        the case, JSON
//	Phandoff:case:{ID}:log    its transcript, a list of JSON entries
//	Phandoff:open:{CONV}      the id of the conversation's open case
//	Phandoff:thread:{THREAD}  the id of the case a staff thread belongs to
//	Phandoff:recent:{CONV}    the conversation's rolling log before a case exists
//	Phandoff:who:{REF}        "case:ID" and "conv:KEY" members, for Forget
//	Phandoff:{due}            open, unclaimed cases scored by when staff were last notified
//	Phandoff:{idle}           open cases scored by their last activity (Case.LastActive)
//	Phandoff:comment:{CONV}   the case whose rating the conversation's next message comments
//
// The rolling log is written in the background (Record, Flush, Close in recorder.go).
//
// Every key expires: a comment marker when it lapses (minutes), the rolling log RecentTTL after its last message
// (no longer than a session lives, so the words of a customer who never reached a case go
// with their session), everything else Retention after its last write (CLAIM_RETENTION:
// cases and transcripts are kept as long as the claims they belong to).
package rediscases

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/internal/redisbatch"
)

// DefaultPrefix starts every key when the options give none; it is the session store's.
const DefaultPrefix = "rb:"

// Namespace follows the prefix in every key, keeping cases apart from the sessions and
// claims under the same prefix.
const Namespace = "handoff:"

// DefaultRetention is Options.opt.Retention unless set: claims.DefaultRetention, 365 days.
const DefaultRetention = 365 * 24 * time.Hour

// DefaultRecentTTL is Options.opt.RecentTTL unless set: the session store's default TTL.
const DefaultRecentTTL = 30 * 24 * time.Hour

// Options configure a Store.
type Options struct {
	// Prefix starts every key, before Namespace; "" means DefaultPrefix.
	Prefix string
	// RecentTTL is how long a conversation's rolling log outlives its last message; 0
	// means DefaultRecentTTL.
	RecentTTL time.Duration
	// Retention is how long cases, transcripts and indexes outlive their last write; 0
	// means DefaultRetention.
	Retention time.Duration
	// AutoPipeline sends the lookup a held customer message starts with through the
	// client's shared autopipeliner when other commands are in flight (package
	// redisbatch), as the session store does.
	AutoPipeline bool
	// LogQueue bounds the Record calls waiting to be written; 0 means DefaultLogQueue.
	LogQueue int
	// Log receives the errors of the background writes of the rolling log; nil means
	// slog.Default().
	Log *slog.Logger
}

// Store is a handoff.Store in Redis.
type Store struct {
	rdb    redis.UniversalClient
	batch  *redisbatch.Batcher
	prefix string
	opt    Options
	log    logWriter
}

var _ handoff.Store = (*Store)(nil)

// New returns a store on rdb. Tests give each store its own prefix on a shared server.
func New(rdb redis.UniversalClient, opt Options) *Store {
	if opt.Prefix == "" {
		opt.Prefix = DefaultPrefix
	}
	if opt.RecentTTL <= 0 {
		opt.RecentTTL = DefaultRecentTTL
	}
	if opt.Retention <= 0 {
		opt.Retention = DefaultRetention
	}
	if opt.LogQueue <= 0 {
		opt.LogQueue = DefaultLogQueue
	}
	return &Store{rdb: rdb, batch: redisbatch.For(rdb, opt.AutoPipeline), prefix: opt.Prefix + Namespace, opt: opt}
}

func (s *Store) caseKey(id string) string       { return s.prefix + "case:{" + id + "}" }
func (s *Store) logKey(id string) string        { return s.prefix + "case:{" + id + "}:log" }
func (s *Store) openKey(conv string) string     { return s.prefix + "open:{" + conv + "}" }
func (s *Store) threadKey(thread string) string { return s.prefix + "thread:{" + thread + "}" }
func (s *Store) recentKey(conv string) string   { return s.prefix + "recent:{" + conv + "}" }
func (s *Store) whoKey(ref string) string       { return s.prefix + "who:{" + ref + "}" }
func (s *Store) dueKey() string                 { return s.prefix + "{due}" }
func (s *Store) idleKey() string                { return s.prefix + "{idle}" }
func (s *Store) commentKey(conv string) string  { return s.prefix + "comment:{" + conv + "}" }

// HoldKeys returns the keys that, while one exists, hold the conversation at the desk:
// its open case and its awaited rating comment. They share the conversation's hash tag
// with its session, so the session store checks them in its compare-and-set
// (redisstore.Options.Holds) and a customer message with neither costs the desk no round
// trip of its own.
func (s *Store) HoldKeys(conv string) []string {
	return []string{s.openKey(conv), s.commentKey(conv)}
}

// maxAttempts bounds optimistic retries of one update under contention: the budget of
// every compare-and-set loop of the bot.
const maxAttempts = bot.MaxAttempts

// delIfScript deletes KEYS[1] only if it holds ARGV[1], so a stale index entry is removed
// without clobbering one another instance just wrote.
var delIfScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

func (s *Store) get(ctx context.Context, c redis.Cmdable, id string) (*handoff.Case, error) {
	data, err := c.Get(ctx, s.caseKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("case %s: %w", id, handoff.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", id, err)
	}
	var cs handoff.Case
	if err := json.Unmarshal(data, &cs); err != nil {
		return nil, fmt.Errorf("case %s: %w", id, err)
	}
	return &cs, nil
}

// Open implements handoff.Store. The case is written before the conversation's index points to
// it, so whoever finds the index also finds the case.
func (s *Store) Open(ctx context.Context, c *handoff.Case) (*handoff.Case, bool, error) {
	data, err := json.Marshal(c)
	if err != nil {
		return nil, false, fmt.Errorf("open case %s: %w", c.ID, err)
	}
	ok, err := s.rdb.SetNX(ctx, s.caseKey(c.ID), data, s.opt.Retention).Result()
	if err != nil {
		return nil, false, fmt.Errorf("open case %s: %w", c.ID, err)
	}
	if !ok {
		return nil, false, fmt.Errorf("open case %s: id already used", c.ID)
	}
	conv := c.Customer.Key()
	openKey := s.openKey(conv)
	for attempt := 0; attempt < maxAttempts; attempt++ {
		set, err := s.rdb.SetNX(ctx, openKey, c.ID, s.opt.Retention).Result()
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
		if !errors.Is(err, handoff.ErrNotFound) {
			return nil, false, fmt.Errorf("open case %s: %w", c.ID, err)
		}
		// The index names a case that has ended or vanished; OpenFor removed it. Try again.
		if attempt == maxAttempts-1 {
			return nil, false, fmt.Errorf("open case %s: gave up after %d conflicting writes", c.ID, maxAttempts)
		}
	}
	pipe := s.rdb.Pipeline()
	for _, ref := range c.Refs() {
		pipe.SAdd(ctx, s.whoKey(ref), "case:"+c.ID)
		pipe.Expire(ctx, s.whoKey(ref), s.opt.Retention)
	}
	pipe.ZAdd(ctx, s.dueKey(), redis.Z{Score: score(c.Notified), Member: c.ID})
	pipe.Expire(ctx, s.dueKey(), s.opt.Retention)
	pipe.ZAdd(ctx, s.idleKey(), redis.Z{Score: score(c.LastActive()), Member: c.ID})
	pipe.Expire(ctx, s.idleKey(), s.opt.Retention)
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

// Get implements handoff.Store.
func (s *Store) Get(ctx context.Context, id string) (*handoff.Case, error) {
	return s.get(ctx, s.rdb, id)
}

// OpenFor implements handoff.Store. An index entry naming a case that is no longer open (left by a
// crash between two writes) is removed on the way.
func (s *Store) OpenFor(ctx context.Context, conv string) (*handoff.Case, error) {
	key := s.openKey(conv)
	id, err := s.rdb.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("open case of %s: %w", conv, handoff.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open case of %s: %w", conv, err)
	}
	return s.openCase(ctx, conv, id)
}

// openCase reads the case id that conv's open-case index names, and cleans the index
// when that case has ended.
func (s *Store) openCase(ctx context.Context, conv, id string) (*handoff.Case, error) {
	c, err := s.get(ctx, s.rdb, id)
	if err == nil && c.Status == handoff.Open {
		return c, nil
	}
	if err != nil && !errors.Is(err, handoff.ErrNotFound) {
		return nil, fmt.Errorf("open case of %s: %w", conv, err)
	}
	if err := delIfScript.Run(ctx, s.rdb, []string{s.openKey(conv)}, id).Err(); err != nil {
		return nil, fmt.Errorf("open case of %s: clean index: %w", conv, err)
	}
	return nil, fmt.Errorf("open case of %s: %w", conv, handoff.ErrNotFound)
}

// arrivalScript reads a conversation's open-case index and, when it has none and ARGV[1]
// is "1", takes its awaited comment: both keys share the conversation's hash tag.
var arrivalScript = redis.NewScript(`
local id = redis.call("GET", KEYS[1]) or ""
local comment = ""
if id == "" and ARGV[1] == "1" then
	comment = redis.call("GET", KEYS[2]) or ""
	if comment ~= "" then redis.call("DEL", KEYS[2]) end
end
return {id, comment}`)

// Arrival implements handoff.Store: one script for the lookup and the take, and a second
// round trip only when the conversation has an open case, to read it.
func (s *Store) Arrival(ctx context.Context, conv string, take bool) (*handoff.Case, string, error) {
	flag := "0"
	if take {
		flag = "1"
	}
	c, done := s.batch.Client()
	v, err := arrivalScript.Run(ctx, c, []string{s.openKey(conv), s.commentKey(conv)}, flag).StringSlice()
	done()
	if err != nil {
		return nil, "", fmt.Errorf("arrival of %s: %w", conv, err)
	}
	if len(v) != 2 {
		return nil, "", fmt.Errorf("arrival of %s: script returned %d values", conv, len(v))
	}
	if v[0] == "" {
		return nil, v[1], fmt.Errorf("open case of %s: %w", conv, handoff.ErrNotFound)
	}
	open, err := s.openCase(ctx, conv, v[0])
	if errors.Is(err, handoff.ErrNotFound) && take {
		// The index named a case that has ended (cleaned now): the script left the
		// comment, so take it the plain way.
		id, terr := s.TakeComment(ctx, conv)
		if terr != nil {
			return nil, "", terr
		}
		return nil, id, err
	}
	return open, "", err
}

// ByThread implements handoff.Store.
func (s *Store) ByThread(ctx context.Context, thread string) (*handoff.Case, error) {
	id, err := s.rdb.Get(ctx, s.threadKey(thread)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("case of thread %s: %w", thread, handoff.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("case of thread %s: %w", thread, err)
	}
	return s.get(ctx, s.rdb, id)
}

// Update implements handoff.Store with WATCH/MULTI: a write by anyone else between the read and
// the write aborts the transaction, and fn runs again on what they wrote.
func (s *Store) Update(ctx context.Context, id string, fn func(*handoff.Case) error) (*handoff.Case, error) {
	key := s.caseKey(id)
	for attempt := 0; attempt < maxAttempts; attempt++ {
		var c *handoff.Case
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
				p.Set(ctx, key, data, s.opt.Retention)
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
	status   handoff.Status
	waiting  bool
	notified time.Time
	active   time.Time
}

func indexOf(c *handoff.Case) indexed {
	var threads strings.Builder
	for _, t := range c.Threads {
		threads.WriteString(t.Key() + " ")
	}
	// The idle index moves a minute at a time: a case's messages within a minute cost no
	// index write, and the idle close checks the case itself before it acts.
	return indexed{threads: threads.String(), status: c.Status, waiting: c.Waiting(), notified: c.Notified, active: c.LastActive().Truncate(time.Minute)}
}

func (a indexed) equal(b indexed) bool {
	return a.threads == b.threads && a.status == b.status && a.waiting == b.waiting && a.notified.Equal(b.notified) && a.active.Equal(b.active)
}

// reindex brings the indexes in line with a saved case. They live in other slots, so this
// cannot be part of the transaction; readers check what an index names against the case.
func (s *Store) reindex(ctx context.Context, c *handoff.Case) error {
	pipe := s.rdb.Pipeline()
	for _, t := range c.Threads {
		pipe.Set(ctx, s.threadKey(t.Key()), c.ID, s.opt.Retention)
	}
	if c.Waiting() {
		pipe.ZAdd(ctx, s.dueKey(), redis.Z{Score: score(c.Notified), Member: c.ID})
		pipe.Expire(ctx, s.dueKey(), s.opt.Retention)
	} else {
		pipe.ZRem(ctx, s.dueKey(), c.ID)
	}
	if c.Status == handoff.Open {
		pipe.ZAdd(ctx, s.idleKey(), redis.Z{Score: score(c.LastActive()), Member: c.ID})
		pipe.Expire(ctx, s.idleKey(), s.opt.Retention)
	} else {
		pipe.ZRem(ctx, s.idleKey(), c.ID)
	}
	if c.Status != handoff.Open {
		// Eval, not Run: a pipeline cannot fall back from EVALSHA on NOSCRIPT.
		delIfScript.Eval(ctx, pipe, []string{s.openKey(c.Customer.Key())}, c.ID)
	}
	_, err := pipe.Exec(ctx)
	return err
}

// Append implements handoff.Store.
func (s *Store) Append(ctx context.Context, id string, es ...handoff.Entry) error {
	if err := s.push(ctx, s.logKey(id), handoff.TranscriptLimit, s.opt.Retention, es); err != nil {
		return fmt.Errorf("append to case %s: %w", id, err)
	}
	return nil
}

func (s *Store) push(ctx context.Context, key string, limit int, ttl time.Duration, es []handoff.Entry) error {
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
func (s *Store) pushTo(ctx context.Context, pipe redis.Pipeliner, key string, limit int, ttl time.Duration, vals []any) {
	pipe.RPush(ctx, key, vals...)
	pipe.LTrim(ctx, key, int64(-limit), -1)
	if ttl > 0 {
		pipe.Expire(ctx, key, ttl)
	}
}

func encode(es []handoff.Entry) ([]any, error) {
	// One buffer for all, sized for the texts and a little escaping: one allocation where
	// growing each entry's own took several (the log is written on every message).
	size := 0
	for _, e := range es {
		size += len(e.Text) + len(e.Name) + 96
	}
	buf := make([]byte, 0, size+size/8)
	vals := make([]any, len(es))
	for i, e := range es {
		start := len(buf)
		var err error
		if buf, err = e.AppendJSON(buf); err != nil {
			return nil, fmt.Errorf("encode entry: %w", err)
		}
		vals[i] = buf[start:len(buf):len(buf)]
	}
	return vals, nil
}

func (s *Store) list(ctx context.Context, key string) ([]handoff.Entry, error) {
	vals, err := s.rdb.LRange(ctx, key, 0, -1).Result()
	if err != nil {
		return nil, err
	}
	es := make([]handoff.Entry, 0, len(vals))
	for _, v := range vals {
		var e handoff.Entry
		if err := json.Unmarshal([]byte(v), &e); err != nil {
			return nil, err
		}
		es = append(es, e)
	}
	return es, nil
}

// Transcript implements handoff.Store.
func (s *Store) Transcript(ctx context.Context, id string) ([]handoff.Entry, error) {
	es, err := s.list(ctx, s.logKey(id))
	if err != nil {
		return nil, fmt.Errorf("transcript of case %s: %w", id, err)
	}
	return es, nil
}

// Recent implements handoff.Store.
func (s *Store) Recent(ctx context.Context, conv string) ([]handoff.Entry, error) {
	if err := s.Flush(ctx); err != nil {
		return nil, fmt.Errorf("recent of %s: %w", conv, err)
	}
	es, err := s.list(ctx, s.recentKey(conv))
	if err != nil {
		return nil, fmt.Errorf("recent of %s: %w", conv, err)
	}
	return es, nil
}

// Due implements handoff.Store.
func (s *Store) Due(ctx context.Context, before time.Time) ([]string, error) {
	ids, err := s.rdb.ZRangeByScore(ctx, s.dueKey(), &redis.ZRangeBy{
		Min: "-inf", Max: strconv.FormatInt(before.UnixMilli(), 10),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("due cases: %w", err)
	}
	slices.Sort(ids)
	return ids, nil
}

// Idle implements handoff.Store.
func (s *Store) Idle(ctx context.Context, before time.Time, limit int) ([]string, error) {
	ids, err := s.rdb.ZRangeByScore(ctx, s.idleKey(), &redis.ZRangeBy{
		Min: "-inf", Max: strconv.FormatInt(before.UnixMilli(), 10), Count: int64(limit),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("idle cases: %w", err)
	}
	return ids, nil
}

// AwaitComment implements handoff.Store.
func (s *Store) AwaitComment(ctx context.Context, conv, id string, ttl time.Duration) error {
	if ttl <= 0 {
		return nil
	}
	if err := s.rdb.Set(ctx, s.commentKey(conv), id, ttl).Err(); err != nil {
		return fmt.Errorf("await comment of %s: %w", conv, err)
	}
	return nil
}

// takeScript is GETDEL for servers before Redis 6.2.
var takeScript = redis.NewScript(`local v = redis.call("GET", KEYS[1]) if v then redis.call("DEL", KEYS[1]) end return v`)

// TakeComment implements handoff.Store.
func (s *Store) TakeComment(ctx context.Context, conv string) (string, error) {
	id, err := takeScript.Run(ctx, s.rdb, []string{s.commentKey(conv)}).Text()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("take comment of %s: %w", conv, err)
	}
	return id, nil
}

// Forget implements handoff.Store.
func (s *Store) Forget(ctx context.Context, who string) ([]string, error) {
	// Entries still queued would write the log again after it is erased.
	if err := s.Flush(ctx); err != nil {
		return nil, fmt.Errorf("forget %s: %w", who, err)
	}
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
			if errors.Is(err, handoff.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("forget %s: %w", who, err)
			}
			convs[c.Customer.Key()] = true
			for _, t := range c.Threads {
				keys = append(keys, s.threadKey(t.Key()))
			}
			for _, ref := range c.Refs() {
				keys = append(keys, s.whoKey(ref))
			}
			keys = append(keys, s.caseKey(key), s.logKey(key))
			if err := s.rdb.ZRem(ctx, s.dueKey(), key).Err(); err != nil {
				return nil, fmt.Errorf("forget %s: %w", who, err)
			}
			if err := s.rdb.ZRem(ctx, s.idleKey(), key).Err(); err != nil {
				return nil, fmt.Errorf("forget %s: %w", who, err)
			}
		}
	}
	keys = append(keys, s.whoKey(who))
	out := make([]string, 0, len(convs))
	for conv := range convs {
		keys = append(keys, s.recentKey(conv), s.openKey(conv), s.commentKey(conv))
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

// cut splits an index member "kind:key".
func cut(member string) (kind, key string, ok bool) {
	return strings.Cut(member, ":")
}
