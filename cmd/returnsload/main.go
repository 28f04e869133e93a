// Command returnsload measures the dialog on a Redis session store: simulated customers
// run warranty claims through bot.Service, as the bot does for Telegram updates, and it
// reports dialog steps per second, step latency and the memory a session takes in Redis.
//
//	REDIS_URL=redis://127.0.0.1:6379 returnsload [-workers 1,50] [-duration 10s]
//
// Its keys start with a prefix of their own (rbload:<pid>:) and are deleted at the end,
// so it can run against a Redis that holds real sessions; still, it loads that Redis.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/loadgen"
	"github.com/returnsbot/returnsbot/internal/redisbatch"
	"github.com/returnsbot/returnsbot/internal/redisstores"
	"github.com/returnsbot/returnsbot/policy"
	"github.com/returnsbot/returnsbot/webhook"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "returnsload:", err)
		os.Exit(1)
	}
}

// report is the -json output, one object per worker count.
type report struct {
	Workers      int     `json:"workers"`
	Steps        int     `json:"steps"`
	Errors       int     `json:"errors"`
	StepsPerSec  float64 `json:"steps_per_sec"`
	P50Micros    int64   `json:"p50_us"`
	P99Micros    int64   `json:"p99_us"`
	SessionBytes int64   `json:"session_bytes,omitempty"`
	// ClaimBytes is MEMORY USAGE of one claim record (with -record).
	ClaimBytes int64 `json:"claim_bytes,omitempty"`
	// CPUMicros is the CPU time (user and system) this process spent per step over the
	// run, goroutines behind the replies included; RedisCPUMicros is the server's (INFO
	// cpu; 0 if it does not say). Unlike steps/s, which follow the machine's speed from
	// minute to minute, these follow the work a step costs.
	CPUMicros      float64 `json:"cpu_us_per_step"`
	RedisCPUMicros float64 `json:"redis_cpu_us_per_step"`
	// Switches is the context switches of this process per step: its threads going to
	// sleep and being woken, which on a VM costs more than most of a step's code.
	Switches float64 `json:"switches_per_step"`
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("returnsload", flag.ContinueOnError)
	workersFlag := fs.String("workers", "1,50", "comma-separated worker counts, one run each")
	duration := fs.Duration("duration", 10*time.Second, "length of each run")
	steps := fs.Int("steps", 0, "end each run after this many steps instead of -duration (for instruction counts under valgrind)")
	convs := fs.Int("conversations", 4, "conversations each worker alternates between")
	claims := fs.Int("claims", 1, "claims per customer before a new one takes the place (0: the same customers forever)")
	noCache := fs.Bool("nocache", false, "read the session from Redis before every step (turn off the store's cache)")
	pipeline := fs.Bool("autopipeline", true, "batch concurrent writes (the bot's default; REDIS_AUTOPIPELINE)")
	dedup := fs.Bool("dedup", true, "remember message ids for 24 h (the bot's default)")
	asJSON := fs.Bool("json", false, "print one JSON object per run")
	record := fs.Bool("record", true, "record each decision as a claim with its webhook event in Redis, as serve does with REDIS_URL and WEBHOOK_URL")
	deliver := fs.Bool("deliver", false, "with -record, deliver the events as serve does with WEBHOOK_URL, signed, to an endpoint in this process that accepts each at once (its CPU counts as the bot's); without it the outbox grows through the run")
	desk := fs.Bool("desk", true, "put a staff desk (cases in Redis) in front of the service, as serve does with STAFF_TELEGRAM_CHAT")
	tally := fs.Bool("funnel", true, "tally the dialog funnel in Redis for the dashboard, as serve does with REDIS_URL")
	tallyEvery := fs.Duration("funnel-flush", 0, "write the funnel's counts this often (0: redisfunnel's default; negative: a round trip on every step, as before they were summed)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the runs to this file")
	memProfile := fs.String("memprofile", "", "write an allocation profile of the runs to this file")
	clientOnly := fs.Bool("client", false, "replace every step with one EVALSHA doing GET and SET of a 300-byte value through the bot's Redis client (the work of redis-benchmark's EVAL in .ci/bench-redis): what the Go client itself reaches, to read the service's figures against")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *memProfile != "" {
		runtime.MemProfileRate = 4096 // finer than the default, for a run of seconds
		defer func() {
			if err := writeHeapProfile(*memProfile); err != nil {
				fmt.Fprintln(os.Stderr, "returnsload:", err)
			}
		}()
	}
	var counts []int
	for _, f := range strings.Split(*workersFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("-workers %q: want numbers of 1 or more", *workersFlag)
		}
		counts = append(counts, n)
	}
	url := getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379"
	}
	rdb, err := redisstore.NewClient(url)
	if err != nil {
		return fmt.Errorf("REDIS_URL: %w", err)
	}
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis does not answer: %w", err)
	}
	opt := redisstore.Options{Prefix: fmt.Sprintf("rbload:%d:", os.Getpid()), AutoPipeline: *pipeline}
	if *noCache {
		opt.CacheSize = -1
	}
	if !*dedup {
		opt.Dedup = -1
	}
	logger := slog.New(slog.DiscardHandler)
	// The stores as serve wires them; the flags choose which of them the service uses.
	stores := redisstores.Open(rdb, redisstores.Options{Sessions: opt, FunnelFlush: *tallyEvery, Log: logger})
	now := func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }
	svc := &bot.Service{
		Engine:  dialog.NewEngine(policy.Default()),
		Store:   stores.Sessions,
		Now:     now,
		Log:     logger,
		Metrics: &bot.Metrics{},
	}
	var handler bot.Handler = svc
	stopDelivery := func() {}
	if *tally {
		svc.Funnel = stores.Funnel
	}
	if *record {
		svc.Claims, svc.Outbox = stores.Claims, stores.Outbox
		svc.Metrics.Outbox = svc.Outbox
		if *deliver {
			stopDelivery = deliverEvents(ctx, stores.Outbox)
		}
	}
	if *desk {
		svc.ForgetCases = stores.Cases.Forget
		handler = &handoff.Desk{
			Dialog: svc, Engine: svc.Engine, Claims: svc.Claims, Outbox: svc.Outbox, Metrics: svc.Metrics,
			Cases: stores.Cases, Router: bot.Router{}, Now: now, Log: logger,
			Desks:  []bot.Address{{Platform: "telegram", Chat: "-100999"}},
			Access: handoff.Access{Users: map[string]bool{handoff.UserRef("telegram", "1"): true}},
		}
	}
	ceiling := clientCeiling{batch: redisbatch.For(rdb, *pipeline), prefix: opt.Prefix}
	if *clientOnly {
		handler, *record = ceiling, false
	}
	var updateID atomic.Int64
	updateID.Store(900_000_000)
	step := func(ctx context.Context, conv string, in dialog.Input) error {
		out, err := handler.Handle(ctx, bot.Message{
			ID:   strconv.FormatInt(updateID.Add(1), 10),
			From: bot.Address{Platform: "telegram", Chat: conv},
			User: conv, UserName: "Load",
			Text: in.Text, Button: in.Button,
		})
		if err == nil && len(out) == 0 {
			return errors.New("no reply")
		}
		return err
	}
	defer func() {
		stopDelivery() // before the keys go: it writes the outbox's
		// What the stores write behind the replies is keys of the run too.
		if err := stores.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "returnsload:", err)
		}
		// Leave the Redis as it was found.
		if _, err := redisstore.DeleteKeys(context.Background(), rdb, opt.Prefix+"*"); err != nil {
			fmt.Fprintln(os.Stderr, "returnsload: delete the keys of the run:", err)
		}
	}()
	for _, n := range counts {
		cfg := loadgen.Config{Workers: n, ConversationsPerWorker: *convs, Claims: *claims, Duration: *duration}
		if *steps > 0 {
			cfg.Steps, cfg.Duration = *steps, 0
		}
		use0, rcpu0 := processUsage(), redisCPU(ctx, rdb)
		res, err := loadgen.Run(ctx, cfg, step)
		if err != nil {
			return err
		}
		use, rcpu := processUsage(), redisCPU(ctx, rdb)-rcpu0
		if ctx.Err() != nil {
			return ctx.Err()
		}
		key := stores.Sessions.Key("telegram:" + loadgen.Conversation(cfg, 0, 0))
		if *clientOnly {
			key = ceiling.key(loadgen.Conversation(cfg, 0, 0))
		}
		size, err := keyBytes(ctx, rdb, key)
		if err != nil {
			return err
		}
		r := report{Workers: n, Steps: res.Steps, Errors: res.Errors, StepsPerSec: res.StepsPerSecond(),
			P50Micros: res.P50.Microseconds(), P99Micros: res.P99.Microseconds(), SessionBytes: size}
		if res.Steps > 0 {
			r.CPUMicros = float64((use.cpu - use0.cpu).Microseconds()) / float64(res.Steps)
			r.Switches = float64(use.switches-use0.switches) / float64(res.Steps)
			r.RedisCPUMicros = float64(rcpu.Microseconds()) / float64(res.Steps)
		}
		if *record {
			if r.ClaimBytes, err = claimBytes(ctx, rdb, opt.Prefix); err != nil {
				return err
			}
		}
		if *asJSON {
			b, _ := json.Marshal(r)
			fmt.Fprintln(stdout, string(b))
		} else {
			fmt.Fprintf(stdout, "workers=%-3d steps/s=%-8.0f p50=%-9v p99=%-9v cpu/step=%.1fµs redis=%.1fµs switches/step=%.1f steps=%d errors=%d session=%dB claim=%dB (MEMORY USAGE)\n",
				n, res.StepsPerSecond(), res.P50, res.P99, r.CPUMicros, r.RedisCPUMicros, r.Switches, res.Steps, res.Errors, size, r.ClaimBytes)
		}
		if res.FirstError != nil {
			fmt.Fprintln(os.Stderr, "returnsload: first error:", res.FirstError)
		}
	}
	return nil
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// claimBytes is what Redis says one claim record of the run costs it, or 0 if the run
// recorded none (a SCAN of the run's keys, bounded to a few thousand).
func claimBytes(ctx context.Context, rdb redis.UniversalClient, prefix string) (int64, error) {
	keys, _, err := rdb.Scan(ctx, 0, prefix+"{claim:*", 5000).Result()
	if err != nil || len(keys) == 0 {
		return 0, err
	}
	n, err := rdb.MemoryUsage(ctx, keys[0]).Result()
	if err != nil {
		return 0, fmt.Errorf("memory usage of %s: %w", keys[0], err)
	}
	return n, nil
}

// deliverEvents runs serve's webhook deliverer on out against an endpoint in this process
// that accepts every event, until the returned stop is called.
func deliverEvents(ctx context.Context, out claims.Outbox) (stop func()) {
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	d := webhook.New(out, webhook.Options{URL: endpoint.URL, Secret: "returnsload", Logger: slog.New(slog.DiscardHandler)})
	go func() {
		defer close(done)
		_ = d.Run(ctx)
	}()
	return func() {
		cancel()
		<-done
		endpoint.Close()
	}
}

// usage is what this process has used: CPU time (user and system) and context switches.
type usage struct {
	cpu      time.Duration
	switches int64
}

// redisCPU is the CPU time the Redis server has used (INFO cpu), 0 if it does not say.
func redisCPU(ctx context.Context, rdb redis.UniversalClient) time.Duration {
	info, err := rdb.Info(ctx, "cpu").Result()
	if err != nil {
		return 0
	}
	var total float64
	for _, line := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok && (k == "used_cpu_sys" || k == "used_cpu_user") {
			f, _ := strconv.ParseFloat(v, 64)
			total += f
		}
	}
	return time.Duration(total * float64(time.Second))
}

// keyBytes is what Redis says one key (a session) costs it, key and overhead included.
func keyBytes(ctx context.Context, rdb redis.UniversalClient, key string) (int64, error) {
	n, err := rdb.MemoryUsage(ctx, key).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return 0, fmt.Errorf("memory usage of %s: %w", key, err)
	}
	return n, nil
}

// clientCeiling is a step that is nothing but one round trip of the store's size (-client):
// redis-benchmark's work through the bot's client and batcher, so a run tells how much of
// redis-benchmark's rate the Go client leaves for the service to reach.
type clientCeiling struct {
	batch  *redisbatch.Batcher
	prefix string
}

func (c clientCeiling) key(conv string) string { return c.prefix + "{telegram:" + conv + "}:ceiling" }

func (c clientCeiling) Handle(ctx context.Context, m bot.Message) ([]bot.Outbound, error) {
	cl, done := c.batch.Client()
	err := loadgen.CeilingScript.Run(ctx, cl, []string{c.key(m.From.Chat)}, loadgen.CeilingValue).Err()
	done()
	if err != nil {
		return nil, err
	}
	return []bot.Outbound{{}}, nil
}
