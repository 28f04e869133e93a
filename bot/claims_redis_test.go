package bot_test

import (
	"context"
	"testing"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/claims/redisclaims"
	"github.com/returnsbot/returnsbot/dialog/redisstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
)

// TestDecisionRoundTrips: with sessions, claims and the outbox on one Redis, as serve has
// them, the message that states a decision waits for two round trips, the session's save
// and the claim written with its index entries and its webhook event in one script (or
// without the event, when there is no webhook); every other message for one. The claim
// and its event are there afterwards.
func TestDecisionRoundTrips(t *testing.T) {
	for _, webhook := range []bool{true, false} {
		t.Run(map[bool]string{true: "outbox", false: "no outbox"}[webhook], func(t *testing.T) {
			testDecisionRoundTrips(t, webhook)
		})
	}
}

func testDecisionRoundTrips(t *testing.T, webhook bool) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	trips := &redistest.Trips{}
	rdb.AddHook(trips)
	prefix := redistest.Prefix(t)
	svc := bottest.NewService(redisstore.New(rdb, redisstore.Options{Prefix: prefix}))
	cs := redisclaims.New(rdb, redisclaims.Options{Prefix: prefix})
	svc.Claims = cs
	if webhook {
		svc.Outbox = redisclaims.NewOutbox(rdb, redisclaims.OutboxOptions{Prefix: prefix})
	}
	decide(t, svc, "warm") // loads the scripts
	trips.Take()

	from := bot.Address{Platform: "test", Chat: "alice"}
	var decision bot.Outbound
	for i, in := range aReturn {
		out := handle(t, svc, bot.Message{ID: in.id, From: from, User: "alice", Text: in.text})
		got := trips.Take()
		switch {
		case i == 0:
			// A new customer's first message reads the session before the save.
		case i == len(aReturn)-1:
			if len(got) != 2 || got[0] != "evalsha" || got[1] != "evalsha" {
				t.Errorf("the decision cost the round trips %q, want the session's save and the claim's script", got)
			}
			decision = out[0]
		default:
			if len(got) != 1 || got[0] != "evalsha" {
				t.Errorf("%q cost the round trips %q, want the session's save", in.text, got)
			}
		}
	}
	if decision.Decision == nil {
		t.Fatalf("no decision stated")
	}
	r, err := cs.Get(ctx, claims.ID(decision.Decision.Claim))
	if err != nil {
		t.Fatalf("the decision's claim: %v", err)
	}
	if rs, err := cs.ByUser(ctx, r.UserKey(), 10); err != nil || len(rs) != 1 {
		t.Errorf("ByUser = %d claims, %v; want the one", len(rs), err)
	}
	if !webhook {
		return
	}
	n, err := svc.Outbox.Counts(ctx)
	if err != nil || n.Pending != 2 { // warm's and alice's
		t.Errorf("outbox counts %+v, %v; want 2 events pending", n, err)
	}
}
