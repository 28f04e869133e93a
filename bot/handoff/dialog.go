package handoff

import (
	"context"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/dialog"
)

// Conversations is what the desk needs of the dialog it wraps, as net/http middleware
// needs only the next Handler: bot.Service has it. The desk hands it every message that
// is not for staff, reads a conversation's session to tell whether it waits for staff, and
// changes sessions (hand back, hold, resume) through its one compare-and-set loop.
type Conversations interface {
	bot.Handler
	// HandleUnlessHeld handles a message the dialog steps and saves, unless the store
	// finds the conversation held by the desk (its open case or awaited comment) in the
	// round trip of the save; for that, and for anything else it leaves to the desk (an
	// escalated session, a message seen before, /status, /forget, a store that cannot
	// tell), it returns an error wrapping dialog.ErrHeld, having done nothing.
	HandleUnlessHeld(ctx context.Context, m bot.Message) ([]bot.Outbound, error)
	// Session returns the conversation's stored session: a fresh one when there is none,
	// an error wrapping dialog.ErrUnreadable when it could not be read (set aside).
	Session(ctx context.Context, key string) (*dialog.Session, error)
	// Update changes the conversation's session with compare-and-set, re-running change
	// on a conflict, and returns the replies it made once saved.
	Update(ctx context.Context, key string, change func(*dialog.Session) []dialog.Reply) ([]dialog.Reply, error)
	// Unreadable is the apology for a session set aside, and logs it.
	Unreadable(ctx context.Context, key, lang string, err error) dialog.Reply
}

// Counter counts the desk's own events for /metrics (*bot.Metrics has it; a nil one
// counts nothing).
type Counter interface {
	LeftQueue()
	IdleClosed()
}
