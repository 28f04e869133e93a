package admin_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/admin"
	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/claims/memclaims"
	"github.com/returnsbot/returnsbot/funnel"
	"github.com/returnsbot/returnsbot/policy"
)

const token = "s3cret-admin-token-for-tests"

// now is the dashboard's clock in the tests: the seeded claims fall in its last 30 days.
var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// hostile is a customer text that would run as script if any page failed to escape it.
const hostile = `<script>alert("x")</script><img src=x onerror=alert(1)>`

// site is a dashboard on seeded stores.
type site struct {
	srv    *httptest.Server
	claims *memclaims.Store
	cases  *handoff.MemoryStore
	tally  *funnel.Memory
}

// Seeded claim ids.
const (
	idEligible  = "R-AAAAAA"
	idEscalated = "R-BBBBBB"
	idRepair    = "R-CCCCCC"
	idOld       = "R-DDDDDD"
)

func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{
		claims: memclaims.New(memclaims.Options{Now: func() time.Time { return now }}),
		cases:  handoff.NewMemoryStore(),
		tally:  &funnel.Memory{},
	}
	seed(t, s)
	s.srv = httptest.NewServer(admin.New(admin.Options{
		Token: token, Claims: s.claims, Cases: s.cases, Funnel: s.tally,
		Now: func() time.Time { return now },
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func seed(t *testing.T, s *site) {
	ctx := context.Background()
	clause := policy.Clause{ID: "return-14", Text: "Goods may be returned within 14 days of receipt."}
	recs := []claims.Record{
		{ID: idEligible, Address: claims.Address{Platform: "telegram", Chat: "100"}, User: "100", UserName: "Ann",
			Language: "en", Answers: map[string]string{"receipt_date": "2026-11-20", "packaging": "intact", "order_number": "ORD-7731"},
			Outcome: "return_eligible", Clauses: []policy.Clause{clause}, PolicyVersion: "v1@0123456789ab",
			State: claims.StateDecided, Created: now.Add(-48 * time.Hour)},
		{ID: idEscalated, Address: claims.Address{Platform: "discord", Chat: "200"}, User: "200", UserName: hostile,
			Language: "de", Answers: map[string]string{"defect": "yes", "defect_details": hostile},
			Outcome: policy.Escalated, Reason: policy.ReasonAsked, PolicyVersion: "v1@0123456789ab",
			State: claims.StateClosed, CloseReason: "resolved", CaseID: "case2345",
			Override:        &claims.Override{Outcome: "warranty_repair", Note: "Replaced under goodwill. " + hostile, By: "Stan (discord)", At: now.Add(-20 * time.Hour)},
			FirstStaffReply: now.Add(-24*time.Hour + 12*time.Minute),
			Rating:          &claims.Rating{Score: 4, Comment: "quick " + hostile, At: now.Add(-10 * time.Hour)},
			Created:         now.Add(-24 * time.Hour)},
		{ID: idRepair, Address: claims.Address{Platform: "console", Chat: "c"}, User: "c", Language: "fr",
			Answers: map[string]string{"defect": "yes"}, Outcome: "warranty_repair", PolicyVersion: "v1@0123456789ab",
			State: claims.StateDecided, Created: now.Add(-2 * time.Hour)},
		{ID: idOld, Address: claims.Address{Platform: "telegram", Chat: "300"}, User: "300", Language: "en",
			Outcome: "return_expired", PolicyVersion: "v0@aaaaaaaaaaaa", State: claims.StateDecided, Created: now.AddDate(0, 0, -90)},
	}
	for _, r := range recs {
		if err := s.claims.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	c := &handoff.Case{ID: "case2345", Status: handoff.Closed, Customer: bot.Address{Platform: "discord", Chat: "200"}, User: "200", Opened: now.Add(-24 * time.Hour)}
	if _, _, err := s.cases.Open(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.cases.Append(ctx, "case2345",
		handoff.Entry{At: now.Add(-24 * time.Hour), Who: handoff.Customer, Name: "Bea", Text: "It broke. " + hostile, Photos: 2},
		handoff.Entry{At: now.Add(-24*time.Hour + 12*time.Minute), Who: handoff.StaffWho, Name: "Stan", Text: "We will repair it."},
		handoff.Entry{At: now.Add(-20 * time.Hour), Who: handoff.System, Text: "closed: resolved"},
	); err != nil {
		t.Fatal(err)
	}
	for _, step := range [][2]string{{"new", "receipt_date"}, {"receipt_date", "packaging"}, {"packaging", "confirm_summary"}, {"confirm_summary", "decided"}, {"new", "receipt_date"}, {"new", "receipt_date"}, {"receipt_date", "escalated"}} {
		if err := s.tally.Add(ctx, now.Add(-time.Hour), funnel.Steps(step[0], step[1])); err != nil {
			t.Fatal(err)
		}
	}
}
