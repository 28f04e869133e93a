package handoff

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog"
)

// Desk is a bot.Handler that puts staff between the dialog and the customer when the
// dialog escalates. Customer messages of a conversation with an open case go to the case's
// staff threads and not to the dialog; messages from a staff desk chat are staff actions.
// Everything else goes to Service.
//
// Handle returns replies addressed to other chats and platforms too (a Telegram customer's
// message goes to a Discord thread): adapters deliver them through a bot.Router.
type Desk struct {
	// Dialog is the bot the desk wraps (a *bot.Service): it gets every message not for
	// staff, and the desk changes its sessions through it.
	Dialog Conversations
	// Engine is the dialog's engine, for the card's facts and for resuming a
	// conversation staff hand back.
	Engine *dialog.Engine
	// Claims, if set, is the claim store the desk writes staff's actions, close
	// reasons and ratings into; Outbox, if set, gets their webhook events. The Dialog's
	// own, so that its claim records and the desk's are one.
	Claims claims.Store
	Outbox claims.Outbox
	// Metrics, if set, counts customers leaving the queue and idle closes.
	Metrics Counter
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
	// Now is the clock; nil means time.Now.
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

func reply(to bot.Address, text string) []bot.Outbound {
	return []bot.Outbound{{To: to, Reply: dialog.Reply{Text: text}}}
}

// unavailable answers a message the case store could not handle, as bot.Service does for
// the session store: nothing was changed, and the message may be sent again.
func unavailable(m bot.Message, err error) ([]bot.Outbound, error) {
	return reply(m.From, bot.TryAgainText), fmt.Errorf("handoff: %w: %w", bot.ErrUnavailable, err)
}

func (d *Desk) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Desk) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.Default()
}
