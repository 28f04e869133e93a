package handoff_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/bot/handoff/casetest"
	"github.com/returnsbot/returnsbot/bot/handoff/rediscases"
	"github.com/returnsbot/returnsbot/dialog/memstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

// benchStores are the case stores the benchmarks compare.
func benchStores(b *testing.B) map[string]func() handoff.Store {
	return map[string]func() handoff.Store{
		"memory": func() handoff.Store { return handoff.NewMemoryStore() },
		"redis": func() handoff.Store {
			rdb := redisClient(b)
			return rediscases.New(rdb, rediscases.Options{Prefix: redistest.Prefix(b)})
		},
	}
}

// BenchmarkCustomerMessage measures what the Desk adds to a customer message that has no
// case, against the dialog Service alone: with memory sessions the long way (an open-case
// lookup, a session read, the rolling log), with Redis sessions the short way (the holds
// checked in the session's save, the rolling log written behind the reply).
func BenchmarkCustomerMessage(b *testing.B) {
	ctx := context.Background()
	run := func(b *testing.B, h bot.Handler) {
		m := customer(tgAnn, "help")
		if _, err := h.Handle(ctx, customer(tgAnn, "hi")); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			m.ID = strconv.Itoa(i)
			if _, err := h.Handle(ctx, m); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("service-alone", func(b *testing.B) {
		w := newWorld(b, handoff.NewMemoryStore(), memstore.New())
		run(b, w.desk.Dialog)
	})
	for _, name := range []string{"memory", "redis"} {
		b.Run("desk-"+name, func(b *testing.B) {
			w := newWorld(b, benchStores(b)[name](), memstore.New())
			run(b, w.desk)
		})
	}
	// Sessions in Redis too, as serve has them: the dialog alone, and behind the desk,
	// whose holds the session's save checks (no lookup of its own on this path).
	b.Run("service-alone-redis-sessions", func(b *testing.B) {
		cases, sessions := newRedisHeld(b)
		run(b, newWorld(b, cases, sessions).desk.Dialog)
	})
	b.Run("desk-redis-sessions", func(b *testing.B) {
		cases, sessions := newRedisHeld(b)
		run(b, newWorld(b, cases, sessions).desk)
	})
}

// BenchmarkRelay measures a customer message relayed to the staff threads of an open case.
func BenchmarkRelay(b *testing.B) {
	ctx := context.Background()
	for _, name := range []string{"memory", "redis"} {
		b.Run(name, func(b *testing.B) {
			w := newWorld(b, benchStores(b)[name](), memstore.New())
			for _, text := range []string{"hi", "person"} {
				if _, err := w.desk.Handle(ctx, customer(tgAnn, text)); err != nil {
					b.Fatal(err)
				}
			}
			w.desk.Wait() // the threads open in the background: relay to both
			m := customer(tgAnn, "here is more about my kettle")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				m.ID = "r" + strconv.Itoa(i)
				out, err := w.desk.Handle(ctx, m)
				if err != nil || len(out) != 2 {
					b.Fatalf("relay: %d replies, %v", len(out), err)
				}
			}
		})
	}
}

// BenchmarkClaim measures opening a case and claiming it with two staff racing.
func BenchmarkClaim(b *testing.B) {
	ctx := context.Background()
	for name, newStore := range benchStores(b) {
		b.Run(name, func(b *testing.B) {
			st := newStore()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				c, _, err := st.Open(ctx, casetest.NewCase("telegram", strconv.Itoa(i), "1"))
				if err != nil {
					b.Fatal(err)
				}
				done := make(chan error, 2)
				for _, who := range []string{"a", "b"} {
					go func() {
						_, err := handoff.Claim(ctx, st, c.ID, handoff.Staff{Platform: "discord", User: who}, now0)
						done <- err
					}()
				}
				e1, e2 := <-done, <-done
				if (e1 == nil) == (e2 == nil) {
					b.Fatalf("claims: %v and %v, want exactly one winner", e1, e2)
				}
			}
		})
	}
}
