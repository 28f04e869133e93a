package handoff

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/policy"
)

// The staff actions on a case: claim, hand back to the bot, close, override.

func (d *Desk) claim(ctx context.Context, m bot.Message, who Staff, id string) ([]bot.Outbound, error) {
	now := d.now()
	c, err := claim(ctx, d.Cases, id, who, now, m.ID)
	repeat := errors.Is(err, errRepeat)
	if text, ok := refusal(d.lang(), c, id, err); ok && !repeat {
		return d.refuse(m, c, text), nil
	}
	if err != nil && !repeat {
		return unavailable(m, err)
	}
	notice := tell(c.Lang, sayClaimedAnon)
	if strings.TrimSpace(who.Name) != "" {
		notice = tell(c.Lang, sayClaimed, who.Name)
	}
	d.claimEvent(ctx, c, claims.CaseClaimed, func(r *claims.Record) { r.State = claims.StateWithStaff })
	if repeat {
		d.logRepeat(ctx, m, id, ActClaim)
	} else {
		d.log().InfoContext(ctx, "handoff: case claimed", "case", id, "staff", who.User, "platform", who.Platform)
		d.append(ctx, id, Entry{At: now, Who: System, Text: d.say("event_claimed", map[string]any{"Staff": who.String()})}, Entry{At: now, Who: Bot, Text: notice})
	}
	out := d.toThreads(c, d.say("claimed", map[string]any{"ID": id, "Staff": who.String()}))
	for i := range out {
		out[i].Buttons = buttonsFor(d.lang(), c)
	}
	return append(out, bot.Outbound{To: c.Customer, Reply: dialog.Reply{Text: notice}}), nil
}

// giveBack hands the conversation back to the bot at the step where it left off.
func (d *Desk) giveBack(ctx context.Context, m bot.Message, who Staff, id string) ([]bot.Outbound, error) {
	now := d.now()
	c, err := end(ctx, d.Cases, id, Returned, who, now, m.ID)
	repeat := errors.Is(err, errRepeat)
	if text, ok := refusal(d.lang(), c, id, err); ok && !repeat {
		return d.refuse(m, c, text), nil
	}
	if err != nil && !repeat {
		return unavailable(m, err)
	}
	replies, err := d.Dialog.Update(ctx, c.Customer.Key(), func(s *dialog.Session) []dialog.Reply {
		if repeat && s.State != dialog.StateEscalated {
			// Resumed already: say again where the conversation stands.
			return d.Engine.Repeat(s, now)
		}
		return d.Engine.Resume(s, now)
	})
	if err != nil {
		d.log().ErrorContext(ctx, "handoff: resume conversation", "case", id, "err", err)
		return reply(m.From, d.say("return_failed", map[string]any{"ID": id, "Error": err.Error()})), nil
	}
	d.claimEvent(ctx, c, claims.CaseReturned, returnedClaim)
	if repeat {
		d.logRepeat(ctx, m, id, ActReturn)
	} else {
		d.log().InfoContext(ctx, "handoff: case returned to the bot", "case", id, "staff", who.User, "platform", who.Platform)
	}
	back := tell(c.Lang, sayBackToBot)
	entries := []Entry{{At: now, Who: System, Text: d.say("event_returned", map[string]any{"Staff": who.String()})}, {At: now, Who: Bot, Text: back}}
	out := d.toThreads(c, d.say("returned", map[string]any{"ID": id, "Staff": who.String()}))
	out = append(out, bot.Outbound{To: c.Customer, Reply: dialog.Reply{Text: back}})
	for _, r := range replies {
		out = append(out, bot.Outbound{To: c.Customer, Reply: r})
		entries = append(entries, Entry{At: now, Who: Bot, Text: r.Text})
	}
	if !repeat {
		d.append(ctx, id, entries...)
	}
	return out, nil
}

// close ends the case with a closing message and starts the customer afresh. args are
// "[REASON] [note]", REASON one of CloseReasons (ReasonResolved when none is given).
func (d *Desk) close(ctx context.Context, m bot.Message, who Staff, id, args string) ([]bot.Outbound, error) {
	code, note, ok := closeReason(args)
	if !ok {
		return reply(m.From, d.say("close_usage", map[string]any{"Reasons": strings.Join(CloseReasons, ", ")})), nil
	}
	now := d.now()
	c, err := endWhy(ctx, d.Cases, id, Closed, who, now, m.ID, code, note)
	repeat := errors.Is(err, errRepeat)
	if text, ok := refusal(d.lang(), c, id, err); ok && !repeat {
		return d.refuse(m, c, text), nil
	}
	if err != nil && !repeat {
		return unavailable(m, err)
	}
	if repeat {
		d.logRepeat(ctx, m, id, ActClose)
	} else {
		d.log().InfoContext(ctx, "handoff: case closed", "case", id, "staff", who.User, "platform", who.Platform, "reason", code)
	}
	return d.closed(ctx, c, who.String(), tell(c.Lang, sayClosed), !repeat, true), nil
}

// closeReason splits the arguments of /close into a reason code and a note.
func closeReason(args string) (code, note string, ok bool) {
	word, note, _ := strings.Cut(strings.TrimSpace(args), " ")
	code = strings.ToLower(word)
	if code == "" {
		return ReasonResolved, "", true
	}
	if !slices.Contains(CloseReasons, code) {
		return "", "", false
	}
	return code, strings.TrimSpace(note), true
}

// closed finishes a case that has just been closed (by staff, by the customer leaving,
// or for being idle): the customer's conversation starts afresh, the claim records the
// close and its reason (case.closed), the threads and the customer are told, and the
// customer is asked to rate the help they got (if rate). by names who closed it for the
// threads, closing is what the customer hears, and record says the transcript lacks the
// close yet (false for an action delivered again).
func (d *Desk) closed(ctx context.Context, c *Case, by, closing string, record, rate bool) []bot.Outbound {
	now := d.now()
	_, err := d.Dialog.Update(ctx, c.Customer.Key(), func(s *dialog.Session) []dialog.Reply {
		if !record && s.State != dialog.StateEscalated {
			return nil // reset already; the customer may have started anew since
		}
		*s = dialog.Session{Version: s.Version, State: dialog.StateNew, Lang: s.Lang, Seen: s.Seen, Updated: now.Unix()}
		return nil
	})
	if err != nil {
		// The case is closed all the same; the escalated session opens a new case on the
		// customer's next message, so nothing they write is lost.
		d.log().ErrorContext(ctx, "handoff: reset conversation", "case", c.ID, "err", err)
	}
	d.claimEvent(ctx, c, claims.CaseClosed, func(r *claims.Record) {
		r.State, r.CloseReason = claims.StateClosed, c.CloseReason
	})
	data := map[string]any{"ID": c.ID, "Staff": by, "Reason": c.CloseReason}
	if record {
		d.append(ctx, c.ID, Entry{At: now, Who: System, Text: d.say("event_closed", data)}, Entry{At: now, Who: Bot, Text: closing})
	}
	out := d.toThreads(c, d.say("closed", data))
	out = append(out, bot.Outbound{To: c.Customer, Reply: dialog.Reply{Text: closing}})
	if !rate {
		return out
	}
	return append(out, d.askRating(c)...)
}

// override replaces the bot's decision with the staff member's, who must be handling the
// case. It is logged: it is a decision the policy did not make.
func (d *Desk) override(ctx context.Context, m bot.Message, who Staff, id, args string) ([]bot.Outbound, error) {
	now := d.now()
	word, note, _ := strings.Cut(args, " ")
	to := policy.Outcome(strings.ToLower(word))
	if to == policy.Escalated || !slices.Contains(policy.Outcomes, to) {
		return reply(m.From, d.say("override_usage", map[string]any{"Outcomes": overridable()})), nil
	}
	note = strings.TrimSpace(note)
	// The decision overridden is the bot's, as its claim record stored it.
	var from policy.Outcome
	if cur, err := d.Cases.Get(ctx, id); err == nil {
		if r, ok := d.storedClaim(ctx, cur); ok && r.Outcome != policy.Escalated {
			from = r.Outcome
		}
	}
	c, err := d.Cases.Update(ctx, id, func(c *Case) error {
		switch {
		case c.Status != Open:
			return ErrEnded
		case c.Claimed == nil:
			return errNotClaimed
		case !sameStaff(*c.Claimed, who):
			return ErrClaimed
		}
		c.Override = &Override{From: from, To: to, Note: note, By: who, At: now}
		return nil
	})
	if errors.Is(err, errNotClaimed) {
		return d.refuse(m, c, d.say("override_unclaimed", nil)), nil
	}
	if text, ok := refusal(d.lang(), c, id, err); ok {
		return d.refuse(m, c, text), nil
	}
	if err != nil {
		return unavailable(m, err)
	}
	d.log().InfoContext(ctx, "handoff: decision overridden", "case", id, "staff", who.User, "platform", who.Platform,
		"from", string(from), "to", string(to), "note", note)
	d.claimEvent(ctx, c, claims.ClaimOverridden, func(r *claims.Record) {
		r.Override = &claims.Override{Outcome: to, Note: note, By: who.String(), At: now}
	})
	notice := tell(c.Lang, sayOverride, outcomeText(c.Lang, to))
	d.append(ctx, id,
		Entry{At: now, Who: System, Text: d.say("event_overridden", map[string]any{"Staff": who.String(), "From": orNone(d.lang(), string(from)), "To": string(to), "Note": note})},
		Entry{At: now, Who: Bot, Text: notice})
	out := d.toThreads(c, d.say("overridden", map[string]any{"Staff": who.String(), "ID": id, "From": orNone(d.lang(), string(from)), "To": string(to)}))
	return append(out, bot.Outbound{To: c.Customer, Reply: dialog.Reply{Text: notice}}), nil
}

var errNotClaimed = errors.New("case is not claimed")

// logRepeat notes a staff action delivered again after it was done: the platform gives
// an update again only when the first try may not have finished, so its notices may never
// have been sent, and they are sent again. At worst someone reads a notice twice.
func (d *Desk) logRepeat(ctx context.Context, m bot.Message, id, action string) {
	d.log().InfoContext(ctx, "handoff: staff action delivered again; its notices are sent again", "case", id, "action", action, "id", m.ID)
}
