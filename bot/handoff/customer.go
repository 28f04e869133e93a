package handoff

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/policy"
)

// The customer side of the desk: what happens to a customer's message, from the dialog's
// escalation and the opening of a case to the relay of their messages to the threads.

// customer handles a message from a customer's chat.
func (d *Desk) customer(ctx context.Context, m bot.Message) ([]bot.Outbound, error) {
	if out, ok, err := d.customerButton(ctx, m); ok {
		return out, err
	}
	// The common message first: no case open, no comment awaited, the dialog's to step.
	// Where the session store checks the desk's keys in its save, that costs the desk no
	// round trip; anywhere else, and whenever the conversation is held, nothing was done
	// and the message goes the long way.
	first, err := d.Dialog.HandleUnlessHeld(ctx, m)
	if !errors.Is(err, dialog.ErrHeld) {
		return d.answered(ctx, m, first, err)
	}
	// first is empty, or the apology for a session its read set aside.
	out, err := d.held(ctx, m)
	return append(first, out...), err
}

// held handles a customer message the long way: the open-case lookup first, then an
// awaited comment, an escalation left without a case, or the dialog.
func (d *Desk) held(ctx context.Context, m bot.Message) ([]bot.Outbound, error) {
	conv := m.From.Key()
	// A text may be the comment the customer offered to add to their rating: taken in
	// the same round trip as the open-case lookup.
	c, id, err := d.Cases.Arrival(ctx, conv, m.Button == "" && strings.TrimSpace(m.Text) != "")
	if err == nil {
		return d.relayIn(ctx, c, m)
	}
	if !errors.Is(err, ErrNotFound) {
		return unavailable(m, err)
	}
	if id != "" {
		if out, err := d.comment(ctx, m, id); out != nil || err != nil {
			return out, err
		}
	}
	sess, err := d.Dialog.Session(ctx, conv)
	var apology []bot.Outbound
	if errors.Is(err, dialog.ErrUnreadable) {
		// Set aside by this Load: Handle will find no session, so the apology is ours.
		apology = []bot.Outbound{{To: m.From, Reply: d.Dialog.Unreadable(ctx, conv, m.Lang, err)}}
		sess, err = &dialog.Session{}, nil
	}
	if err != nil {
		return unavailable(m, err)
	}
	if sess.State == dialog.StateEscalated {
		if sess, err = d.storedEscalation(ctx, conv); err != nil {
			return unavailable(m, err)
		}
	}
	if sess.State == dialog.StateEscalated {
		// Escalated without a case: the process stopped between saving the session and
		// opening the case. Open it now; this message is the first one staff see.
		d.log().WarnContext(ctx, "handoff: escalated conversation had no case; opening one", "conversation", conv)
		c, _, err := d.open(ctx, m, sess)
		if err != nil {
			return unavailable(m, err)
		}
		// relayIn opens the threads once the message is in the transcript the card shows.
		return d.relayIn(ctx, c, m)
	}

	out, err := d.Dialog.Handle(ctx, m)
	return d.answered(ctx, m, append(apology, out...), err)
}

// answered finishes a message the dialog handled, with its replies out: the rolling log
// records both, and an escalation opens the case.
func (d *Desk) answered(ctx context.Context, m bot.Message, out []bot.Outbound, err error) ([]bot.Outbound, error) {
	if err != nil {
		return out, err
	}
	conv := m.From.Key()
	d.record(ctx, m, out)
	if !escalates(out) {
		return out, nil
	}
	sess, err := d.Dialog.Session(ctx, conv)
	if err != nil {
		return out, fmt.Errorf("handoff: open case for %s: %w", conv, err)
	}
	c, created, err := d.open(ctx, m, sess)
	if err != nil {
		// The customer was told staff will answer; their next message opens the case.
		return out, fmt.Errorf("handoff: open case for %s: %w", conv, err)
	}
	if created {
		d.openLater(c)
		out = append(out, d.queued(ctx, c, true)...)
	}
	// The customer's reply goes now; the threads and their cards follow in the background.
	return out, nil
}

// storedEscalation confirms that the conversation's session is escalated in the store,
// not only in a copy a store may have cached (redisstore keeps one for minutes): staff may
// have closed the case through another instance, "returnsbot forget" may have erased it,
// or Redis may have lost the keys. A compare-and-set write of the session as loaded fails
// on any such copy and hands over the stored one, so what it returns is the truth as of
// the write. It costs one write, only on the rare path of an escalation without a case.
func (d *Desk) storedEscalation(ctx context.Context, conv string) (*dialog.Session, error) {
	var stored *dialog.Session
	_, err := d.Dialog.Update(ctx, conv, func(s *dialog.Session) []dialog.Reply {
		stored = s
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("confirm escalation of %s: %w", conv, err)
	}
	return stored, nil
}

func escalates(out []bot.Outbound) bool {
	for _, o := range out {
		if o.Decision != nil && o.Decision.Outcome == policy.Escalated {
			return true
		}
	}
	return false
}

// record keeps the customer's message and the bot's replies in the conversation's rolling
// log, which a case's transcript starts from. It is a record, not the conversation: a
// failure is logged and the customer is answered all the same.
func (d *Desk) record(ctx context.Context, m bot.Message, out []bot.Outbound) {
	now := d.now()
	es := []Entry{customerEntry(d.lang(), m, now)}
	for _, o := range out {
		es = append(es, Entry{At: now, Who: Bot, Text: o.Text})
	}
	if err := d.Cases.Record(ctx, m.From.Key(), UserRef(m.From.Platform, m.User), es...); err != nil {
		d.log().ErrorContext(ctx, "handoff: record conversation", "conversation", m.From.Key(), "err", err)
	}
}

// customerEntry is the transcript entry of a customer's message, a button pressed or a
// kind of message the bot cannot pass on noted in the desk's language lang.
func customerEntry(lang string, m bot.Message, now time.Time) Entry {
	text := m.Text
	switch {
	case m.Button != "":
		text = staffText(lang, "entry_pressed", map[string]any{"Button": m.Button})
	case text == "" && m.Unsupported != "":
		text = staffText(lang, "entry_unsupported", map[string]any{"Kind": m.Unsupported})
	}
	return Entry{At: now, Who: Customer, Name: m.UserName, Text: text, Photos: len(m.Photos)}
}

// open opens the case of an escalated conversation, without threads: the caller has
// openLater open them once the customer's reply is on its way. It returns the open case
// and whether this call created it.
func (d *Desk) open(ctx context.Context, m bot.Message, sess *dialog.Session) (*Case, bool, error) {
	now := d.now()
	c := &Case{
		ID: NewID(), Status: Open, Customer: m.From, User: m.User, Name: m.UserName,
		Lang: sess.Lang, Reason: sess.Reason, Claim: sess.Claim, Opened: now, Notified: now, Told: now,
	}
	c, created, err := d.Cases.Open(ctx, c)
	if err != nil {
		return nil, false, err
	}
	if !created {
		return c, false, nil
	}
	recent, err := d.Cases.Recent(ctx, m.From.Key())
	if err != nil {
		d.log().ErrorContext(ctx, "handoff: read conversation log", "case", c.ID, "err", err)
	}
	recent = append(recent, Entry{At: now, Who: System, Text: d.say("event_opened", map[string]any{"Reason": reasonText(d.lang(), c.Reason)})})
	if err := d.Cases.Append(ctx, c.ID, recent...); err != nil {
		d.log().ErrorContext(ctx, "handoff: start transcript", "case", c.ID, "err", err)
	}
	d.log().InfoContext(ctx, "handoff: case opened", "case", c.ID, "conversation", m.From.Key(), "reason", c.Reason)
	d.linkClaim(ctx, c)
	return c, true, nil
}

// relayIn passes a customer's message to the staff threads of their case.
func (d *Desk) relayIn(ctx context.Context, c *Case, m bot.Message) ([]bot.Outbound, error) {
	if len(c.Threads) < len(d.Desks) {
		// Deferred, so that the card of a new thread carries this message.
		defer d.openLater(c)
	}
	again := m.ID != "" && slices.Contains(c.Seen, m.ID)
	if again && !m.Redelivery {
		return nil, nil // delivered again by the platform: relayed already
	}
	if m.Button != "" {
		// A button of the dialog, pressed while staff have the conversation.
		return []bot.Outbound{{To: m.From, Reply: dialog.Reply{Text: tell(c.Lang, sayWithStaff)}}}, nil
	}
	if strings.TrimSpace(m.Text) == "" && len(m.Photos) == 0 {
		return []bot.Outbound{{To: m.From, Reply: dialog.Reply{Text: tell(c.Lang, sayOnlyTextAndPhotos)}}}, nil
	}
	if len(m.Photos) == 0 && leaveWords(c.Lang, m.Text) {
		return d.leaveCase(ctx, m, c.ID)
	}
	photos, missing := d.photos(ctx, m.From.Platform, m.Photos)
	// A redelivery of a message relayed before may never have reached the threads (the
	// bot stopped before sending): it is relayed again, but recorded once.
	if !again {
		if err := d.Cases.Append(ctx, c.ID, customerEntry(d.lang(), m, d.now())); err != nil {
			return unavailable(m, err)
		}
		d.markSeen(ctx, c.ID, m.ID, false)
	}
	var out []bot.Outbound
	text := relayInText(d.lang(), m)
	if missing > 0 {
		text += "\n" + d.say("photos_missing", map[string]any{"Number": missing})
	}
	for _, th := range c.Threads {
		out = append(out, bot.Outbound{To: th, Reply: dialog.Reply{Text: text}, Photos: photos})
	}
	if !again {
		out = append(out, d.queued(ctx, c, false)...)
	}
	return out, nil
}

// markSeen records a relayed message on the case: its id, so a message the platform
// delivers again is not relayed twice, and the time, which keeps the case from closing
// as idle. It runs once the message is in the transcript: if it fails, a redelivery is
// relayed twice rather than a message lost. fromStaff marks a staff answer: the first
// one is the claim's FirstStaffReply.
func (d *Desk) markSeen(ctx context.Context, id, msgID string, fromStaff bool) {
	now := d.now()
	first := false
	c, err := d.Cases.Update(ctx, id, func(c *Case) error {
		c.seen(msgID)
		c.Active, c.IdleWarned = now, time.Time{}
		first = fromStaff && c.Answered.IsZero()
		if first {
			c.Answered = now
		}
		return nil
	})
	if err != nil {
		d.log().ErrorContext(ctx, "handoff: remember relayed message", "case", id, "err", err)
		return
	}
	if first && c.Claim != "" && d.Claims != nil {
		_, err := d.Claims.Update(ctx, claims.ID(c.Claim), func(r *claims.Record) error {
			if r.FirstStaffReply.IsZero() {
				r.FirstStaffReply = now.UTC()
			}
			return nil
		})
		if err != nil {
			d.log().ErrorContext(ctx, "handoff: note the first staff answer on the claim", "case", id, "err", err)
		}
	}
}

// photos fetches pictures from the platform they were sent on, to upload them to another.
func (d *Desk) photos(ctx context.Context, platform string, refs []string) ([]bot.Photo, int) {
	if len(refs) == 0 {
		return nil, 0
	}
	src, ok := d.Router[platform].(bot.PhotoSource)
	if !ok {
		d.log().ErrorContext(ctx, "handoff: platform cannot fetch photos", "platform", platform)
		return nil, len(refs)
	}
	var out []bot.Photo
	for _, ref := range refs {
		p, err := src.Photo(ctx, ref)
		if err != nil {
			d.log().ErrorContext(ctx, "handoff: fetch photo", "platform", platform, "err", err)
			continue
		}
		out = append(out, p)
	}
	return out, len(refs) - len(out)
}
