// Package loadgen drives many customers through the dialog at once and measures dialog
// steps per second and step latency. It backs the Redis store's benchmarks and the
// returnsload command, so both measure the same thing.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/dialog"
)

// Claim is the conversation each simulated customer repeats: a warranty claim from
// "restart" through the read-back to the decision and a message after it. Its answers fit a clock in late 2026.
var Claim = []dialog.Input{
	{Text: "restart"},
	{Text: "2026-06-01"},
	{Button: "packaging:intact"},
	{Text: "yes"},
	{Text: "The kettle stopped heating after a week"},
	{Text: "yes"},
	{Button: "confirm_summary:yes"},
	{Text: "thanks"},
}

// StepFunc handles one input of one conversation: it loads the session, runs the dialog
// step, and saves the result (bot.Service.Handle, or the same loop on a bare store).
type StepFunc func(ctx context.Context, conversation string, in dialog.Input) error

// Config says how much load to generate.
type Config struct {
	// Workers run concurrently, each with its own conversations, handling one message at
	// a time as a customer waiting for the answer would.
	Workers int
	// ConversationsPerWorker is how many customers each worker alternates between.
	ConversationsPerWorker int
	// Claims is how many claims a customer makes before a new customer takes the
	// place (a new conversation, as in real traffic, where most chats are short); 0
	// means the same customers claim again and again.
	Claims int
	// Steps ends the run after this many steps in all (0: no limit), shared evenly
	// among the workers so that a worker the scheduler starts late still gets its part;
	// Duration ends it after this long (0: no limit). One of them must be set.
	Steps    int
	Duration time.Duration
	// Prefix starts every conversation name ("telegram:"); the rest is a number, as
	// platform chat ids are.
	Prefix string
}

// Result is what a run measured.
type Result struct {
	Steps   int
	Errors  int
	Elapsed time.Duration
	// Latency percentiles of a step, each measured around one StepFunc call.
	P50, P99, Max time.Duration
	// FirstError is the first error a step returned, if any.
	FirstError error
}

// StepsPerSecond is the throughput of the run.
func (r Result) StepsPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Steps) / r.Elapsed.Seconds()
}

func (r Result) String() string {
	return fmt.Sprintf("%d steps in %v: %.0f steps/s, p50 %v, p99 %v, max %v, %d errors",
		r.Steps, r.Elapsed.Round(time.Millisecond), r.StepsPerSecond(),
		r.P50, r.P99, r.Max, r.Errors)
}

// Run generates load with step until cfg's limit or ctx ends.
func Run(ctx context.Context, cfg Config, step StepFunc) (Result, error) {
	if cfg.Workers < 1 {
		return Result{}, fmt.Errorf("loadgen: %d workers, want 1 or more", cfg.Workers)
	}
	if cfg.Steps <= 0 && cfg.Duration <= 0 {
		return Result{}, fmt.Errorf("loadgen: set Steps or Duration")
	}
	if cfg.ConversationsPerWorker < 1 {
		cfg.ConversationsPerWorker = 1
	}
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		res       Result
		wg        sync.WaitGroup
	)
	start := time.Now()
	for w := range cfg.Workers {
		// quota is this worker's share of Steps; -1 is no limit.
		quota := -1
		if cfg.Steps > 0 {
			quota = cfg.Steps / cfg.Workers
			if w < cfg.Steps%cfg.Workers {
				quota++
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, 1024)
			var errs int
			var first error
			pos := make([]int, cfg.ConversationsPerWorker)
			gen := make([]int, cfg.ConversationsPerWorker)
			for i := 0; ctx.Err() == nil && i != quota; i++ {
				c := i % cfg.ConversationsPerWorker
				if cfg.Claims > 0 && pos[c] == cfg.Claims*len(Claim) {
					gen[c], pos[c] = gen[c]+1, 0
				}
				conv := conversation(cfg, w, c, gen[c])
				in := Claim[pos[c]%len(Claim)]
				pos[c]++
				t0 := time.Now()
				err := step(ctx, conv, in)
				d := time.Since(t0)
				if err != nil {
					if ctx.Err() != nil {
						break // the run ended during the step: not a failure
					}
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				mine = append(mine, d)
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			res.Errors += errs
			if res.FirstError == nil {
				res.FirstError = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.Steps = len(latencies)
	if len(latencies) > 0 {
		slices.Sort(latencies)
		res.P50 = Percentile(latencies, 0.50)
		res.P99 = Percentile(latencies, 0.99)
		res.Max = latencies[len(latencies)-1]
	}
	return res, nil
}

// Conversation names the first conversation in slot c of worker w: a ten-digit number
// like a chat id.
func Conversation(cfg Config, w, c int) string { return conversation(cfg, w, c, 0) }

// conversation names the gen-th conversation in slot c of worker w.
func conversation(cfg Config, w, c, gen int) string {
	per := max(cfg.ConversationsPerWorker, 1)
	return cfg.Prefix + strconv.Itoa(1_000_000_000+(gen*cfg.Workers+w)*per+c)
}

// Percentile returns the p-th quantile of sorted latencies (nearest rank).
func Percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// StoreStep returns a StepFunc that runs the dialog on st the way bot.Service does:
// load, step, save with compare-and-set, and again on a conflict.
func StoreStep(st dialog.Store, eng *dialog.Engine, now time.Time) StepFunc {
	return func(ctx context.Context, conv string, in dialog.Input) error {
		for range 16 {
			s, err := st.Load(ctx, conv)
			if err != nil {
				return err
			}
			eng.Step(s, in, now)
			err = st.Save(ctx, conv, s)
			if err == nil {
				return nil
			}
			if !errors.Is(err, dialog.ErrConflict) {
				return err
			}
		}
		return fmt.Errorf("step %s: too many conflicts", conv)
	}
}

// CeilingScript and CeilingValue are redis-benchmark's work in .ci/bench-redis, one EVAL
// doing GET and SET of a session-sized value: a step that is nothing but the store's
// round trip, for reading the dialog's figures against what the Go client itself reaches
// (BenchmarkClientCeiling, returnsload -client).
var CeilingScript = redis.NewScript(`local v = redis.call('GET', KEYS[1]) redis.call('SET', KEYS[1], ARGV[1], 'PX', 2592000000) return 1`)

// CeilingValue is the value CeilingScript sets: 300 bytes, the size of a session.
var CeilingValue = strings.Repeat("x", 300)
