package rediscases_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/bot/handoff/rediscases"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

func entry(i int) handoff.Entry {
	return handoff.Entry{At: time.Unix(int64(i), 0).UTC(), Who: handoff.Customer, Text: fmt.Sprint(i)}
}

// texts are the texts of a log, oldest first.
func texts(es []handoff.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Text
	}
	return out
}

// TestRecordKeepsOrder: the rolling log is written in the background, many conversations
// in one pipeline, and still each conversation's entries land in the order recorded.
func TestRecordKeepsOrder(t *testing.T) {
	ctx := context.Background()
	st := rediscases.New(redistest.Client(t), rediscases.Options{Prefix: redistest.Prefix(t), AutoPipeline: true})
	defer st.Close()
	const convs, each = 40, 100
	var wg sync.WaitGroup
	for c := range convs {
		wg.Go(func() {
			for i := range each {
				if err := st.Record(ctx, fmt.Sprintf("telegram:%d", c), "", entry(i)); err != nil {
					t.Errorf("Record: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	var want []string
	for i := each - handoff.RecentLimit; i < each; i++ {
		want = append(want, fmt.Sprint(i))
	}
	for c := range convs {
		es, err := st.Recent(ctx, fmt.Sprintf("telegram:%d", c))
		if err != nil {
			t.Fatalf("Recent: %v", err)
		}
		if got := fmt.Sprint(texts(es)); got != fmt.Sprint(want) {
			t.Fatalf("log of conversation %d:\n got %s\nwant %s", c, got, want)
		}
	}
}

// TestCloseWritesQueued: what is queued when the process stops is written before Close
// returns; a Record after it is refused, not lost silently.
func TestCloseWritesQueued(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	prefix := redistest.Prefix(t)
	st := rediscases.New(rdb, rediscases.Options{Prefix: prefix})
	for i := range 20 {
		if err := st.Record(ctx, "telegram:7", "", entry(i)); err != nil {
			t.Fatalf("Record: %v", err)
		}
	}
	st.Close()
	n, err := rdb.LLen(ctx, prefix+"handoff:recent:{telegram:7}").Result()
	if err != nil || n != 20 {
		t.Fatalf("LLEN after Close = %d, %v; want 20", n, err)
	}
	if err := st.Record(ctx, "telegram:7", "", entry(21)); !errors.Is(err, rediscases.ErrClosed) {
		t.Fatalf("Record after Close = %v, want ErrClosed", err)
	}
}

// TestRecordQueueIsBounded: when Redis stops answering, the queue fills and Record waits
// no longer than its context, instead of holding entries without bound.
func TestRecordQueueIsBounded(t *testing.T) {
	// A server that takes connections and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan []net.Conn, 1)
	go func() {
		var conns []net.Conn
		defer func() { accepted <- conns }()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for _, c := range <-accepted {
			c.Close()
		}
	})
	rdb := redis.NewClient(&redis.Options{Addr: ln.Addr().String(), Protocol: 2, DisableIdentity: true,
		ReadTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	st := rediscases.New(rdb, rediscases.Options{LogQueue: 1})
	defer st.Close()
	for i := range 10 {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		err := st.Record(ctx, "telegram:7", "", entry(i))
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			if i < 1 {
				t.Fatalf("Record %d waited with an empty queue", i)
			}
			return
		}
		if err != nil {
			t.Fatalf("Record %d: %v", i, err)
		}
	}
	t.Fatal("10 Records into a queue of 1 with Redis silent: none waited")
}
