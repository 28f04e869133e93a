package handoff

import (
	"context"
	"errors"
	"strings"

	"github.com/returnsbot/returnsbot/bot"
)

// maxCopy bounds the conversation sent to a customer: one chat message on every platform.
const maxCopy = 3500

// sendCopy sends the customer the conversation of their closed case, as they saw it:
// their messages, the bot's and staff's, never the desk's own lines or staff notes. A
// long one keeps its end.
func (d *Desk) sendCopy(ctx context.Context, m bot.Message, id string) ([]bot.Outbound, error) {
	c, err := d.Cases.Get(ctx, id)
	if errors.Is(err, ErrNotFound) || err == nil && (c.Customer != m.From || c.Status == Open) {
		return reply(m.From, customerText(m.Lang, "desk.copy_unknown", nil)), nil
	}
	if err != nil {
		return unavailable(m, err)
	}
	es, err := d.Cases.Transcript(ctx, id)
	if err != nil {
		return unavailable(m, err)
	}
	return reply(m.From, customerCopy(c, es)), nil
}

// customerCopy renders what the customer saw of the case, newest last, within maxCopy.
func customerCopy(c *Case, es []Entry) string {
	var lines []string
	for _, e := range es {
		var who string
		switch e.Who {
		case Customer:
			who = customerText(c.Lang, "desk.who_you", nil)
		case Bot:
			who = customerText(c.Lang, "desk.who_bot", nil)
		case StaffWho:
			// "Dana (discord)": the platform is the desk's business.
			who = e.Name
			if i := strings.LastIndex(who, " ("); i > 0 {
				who = who[:i]
			}
		default:
			continue
		}
		text := e.Text
		if e.Photos > 0 {
			text = strings.TrimSpace(text + " " + customerText(c.Lang, "desk.copy_photos", map[string]any{"Number": e.Photos}))
		}
		lines = append(lines, e.At.UTC().Format("2006-01-02 15:04")+" "+who+": "+text)
	}
	head := customerText(c.Lang, "desk.copy_head", map[string]any{"ID": c.ID})
	body, size := []string{}, len(head)
	for i := len(lines) - 1; i >= 0; i-- {
		if size+len(lines[i])+1 > maxCopy {
			body = append(body, customerText(c.Lang, "desk.copy_cut", nil))
			break
		}
		size += len(lines[i]) + 1
		body = append(body, lines[i])
	}
	for i, j := 0, len(body)-1; i < j; i, j = i+1, j-1 {
		body[i], body[j] = body[j], body[i]
	}
	return head + "\n" + strings.Join(body, "\n")
}
