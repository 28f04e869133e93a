package handoff

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/policy"
)

// NoDesk is the bot.Handler of a shop with no staff desk. The dialog still escalates what
// it cannot finish, and the Service records the claim as escalated (export, the
// claim.escalated webhook), so the shop hears of it; but no one would answer in the chat,
// so instead of the dialog's promise that staff will, the customer is told how to reach
// the shop (Contact, the policy file's contact: setting) and the conversation goes back to
// the bot at the step where it was, rather than waiting for a person who never comes.
type NoDesk struct {
	// Dialog is the bot NoDesk wraps (a *bot.Service), Engine its engine, for resuming
	// the conversation where it was.
	Dialog Conversations
	Engine *dialog.Engine
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Contact is how customers reach the shop: e-mail, phone, URL. Empty, they are told
	// plainly that no one can answer here, and to contact the shop where they bought.
	Contact string
	Log     *slog.Logger
}

// Handle implements bot.Handler.
func (n *NoDesk) Handle(ctx context.Context, m bot.Message) ([]bot.Outbound, error) {
	conv := m.From.Key()
	// An escalated session left from a time the shop had a desk, or from a stop between
	// the escalation and its hand-back below: hand it back now.
	sess, err := n.Dialog.Session(ctx, conv)
	var apology []bot.Outbound
	if errors.Is(err, dialog.ErrUnreadable) {
		// Set aside by this Load: Handle will find no session, so the apology is ours.
		apology = []bot.Outbound{{To: m.From, Reply: n.Dialog.Unreadable(ctx, conv, m.Lang, err)}}
	}
	if err == nil && sess.State == dialog.StateEscalated {
		lang, resumed, err := n.handBack(ctx, conv)
		if err != nil {
			return reply(m.From, bot.TryAgainText), fmt.Errorf("handoff: hand back %s: %w", conv, err)
		}
		out := []bot.Outbound{{To: m.From, Reply: dialog.Reply{Text: n.contactText(lang, sess.Claim)}}}
		for _, r := range resumed {
			out = append(out, bot.Outbound{To: m.From, Reply: r})
		}
		return out, nil
	}
	out, err := n.Dialog.Handle(ctx, m)
	out = append(apology, out...)
	if err != nil || !escalates(out) {
		return out, err
	}
	lang, resumed, herr := n.handBack(ctx, conv)
	if herr != nil {
		// The customer is told how to reach the shop all the same; their next message
		// finds the session escalated and hands it back.
		n.log().ErrorContext(ctx, "handoff: hand the escalated conversation back to the bot", "conversation", conv, "err", herr)
	}
	for i := range out {
		if d := out[i].Decision; d != nil && d.Outcome == policy.Escalated {
			out[i].Text = n.contactText(lang, d.Claim)
		}
	}
	for _, r := range resumed {
		out = append(out, bot.Outbound{To: m.From, Reply: r})
	}
	n.log().InfoContext(ctx, "handoff: escalation with no staff desk; the customer was given the shop's contact", "conversation", conv, "contact", n.Contact != "")
	return out, nil
}

// handBack resumes the escalated conversation conv and returns its language and the
// dialog's replies (the question it stood at, asked again).
func (n *NoDesk) handBack(ctx context.Context, conv string) (string, []dialog.Reply, error) {
	var lang string
	now := n.now()
	replies, err := n.Dialog.Update(ctx, conv, func(s *dialog.Session) []dialog.Reply {
		lang = s.Lang
		return n.Engine.Resume(s, now)
	})
	if err != nil && !errors.Is(err, dialog.ErrDuplicate) {
		return lang, nil, err
	}
	return lang, replies, nil
}

// contactText tells the customer in their language how to reach the shop, with the claim
// id to quote.
func (n *NoDesk) contactText(lang, claim string) string {
	data := map[string]any{"Contact": n.Contact, "Claim": claim}
	id := "desk.no_desk"
	if n.Contact == "" {
		id = "desk.no_desk_no_contact"
	}
	text := customerText(lang, id, data)
	if claim != "" {
		text += "\n\n" + customerText(lang, "desk.no_desk_claim", data)
	}
	return text
}

func (n *NoDesk) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}

func (n *NoDesk) log() *slog.Logger {
	if n.Log != nil {
		return n.Log
	}
	return slog.Default()
}
