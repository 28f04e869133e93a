package rediscases

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/bot/handoff"
)

// The rolling log is written off the customer's path: Record queues the entries and
// returns, and one goroutine per Store writes what is queued, the entries of many
// conversations in one pipeline, in the order they were recorded. It is a record, not
// the conversation (handoff.Store.Record): the customer's reply does not wait for it, and
// a failed write is logged. What reads the log (Recent, Forget) first waits for the
// entries recorded before it, so a case opened by this process starts from all of them;
// Close writes what is queued before the client goes.

// Defaults of the writer.
const (
	// DefaultLogQueue is Options.LogQueue unless set: entries of this many Record calls
	// wait at most, after which Record waits for room (or its context).
	DefaultLogQueue = 4096
	// logBatch bounds the records of one pipeline.
	logBatch = 256
	// logLinger is how long the writer rests after a small batch, so that a trickle of
	// messages is written a few at a time instead of one pipeline (and one wake-up of the
	// writer) each.
	logLinger = time.Millisecond
)

// ErrClosed is returned by Record after Close.
var ErrClosed = errors.New("rediscases: store closed")

// logJob is one Record call, or with done set a marker the writer closes once every job
// queued before it is written.
type logJob struct {
	conv, user string
	vals       []any
	done       chan struct{}
}

// logWriter is the queue of a Store's rolling-log writes and the goroutine draining it.
type logWriter struct {
	start sync.Once
	// mu guards closed against the sends of Record: Close takes it to close q.
	mu      sync.RWMutex
	closed  bool
	q       chan logJob
	stopped chan struct{}
}

// Record implements handoff.Store. The entries are written after it returns, in the
// order of the calls; it waits only when Options.LogQueue calls are queued, and then no
// longer than ctx.
func (s *Store) Record(ctx context.Context, conv, user string, es ...handoff.Entry) error {
	vals, err := encode(es)
	if err != nil || len(vals) == 0 {
		return err
	}
	if err := s.enqueue(ctx, logJob{conv: conv, user: user, vals: vals}); err != nil {
		return fmt.Errorf("record %s: %w", conv, err)
	}
	return nil
}

// Flush waits until the entries of every Record call before it are written (or have
// failed, which the writer logs).
func (s *Store) Flush(ctx context.Context) error {
	done := make(chan struct{})
	if err := s.enqueue(ctx, logJob{done: done}); err != nil {
		if errors.Is(err, ErrClosed) {
			return nil // Close wrote everything
		}
		return fmt.Errorf("flush conversation logs: %w", err)
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("flush conversation logs: %w", ctx.Err())
	}
}

// Close writes the entries still queued and stops the writer. Record fails after it; the
// Redis client stays the caller's to close, after this.
func (s *Store) Close() {
	w := &s.log
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	started := w.q != nil
	if started {
		close(w.q)
	}
	w.mu.Unlock()
	if started {
		<-w.stopped
	}
}

func (s *Store) enqueue(ctx context.Context, j logJob) error {
	w := &s.log
	w.start.Do(func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.closed {
			return
		}
		w.q = make(chan logJob, s.opt.LogQueue)
		w.stopped = make(chan struct{})
		go s.drain()
	})
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return ErrClosed
	}
	select {
	case w.q <- j:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// drain writes queued jobs until Close: each time, everything queued up to logBatch
// records in one pipeline, then, after a batch of fewer than logBatch/8, a rest of
// logLinger while more queue up.
func (s *Store) drain() {
	w := &s.log
	defer close(w.stopped)
	batch := make([]logJob, 0, logBatch)
	for j := range w.q {
		batch = append(batch[:0], j)
	more:
		for len(batch) < logBatch {
			select {
			case j, ok := <-w.q:
				if !ok {
					break more
				}
				batch = append(batch, j)
			default:
				break more
			}
		}
		s.writeLogs(batch)
		if len(batch) < logBatch/8 {
			time.Sleep(logLinger)
		}
	}
}

// writeLogs sends the records of a batch in one pipeline (without MULTI: on a cluster
// their keys lie in many slots) and then releases its markers.
func (s *Store) writeLogs(batch []logJob) {
	// Not the context of the message: its handling may have ended long ago. The client's
	// read and write timeouts bound the write.
	ctx := context.Background()
	pipe := s.rdb.Pipeline()
	records := 0
	for _, j := range batch {
		if j.done != nil {
			continue
		}
		records++
		s.pushTo(ctx, pipe, s.recentKey(j.conv), handoff.RecentLimit, s.opt.RecentTTL, j.vals)
		if j.user != "" && j.user != j.conv {
			pipe.SAdd(ctx, s.whoKey(j.user), "conv:"+j.conv)
			// Retention, like the case members it may hold: a shorter TTL set here would
			// let it expire before the cases it names.
			pipe.Expire(ctx, s.whoKey(j.user), s.opt.Retention)
		}
	}
	if records > 0 {
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			s.logger().Error("handoff: record conversations", "records", records, "err", err)
		}
	}
	for _, j := range batch {
		if j.done != nil {
			close(j.done)
		}
	}
}

func (s *Store) logger() *slog.Logger {
	if s.opt.Log != nil {
		return s.opt.Log
	}
	return slog.Default()
}
