package handoff

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/policy"
)

// The staff side of the desk: messages and buttons in the desk chats, who may act, the
// commands, and the relay of the claiming staff member's answers to the customer.

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

func cardButtons(lang, id string) []dialog.Button {
	return []dialog.Button{
		{ID: ButtonID(ActClaim, id), Label: staffText(lang, "button_claim", nil)},
		{ID: ButtonID(ActReturn, id), Label: staffText(lang, "button_return", nil)},
		{ID: ButtonID(ActClose, id), Label: staffText(lang, "button_close", nil)},
	}
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
