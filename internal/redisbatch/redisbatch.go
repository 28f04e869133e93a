// Package redisbatch shares one Redis client's commands among the stores that use it: a
// command sent while no other of the process is in flight goes straight out, and one sent
// while others are goes through go-redis's autopipeliner, which writes the commands of
// concurrent conversations as one pipeline.
//
// Under load this is what keeps the bot's round trips from costing a pair of system
// calls and a wake-up each (docs/performance.md); alone, a command pays no wait for
// company. Every store of a process (sessions, cases, claims, outbox) counts its commands
// in the one Batcher of their client, so a session write and a claim write of two
// customers can share a pipeline.
package redisbatch

import (
	"sync"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// Batcher picks the way for each command. It is safe for concurrent use.
type Batcher struct {
	rdb redis.UniversalClient
	// pipeliner is nil when batching is off or the client has no autopipeliner.
	pipeliner *redis.AutoPipeliner
	inflight  atomic.Int64
}

// batchers holds the one Batcher of each client that batches (For).
var batchers sync.Map // redis.UniversalClient -> *Batcher

// For returns the Batcher of rdb: with batch true the same for every caller, as
// go-redis's autopipeliner is one per client (it is kept for the life of the process: a
// bot opens one client); with batch false one that always sends
// straight out, for an owner who turned batching off (REDIS_AUTOPIPELINE=off).
func For(rdb redis.UniversalClient, batch bool) *Batcher {
	if !batch {
		return &Batcher{rdb: rdb}
	}
	if b, ok := batchers.Load(rdb); ok {
		return b.(*Batcher)
	}
	b := &Batcher{rdb: rdb}
	if c, ok := rdb.(interface {
		AutoPipeline() (*redis.AutoPipeliner, error)
	}); ok {
		if ap, err := c.AutoPipeline(); err == nil {
			b.pipeliner = ap
		}
	}
	got, _ := batchers.LoadOrStore(rdb, b)
	return got.(*Batcher)
}

// Client returns what to send one command (or script) with, and a done func to call once
// its reply is read.
//
// A command the pipeliner sends again after a broken connection may run twice, as one
// the client itself retries may: the session's and the outbox's scripts recognise their
// own second run, a claim's SETNX that finds the record is resolved by bot.Service as
// its own, and the desk's lookup can at worst lose an awaited rating comment (the text
// then goes to the dialog).
func (b *Batcher) Client() (redis.Cmdable, func()) {
	if b.pipeliner == nil {
		return b.rdb, nop
	}
	if b.inflight.Add(1) > 1 {
		return b.pipeliner, b.release
	}
	return b.rdb, b.release
}

func (b *Batcher) release() { b.inflight.Add(-1) }

func nop() {}
