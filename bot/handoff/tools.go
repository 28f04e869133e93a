package handoff

import (
	"context"
	"strings"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/dialog"
)

// Staff tools in a case thread beyond the case's actions: internal notes, the help.

// note keeps a staff member's internal note in the case's transcript, marked as a note,
// and shows it in the case's other threads. It never reaches the customer, so any staff
// member may write one, in a case of any status.
func (d *Desk) note(ctx context.Context, c *Case, m bot.Message, who Staff, text string) ([]bot.Outbound, error) {
	if text == "" {
		return reply(m.From, d.say("note_usage", nil)), nil
	}
	if err := d.Cases.Append(ctx, c.ID, Entry{At: d.now(), Who: Note, Name: who.String(), Text: text}); err != nil {
		return unavailable(m, err)
	}
	out := reply(m.From, d.say("note_kept", map[string]any{"ID": c.ID}))
	for _, th := range c.Threads {
		if th != m.From {
			out = append(out, bot.Outbound{To: th, Reply: dialog.Reply{Text: d.say("note_relay", map[string]any{"Staff": who.String(), "Text": text})}})
		}
	}
	return out, nil
}

// help is the staff commands, in the desk's language.
func (d *Desk) help() string {
	return d.say("help", nil) + "\n" + d.say("help_tools", map[string]any{"Reasons": strings.Join(CloseReasons, ", ")}) +
		"\n" + d.say("help_snippets", nil) + "\n" + d.say("help_reopen", nil)
}

// snippet sends the snippet named by args to the customer as the staff member's message,
// with its placeholders filled from the case and its claim, in the customer's language
// where the file has it; "/s" alone lists the snippets. The relay's rules apply: only the
// staff member handling the case speaks to the customer.
func (d *Desk) snippet(ctx context.Context, c *Case, m bot.Message, who Staff, args string) ([]bot.Outbound, error) {
	name := strings.ToLower(strings.TrimSpace(args))
	if d.Snippets == nil {
		return reply(m.From, d.say("snippets_none", nil)), nil
	}
	if name == "" {
		return reply(m.From, d.say("snippets_list", map[string]any{"Names": strings.Join(d.Snippets.Names(), ", ")})), nil
	}
	text, ok := d.Snippets.Text(name, c.Lang)
	if !ok {
		return reply(m.From, d.say("snippet_unknown", map[string]any{"Name": name, "Names": strings.Join(d.Snippets.Names(), ", ")})), nil
	}
	values := map[string]string{"{name}": strings.TrimSpace(c.Name), "{claim}": c.Claim}
	if strings.Contains(text, "{last_return_day}") {
		if r, ok := d.storedClaim(ctx, c); ok && !r.LastReturnDay.IsZero() {
			values["{last_return_day}"] = r.LastReturnDay.Format(time.DateOnly)
		}
	}
	filled, missing := fillSnippet(text, values)
	if missing != "" {
		return reply(m.From, d.say("snippet_missing", map[string]any{"Name": name, "Field": missing})), nil
	}
	sent := m
	sent.Text, sent.Photos = filled, nil
	return d.relayOut(ctx, c, sent, who)
}
