package handoff

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/policy"
)

// Desk is a bot.Handler that puts staff between the dialog and the customer when the
// dialog escalates. Customer messages of a conversation with an open case go to the case's
// staff threads and not to the dialog; messages from a staff desk chat are staff actions.
// Everything else goes to Service.
//
// Handle returns replies addressed to other chats and platforms too (a Telegram customer's
// message goes to a Discord thread): adapters deliver them through a bot.Router.
type Desk struct {
	Service *bot.Service
	Cases   Store
	// Desks are the staff chats (a Telegram forum group, a Discord channel), at most one
	// per platform. Each case gets a thread in each.
	Desks []bot.Address
	// Access says who may act on cases.
	Access Access
	// Router reaches the platforms: their bot.ThreadOpener and bot.PhotoSource, and their
	// Senders for reminders, which no incoming message carries.
	Router bot.Router
	// Renotify is how long an unclaimed case waits before its threads get a reminder, and
	// again after each reminder; zero disables reminders.
	Renotify time.Duration
	// Threads bounds the background opening of a new case's threads.
	Threads ThreadRetry
	// Lang is the language of the staff texts (the card, notices and replies in the desk
	// threads, reminders), a code of a catalog of package i18n; empty for the shop's
	// default. Customers are answered in their own language whatever it is.
	Lang string
	// Hours are when the desk is staffed (STAFF_HOURS, STAFF_HOLIDAYS); nil is always.
	// Waiting customers are told them, and out of hours when staff will answer;
	// reminders wait for opening time.
	Hours *Hours
	// IdleClose closes a case no message went either way in for this long (reason idle),
	// warning both sides IdleClose/6 before; zero never closes idle cases.
	IdleClose time.Duration
	// Snippets are the canned replies of /s NAME (SNIPPETS_FILE); nil for none.
	Snippets *Snippets
	// QueueNotice is how often, at most, a waiting customer who writes is told that staff
	// have their messages and their place in the queue; zero is DefaultQueueNotice.
	QueueNotice time.Duration
	// Now is the clock; nil means the Service's.
	Now func() time.Time
	Log *slog.Logger

	bg background
}

// Access lists who may act on cases. Anyone else writing in a desk chat is refused.
type Access struct {
	// Users are staff members, as UserRef(platform, user id).
	Users map[string]bool
	// Roles are roles whose members are staff, as UserRef(platform, role id): Discord
	// guild roles.
	Roles map[string]bool
}

// Allows reports whether the sender of m is staff.
func (a Access) Allows(m bot.Message) bool {
	if m.User == "" {
		return false
	}
	if a.Users[UserRef(m.From.Platform, m.User)] {
		return true
	}
	for _, r := range m.Roles {
		if a.Roles[UserRef(m.From.Platform, r)] {
			return true
		}
	}
	return false
}

// Button ids of the case card: "case:ACTION:ID", at most 28 bytes.
const (
	ActClaim  = "claim"
	ActReturn = "return"
	ActClose  = "close"
)

// ButtonID returns the id of a case card button.
func ButtonID(action, id string) string { return "case:" + action + ":" + id }

func parseButton(b string) (action, id string, ok bool) {
	rest, ok := strings.CutPrefix(b, "case:")
	if !ok {
		return "", "", false
	}
	action, id, ok = strings.Cut(rest, ":")
	return action, id, ok && validID(id)
}

// Handle implements bot.Handler.
func (d *Desk) Handle(ctx context.Context, m bot.Message) ([]bot.Outbound, error) {
	if d.isDesk(m.From) {
		return d.staff(ctx, m)
	}
	return d.customer(ctx, m)
}

func (d *Desk) isDesk(a bot.Address) bool {
	for _, desk := range d.Desks {
		if a.Platform == desk.Platform && a.Chat == desk.Chat {
			return true
		}
	}
	return false
}

// customer handles a message from a customer's chat.
func (d *Desk) customer(ctx context.Context, m bot.Message) ([]bot.Outbound, error) {
	if out, ok, err := d.customerButton(ctx, m); ok {
		return out, err
	}
	conv := m.From.Key()
	c, err := d.Cases.OpenFor(ctx, conv)
	if err == nil {
		return d.relayIn(ctx, c, m)
	}
	if !errors.Is(err, ErrNotFound) {
		return unavailable(m, err)
	}
	sess, err := d.Service.Store.Load(ctx, conv)
	var apology []bot.Outbound
	if errors.Is(err, dialog.ErrUnreadable) {
		// Set aside by this Load: Handle will find no session, so the apology is ours.
		apology = []bot.Outbound{{To: m.From, Reply: d.Service.Unreadable(ctx, conv, m.Lang, err)}}
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

	out, err := d.Service.Handle(ctx, m)
	out = append(apology, out...)
	if err != nil {
		return out, err
	}
	d.record(ctx, m, out)
	if !escalates(out) {
		return out, nil
	}
	if sess, err = d.Service.Store.Load(ctx, conv); err != nil {
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
	_, err := d.Service.Update(ctx, conv, func(s *dialog.Session) []dialog.Reply {
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

// openThreads opens the case's missing threads, each attempt bounded by
// Threads.Timeout, and returns the cards to post in them, the case as it now stands, and
// the errors of the desks whose thread could not be opened.
func (d *Desk) openThreads(ctx context.Context, c *Case) ([]bot.Outbound, *Case, []error) {
	var opened []bot.Address
	var errs []error
	for _, desk := range d.Desks {
		if _, ok := c.thread(desk.Platform); ok {
			continue
		}
		opener, ok := d.Router[desk.Platform].(bot.ThreadOpener)
		if !ok {
			d.log().ErrorContext(ctx, "handoff: the desk's platform cannot open threads", "desk", desk.Key())
			errs = append(errs, fmt.Errorf("desk %s: platform cannot open threads", desk.Key()))
			continue
		}
		actx, cancel := context.WithTimeout(ctx, d.Threads.timeout())
		th, err := opener.OpenThread(actx, desk, threadTitle(d.lang(), c))
		cancel()
		if err != nil {
			d.log().WarnContext(ctx, "handoff: open thread", "case", c.ID, "desk", desk.Key(), "err", err)
			errs = append(errs, fmt.Errorf("desk %s: %w", desk.Key(), err))
			continue
		}
		opened = append(opened, th)
	}
	if len(opened) == 0 {
		return nil, c, errs
	}
	updated, err := d.Cases.Update(ctx, c.ID, func(c *Case) error {
		for _, th := range opened {
			if _, ok := c.thread(th.Platform); !ok {
				c.Threads = append(c.Threads, th)
			}
		}
		return nil
	})
	if err != nil {
		d.log().ErrorContext(ctx, "handoff: save threads", "case", c.ID, "err", err)
		return nil, c, append(errs, fmt.Errorf("save threads: %w", err))
	}
	text, refs := d.card(ctx, updated)
	photos, missing := d.photos(ctx, c.Customer.Platform, refs)
	if missing > 0 {
		text = truncate(text, maxCard-60) + "\n" + d.say("photos_missing", map[string]any{"Number": missing})
	}
	var out []bot.Outbound
	for _, th := range opened {
		out = append(out, bot.Outbound{To: th, Reply: dialog.Reply{Text: text, Buttons: cardButtons(d.lang(), c.ID)}, Photos: photos})
	}
	return out, updated, errs
}

func cardButtons(lang, id string) []dialog.Button {
	return []dialog.Button{
		{ID: ButtonID(ActClaim, id), Label: staffText(lang, "button_claim", nil)},
		{ID: ButtonID(ActReturn, id), Label: staffText(lang, "button_return", nil)},
		{ID: ButtonID(ActClose, id), Label: staffText(lang, "button_close", nil)},
	}
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
	if first && c.Claim != "" && d.Service.Claims != nil {
		_, err := d.Service.Claims.Update(ctx, claims.ID(c.Claim), func(r *claims.Record) error {
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

// staff handles a message from a staff desk chat.
func (d *Desk) staff(ctx context.Context, m bot.Message) ([]bot.Outbound, error) {
	if !d.Access.Allows(m) {
		d.log().WarnContext(ctx, "handoff: refused a desk action by someone who is not staff",
			"platform", m.From.Platform, "user", m.User, "name", m.UserName, "chat", m.From.Key(), "button", m.Button)
		var c *Case
		if _, id, ok := parseButton(m.Button); ok {
			c, _ = d.Cases.Get(ctx, id) // the press removed the card's buttons: put them back
		}
		return d.refuse(m, c, d.say("not_staff", nil)), nil
	}
	who := Staff{Platform: m.From.Platform, User: m.User, Name: m.UserName}
	if m.Button != "" {
		action, id, ok := parseButton(m.Button)
		if !ok {
			return reply(m.From, d.say("unknown_button", nil)), nil
		}
		return d.act(ctx, m, who, action, id, "")
	}
	text := strings.TrimSpace(m.Text)
	cmd, args := command(text)
	c, err := d.Cases.ByThread(ctx, m.From.Key())
	switch {
	case errors.Is(err, ErrNotFound):
		if cmd == "help" {
			return reply(m.From, d.help()), nil
		}
		if cmd != "" {
			return reply(m.From, d.say("use_in_thread", nil)), nil
		}
		return nil, nil // staff talking among themselves outside case threads
	case err != nil:
		return unavailable(m, err)
	}
	if cmd == "tobot" {
		// Discord reserves /return for the adapter's slash command that starts a claim.
		cmd = ActReturn
	}
	switch cmd {
	case "":
		return d.relayOut(ctx, c, m, who)
	case ActClaim, ActReturn, ActClose, "override":
		return d.act(ctx, m, who, cmd, c.ID, args)
	case "note":
		return d.note(ctx, c, m, who, args)
	case "s", "snippet":
		return d.snippet(ctx, c, m, who, args)
	case "reopen":
		return d.reopen(ctx, c, m, who)
	}
	return reply(m.From, d.help()), nil
}

// command splits "/override return_eligible note" into "override" and the rest; a
// Telegram group command may carry the bot's name: "/claim@returnsbot".
func command(text string) (name, args string) {
	rest, ok := strings.CutPrefix(text, "/")
	if !ok {
		return "", ""
	}
	name, args = rest, ""
	if i := strings.IndexFunc(rest, unicode.IsSpace); i >= 0 {
		name, args = rest[:i], rest[i:]
	}
	name, _, _ = strings.Cut(name, "@")
	return strings.ToLower(name), strings.TrimSpace(args)
}

// act runs a staff action on a case.
func (d *Desk) act(ctx context.Context, m bot.Message, who Staff, action, id, args string) ([]bot.Outbound, error) {
	switch action {
	case ActClaim:
		return d.claim(ctx, m, who, id)
	case ActReturn:
		return d.giveBack(ctx, m, who, id)
	case ActClose:
		return d.close(ctx, m, who, id, args)
	case "override":
		return d.override(ctx, m, who, id, args)
	}
	return reply(m.From, d.say("unknown_button", nil)), nil
}

// refusal turns the error of a case operation into words for the staff member, or returns
// false when it is not one they can do anything about.
func refusal(lang string, c *Case, id string, err error) (string, bool) {
	switch {
	case errors.Is(err, ErrNotFound):
		return staffText(lang, "unknown_case", map[string]any{"ID": id}), true
	case errors.Is(err, ErrEnded) && c != nil:
		return staffText(lang, "already_ended", map[string]any{"ID": id, "Status": statusText(lang, c.Status)}), true
	case errors.Is(err, ErrClaimed) && c != nil && c.Claimed != nil:
		return staffText(lang, "handled_by", map[string]any{"ID": id, "Staff": c.Claimed.String()}), true
	case errors.Is(err, ErrYours):
		return staffText(lang, "already_yours", map[string]any{"ID": id}), true
	}
	return "", false
}

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
	replies, err := d.Service.Update(ctx, c.Customer.Key(), func(s *dialog.Session) []dialog.Reply {
		if repeat && s.State != dialog.StateEscalated {
			// Resumed already: say again where the conversation stands.
			return d.Service.Engine.Repeat(s, now)
		}
		return d.Service.Engine.Resume(s, now)
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
	_, err := d.Service.Update(ctx, c.Customer.Key(), func(s *dialog.Session) []dialog.Reply {
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

// relayOut passes a staff member's message in a case thread to the customer. Only the
// staff member handling the case speaks to the customer, so they hear one voice; the
// others are told their message was not sent.
func (d *Desk) relayOut(ctx context.Context, c *Case, m bot.Message, who Staff) ([]bot.Outbound, error) {
	switch {
	case c.Status != Open:
		return reply(m.From, d.say("not_sent_ended", map[string]any{"ID": c.ID, "Status": statusText(d.lang(), c.Status)})), nil
	case c.Claimed == nil:
		return reply(m.From, d.say("not_sent_unclaimed", nil)), nil
	case !sameStaff(*c.Claimed, who):
		return reply(m.From, d.say("not_sent_other", map[string]any{"Staff": c.Claimed.String()})), nil
	}
	if strings.TrimSpace(m.Text) == "" && len(m.Photos) == 0 {
		return reply(m.From, d.say("not_sent_empty", nil)), nil
	}
	again := m.ID != "" && slices.Contains(c.Seen, m.ID)
	if again && !m.Redelivery {
		return nil, nil // delivered again by the platform: relayed already
	}
	photos, missing := d.photos(ctx, m.From.Platform, m.Photos)
	now := d.now()
	if !again { // a redelivery is sent again (see relayIn) but recorded once
		if err := d.Cases.Append(ctx, c.ID, Entry{At: now, Who: StaffWho, Name: who.String(), Text: m.Text, Photos: len(m.Photos)}); err != nil {
			return unavailable(m, err)
		}
		d.markSeen(ctx, c.ID, m.ID, true)
	}
	out := []bot.Outbound{{To: c.Customer, Reply: dialog.Reply{Text: m.Text}, Photos: photos}}
	if missing > 0 {
		out = append(out, reply(m.From, d.say("photos_not_sent", map[string]any{"Number": missing}))...)
	}
	// Staff on the other desks see the answer too.
	for _, th := range c.Threads {
		if th != m.From {
			out = append(out, bot.Outbound{To: th, Reply: dialog.Reply{Text: d.say("staff_relay", map[string]any{"Staff": who.String(), "Text": m.Text})}, Photos: photos})
		}
	}
	return out, nil
}

// Remind posts a reminder in the threads of every case that has waited unclaimed for
// Renotify since staff were last told, opening threads that could not be opened before.
// Several instances may run it at once: the compare-and-set on Case.Notified lets one of
// them remind per case and period.
func (d *Desk) Remind(ctx context.Context) error {
	now := d.now()
	if d.Renotify <= 0 || !d.Hours.OpenAt(now) {
		return nil // out of hours, reminders wait for opening time
	}
	before := now.Add(-d.Renotify)
	ids, err := d.Cases.Due(ctx, before)
	if err != nil {
		return fmt.Errorf("remind: %w", err)
	}
	var errs []error
	for _, id := range ids {
		c, err := d.Cases.Update(ctx, id, func(c *Case) error {
			if !c.Waiting() || c.Notified.After(before) {
				return errNoChange
			}
			c.Notified = now
			return nil
		})
		if errors.Is(err, errNoChange) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("remind case %s: %w", id, err))
			continue
		}
		if len(c.Threads) < len(d.Desks) {
			d.openLater(c) // the new threads get the card, which says all a reminder would
		}
		waited := now.Sub(c.Opened).Round(time.Second)
		text := d.say("reminder", map[string]any{"ID": id, "Name": displayName(c.Name, c.User), "Waited": waited.String()})
		var out []bot.Outbound
		for _, th := range c.Threads {
			out = append(out, bot.Outbound{To: th, Reply: dialog.Reply{Text: text, Buttons: cardButtons(d.lang(), id)[:1]}})
		}
		d.log().InfoContext(ctx, "handoff: unclaimed case re-notified", "case", id, "waited", waited.String())
		if err := d.Router.Deliver(ctx, out); err != nil {
			errs = append(errs, fmt.Errorf("remind case %s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// Run reminds staff of unclaimed cases, and opens the threads that could not be opened
// when their case was, until ctx is done; then it stops the background retries and waits
// for the attempts in flight. It checks four times per Renotify period, so a reminder is
// at most a quarter period late, and at least every Threads.Repair.
func (d *Desk) Run(ctx context.Context) error {
	defer d.bg.shutdown()
	every := d.Threads.repair()
	if d.Renotify > 0 {
		every = min(every, max(d.Renotify/4, time.Millisecond))
	}
	if d.IdleClose > 0 {
		every = min(every, max(d.idleWarn()/4, time.Millisecond))
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := d.Remind(ctx); err != nil && ctx.Err() == nil {
				d.log().ErrorContext(ctx, "handoff: remind", "err", err)
			}
			if err := d.repair(ctx, d.now()); err != nil && ctx.Err() == nil {
				d.log().ErrorContext(ctx, "handoff: repair threads", "err", err)
			}
			if err := d.CloseIdle(ctx); err != nil && ctx.Err() == nil {
				d.log().ErrorContext(ctx, "handoff: close idle cases", "err", err)
			}
		}
	}
}

func (d *Desk) append(ctx context.Context, id string, es ...Entry) {
	if err := d.Cases.Append(ctx, id, es...); err != nil {
		d.log().ErrorContext(ctx, "handoff: append to transcript", "case", id, "err", err)
	}
}

func (d *Desk) toThreads(c *Case, text string) []bot.Outbound {
	out := make([]bot.Outbound, 0, len(c.Threads))
	for _, th := range c.Threads {
		out = append(out, bot.Outbound{To: th, Reply: dialog.Reply{Text: text}})
	}
	return out
}

// refuse answers a staff action that cannot be done. Platforms remove the buttons of a
// pressed message, so a refused press gets the case's buttons back, as they now stand.
func (d *Desk) refuse(m bot.Message, c *Case, text string) []bot.Outbound {
	out := reply(m.From, text)
	if m.Button != "" {
		out[0].Buttons = buttonsFor(d.lang(), c)
	}
	return out
}

// buttonsFor returns the buttons that apply to the case now: all three while it waits,
// Return and Close once claimed, none once ended.
func buttonsFor(lang string, c *Case) []dialog.Button {
	switch {
	case c == nil || c.Status != Open:
		return nil
	case c.Claimed != nil:
		return cardButtons(lang, c.ID)[1:]
	}
	return cardButtons(lang, c.ID)
}

// overridable lists the outcomes staff may override a decision with, for the usage text.
func overridable() string {
	var names []string
	for _, o := range policy.Outcomes {
		if o != policy.Escalated {
			names = append(names, string(o))
		}
	}
	return strings.Join(names, ", ")
}

func reply(to bot.Address, text string) []bot.Outbound {
	return []bot.Outbound{{To: to, Reply: dialog.Reply{Text: text}}}
}

// unavailable answers a message the case store could not handle, as bot.Service does for
// the session store: nothing was changed, and the message may be sent again.
func unavailable(m bot.Message, err error) ([]bot.Outbound, error) {
	return reply(m.From, bot.TryAgainText), fmt.Errorf("handoff: %w: %w", bot.ErrUnavailable, err)
}

func (d *Desk) now() time.Time {
	switch {
	case d.Now != nil:
		return d.Now()
	case d.Service != nil && d.Service.Now != nil:
		return d.Service.Now()
	}
	return time.Now()
}

func (d *Desk) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.Default()
}
