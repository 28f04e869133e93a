package handoff

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/policy"
)

// A case is the staff side of a claim: the card and "case show" show the claim's stored
// decision, never one recomputed with the policy loaded now, and what staff do to the case
// updates the claim and goes to the webhook outbox (case.claimed, case.returned,
// case.closed, claim.overridden).

// storedClaim returns the claim record of the case, if it has one and it can be read.
func (d *Desk) storedClaim(ctx context.Context, c *Case) (claims.Record, bool) {
	if c == nil || c.Claim == "" || d.Claims == nil {
		return claims.Record{}, false
	}
	r, err := d.Claims.Get(ctx, claims.ID(c.Claim))
	if err != nil {
		if !errors.Is(err, claims.ErrNotFound) {
			d.log().ErrorContext(ctx, "handoff: read the case's claim", "case", c.ID, "claim", c.Claim, "err", err)
		}
		return claims.Record{}, false
	}
	return r, true
}

// linkClaim records the new case in its claim.
func (d *Desk) linkClaim(ctx context.Context, c *Case) {
	if c.Claim == "" || d.Claims == nil {
		return
	}
	_, err := d.Claims.Update(ctx, claims.ID(c.Claim), func(r *claims.Record) error {
		r.CaseID, r.State = c.ID, claims.StateWithStaff
		return nil
	})
	if err != nil {
		d.log().ErrorContext(ctx, "handoff: link the case to its claim", "case", c.ID, "claim", c.Claim, "err", err)
	}
}

// claimEvent applies change to the case's claim and queues the event typ with the claim
// as changed. Failures are logged: the staff action stands whatever the claim store says.
// It is idempotent, so an action repeated by a redelivered message calls it again.
func (d *Desk) claimEvent(ctx context.Context, c *Case, typ claims.EventType, change func(*claims.Record)) {
	d.claimEventOnce(ctx, c, typ, c.ID, change)
}

// claimEventOnce is claimEvent with the event queued once per once, not per case: for a
// second event of a type on one case (the comment after a rating).
func (d *Desk) claimEventOnce(ctx context.Context, c *Case, typ claims.EventType, once string, change func(*claims.Record)) {
	if c == nil || c.Claim == "" || d.Claims == nil {
		return
	}
	r, err := d.Claims.Update(ctx, claims.ID(c.Claim), func(r *claims.Record) error {
		r.CaseID = c.ID
		change(r)
		return nil
	})
	if err != nil {
		d.log().ErrorContext(ctx, "handoff: update the case's claim", "case", c.ID, "claim", c.Claim, "event", typ, "err", err)
		return
	}
	if d.Outbox == nil {
		return
	}
	e := claims.NewEvent(typ, r, d.now())
	// One event per case and type, whatever the tries: an action delivered again after a
	// crash between the case's write and this one queues it then, or finds it queued.
	e.ID = bot.ClaimEventID(r.ID, claims.EventType(string(typ)+"@"+once))
	if err := d.Outbox.Add(ctx, e); err != nil {
		d.log().ErrorContext(ctx, "handoff: webhook event not queued", "case", c.ID, "claim", c.Claim, "event", typ, "err", err)
	}
}

// returnedClaim is a claim whose case staff handed back to the bot: a decision disputed
// stands as stated again (decided); a claim that had no decision of the bot's (the
// customer asked for a person, a carrier claim) is done with (closed), and the dialog goes
// on towards a claim of its own.
func returnedClaim(r *claims.Record) {
	if r.Outcome != policy.Escalated {
		r.State = claims.StateDecided
		return
	}
	r.State, r.CloseReason = claims.StateClosed, "returned to the bot"
}

// WriteClaim writes a claim's stored decision for the card and "returnsbot case show": the
// bot's outcome and the clauses as quoted when it decided, and the policy version. It is
// in English, as WriteCase is.
func WriteClaim(b *strings.Builder, r claims.Record) { writeClaim(b, "en", r) }

// writeClaim writes a claim's stored decision with its labels in lang; the clauses as
// the policy words them.
func writeClaim(b *strings.Builder, lang string, r claims.Record) {
	say := func(id string, data map[string]any) string { return staffText(lang, id, data) }
	b.WriteString("\n" + say("claim_head", map[string]any{"ID": r.ID, "State": r.State, "Version": r.PolicyVersion}) + "\n")
	b.WriteString(say("claim_decision", map[string]any{"Outcome": r.Outcome}))
	if r.Reason != "" {
		fmt.Fprintf(b, " (%s)", reasonText(lang, r.Reason))
	}
	b.WriteString("\n")
	for _, c := range r.Clauses {
		fmt.Fprintf(b, "“%s” [%s]\n", c.Text, c.ID)
	}
	if r.Outcome != policy.Escalated {
		if !r.LastReturnDay.IsZero() {
			b.WriteString(say("claim_last_return_day", map[string]any{"Date": r.LastReturnDay.Format(time.DateOnly)}) + "\n")
		}
		if !r.WarrantyEnd.IsZero() {
			b.WriteString(say("claim_warranty_end", map[string]any{"Date": r.WarrantyEnd.Format(time.DateOnly)}) + "\n")
		}
	}
	if o := r.Override; o != nil {
		b.WriteString(say("claim_overridden", map[string]any{"Outcome": o.Outcome, "Staff": o.By}) + "\n")
	}
	if r.CloseReason != "" {
		b.WriteString(say("claim_close_reason", map[string]any{"Reason": r.CloseReason}) + "\n")
	}
}
