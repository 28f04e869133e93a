package handoff

import (
	"context"
	"errors"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog"
)

// reopen takes an ended case up again, in its thread: a new open case for the same
// customer, claim and threads, claimed by the staff member who reopened it, with the old
// transcript carried over. The customer's conversation goes back to staff where it
// stands. A customer with another open case cannot have this one reopened.
func (d *Desk) reopen(ctx context.Context, old *Case, m bot.Message, who Staff) ([]bot.Outbound, error) {
	if old.Status == Open {
		return reply(m.From, d.say("reopen_open", map[string]any{"ID": old.ID})), nil
	}
	if old.ReopenedAs != "" {
		return reply(m.From, d.say("reopen_again", map[string]any{"ID": old.ID, "New": old.ReopenedAs})), nil
	}
	now := d.now()
	c := &Case{
		ID: NewID(), Status: Open, Customer: old.Customer, User: old.User, Name: old.Name,
		Lang: old.Lang, Reason: old.Reason, Claim: old.Claim, Opened: now, Notified: now, Told: now,
		Claimed: &who, ClaimedAt: now, Reopened: old.ID,
	}
	c, created, err := d.Cases.Open(ctx, c)
	if err != nil {
		return unavailable(m, err)
	}
	if !created {
		return reply(m.From, d.say("reopen_busy", map[string]any{"ID": old.ID, "Open": c.ID})), nil
	}
	// The old case names the new one, so a second /reopen, or one delivered again, finds it.
	if _, err := d.Cases.Update(ctx, old.ID, func(o *Case) error { o.ReopenedAs = c.ID; return nil }); err != nil {
		d.log().ErrorContext(ctx, "handoff: note the reopening on the old case", "case", old.ID, "err", err)
	}
	c, err = d.Cases.Update(ctx, c.ID, func(c *Case) error { c.Threads = old.Threads; return nil })
	if err != nil {
		return unavailable(m, err)
	}
	es, err := d.Cases.Transcript(ctx, old.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		d.log().ErrorContext(ctx, "handoff: read the reopened case's transcript", "case", old.ID, "err", err)
	}
	back := customerText(c.Lang, "desk.reopened", nil)
	es = append(es, Entry{At: now, Who: System, Text: d.say("event_reopened", map[string]any{"Staff": who.String(), "ID": old.ID})}, Entry{At: now, Who: Bot, Text: back})
	d.append(ctx, c.ID, es...)
	if _, err := d.Dialog.Update(ctx, c.Customer.Key(), func(s *dialog.Session) []dialog.Reply {
		d.Engine.Hold(s, c.Reason, now)
		return nil
	}); err != nil {
		// The case relays all the same: an open case comes before the session.
		d.log().ErrorContext(ctx, "handoff: hand the reopened conversation to staff", "case", c.ID, "err", err)
	}
	d.claimEvent(ctx, c, claims.CaseReopened, func(r *claims.Record) {
		r.State, r.CloseReason, r.Rating = claims.StateWithStaff, "", nil
	})
	d.log().InfoContext(ctx, "handoff: case reopened", "case", c.ID, "from", old.ID, "staff", who.User, "platform", who.Platform)
	out := d.toThreads(c, d.say("reopened", map[string]any{"ID": c.ID, "Old": old.ID, "Staff": who.String()}))
	for i := range out {
		out[i].Buttons = buttonsFor(d.lang(), c)
	}
	return append(out, bot.Outbound{To: c.Customer, Reply: dialog.Reply{Text: back}}), nil
}
