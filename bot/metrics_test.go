package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/funnel"
)

func scrape(t *testing.T, m *bot.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

// TestFunnelAndEscalations: a claim decided and one escalated mid-dialog show in the
// funnel counters, the escalation reasons and the store's tally alike.
func TestFunnelAndEscalations(t *testing.T) {
	svc, _, _ := claimService(t)
	tally := &funnel.Memory{}
	m := &bot.Metrics{}
	svc.Metrics, svc.Funnel = m, tally
	decide(t, svc, "ann")
	bob := bot.Address{Platform: "test", Chat: "bob"}
	handle(t, svc, bot.Message{ID: "1", From: bob, User: "bob", Text: "hi"})
	handle(t, svc, bot.Message{ID: "2", From: bob, User: "bob", Text: "talk to a human please"})
	// Staff hand bob back: the bot asks the receipt date again, a third reach.
	if _, err := svc.Update(t.Context(), bob.Key(), func(s *dialog.Session) []dialog.Reply { return svc.Engine.Resume(s, bottest.Now) }); err != nil {
		t.Fatal(err)
	}

	body := scrape(t, m)
	for _, want := range []string{
		`returnsbot_funnel_reached_total{question="receipt_date"} 3`,
		`returnsbot_funnel_answered_total{question="receipt_date"} 1`,
		`returnsbot_funnel_escalated_total{question="receipt_date"} 1`,
		`returnsbot_funnel_answered_total{question="confirm_summary"} 1`,
		`returnsbot_escalations_total{reason="asked"} 1`,
		`returnsbot_escalations_total{reason="disputed"} 0`,
		`returnsbot_ratings_total{score="5"} 0`,
		"go_goroutines ",
		"process_",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
	days, err := tally.Days(t.Context(), bottest.Now, bottest.Now)
	if err != nil {
		t.Fatal(err)
	}
	rows := funnel.Totals(days)
	if len(rows) == 0 || rows[0] != (funnel.Row{Question: "receipt_date", Reached: 3, Answered: 1, Escalated: 1}) {
		t.Fatalf("tally rows %+v, want receipt_date reached 3, answered 1, escalated 1 first", rows)
	}
}

// TestObserveClaims: the first staff reply and the rating are counted once, when a record
// first gets them, whoever writes them through the store.
func TestObserveClaims(t *testing.T) {
	svc, cs, _ := claimService(t)
	m := &bot.Metrics{}
	st := bot.ObserveClaims(cs, m)
	svc.Metrics = m
	d := decide(t, svc, "cat")
	id := claims.ID(d.Decision.Claim)
	rec, err := cs.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second write changes neither: no second count
		if _, err := st.Update(t.Context(), id, func(r *claims.Record) error {
			if r.FirstStaffReply.IsZero() {
				r.FirstStaffReply = rec.Created.Add(10 * time.Minute)
			}
			if r.Rating == nil {
				r.Rating = &claims.Rating{Score: 4, At: rec.Created.Add(time.Hour)}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	body := scrape(t, m)
	for _, want := range []string{
		`returnsbot_ratings_total{score="4"} 1` + "\n",
		"returnsbot_first_staff_reply_seconds_count 1\n",
		`returnsbot_first_staff_reply_seconds_bucket{le="300"} 0` + "\n",
		`returnsbot_first_staff_reply_seconds_bucket{le="900"} 1` + "\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
}

type queue []string

func (q queue) Due(ctx context.Context, before time.Time) ([]string, error) { return q, nil }

func TestDeskQueue(t *testing.T) {
	m := &bot.Metrics{Queue: queue{"a", "b"}}
	if body := scrape(t, m); !strings.Contains(body, "returnsbot_desk_queue 2\n") {
		t.Errorf("/metrics lacks the desk queue of 2:\n%s", body)
	}
}

type outbox struct{}

func (outbox) Counts(context.Context) (claims.Counts, error) { return claims.Counts{}, nil }

// TestGrafanaDashboardNamesExist: every metric docs/grafana-dashboard.json queries is one
// /metrics serves, so a rename cannot leave the shipped dashboard blank.
func TestGrafanaDashboardNamesExist(t *testing.T) {
	raw, err := os.ReadFile("../docs/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("docs/grafana-dashboard.json: %v", err)
	}
	m := &bot.Metrics{Outbox: outbox{}, Queue: queue{}}
	svc, _, _ := claimService(t)
	svc.Metrics = m
	decide(t, svc, "dan") // labelled series show once counted
	bob := bot.Address{Platform: "test", Chat: "bob"}
	handle(t, svc, bot.Message{ID: "1", From: bob, User: "bob", Text: "hi"})
	handle(t, svc, bot.Message{ID: "2", From: bob, User: "bob", Text: "talk to a human please"})
	body := scrape(t, m)
	name := regexp.MustCompile(`returnsbot_[a-z_]+`)
	n := 0
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			for _, m := range name.FindAllString(tg.Expr, -1) {
				n++
				base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(m, "_bucket"), "_sum"), "_count")
				if !strings.Contains(body, "# TYPE "+base+" ") {
					t.Errorf("panel %q queries %s, which /metrics does not serve", p.Title, m)
				}
			}
		}
	}
	if n < 10 {
		t.Fatalf("found %d metric names in the dashboard, want its queries", n)
	}
}

type brokenTally struct{}

func (brokenTally) Add(context.Context, time.Time, []funnel.Event) error {
	return errors.New("redis down")
}

func (brokenTally) Days(context.Context, time.Time, time.Time) ([]funnel.Day, error) {
	return nil, errors.New("redis down")
}

// TestFunnelFailureCostsACount: a tally the store cannot keep is logged, and the customer
// is answered as usual.
func TestFunnelFailureCostsACount(t *testing.T) {
	svc, _, _ := claimService(t)
	var logs bottest.LogBuffer
	svc.Log = slog.New(slog.NewTextHandler(&logs, nil))
	svc.Funnel = brokenTally{}
	if d := decide(t, svc, "eve"); d.Decision.Outcome != "return_eligible" {
		t.Fatalf("decision %+v, want return_eligible", d.Decision)
	}
	if !strings.Contains(logs.String(), "funnel tally not kept") {
		t.Errorf("log %q, want the lost tally logged", logs.String())
	}
}
