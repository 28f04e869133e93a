package redisclaims

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/internal/redisbatch"
)

// OutboxOptions configure an Outbox.
type OutboxOptions struct {
	// Prefix starts every key; "" means DefaultPrefix.
	Prefix string
	// Retention is how long failed events are kept, and the TTL of the outbox's keys after
	// their last write; 0 means claims.DefaultRetention.
	Retention time.Duration
	// MaxPending bounds the events waiting for delivery; 0 means claims.DefaultMaxPending.
	MaxPending int
	// Now is the clock Add and Failed read; nil means time.Now.
	Now func() time.Time
	// AutoPipeline sends Add through the client's shared autopipeliner when other
	// commands are in flight (package redisbatch); the script adds an event once however
	// often it runs.
	AutoPipeline bool
}

// Outbox is a durable claims.Outbox in Redis: an event added is kept until it is acked or
// given up on, whatever happens to the processes that add and deliver it (as durable as
// the server's persistence settings make it). Its keys share the hash tag {outbox}, so
// every operation is one atomic script, in Cluster too.
type Outbox struct {
	rdb   redis.UniversalClient
	batch *redisbatch.Batcher
	opt   OutboxOptions
	keys  []string // due, events, meta, failed, delivered
}

var _ claims.Outbox = (*Outbox)(nil)

// NewOutbox returns an outbox on rdb.
func NewOutbox(rdb redis.UniversalClient, opt OutboxOptions) *Outbox {
	if opt.Prefix == "" {
		opt.Prefix = DefaultPrefix
	}
	if opt.Retention <= 0 {
		opt.Retention = claims.DefaultRetention
	}
	if opt.MaxPending <= 0 {
		opt.MaxPending = claims.DefaultMaxPending
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	p := opt.Prefix + "{outbox}:"
	return &Outbox{rdb: rdb, batch: redisbatch.For(rdb, opt.AutoPipeline), opt: opt, keys: []string{p + "due", p + "events", p + "meta", p + "failed", p + "delivered"}}
}

// Keys returns the outbox's keys: due, events, meta, failed, delivered.
func (o *Outbox) Keys() []string { return append([]string(nil), o.keys...) }

// The scripts take KEYS in the order of o.keys. meta holds "added_ms attempts last_error".

// addLua is the outbox's add as a Lua function, for addScript and for createScript
// (store.go), which queues a new claim's event in the write that stores the claim. It
// returns 1 when the event is queued (or was already), 0 when the outbox is full.
const addLua = `
local function add(due, events, meta, id, ev, now, ttl, max)
  if redis.call('HEXISTS', events, id) == 1 then return 1 end
  if redis.call('ZCARD', due) >= tonumber(max) then return 0 end
  redis.call('HSET', events, id, ev)
  redis.call('HSET', meta, id, now .. ' 0 ')
  redis.call('ZADD', due, now, id)
  for _, k in ipairs({due, events, meta}) do redis.call('PEXPIRE', k, ttl) end
  return 1
end
`

var addScript = redis.NewScript(addLua + `return add(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])`)

// addArgs are the arguments of add after its keys: the event's id and JSON, now, the
// keys' TTL and the bound of pending events.
func (o *Outbox) addArgs(e claims.Event) ([]any, error) {
	val, err := e.AppendJSON(nil)
	if err != nil {
		return nil, err
	}
	return []any{e.ID, val, o.opt.Now().UnixMilli(), o.opt.Retention.Milliseconds(), o.opt.MaxPending}, nil
}

// Add implements claims.Outbox.
func (o *Outbox) Add(ctx context.Context, e claims.Event) error {
	args, err := o.addArgs(e)
	if err != nil {
		return fmt.Errorf("add event %s: %w", e.ID, err)
	}
	c, done := o.batch.Client()
	n, err := addScript.Run(ctx, c, o.keys[:3], args...).Int()
	done()
	if err != nil {
		return fmt.Errorf("add event %s: %w", e.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("add event %s: %w", e.ID, claims.ErrOutboxFull)
	}
	return nil
}

var leaseScript = redis.NewScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local out = {}
for _, id in ipairs(ids) do
  local ev = redis.call('HGET', KEYS[2], id)
  if not ev then
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', KEYS[3], id)
  else
    local m = redis.call('HGET', KEYS[3], id) or (ARGV[1] .. ' 0 ')
    local added, att, err = string.match(m, '^(%d+) (%d+) (.*)$')
    att = tonumber(att) + 1
    redis.call('HSET', KEYS[3], id, added .. ' ' .. att .. ' ' .. err)
    redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[3]), id)
    table.insert(out, ev)
    table.insert(out, added)
    table.insert(out, att)
    table.insert(out, err)
  end
end
return out
`)

// Lease implements claims.Outbox.
func (o *Outbox) Lease(ctx context.Context, now time.Time, n int, lease time.Duration) ([]claims.Delivery, error) {
	if n <= 0 || n > claims.MaxLease {
		n = claims.MaxLease
	}
	vals, err := leaseScript.Run(ctx, o.rdb, o.keys[:3], now.UnixMilli(), n, lease.Milliseconds()).Slice()
	if err != nil {
		return nil, fmt.Errorf("lease events: %w", err)
	}
	out := make([]claims.Delivery, 0, len(vals)/4)
	for i := 0; i+3 < len(vals); i += 4 {
		var d claims.Delivery
		ev, _ := vals[i].(string)
		if err := json.Unmarshal([]byte(ev), &d.Event); err != nil {
			return nil, fmt.Errorf("lease events: decode: %w", err)
		}
		added, _ := strconv.ParseInt(fmt.Sprint(vals[i+1]), 10, 64)
		d.Added = time.UnixMilli(added).UTC()
		att, _ := vals[i+2].(int64)
		d.Attempts = int(att)
		d.LastError, _ = vals[i+3].(string)
		out = append(out, d)
	}
	return out, nil
}

var ackScript = redis.NewScript(`
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('INCR', KEYS[5])
redis.call('PEXPIRE', KEYS[5], ARGV[2])
return 1
`)

// Ack implements claims.Outbox.
func (o *Outbox) Ack(ctx context.Context, id string) error {
	n, err := ackScript.Run(ctx, o.rdb, o.keys, id, o.opt.Retention.Milliseconds()).Int()
	if err != nil {
		return fmt.Errorf("ack event %s: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("ack event %s: %w", id, claims.ErrUnknownEvent)
	}
	return nil
}

var failScript = redis.NewScript(`
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local m = redis.call('HGET', KEYS[3], ARGV[1]) or '0 0 '
local added, att = string.match(m, '^(%d+) (%d+)')
redis.call('HSET', KEYS[3], ARGV[1], added .. ' ' .. att .. ' ' .. ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1
`)

// Fail implements claims.Outbox.
func (o *Outbox) Fail(ctx context.Context, id string, retry time.Time, reason string) error {
	n, err := failScript.Run(ctx, o.rdb, o.keys[:3], id, retry.UnixMilli(), reason).Int()
	if err != nil {
		return fmt.Errorf("fail event %s: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("fail event %s: %w", id, claims.ErrUnknownEvent)
	}
	return nil
}

// giveUpScript moves an event from due to failed, then trims failed to the retention
// (ARGV[4] ms before now) and to ARGV[5] entries, dropping the trimmed events' data.
var giveUpScript = redis.NewScript(`
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
local m = redis.call('HGET', KEYS[3], ARGV[1]) or '0 0 '
local added, att = string.match(m, '^(%d+) (%d+)')
redis.call('HSET', KEYS[3], ARGV[1], added .. ' ' .. att .. ' ' .. ARGV[3])
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
local drop = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', '(' .. (tonumber(ARGV[2]) - tonumber(ARGV[4])))
local over = redis.call('ZCARD', KEYS[4]) - #drop - tonumber(ARGV[5])
if over > 0 then
  local extra = redis.call('ZRANGE', KEYS[4], #drop, #drop + over - 1)
  for _, id in ipairs(extra) do table.insert(drop, id) end
end
for _, id in ipairs(drop) do
  redis.call('ZREM', KEYS[4], id)
  redis.call('HDEL', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
end
for i = 2, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
return 1
`)

// GiveUp implements claims.Outbox.
func (o *Outbox) GiveUp(ctx context.Context, id string, now time.Time, reason string) error {
	n, err := giveUpScript.Run(ctx, o.rdb, o.keys[:4], id, now.UnixMilli(), reason, o.opt.Retention.Milliseconds(), claims.MaxFailed).Int()
	if err != nil {
		return fmt.Errorf("give up event %s: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("give up event %s: %w", id, claims.ErrUnknownEvent)
	}
	return nil
}

// cutoff is the score before which failures are past their retention.
func (o *Outbox) cutoff() string {
	return strconv.FormatInt(o.opt.Now().Add(-o.opt.Retention).UnixMilli(), 10)
}

// Failed implements claims.Outbox.
func (o *Outbox) Failed(ctx context.Context, n int) ([]claims.Failure, error) {
	if n <= 0 || n > claims.MaxFailed {
		n = claims.MaxFailed
	}
	zs, err := o.rdb.ZRevRangeByScoreWithScores(ctx, o.keys[3], &redis.ZRangeBy{Min: o.cutoff(), Max: "+inf", Count: int64(n)}).Result()
	if err != nil {
		return nil, fmt.Errorf("failed events: %w", err)
	}
	if len(zs) == 0 {
		return nil, nil
	}
	ids := make([]string, len(zs))
	for i, z := range zs {
		ids[i] = z.Member.(string)
	}
	var evs, metas *redis.SliceCmd
	_, err = o.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		evs = p.HMGet(ctx, o.keys[1], ids...)
		metas = p.HMGet(ctx, o.keys[2], ids...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed events: %w", err)
	}
	out := make([]claims.Failure, 0, len(ids))
	for i, z := range zs {
		ev, ok := evs.Val()[i].(string)
		if !ok {
			continue
		}
		f := claims.Failure{Failed: time.UnixMilli(int64(z.Score)).UTC()}
		if err := json.Unmarshal([]byte(ev), &f.Event); err != nil {
			return nil, fmt.Errorf("failed events: decode %s: %w", ids[i], err)
		}
		m, _ := metas.Val()[i].(string)
		var added int64
		if _, err := fmt.Sscanf(m, "%d %d", &added, &f.Attempts); err == nil {
			f.Added = time.UnixMilli(added).UTC()
		}
		if _, rest, ok := cut2(m); ok {
			f.Reason = rest
		}
		out = append(out, f)
	}
	return out, nil
}

// cut2 returns what follows the second space of a meta value: the last error.
func cut2(m string) (head, rest string, ok bool) {
	n := 0
	for i := range len(m) {
		if m[i] == ' ' {
			if n++; n == 2 {
				return m[:i], m[i+1:], true
			}
		}
	}
	return m, "", false
}

// Counts implements claims.Outbox.
func (o *Outbox) Counts(ctx context.Context) (claims.Counts, error) {
	var pending, failed *redis.IntCmd
	var delivered *redis.StringCmd
	_, err := o.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		pending = p.ZCard(ctx, o.keys[0])
		delivered = p.Get(ctx, o.keys[4])
		failed = p.ZCount(ctx, o.keys[3], o.cutoff(), "+inf")
		return nil
	})
	if err != nil && err != redis.Nil {
		return claims.Counts{}, fmt.Errorf("outbox counts: %w", err)
	}
	d, _ := delivered.Int64()
	return claims.Counts{Pending: pending.Val(), Delivered: d, Failed: failed.Val()}, nil
}

// forgetScript erases the events ARGV from the due and failed sets and the hashes, and
// returns how many it held.
var forgetScript = redis.NewScript(`
local n = 0
for _, id in ipairs(ARGV) do
  n = n + redis.call('HDEL', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[4], id)
end
return n
`)

// Forget implements claims.Outbox. It scans the events hash in batches, reading only the
// customer fields of each event.
func (o *Outbox) Forget(ctx context.Context, userKey string) (int, error) {
	var who struct {
		Claim struct {
			Platform string `json:"platform"`
			User     string `json:"user"`
		} `json:"claim"`
	}
	total := 0
	var cursor uint64
	for {
		kv, next, err := o.rdb.HScan(ctx, o.keys[1], cursor, "", 500).Result()
		if err != nil {
			return total, fmt.Errorf("forget events of %s: %w", userKey, err)
		}
		var ids []any
		for i := 0; i+1 < len(kv); i += 2 {
			if json.Unmarshal([]byte(kv[i+1]), &who) == nil && claims.UserKey(who.Claim.Platform, who.Claim.User) == userKey {
				ids = append(ids, kv[i])
			}
		}
		if len(ids) > 0 {
			n, err := forgetScript.Run(ctx, o.rdb, o.keys[:4], ids...).Int()
			if err != nil {
				return total, fmt.Errorf("forget events of %s: %w", userKey, err)
			}
			total += n
		}
		if cursor = next; cursor == 0 {
			return total, nil
		}
	}
}
