package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/webhook"
)

// consoleFlush bounds how long the console waits at end of input for the webhook events
// of its run to be delivered; what is left stays in the outbox (Redis) for the next run.
const consoleFlush = 10 * time.Second

// newDeliverer returns the webhook Deliverer of out that WEBHOOK_URL and WEBHOOK_SECRET
// configure, or nil when WEBHOOK_URL is unset. A URL without a secret is refused: unsigned
// events would let anyone who learns the URL forge them.
func newDeliverer(getenv func(string) string, out claims.Outbox, logger *slog.Logger) (*webhook.Deliverer, error) {
	u, secret := getenv("WEBHOOK_URL"), getenv("WEBHOOK_SECRET")
	if u == "" {
		if secret != "" {
			logger.Warn("WEBHOOK_SECRET is set but WEBHOOK_URL is not: no webhook events are sent")
		}
		return nil, nil
	}
	if err := webhook.CheckURL(u); err != nil {
		return nil, usageError{fmt.Sprintf("WEBHOOK_URL: %v", err)}
	}
	if secret == "" {
		return nil, usageError{"WEBHOOK_SECRET: must be set when WEBHOOK_URL is (events are signed with it)"}
	}
	return webhook.New(out, webhook.Options{URL: u, Secret: secret, Logger: logger}), nil
}

// flushWebhooks delivers what the outbox holds, waiting at most consoleFlush.
func flushWebhooks(ctx context.Context, d *webhook.Deliverer, logger *slog.Logger) {
	if d == nil {
		return
	}
	if err := d.Deliver(ctx, time.Now().Add(consoleFlush)); err != nil {
		logger.Warn("webhook events left in the outbox at exit", "err", err)
	}
	st := d.Stats()
	logger.Debug("webhook events delivered at exit", "stats", fmt.Sprintf("%+v", st))
}

// fixedClaimIDs draws claim ids from a generator seeded by the console's --now time, so a
// run with a fixed clock is reproducible, replies and claim ids alike. Ids drawn this way
// are random enough to differ between customers; a store refusing one as taken (a second
// run on the same Redis) makes the bot draw the next.
func fixedClaimIDs(t time.Time) func() string {
	const alphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
	rng := rand.New(rand.NewPCG(uint64(t.UnixNano()), 0x52657475726e73)) // "Returns"
	return func() string {
		var b strings.Builder
		b.WriteString("R-")
		for range 6 {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
}

// runClaims is "returnsbot claims export [--since DATE] [--until DATE] [--format csv|json]".
func runClaims(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, logger *slog.Logger) error {
	const use = "usage: returnsbot claims export [--since DATE] [--until DATE] [--format csv|json]"
	if len(args) == 0 || args[0] != "export" {
		return usageError{use}
	}
	fs := flag.NewFlagSet("claims export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	since := fs.String("since", "", "first creation day (2026-11-01 or RFC 3339), inclusive")
	until := fs.String("until", "", "last creation day (2026-11-30 or RFC 3339), inclusive")
	format := fs.String("format", "csv", "csv or json")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return usageError{use}
	}
	var q claims.Query
	var err error
	if q.Since, err = claims.ParseDay(*since, false); err != nil {
		return usageError{fmt.Sprintf("claims export --since: %v", err)}
	}
	if q.Until, err = claims.ParseDay(*until, true); err != nil {
		return usageError{fmt.Sprintf("claims export --until: %v", err)}
	}
	if *format != "csv" && *format != "json" {
		return usageError{fmt.Sprintf("claims export --format %q: want csv or json", *format)}
	}
	if getenv("REDIS_URL") == "" {
		return fmt.Errorf("claims export: %w", errNeedsRedis)
	}
	st, err := openStorage(ctx, getenv, logger)
	if err != nil {
		return err
	}
	defer st.close()
	all, _, err := claims.All(ctx, st.claims, q, 0)
	if err != nil {
		return fmt.Errorf("claims export: %w", err)
	}
	if *format == "json" {
		return claims.WriteJSON(stdout, all)
	}
	return claims.WriteCSV(stdout, all)
}

// wireClaims gives svc the claim store and funnel tally of st and the policy's version,
// and the outbox when WEBHOOK_URL is set. Without a webhook no event is queued: nothing
// would deliver them, and a Redis outbox would fill to its bound (claims.DefaultMaxPending)
// and then log a failure for every claim; a URL set later does not bring a backlog.
func wireClaims(svc *bot.Service, st *storage, version string, getenv func(string) string) {
	svc.Claims, svc.PolicyVersion = st.claims, version
	if getenv("WEBHOOK_URL") != "" {
		svc.Outbox = st.outbox
	}
	svc.Funnel = st.funnel
}
