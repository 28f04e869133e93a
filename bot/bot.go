// Package bot connects chat platforms to the dialog. Platform adapters (bot/telegram,
// bot/discord, bot/console) turn their updates into Messages and hand them to a Handler;
// the Service runs each Message through the dialog against the session store and returns
// the Outbound replies for the adapters to render. Nothing here imports a platform SDK.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/funnel"
)

// Address is a chat on a platform: where a Message comes from and where a Reply goes.
type Address struct {
	// Platform is "telegram", "discord" or "console".
	Platform string `json:"p"`
	// Chat is the platform's id of the chat (Telegram chat id, Discord channel id).
	Chat string `json:"c"`
	// Thread is a topic or thread within the chat (a Telegram forum topic, a Discord
	// thread), or empty.
	Thread string `json:"t,omitempty"`
}

// Key is the address as a string, the session key of the conversation in it.
func (a Address) Key() string {
	if a.Thread != "" {
		return a.Platform + ":" + a.Chat + ":" + a.Thread
	}
	return a.Platform + ":" + a.Chat
}

func (a Address) String() string { return a.Key() }

// Message is one thing a person did in a chat, in platform-neutral form.
type Message struct {
	// ID is the platform's id of the update (Telegram update_id, Discord message or
	// interaction id). A message whose ID was already handled is dropped. Empty: no dedup.
	ID   string
	From Address
	// User is the platform's id of the person, UserName how they call themselves.
	User     string
	UserName string
	Text     string
	// Button is the id of a pressed button.
	Button string
	// Photos are platform references to pictures sent with the message.
	Photos []string
	// Unsupported names content the bot cannot read, such as "sticker".
	Unsupported string
	// Lang is the person's language code as the platform reports it, if any.
	Lang string
	// Roles are the person's role ids where the platform has them (Discord guild roles).
	Roles []string
	// Redelivery says the platform gives a message again only when an earlier attempt at
	// it may not have finished, as Telegram does with an update not confirmed (polling)
	// or not answered with 200 (webhook). The replies of such a message, if it was the
	// last one handled, may never have been sent, so it is answered with where the
	// conversation stands instead of being dropped.
	Redelivery bool
}

// Outbound is a reply and the chat it goes to.
type Outbound struct {
	To Address
	dialog.Reply
	// Photos travel as bytes: platforms do not share file references, and a relay from
	// one platform to another must upload them again.
	Photos []Photo
}

// Photo is a picture to send.
type Photo struct {
	Name string
	Data []byte
}

// PhotoSource is implemented by adapters that can fetch a picture a person sent, by the
// reference they put in Message.Photos.
type PhotoSource interface {
	Photo(ctx context.Context, ref string) (Photo, error)
}

// ThreadOpener is implemented by adapters that can open a thread in a chat (a Telegram
// forum topic, a Discord thread), where staff handle one case each.
type ThreadOpener interface {
	OpenThread(ctx context.Context, chat Address, title string) (Address, error)
}

// Handler handles Messages. Adapters call it, in order, once per message of a chat.
type Handler interface {
	Handle(ctx context.Context, m Message) ([]Outbound, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, m Message) ([]Outbound, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, m Message) ([]Outbound, error) { return f(ctx, m) }

// ErrUnavailable marks errors of the session store: the message was not handled and may
// be retried. The Outbound returned with it tells the person to try again.
var ErrUnavailable = errors.New("session store unavailable")

// MaxAttempts bounds compare-and-set retries of one message or update under contention.
// Only writers of the same conversation contend (instances, staff actions), and each
// conflict means another of them succeeded: the bound is reached only by many writers of
// one conversation at once (40 in TestServiceConcurrentMessagesLoseNothing now and then
// used up the earlier 16), and it bounds the work of one message all the same. The staff
// desk, which had its own loop with 64, shares this one (Update), and the Redis case store
// (bot/handoff/rediscases) bounds its optimistic transactions by it: one retry budget.
const MaxAttempts = 64

// Service runs messages through the dialog against a session store.
type Service struct {
	Engine *dialog.Engine
	Store  dialog.Store
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Lang is the language of new sessions whose message names none; empty is English.
	Lang string
	Log  *slog.Logger
	// Metrics, if set, counts messages, decisions, conflicts and store failures.
	Metrics *Metrics
	// Claims, if set, records every decision and escalation stated (see recordClaim) and
	// answers /status; Outbox, if set, gets their webhook events. PolicyVersion names the
	// policy in the records (claims.PolicyVersion).
	Claims        claims.Store
	Outbox        claims.Outbox
	PolicyVersion string
	// ForgetCases, if set, erases the staff desk's cases and logs of a customer
	// ("platform:user") when they confirm /forget, returning the conversation keys it
	// found (handoff.Store.Forget).
	ForgetCases func(ctx context.Context, who string) ([]string, error)
	// Funnel, if set, tallies per day the questions customers reach, answer or leave for
	// staff (package funnel), for the dashboard; Metrics counts the same events.
	Funnel funnel.Tally
}

// Handle implements Handler. It loads the conversation's session, runs the dialog step,
// and saves the session with compare-and-set, re-running the step on a conflict, so
// concurrent instances never lose an answer. Replies are returned only once the session is
// saved. A message already handled is dropped. When the store fails, it returns an
// apology to send and an error wrapping ErrUnavailable; the session is unchanged and the
// message may be delivered again. A stored session the store cannot read is that
// conversation's alone: the customer starts afresh, told so (see Update).
func (s *Service) Handle(ctx context.Context, m Message) ([]Outbound, error) {
	return s.handle(ctx, m, nil)
}

// heldSaver is a Store that can save unless the conversation is held in front of the
// dialog, in the round trip of the save (redisstore.Store.SaveUnlessHeld).
type heldSaver interface {
	SaveUnlessHeld(ctx context.Context, key string, s *dialog.Session) error
}

// HandleUnlessHeld is Handle for the common message of a conversation nobody holds in
// front of the dialog: one the dialog steps and saves. It returns an error wrapping
// dialog.ErrHeld, having saved nothing, for anything else: when the store reports the
// conversation held (a staff case open, a rating comment awaited), when the session is
// escalated, for a message it has seen, for /status and /forget, and always with a store
// that cannot check holds in its save. With ErrHeld it returns no replies, or, when its
// read found the stored session unreadable (set aside and logged, see Unreadable), the
// apology to send before the caller's own answer. The staff desk calls it first and
// handles ErrHeld the long way, which costs it a round trip of its own; with it, a
// customer message costs Redis the save alone.
func (s *Service) HandleUnlessHeld(ctx context.Context, m Message) ([]Outbound, error) {
	hs, ok := s.Store.(heldSaver)
	if !ok || s.asksStatusOrForget(m) {
		return nil, dialog.ErrHeld
	}
	return s.handle(ctx, m, hs)
}

// asksStatusOrForget reports whether m is /status, /forget or a button of its question.
func (s *Service) asksStatusOrForget(m Message) bool {
	_, status := statusAsked(m)
	_, forget := forgetAsked(m)
	return status || forget
}

// handle is Handle, or with held set HandleUnlessHeld: the session is saved with
// held.SaveUnlessHeld, and escalated sessions and messages seen before are left to the
// caller.
func (s *Service) handle(ctx context.Context, m Message, held heldSaver) ([]Outbound, error) {
	start := time.Now()
	save := s.Store.Save
	if held != nil {
		save = held.SaveUnlessHeld
	} else {
		if out, ok, err := s.status(ctx, m); ok {
			return out, err
		}
		if out, ok, err := s.forget(ctx, m); ok {
			return out, err
		}
	}
	key := m.From.Key()
	var dropped, repeated, leave bool
	var saved *dialog.Session
	var from, to string // the dialog state before and after the step saved
	replies, unreadable, err := s.update(ctx, key, func(sess *dialog.Session) ([]dialog.Reply, bool) {
		dropped, repeated, leave, saved = false, false, false, sess
		from, to = sess.State, sess.State
		seen := sess.HasSeen(m.ID)
		if held != nil && (sess.State == dialog.StateEscalated || seen) {
			leave = true
			return nil, false
		}
		if seen {
			if m.Redelivery && sess.Seen[len(sess.Seen)-1] == m.ID {
				// The bot may have stopped between saving this message's step and sending
				// its replies. Saying again where things stand costs, at worst, a repeat.
				repeated = true
				return s.Engine.Repeat(sess, s.now()), false
			}
			// Dropped without a word: a platform that does not promise to redeliver only
			// after a failure may deliver the same message to two instances at once, and
			// answering both would double every message.
			dropped = true
			return nil, false
		}
		if sess.State == "" || sess.State == dialog.StateNew {
			sess.Lang = s.language(m.Lang)
		}
		replies := s.Engine.Step(sess, dialog.Input{
			Text: m.Text, Button: m.Button, Photos: m.Photos, Unsupported: m.Unsupported,
		}, s.now())
		sess.MarkSeen(m.ID)
		to = sess.State
		return replies, true
	}, save)
	if leave {
		err = fmt.Errorf("conversation %s: escalated, or the message seen before: %w", key, dialog.ErrHeld)
	}
	if errors.Is(err, dialog.ErrHeld) {
		if unreadable {
			// The read set the stored session aside: the long way finds none, so the
			// apology goes with the refusal.
			return s.outbound(m.From, []dialog.Reply{{Text: UnreadableText(s.language(m.Lang))}}), err
		}
		return nil, err
	}
	switch {
	case errors.Is(err, dialog.ErrDuplicate):
		s.Metrics.count(metricDuplicate)
		s.log().DebugContext(ctx, "duplicate message dropped by the store", "conversation", key, "id", m.ID)
		return nil, nil
	case err != nil:
		return s.unavailable(m, fmt.Errorf("handle: %w", err))
	case dropped:
		s.Metrics.count(metricDuplicate)
		s.log().DebugContext(ctx, "duplicate message dropped", "conversation", key, "id", m.ID)
		return nil, nil
	case repeated:
		s.Metrics.count(metricRepeated)
		s.log().InfoContext(ctx, "redelivered message answered with where the conversation stands", "conversation", key, "id", m.ID)
		s.ensureClaim(ctx, m, saved)
		return s.outbound(m.From, replies), nil
	}
	s.tally(ctx, funnel.Steps(from, to))
	replies = s.recordClaim(ctx, m, saved, replies)
	if unreadable {
		replies = append([]dialog.Reply{{Text: UnreadableText(s.language(m.Lang))}}, replies...)
	}
	out := s.outbound(m.From, replies)
	s.Metrics.handled(time.Since(start), out)
	return out, nil
}

// tally counts a saved step's funnel events in Metrics and the Funnel. A tally the store
// fails to keep is logged: it costs the dashboard a count, not the customer an answer.
func (s *Service) tally(ctx context.Context, es []funnel.Event) {
	if len(es) == 0 {
		return
	}
	s.Metrics.steps(es)
	if s.Funnel == nil {
		return
	}
	if err := s.Funnel.Add(ctx, s.now(), es); err != nil {
		s.log().WarnContext(ctx, "funnel tally not kept", "err", err)
	}
}

// Unreadable reports a stored session that a Load found unreadable (err wraps
// dialog.ErrUnreadable; the store has set the value aside, so each is reported once): it
// logs it at ERROR with the key, never the value, counts it, and returns the apology for
// the customer in the language of the platform code lang. Handle and Update call it; so
// does a caller that loads a session itself (the staff desk) before handing the message
// to Handle, which would then find no session to apologise for.
func (s *Service) Unreadable(ctx context.Context, key, lang string, err error) dialog.Reply {
	s.Metrics.count(metricUnreadable)
	s.log().ErrorContext(ctx, "session unreadable: its value was set aside and the conversation starts afresh", "conversation", key, "err", err)
	return dialog.Reply{Text: UnreadableText(s.language(lang))}
}

// Session returns the session stored under key as the Store loads it: a new one when
// none is stored, an error wrapping dialog.ErrUnreadable for one set aside (see
// Unreadable). The staff desk reads it to tell a conversation waiting for staff.
func (s *Service) Session(ctx context.Context, key string) (*dialog.Session, error) {
	return s.Store.Load(ctx, key)
}

// Update changes the session under key with compare-and-set: change runs on the stored
// session, and again on the newer one whenever another writer saved first, so it must
// only depend on the session it is given. It returns the replies of the run that was
// saved. Everything that changes a session outside a dialog step (staff handing a
// conversation back, closing a case) goes through it, so no decision rests on a copy the
// store has not confirmed. A store failure returns an error wrapping ErrUnavailable. A
// stored session the store cannot read is logged and change runs on a new one.
func (s *Service) Update(ctx context.Context, key string, change func(*dialog.Session) []dialog.Reply) ([]dialog.Reply, error) {
	var from, to string
	replies, _, err := s.update(ctx, key, func(sess *dialog.Session) ([]dialog.Reply, bool) {
		from = sess.State
		r := change(sess)
		to = sess.State
		return r, true
	}, s.Store.Save)
	if err == nil {
		// Staff handing a conversation back asks its question again: the funnel counts it.
		s.tally(ctx, funnel.Steps(from, to))
	}
	return replies, err
}

// update is the compare-and-set loop of Handle and Update: change returns its replies and
// whether to save the session, with save. unreadable reports that the stored session
// could not be read and change ran on a new one. Errors wrap ErrUnavailable, or
// dialog.ErrDuplicate when the store refused the write as a message it remembers
// handling, or dialog.ErrHeld when save found the conversation held.
func (s *Service) update(ctx context.Context, key string, change func(*dialog.Session) ([]dialog.Reply, bool), save func(context.Context, string, *dialog.Session) error) (replies []dialog.Reply, unreadable bool, err error) {
	for attempt := 0; attempt < MaxAttempts; attempt++ {
		sess, err := s.Store.Load(ctx, key)
		if errors.Is(err, dialog.ErrUnreadable) {
			s.Unreadable(ctx, key, "", err)
			unreadable = true
			sess, err = &dialog.Session{}, nil
		}
		if err != nil {
			return nil, unreadable, fmt.Errorf("session %s: %w: %w", key, ErrUnavailable, err)
		}
		replies, write := change(sess)
		if !write {
			return replies, unreadable, nil
		}
		err = save(ctx, key, sess)
		switch {
		case errors.Is(err, dialog.ErrDuplicate), errors.Is(err, dialog.ErrHeld):
			return nil, unreadable, fmt.Errorf("session %s: %w", key, err)
		case errors.Is(err, dialog.ErrConflict):
			s.Metrics.count(metricConflict)
			continue
		case err != nil:
			return nil, unreadable, fmt.Errorf("session %s: %w: %w", key, ErrUnavailable, err)
		}
		return replies, unreadable, nil
	}
	return nil, unreadable, fmt.Errorf("session %s: %w: gave up after %d conflicting writes", key, ErrUnavailable, MaxAttempts)
}

func (s *Service) outbound(to Address, replies []dialog.Reply) []Outbound {
	out := make([]Outbound, len(replies))
	for i, r := range replies {
		out[i] = Outbound{To: to, Reply: r}
	}
	return out
}

// unavailable answers a message the store could not handle, in the person's language if
// the platform told it: the session, which knows it, could not be read.
func (s *Service) unavailable(m Message, err error) ([]Outbound, error) {
	s.Metrics.count(metricUnavailable)
	return []Outbound{{To: m.From, Reply: dialog.Reply{Text: dialog.Unavailable(s.language(m.Lang))}}}, err
}

// TryAgainText is the English apology sent when a message could not be handled for a
// passing reason; dialog.Unavailable has it in other languages.
var TryAgainText = dialog.Unavailable("en")

func (s *Service) language(platform string) string {
	if platform != "" && dialog.HasLanguage(platform) {
		return platform
	}
	return s.Lang
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}
