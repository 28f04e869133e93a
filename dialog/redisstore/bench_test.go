package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/memstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/loadgen"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
	"github.com/returnsbot/returnsbot/policy"
)

// BenchmarkStep measures dialog steps (load, Engine.Step, compare-and-set save) on a
// private redis-server, with 1 and 50 concurrent customers, and reports steps/s and the
// p50/p99 latency of a step. "memstore" is the same loop in memory: the dialog's own CPU
// cost, the ceiling of any store. "nocache" reads Redis before every step.
//
//	go test -run '^$' -bench Step -benchtime 20000x ./dialog/redisstore/
func BenchmarkStep(b *testing.B) {
	srv := redistest.Start(b)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	eng := dialog.NewEngine(policy.Default())
	stores := []struct {
		name string
		st   func() dialog.Store
	}{
		{"redis", func() dialog.Store { return redisstore.New(srv.Client(b), redisstore.Options{}) }},
		{"redis-nocache", func() dialog.Store {
			return redisstore.New(srv.Client(b), redisstore.Options{CacheSize: -1})
		}},
		{"redis-autopipeline", func() dialog.Store {
			return redisstore.New(srv.Client(b), redisstore.Options{AutoPipeline: true})
		}},
		{"memstore", func() dialog.Store { return memstore.New() }},
	}
	for _, s := range stores {
		for _, workers := range []int{1, 50} {
			b.Run(s.name+"/workers="+itoa(workers), func(b *testing.B) {
				step := loadgen.StoreStep(s.st(), eng, now)
				b.ResetTimer()
				res, err := loadgen.Run(context.Background(), loadgen.Config{
					Workers: workers, ConversationsPerWorker: 4, Steps: b.N, Prefix: "telegram:",
				}, step)
				if err != nil {
					b.Fatal(err)
				}
				if res.Errors > 0 {
					b.Fatalf("%d steps failed, the first with %v", res.Errors, res.FirstError)
				}
				b.ReportMetric(res.StepsPerSecond(), "steps/s")
				b.ReportMetric(float64(res.P50.Microseconds()), "p50-µs")
				b.ReportMetric(float64(res.P99.Microseconds()), "p99-µs")
			})
		}
	}
}

// BenchmarkClientCeiling is the same load with every step replaced by one go-redis
// EVALSHA of a script doing GET and SET on a session-sized value, the work of
// redis-benchmark's EVAL in .ci/bench-redis, so BenchmarkStep's figures can be read
// against what the Go client itself reaches on this machine.
//
//	go test -run '^$' -bench ClientCeiling -benchtime 20000x ./dialog/redisstore/
func BenchmarkClientCeiling(b *testing.B) {
	srv := redistest.Start(b)
	rdb := srv.Client(b)
	for _, pipelined := range []bool{false, true} {
		var sc redis.Scripter = rdb
		name := "go-redis"
		if pipelined {
			ap, err := rdb.(*redis.Client).AutoPipeline()
			if err != nil {
				b.Fatal(err)
			}
			sc, name = ap, "go-redis-autopipeline"
		}
		for _, workers := range []int{1, 50} {
			b.Run(name+"/workers="+itoa(workers), func(b *testing.B) {
				step := func(ctx context.Context, conv string, _ dialog.Input) error {
					return loadgen.CeilingScript.Run(ctx, sc, []string{"bench:{" + conv + "}:s"}, loadgen.CeilingValue).Err()
				}
				b.ResetTimer()
				res, err := loadgen.Run(context.Background(), loadgen.Config{
					Workers: workers, ConversationsPerWorker: 4, Steps: b.N, Prefix: "telegram:",
				}, step)
				if err != nil || res.Errors > 0 {
					b.Fatalf("%v; %d failed, the first with %v", err, res.Errors, res.FirstError)
				}
				b.ReportMetric(res.StepsPerSecond(), "evals/s")
				b.ReportMetric(float64(res.P50.Microseconds()), "p50-µs")
			})
		}
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
