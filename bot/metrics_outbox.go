package bot

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/returnsbot/returnsbot/claims"
)

// OutboxCounter reads the webhook outbox's figures (claims.Outbox and webhook.Deliverer
// have it).
type OutboxCounter interface {
	Counts(ctx context.Context) (claims.Counts, error)
}

// outboxTimeout bounds the outbox read of one scrape: a slow store costs the scrape its
// outbox lines, not the other metrics.
const outboxTimeout = 2 * time.Second

// writeOutbox writes the outbox's pending and failed events (gauges) and delivered ones
// (a counter); if the outbox cannot be read, returnsbot_outbox_up is 0 and nothing else.
func (m *Metrics) writeOutbox(ctx context.Context, w io.Writer) {
	if m.Outbox == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, outboxTimeout)
	defer cancel()
	c, err := m.Outbox.Counts(ctx)
	up := 1
	if err != nil {
		up = 0
	}
	fmt.Fprintf(w, "# HELP returnsbot_outbox_up Whether the webhook outbox could be read.\n# TYPE returnsbot_outbox_up gauge\nreturnsbot_outbox_up %d\n", up)
	if err != nil {
		return
	}
	fmt.Fprintf(w, "# HELP returnsbot_outbox_pending Webhook events waiting for delivery.\n# TYPE returnsbot_outbox_pending gauge\nreturnsbot_outbox_pending %d\n", c.Pending)
	fmt.Fprintf(w, "# HELP returnsbot_outbox_delivered_total Webhook events delivered and acknowledged.\n# TYPE returnsbot_outbox_delivered_total counter\nreturnsbot_outbox_delivered_total %d\n", c.Delivered)
	fmt.Fprintf(w, "# HELP returnsbot_outbox_failed Webhook events given up on, kept for inspection.\n# TYPE returnsbot_outbox_failed gauge\nreturnsbot_outbox_failed %d\n", c.Failed)
}
