package redisstore_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

func TestNewClient(t *testing.T) {
	tests := []struct {
		url   string
		check func(t *testing.T, c redis.UniversalClient)
	}{
		{"redis://127.0.0.1:6379/2", func(t *testing.T, c redis.UniversalClient) {
			o := simple(t, c)
			if o.Addr != "127.0.0.1:6379" || o.DB != 2 || o.TLSConfig != nil {
				t.Errorf("addr %q db %d tls %v, want 127.0.0.1:6379, 2, none", o.Addr, o.DB, o.TLSConfig != nil)
			}
			if o.DialTimeout != time.Second || o.ReadTimeout != time.Second || o.WriteTimeout != time.Second || o.MaxRetries != 1 {
				t.Errorf("timeouts dial %v read %v write %v retries %d, want 1s, 1s, 1s, 1", o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.MaxRetries)
			}
		}},
		{"redis://h:1?read_timeout=5s&max_retries=3", func(t *testing.T, c redis.UniversalClient) {
			o := simple(t, c)
			if o.ReadTimeout != 5*time.Second || o.MaxRetries != 3 || o.DialTimeout != time.Second {
				t.Errorf("read %v retries %d dial %v, want the URL's 5s and 3, and the default 1s", o.ReadTimeout, o.MaxRetries, o.DialTimeout)
			}
		}},
		{"rediss://user:s3cret@h:1", func(t *testing.T, c redis.UniversalClient) {
			o := simple(t, c)
			if o.TLSConfig == nil || o.Username != "user" || o.Password != "s3cret" {
				t.Errorf("tls %v user %q password %q, want TLS, user, s3cret", o.TLSConfig != nil, o.Username, o.Password)
			}
		}},
		{"unix:///tmp/redis.sock?db=3", func(t *testing.T, c redis.UniversalClient) {
			o := simple(t, c)
			if o.Network != "unix" || o.Addr != "/tmp/redis.sock" || o.DB != 3 {
				t.Errorf("network %q addr %q db %d, want unix /tmp/redis.sock 3", o.Network, o.Addr, o.DB)
			}
		}},
		{"redis+cluster://h:1?addr=h:2&addr=h:3&read_timeout=2s", func(t *testing.T, c redis.UniversalClient) {
			cc, ok := c.(*redis.ClusterClient)
			if !ok {
				t.Fatalf("got %T, want *redis.ClusterClient", c)
			}
			o := cc.Options()
			if strings.Join(o.Addrs, ",") != "h:1,h:2,h:3" || o.ReadTimeout != 2*time.Second || o.DialTimeout != time.Second {
				t.Errorf("addrs %v read %v dial %v, want h:1,h:2,h:3 2s 1s", o.Addrs, o.ReadTimeout, o.DialTimeout)
			}
		}},
		{"rediss+cluster://h:1", func(t *testing.T, c redis.UniversalClient) {
			cc, ok := c.(*redis.ClusterClient)
			if !ok || cc.Options().TLSConfig == nil {
				t.Errorf("got %T, want a *redis.ClusterClient with TLS", c)
			}
		}},
		{"redis+sentinel://h:26379?master_name=mymaster&addr=h:26380", func(t *testing.T, c redis.UniversalClient) {
			// A failover client is a *redis.Client that asks the Sentinels for the master.
			if _, ok := c.(*redis.Client); !ok {
				t.Errorf("got %T, want *redis.Client", c)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c, err := redisstore.NewClient(tt.url)
			if err != nil {
				t.Fatalf("NewClient: %v", err)
			}
			defer c.Close()
			tt.check(t, c)
		})
	}
}

func simple(t *testing.T, c redis.UniversalClient) *redis.Options {
	t.Helper()
	rc, ok := c.(*redis.Client)
	if !ok {
		t.Fatalf("got %T, want *redis.Client", c)
	}
	return rc.Options()
}

// TestNewClientErrors checks that bad URLs are refused with a message that says what is
// wrong, and never repeats the password, since the error ends up in logs.
func TestNewClientErrors(t *testing.T) {
	tests := []struct{ url, want string }{
		{"http://h:1", "scheme must be"},
		{"redis+tunnel://h:1", "unknown mode"},
		{"redis+sentinel://:hunter2@h:26379", "master_name is required"},
		{"redis+sentinel://h:26379?password=hunter2", "master_name is required"},
		{"redis+sentinel://h:26379?master_name=m&password=hunter2&bogus=1", "bogus"},
		{"redis://:hunter2@h:1/notadb", "invalid database"},
		{"redis://:hunter2@h:1?no_such_option=1", "no_such_option"},
		{"redis://:hunter2@h:%zz", "not a valid URL"},
		{"redis+cluster://:hunter2@h:1?read_timeout=soon", "read_timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c, err := redisstore.NewClient(tt.url)
			if err == nil {
				c.Close()
				t.Fatalf("NewClient(%q) succeeded, want an error saying %q", tt.url, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to say %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q repeats the password", err)
			}
		})
	}
}

// TestDeleteKeys deletes more keys than one batch holds, and only those matching.
func TestDeleteKeys(t *testing.T) {
	rdb := redistest.Client(t)
	ctx := context.Background()
	prefix := redistest.Prefix(t)
	pipe := rdb.Pipeline()
	for i := range 1203 {
		pipe.Set(ctx, prefix+"gone:"+strconv.Itoa(i), "x", time.Hour)
	}
	pipe.Set(ctx, prefix+"kept", "x", time.Hour)
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := redisstore.DeleteKeys(ctx, rdb, prefix+"gone:*")
	if err != nil || n != 1203 {
		t.Fatalf("DeleteKeys = %d, %v; want 1203 deleted", n, err)
	}
	left, err := rdb.Keys(ctx, prefix+"*").Result()
	if err != nil || len(left) != 1 || left[0] != prefix+"kept" {
		t.Fatalf("keys left: %q, %v; want only %skept", left, err, prefix)
	}
}
