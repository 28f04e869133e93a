package bot_test

import (
	"context"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/claims/memclaims"
	"github.com/returnsbot/returnsbot/dialog/memstore"
	"github.com/returnsbot/returnsbot/policy"
)

// aReturn is a return claim to its decision, as message ids and texts.
var aReturn = []struct{ id, text string }{
	{"1", "hi"}, {"2", "yesterday"}, {"3", "intact"}, {"4", "no"}, {"5", "yes"},
}

func claimService(t *testing.T) (*bot.Service, *memclaims.Store, *memclaims.Outbox) {
	t.Helper()
	svc := bottest.NewService(memstore.New())
	cs, ob := memclaims.New(memclaims.Options{}), memclaims.NewOutbox(memclaims.OutboxOptions{})
	svc.Claims, svc.Outbox, svc.PolicyVersion = cs, ob, "v1@0123456789ab"
	return svc, cs, ob
}

func handle(t *testing.T, svc *bot.Service, m bot.Message) []bot.Outbound {
	t.Helper()
	out, err := svc.Handle(context.Background(), m)
	if err != nil {
		t.Fatalf("handle %q: %v", m.Text, err)
	}
	return out
}

// decide runs aReturn for the user and returns the decision message.
func decide(t *testing.T, svc *bot.Service, user string) bot.Outbound {
	t.Helper()
	from := bot.Address{Platform: "test", Chat: user}
	var out []bot.Outbound
	for _, in := range aReturn {
		out = handle(t, svc, bot.Message{ID: in.id, From: from, User: user, Text: in.text, Redelivery: true})
	}
	if len(out) != 1 || out[0].Decision == nil {
		t.Fatalf("last replies %+v, want one decision", out)
	}
	return out[0]
}

var claimIDPattern = regexp.MustCompile(`^R-[2-9A-HJKMNP-TV-Z]{6}$`)

func TestDecisionRecordsOneClaim(t *testing.T) {
	ctx := context.Background()
	svc, cs, ob := claimService(t)
	d := decide(t, svc, "alice")
	id := d.Decision.Claim
	if !claimIDPattern.MatchString(id) || !strings.Contains(d.Text, id) {
		t.Fatalf("decision claim %q, text %q: want an id like R-7K2Q9M named in the text", id, d.Text)
	}
	r, err := cs.Get(ctx, claims.ID(id))
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	want := map[string]string{"receipt_date": r.Answers["receipt_date"], "packaging": "intact", "defect": "no"}
	for k, v := range want {
		if r.Answers[k] != v || v == "" {
			t.Errorf("answer %s = %q, want %q", k, r.Answers[k], v)
		}
	}
	if r.Outcome != policy.ReturnEligible || r.State != claims.StateDecided || r.PolicyVersion != "v1@0123456789ab" ||
		r.UserKey() != "test:alice" || len(r.Clauses) == 0 || r.Clauses[0].Text != d.Decision.Clauses[0].Text || r.LastReturnDay.IsZero() {
		t.Errorf("record %+v: want return_eligible, decided, version v1@…, test:alice, the quoted clauses and dates", r)
	}
	// The last message delivered again is answered with the decision, naming the same claim.
	again := handle(t, svc, bot.Message{ID: "5", From: bot.Address{Platform: "test", Chat: "alice"}, User: "alice", Text: "yes", Redelivery: true})
	if len(again) != 1 || again[0].Decision == nil || again[0].Decision.Claim != id {
		t.Fatalf("redelivered: %+v, want the decision again with claim %s", again, id)
	}
	recs, err := cs.ByUser(ctx, "test:alice", 10)
	if err != nil || len(recs) != 1 {
		t.Fatalf("claims of alice after a redelivery: %d (%v), want 1", len(recs), err)
	}
	c, err := ob.Counts(ctx)
	if err != nil || c.Pending != 1 {
		t.Fatalf("outbox %+v (%v), want 1 pending event", c, err)
	}
	ds, err := ob.Lease(ctx, time.Now().Add(time.Minute), 10, time.Minute)
	if err != nil || len(ds) != 1 || ds[0].Event.Type != claims.ClaimDecided || ds[0].Event.Claim.ID != r.ID {
		t.Fatalf("outbox holds %+v (%v), want one claim.decided of %s", ds, err, id)
	}
}

// TestRedeliveryCreatesMissingClaim: a process that stopped after saving the decision and
// before creating the record leaves a session naming a claim the store lacks (here erased);
// the message delivered again creates it, with the same id.
func TestRedeliveryCreatesMissingClaim(t *testing.T) {
	ctx := context.Background()
	svc, cs, _ := claimService(t)
	id := decide(t, svc, "bob").Decision.Claim
	if n, err := cs.Forget(ctx, "test:bob"); err != nil || n != 1 {
		t.Fatalf("Forget: %d, %v", n, err)
	}
	handle(t, svc, bot.Message{ID: "5", From: bot.Address{Platform: "test", Chat: "bob"}, User: "bob", Text: "yes", Redelivery: true})
	r, err := cs.Get(ctx, claims.ID(id))
	if err != nil || r.Outcome != policy.ReturnEligible {
		t.Fatalf("after redelivery: %+v, %v; want claim %s recreated", r, err, id)
	}
}

// TestRedeliveryQueuesMissingEvent: an attempt that stopped after creating the record but
// before queueing its event (they live in different Redis slots) has the event queued when
// the message comes again.
func TestRedeliveryQueuesMissingEvent(t *testing.T) {
	ctx := context.Background()
	svc, _, ob := claimService(t)
	decide(t, svc, "bea")
	if n, err := ob.Forget(ctx, "test:bea"); err != nil || n != 1 {
		t.Fatalf("Forget the event: %d, %v; want the one claim.decided", n, err)
	}
	handle(t, svc, bot.Message{ID: "5", From: bot.Address{Platform: "test", Chat: "bea"}, User: "bea", Text: "yes", Redelivery: true})
	if c, err := ob.Counts(ctx); err != nil || c.Pending != 1 {
		t.Fatalf("outbox after redelivery: %+v, %v; want the claim.decided queued again", c, err)
	}
}

// TestClaimIDCollision: an id another customer's claim holds is replaced before the
// decision goes out, in the session, the text and decision.claim alike.
func TestClaimIDCollision(t *testing.T) {
	ctx := context.Background()
	svc, cs, _ := claimService(t)
	ids := []string{"R-AAAAAA", "R-AAAAAA", "R-BBBBBB"}
	svc.Engine.SetClaimIDs(func() string { id := ids[0]; ids = ids[1:]; return id })
	if got := decide(t, svc, "carol").Decision.Claim; got != "R-AAAAAA" {
		t.Fatalf("first claim %s, want R-AAAAAA", got)
	}
	d := decide(t, svc, "dan")
	if d.Decision.Claim != "R-BBBBBB" || !strings.Contains(d.Text, "R-BBBBBB") || strings.Contains(d.Text, "R-AAAAAA") {
		t.Fatalf("second claim %q, text %q: want R-BBBBBB throughout", d.Decision.Claim, d.Text)
	}
	if r, err := cs.Get(ctx, "R-BBBBBB"); err != nil || r.User != "dan" {
		t.Fatalf("R-BBBBBB: %+v, %v; want dan's", r, err)
	}
	if r, err := cs.Get(ctx, "R-AAAAAA"); err != nil || r.User != "carol" {
		t.Fatalf("R-AAAAAA: %+v, %v; want carol's, untouched", r, err)
	}
}

func TestStatus(t *testing.T) {
	svc, _, _ := claimService(t)
	id := decide(t, svc, "erin").Decision.Claim
	other := decide(t, svc, "fred").Decision.Claim
	erin := bot.Address{Platform: "test", Chat: "erin"}
	tests := []struct {
		text      string
		want      []string
		wantNot   []string
		wantReply int
	}{
		{"/status", []string{id, "decided", "return accepted"}, []string{other}, 1},
		{"my claims", []string{id}, nil, 1},
		{"Where is my claim?", []string{id}, nil, 1},
		{"/status " + strings.ToLower(id), []string{id, "decided", "“"}, nil, 1},
		{"status " + id, []string{id}, nil, 1},
		{"/status " + other, []string{"found no claim"}, []string{"decided"}, 1},
		{"/status R-0000", []string{"not a claim number"}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			out := handle(t, svc, bot.Message{From: erin, User: "erin", Text: tt.text})
			if len(out) != tt.wantReply {
				t.Fatalf("got %d replies %+v, want %d", len(out), out, tt.wantReply)
			}
			for _, w := range tt.want {
				if !strings.Contains(out[0].Text, w) {
					t.Errorf("got %q, want it to contain %q", out[0].Text, w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(out[0].Text, w) {
					t.Errorf("got %q, want no %q", out[0].Text, w)
				}
			}
		})
	}
	// Mid-claim, /status answers and asks the open question again.
	gina := bot.Address{Platform: "test", Chat: "gina"}
	handle(t, svc, bot.Message{From: gina, User: "gina", Text: "hi"})
	out := handle(t, svc, bot.Message{From: gina, User: "gina", Text: "/status"})
	if len(out) != 2 || !strings.Contains(out[0].Text, "no claims") || out[1].Awaiting != "receipt_date" {
		t.Fatalf("mid-claim /status: %+v, want none on record, then the receipt question", out)
	}
}

func TestMetricsOutbox(t *testing.T) {
	svc, _, ob := claimService(t)
	m := &bot.Metrics{Outbox: ob}
	svc.Metrics = m
	decide(t, svc, "hal")
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{"returnsbot_outbox_up 1\n", "returnsbot_outbox_pending 1\n", "returnsbot_outbox_delivered_total 0\n", "returnsbot_outbox_failed 0\n"} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, rec.Body.String())
		}
	}
}
