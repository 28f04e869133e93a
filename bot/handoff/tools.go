package handoff

import (
	"context"
	"strings"

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
	return d.say("help", nil) + "\n" + d.say("help_tools", map[string]any{"Reasons": strings.Join(CloseReasons, ", ")})
}
