// Package redisfunnel keeps the dialog funnel's per-day tally (funnel.Tally) in Redis: one
// hash per UTC day, "<prefix>{funnel}:<YYYY-MM-DD>", whose fields are "<kind>|<question
// id>" counted with HINCRBY. Each day's hash expires Retention after its last count, so
// the tally is bounded by retention days × questions × 3 fields.
package redisfunnel

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/funnel"
)

// DefaultPrefix starts every key when the options give none; it is the session store's.
const DefaultPrefix = "rb:"

// Options configure a Tally.
type Options struct {
	// Prefix starts every key; "" means DefaultPrefix.
	Prefix string
	// Retention is how long a day's counts are kept after its last one; zero means
	// funnel.DefaultRetention.
	Retention time.Duration
}

// Tally is a funnel.Tally in Redis.
type Tally struct {
	rdb redis.UniversalClient
	opt Options
}

// New returns a Tally on rdb.
func New(rdb redis.UniversalClient, opt Options) *Tally {
	if opt.Prefix == "" {
		opt.Prefix = DefaultPrefix
	}
	if opt.Retention <= 0 {
		opt.Retention = funnel.DefaultRetention
	}
	return &Tally{rdb: rdb, opt: opt}
}

// DayKey is the key of the hash of the UTC day of t.
func (t *Tally) DayKey(day time.Time) string {
	return t.opt.Prefix + "{funnel}:" + funnel.DayOf(day).Format(time.DateOnly)
}

// Add implements funnel.Tally: one pipelined round trip of HINCRBYs and an EXPIRE.
func (t *Tally) Add(ctx context.Context, at time.Time, es []funnel.Event) error {
	if len(es) == 0 {
		return nil
	}
	key := t.DayKey(at)
	_, err := t.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, e := range es {
			p.HIncrBy(ctx, key, string(e.Kind)+"|"+e.Question, 1)
		}
		p.Expire(ctx, key, t.opt.Retention)
		return nil
	})
	if err != nil {
		return fmt.Errorf("funnel tally of %s: %w", key, err)
	}
	return nil
}

// Days implements funnel.Tally: one pipelined HGETALL per day.
func (t *Tally) Days(ctx context.Context, since, until time.Time) ([]funnel.Day, error) {
	days := funnel.Range(since, until)
	if len(days) == 0 {
		return nil, nil
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
