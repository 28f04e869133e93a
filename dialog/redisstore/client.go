package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Timeouts used when the URL does not set them. go-redis defaults (5 s dial, 3 s read)
// would leave a customer waiting many seconds for the "try again" answer when Redis is
// down; a healthy Redis answers a session read or write in well under a millisecond.
const (
	defaultDialTimeout  = time.Second
	defaultReadTimeout  = time.Second
	defaultWriteTimeout = time.Second
	defaultPoolTimeout  = 2 * time.Second
	// One retry of a command covers a connection Redis closed while idle; more would
	// only delay the answer of a customer when Redis is really down.
	defaultMaxRetries    = 1
	defaultDialerRetries = 2
)

// NewClient returns a client for the Redis that redisURL names:
//
//	redis://[user:password@]host:port[/db][?option=value...]      one server
//	rediss://...                                                  one server over TLS
//	unix://[user:password@]/path/to/redis.sock[?db=N]            one server on a Unix socket
//	redis+cluster://[user:password@]host:port[?addr=host2:port2&addr=...]   Redis Cluster
//	rediss+cluster://...                                          Redis Cluster over TLS
//	redis+sentinel://[user:password@]host:port?master_name=NAME[&addr=host2:port2...][&password=P]
//	rediss+sentinel://...                                         Sentinel over TLS
//
// The options are go-redis's, in snake case (dial_timeout=2s, pool_size=20, ...). For
// Sentinel, the user and password of the URL are the Sentinels' and the query's
// username/password the master's. Unless the URL says otherwise, dial, read and write
// time out after a second and a failed command is retried once, so a stopped Redis fails
// a message within a few seconds (at once when the connection is refused) instead of
// hanging the conversation.
//
// Errors never repeat the password of the URL, so they are safe to log.
func NewClient(redisURL string) (redis.UniversalClient, error) {
	u, err := url.Parse(redisURL)
	if err != nil {
		// url.Error repeats the whole URL, password included: say less.
		return nil, errors.New("redis URL: not a valid URL")
	}
	q := u.Query()
	safe := redact(u)
	base, mode, _ := strings.Cut(u.Scheme, "+")
	if base != "redis" && base != "rediss" && !(base == "unix" && mode == "") {
		return nil, fmt.Errorf("redis URL %s: scheme must be redis, rediss, unix, redis+cluster or redis+sentinel", safe)
	}
	plain := *u
	plain.Scheme = base
	switch mode {
	case "":
		o, err := redis.ParseURL(plain.String())
		if err != nil {
			return nil, fmt.Errorf("redis URL %s: %w", safe, err)
		}
		setTimeouts(q, &o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.DialerRetries)
		return redis.NewClient(o), nil
	case "cluster":
		o, err := redis.ParseClusterURL(plain.String())
		if err != nil {
			return nil, fmt.Errorf("redis cluster URL %s: %w", safe, err)
		}
		setTimeouts(q, &o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.DialerRetries)
		return redis.NewClusterClient(o), nil
	case "sentinel":
		o, err := redis.ParseFailoverURL(plain.String())
		if err != nil {
			return nil, fmt.Errorf("redis sentinel URL %s: %w", safe, err)
		}
		if o.MasterName == "" {
			return nil, fmt.Errorf("redis sentinel URL %s: master_name is required", safe)
		}
		setTimeouts(q, &o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.DialerRetries)
		return redis.NewFailoverClient(o), nil
	}
	return nil, fmt.Errorf("redis URL %s: unknown mode %q: use redis+cluster or redis+sentinel", safe, mode)
}

// redact returns u without the passwords it may hold: in the user part, and for
// Sentinel in the query.
func redact(u *url.URL) string {
	c := *u
	q := c.Query()
	for k := range q {
		if strings.Contains(strings.ToLower(k), "password") {
			q.Set(k, "xxxxx")
		}
	}
	c.RawQuery = q.Encode()
	return c.Redacted()
}

// setTimeouts applies the package defaults to the options the URL leaves unset.
func setTimeouts(q url.Values, dial, read, write, pool *time.Duration, retries, dialRetries *int) {
	for _, d := range []struct {
		name string
		p    *time.Duration
		def  time.Duration
	}{
		{"dial_timeout", dial, defaultDialTimeout},
		{"read_timeout", read, defaultReadTimeout},
		{"write_timeout", write, defaultWriteTimeout},
		{"pool_timeout", pool, defaultPoolTimeout},
	} {
		if !q.Has(d.name) {
			*d.p = d.def
		}
	}
	if !q.Has("max_retries") {
		*retries = defaultMaxRetries
	}
	if !q.Has("dialer_retries") {
		*dialRetries = defaultDialerRetries
	}
}

// DeleteKeys deletes every key matching pattern (a SCAN pattern such as "rbload:42:*"),
// on each master of a Cluster, and returns how many it deleted. It scans rather than
// using KEYS, so a large Redis is not blocked; it is for tools and tests that clean up
// after themselves, not for the bot's own work.
func DeleteKeys(ctx context.Context, rdb redis.UniversalClient, pattern string) (int, error) {
	var n atomic.Int64
	del := func(ctx context.Context, node redis.Cmdable) error {
		iter := node.Scan(ctx, 0, pattern, 1000).Iterator()
		var batch []string
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			// One key per DEL: the keys of a batch may lie in different Cluster slots.
			pipe := node.Pipeline()
			for _, k := range batch {
				pipe.Del(ctx, k)
			}
			if _, err := pipe.Exec(ctx); err != nil {
				return err
			}
			n.Add(int64(len(batch)))
			batch = batch[:0]
			return nil
		}
		for iter.Next(ctx) {
			if batch = append(batch, iter.Val()); len(batch) == 500 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := iter.Err(); err != nil {
			return err
		}
		return flush()
	}
	var err error
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		// SCAN walks one node; a Cluster's keys are spread over its masters.
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return del(ctx, c) })
	} else {
		err = del(ctx, rdb)
	}
	if err != nil {
		return int(n.Load()), fmt.Errorf("delete keys %s: %w", pattern, err)
	}
	return int(n.Load()), nil
}
