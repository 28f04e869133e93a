// Package redisfunnel keeps the dialog funnel's per-day tally (funnel.Tally) in Redis: one
// hash per UTC day, "<prefix>{funnel}:<YYYY-MM-DD>", whose fields are "<kind>|<question
// id>" counted with HINCRBY. Each day's hash expires Retention after its last count, so
// the tally is bounded by retention days × questions × 3 fields.
//
// Counts are summed in the process and written once every Options.FlushEvery (a second
// by default), all days' in one pipeline, instead of a round trip on every dialog step:
// the tally is a statistic, and a customer's answer never waits for it. Days and Close
// write what is pending first; a process that dies loses at most that last second's
// counts, and a write that fails keeps its counts for the next.
package redisfunnel

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/funnel"
)

// DefaultPrefix starts every key when the options give none; it is the session store's.
const DefaultPrefix = "rb:"

// DefaultFlushEvery is Options.FlushEvery unless set.
const DefaultFlushEvery = time.Second

// Options configure a Tally.
type Options struct {
	// Prefix starts every key; "" means DefaultPrefix.
	Prefix string
	// Retention is how long a day's counts are kept after its last one; zero means
	// funnel.DefaultRetention.
	Retention time.Duration
	// FlushEvery is how often the counts summed in the process are written; 0 means
	// DefaultFlushEvery, a negative duration writes on every Add.
	FlushEvery time.Duration
	// Log receives the errors of the background writes; nil means slog.Default().
	Log *slog.Logger
}

// Tally is a funnel.Tally in Redis. Close it before its client.
type Tally struct {
	rdb redis.UniversalClient
	opt Options

	mu      sync.Mutex
	pending counts // not yet written
	started bool
	closed  bool
	stop    chan struct{}
	stopped chan struct{}
	// writing serialises the writes, so Days after Flush sees every count before it.
	writing sync.Mutex
}

// New returns a Tally on rdb.
func New(rdb redis.UniversalClient, opt Options) *Tally {
	if opt.Prefix == "" {
		opt.Prefix = DefaultPrefix
	}
	if opt.Retention <= 0 {
		opt.Retention = funnel.DefaultRetention
	}
	if opt.FlushEvery == 0 {
		opt.FlushEvery = DefaultFlushEvery
	}
	return &Tally{rdb: rdb, opt: opt, pending: counts{}}
}

// counts are a tally not yet written: day key → hash field → count.
type counts map[string]map[string]int64

func (c counts) add(key, field string, n int64) {
	fields := c[key]
	if fields == nil {
		fields = map[string]int64{}
		c[key] = fields
	}
	fields[field] += n
}

// events counts es on the day key.
func (c counts) events(key string, es []funnel.Event) {
	for _, e := range es {
		c.add(key, string(e.Kind)+"|"+e.Question, 1)
	}
}

// DayKey is the key of the hash of the UTC day of t.
func (t *Tally) DayKey(day time.Time) string {
	return t.opt.Prefix + "{funnel}:" + funnel.DayOf(day).Format(time.DateOnly)
}

// Add implements funnel.Tally: it adds the events to the counts pending, written within
// FlushEvery (or, with a negative FlushEvery, at once in one pipelined round trip).
func (t *Tally) Add(ctx context.Context, at time.Time, es []funnel.Event) error {
	if len(es) == 0 {
		return nil
	}
	key := t.DayKey(at)
	t.mu.Lock()
	if t.opt.FlushEvery < 0 || t.closed {
		t.mu.Unlock()
		now := counts{}
		now.events(key, es)
		return t.write(ctx, now)
	}
	t.pending.events(key, es)
	if !t.started {
		t.started = true
		t.stop, t.stopped = make(chan struct{}), make(chan struct{})
		go t.run()
	}
	t.mu.Unlock()
	return nil
}

// run writes the pending counts every FlushEvery until Close.
func (t *Tally) run() {
	defer close(t.stopped)
	tick := time.NewTicker(t.opt.FlushEvery)
	defer tick.Stop()
	for {
		select {
		case <-t.stop:
			return
		case <-tick.C:
			// Not a message's context: the client's timeouts bound the write.
			if err := t.Flush(context.Background()); err != nil {
				t.logger().Error("funnel: write the tally", "err", err)
			}
		}
	}
}

// Flush writes the counts pending now. A write that fails puts them back, to go with the
// next one.
func (t *Tally) Flush(ctx context.Context) error {
	t.writing.Lock()
	defer t.writing.Unlock()
	t.mu.Lock()
	days := t.pending
	t.pending = counts{}
	t.mu.Unlock()
	if len(days) == 0 {
		return nil
	}
	err := t.write(ctx, days)
	if err != nil {
		t.mu.Lock()
		for key, fields := range days {
			for f, n := range fields {
				t.pending.add(key, f, n)
			}
		}
		t.mu.Unlock()
	}
	return err
}

// Close writes what is pending and stops the background writes; an Add after it writes
// at once. The client stays the caller's to close, after this.
func (t *Tally) Close() error {
	t.mu.Lock()
	already, started := t.closed, t.started
	t.closed = true
	t.mu.Unlock()
	if already {
		return nil
	}
	if started {
		close(t.stop)
		<-t.stopped
	}
	return t.Flush(context.Background())
}

// write counts days in one pipelined round trip of HINCRBYs and EXPIREs.
func (t *Tally) write(ctx context.Context, days counts) error {
	_, err := t.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for key, fields := range days {
			for f, n := range fields {
				p.HIncrBy(ctx, key, f, n)
			}
			p.Expire(ctx, key, t.opt.Retention)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("funnel tally: %w", err)
	}
	return nil
}

func (t *Tally) logger() *slog.Logger {
	if t.opt.Log != nil {
		return t.opt.Log
	}
	return slog.Default()
}

// Days implements funnel.Tally: one pipelined HGETALL per day.
func (t *Tally) Days(ctx context.Context, since, until time.Time) ([]funnel.Day, error) {
	days := funnel.Range(since, until)
	if len(days) == 0 {
		return nil, nil
	}
	// This process's own counts first, so a read after a step sees it.
	if err := t.Flush(ctx); err != nil {
		return nil, fmt.Errorf("funnel days: %w", err)
	}
	cmds := make([]*redis.MapStringStringCmd, len(days))
	_, err := t.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, d := range days {
			cmds[i] = p.HGetAll(ctx, t.DayKey(d))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("funnel days %s to %s: %w", days[0].Format(time.DateOnly), days[len(days)-1].Format(time.DateOnly), err)
	}
	var out []funnel.Day
	for i, c := range cmds {
		fields := c.Val()
		if len(fields) == 0 {
			continue
		}
		d := funnel.Day{Date: days[i], Counts: map[funnel.Kind]map[string]int64{}}
		for f, v := range fields {
			kind, q, ok := strings.Cut(f, "|")
			n, err := strconv.ParseInt(v, 10, 64)
			if !ok || err != nil {
				continue // not ours: a hash field written by hand
			}
			k := funnel.Kind(kind)
			if d.Counts[k] == nil {
				d.Counts[k] = map[string]int64{}
			}
			d.Counts[k][q] += n
		}
		out = append(out, d)
	}
	return out, nil
}
