package loadgen_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/dialog/memstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/loadgen"
	"github.com/returnsbot/returnsbot/policy"
)

func TestRunCountsEveryStep(t *testing.T) {
	st := memstore.New()
	var mu sync.Mutex
	perConv := map[string]int{}
	inner := loadgen.StoreStep(st, dialog.NewEngine(policy.Default()), time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	step := func(ctx context.Context, conv string, in dialog.Input) error {
		mu.Lock()
		perConv[conv]++
		mu.Unlock()
		return inner(ctx, conv, in)
	}
	cfg := loadgen.Config{Workers: 5, ConversationsPerWorker: 3, Steps: 700, Prefix: "telegram:"}
	res, err := loadgen.Run(context.Background(), cfg, step)
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 700 || res.Errors != 0 {
		t.Fatalf("Steps %d errors %d, want 700 and 0", res.Steps, res.Errors)
	}
	// 700 steps over 5 workers is 140 each, over 3 customers 47, 47 and 46, however
	// the scheduler orders the workers.
	if len(perConv) != 15 {
		t.Fatalf("%d conversations ran, want 15", len(perConv))
	}
	for w := range cfg.Workers {
		for c, want := range []int{47, 47, 46} {
			if got := perConv[loadgen.Conversation(cfg, w, c)]; got != want {
				t.Errorf("worker %d customer %d: %d steps, want %d", w, c, got, want)
			}
		}
	}
	if !(0 < res.P50 && res.P50 <= res.P99 && res.P99 <= res.Max) || res.StepsPerSecond() <= 0 {
		t.Fatalf("p50 %v p99 %v max %v, %v steps/s: want 0 < p50 <= p99 <= max and a rate", res.P50, res.P99, res.Max, res.StepsPerSecond())
	}
}

// TestClaimIsDecided checks that Claim is a whole claim: after it, twice over, each
// customer has a decision.
func TestClaimIsDecided(t *testing.T) {
	st := memstore.New()
	step := loadgen.StoreStep(st, dialog.NewEngine(policy.Default()), time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	cfg := loadgen.Config{Workers: 1, ConversationsPerWorker: 3, Steps: 3 * 2 * len(loadgen.Claim)}
	if res, err := loadgen.Run(context.Background(), cfg, step); err != nil || res.Errors != 0 {
		t.Fatalf("Run: %v, %v", err, res.FirstError)
	}
	for c := range 3 {
		s, err := st.Load(context.Background(), loadgen.Conversation(cfg, 0, c))
		if err != nil {
			t.Fatal(err)
		}
		if s.Outcome != policy.WarrantyRepair || s.State != dialog.StateDecided {
			t.Fatalf("conversation %d: state %q outcome %q, want %q %q", c, s.State, s.Outcome, dialog.StateDecided, policy.WarrantyRepair)
		}
	}
}

func TestRunCountsErrors(t *testing.T) {
	boom := errors.New("boom")
	res, err := loadgen.Run(context.Background(), loadgen.Config{Workers: 2, Steps: 10},
		func(context.Context, string, dialog.Input) error { return boom })
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 10 || res.Steps != 0 || !errors.Is(res.FirstError, boom) {
		t.Fatalf("errors %d steps %d first %v, want 10, 0, boom", res.Errors, res.Steps, res.FirstError)
	}
}

// TestClaimsMoveToNewCustomers checks that with Claims set, a worker's customers are
// replaced after their claims, each new one starting from the greeting.
func TestClaimsMoveToNewCustomers(t *testing.T) {
	var mu sync.Mutex
	perConv := map[string]int{}
	st := memstore.New()
	inner := loadgen.StoreStep(st, dialog.NewEngine(policy.Default()), time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	step := func(ctx context.Context, conv string, in dialog.Input) error {
		mu.Lock()
		perConv[conv]++
		mu.Unlock()
		return inner(ctx, conv, in)
	}
	cfg := loadgen.Config{Workers: 1, ConversationsPerWorker: 4, Claims: 1, Steps: 4 * 3 * len(loadgen.Claim)}
	if res, err := loadgen.Run(context.Background(), cfg, step); err != nil || res.Errors != 0 {
		t.Fatalf("Run: %v, %v", err, res.FirstError)
	}
	if len(perConv) != 12 {
		t.Fatalf("%d conversations, want 12 (4 slots, 3 customers each)", len(perConv))
	}
	for conv, n := range perConv {
		s, err := st.Load(context.Background(), conv)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(loadgen.Claim) || s.Outcome != policy.WarrantyRepair {
			t.Errorf("conversation %s: %d steps, outcome %q; want %d and %q", conv, n, s.Outcome, len(loadgen.Claim), policy.WarrantyRepair)
		}
	}
}

func TestRunNeedsALimit(t *testing.T) {
	if _, err := loadgen.Run(context.Background(), loadgen.Config{Workers: 1}, nil); err == nil {
		t.Fatal("Run without Steps or Duration succeeded")
	}
}
