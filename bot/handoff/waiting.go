package handoff

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/policy"
)

// The customer's side of a case besides the relay: what they hear while they wait, leaving
// the queue, and rating the case once it is closed.

// Customer button ids: "desk:leave:ID" leaves the queue, "desk:rate:ID:N" rates a closed
// case N of 5, "desk:copy:ID" asks for the conversation of a closed case. All fit
// Telegram's 64 bytes of button data.
const (
	btnLeave = "desk:leave:"
	btnRate  = "desk:rate:"
	btnCopy  = "desk:copy:"
	btnNote  = "desk:comment:"
)

// commentWait is how long after "Add a comment" the customer's next message is taken as
// their comment.
const commentWait = 10 * time.Minute

// maxComment bounds a rating's comment.
const maxComment = 1000

// DefaultQueueNotice is Desk.QueueNotice when zero.
const DefaultQueueNotice = 5 * time.Minute

// maxQueueScan bounds the waiting cases read to find a customer's place in the queue.
const maxQueueScan = 50

func (d *Desk) queueNotice() time.Duration {
	if d.QueueNotice > 0 {
		return d.QueueNotice
	}
	return DefaultQueueNotice
}

// customerButton handles the desk's own buttons pressed by a customer; ok is false for
// the dialog's buttons.
func (d *Desk) customerButton(ctx context.Context, m bot.Message) (out []bot.Outbound, ok bool, err error) {
	if !strings.HasPrefix(m.Button, "desk:") {
		return nil, false, nil
	}
	if id, ok := strings.CutPrefix(m.Button, btnLeave); ok && validID(id) {
		out, err := d.leaveCase(ctx, m, id)
		return out, true, err
	}
	if id, ok := strings.CutPrefix(m.Button, btnNote); ok && validID(id) {
		out, err := d.askComment(ctx, m, id)
		return out, true, err
	}
	if id, ok := strings.CutPrefix(m.Button, btnCopy); ok && validID(id) {
		out, err := d.sendCopy(ctx, m, id)
		return out, true, err
	}
	if rest, ok := strings.CutPrefix(m.Button, btnRate); ok {
		id, n, _ := strings.Cut(rest, ":")
		score, err := strconv.Atoi(n)
		if validID(id) && err == nil && score >= 1 && score <= 5 {
			out, err := d.rate(ctx, m, id, score)
			return out, true, err
		}
	}
	return nil, false, nil // not ours after all: the dialog re-prompts a stale button
}

// leaveWords reports whether the customer's text asks to leave the queue and go back to
// the bot: "cancel" or "/cancel" in any language, or the words of desk.leave_words in
// theirs.
func leaveWords(lang, text string) bool {
	t := strings.ToLower(strings.TrimFunc(text, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }))
	if t == "cancel" {
		return true
	}
	for _, w := range strings.Split(customerText(lang, "desk.leave_words", nil), ",") {
		if w = strings.ToLower(strings.TrimSpace(w)); w != "" && t == w {
			return true
		}
	}
	return false
}

// leaveButton is the button that takes a waiting customer back to the bot.
func leaveButton(c *Case) []dialog.Button {
	return []dialog.Button{{ID: btnLeave + c.ID, Label: customerText(c.Lang, "desk.button_leave", nil)}}
}

// leaveCase closes the customer's open case as ReasonCustomerLeft and resumes the dialog
// where it stood when it escalated. Staff are told in the case's threads.
func (d *Desk) leaveCase(ctx context.Context, m bot.Message, id string) ([]bot.Outbound, error) {
	now := d.now()
	c, err := d.Cases.Update(ctx, id, func(c *Case) error {
		switch {
		case c.Customer != m.From:
			return ErrNotFound // someone else's button: nothing of theirs to leave
		case c.Status != Open:
			return ErrEnded
		}
		c.Status, c.Ended, c.CloseReason = Closed, now, ReasonCustomerLeft
		return nil
	})
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrEnded):
		return reply(m.From, customerText(langOf(c), "desk.not_waiting", nil)), nil
	case err != nil:
		return unavailable(m, err)
	}
	replies, err := d.Dialog.Update(ctx, c.Customer.Key(), func(s *dialog.Session) []dialog.Reply {
		return d.Engine.Resume(s, now)
	})
	if err != nil {
		d.log().ErrorContext(ctx, "handoff: resume conversation of a customer who left the queue", "case", id, "err", err)
	}
	d.claimEvent(ctx, c, claims.CaseClosed, func(r *claims.Record) {
		if r.Outcome != policy.Escalated {
			r.State = claims.StateDecided // the dispute is dropped: the decision stands
		} else {
			r.State = claims.StateClosed
		}
		r.CloseReason = ReasonCustomerLeft
	})
	if d.Metrics != nil {
		d.Metrics.LeftQueue()
	}
	d.log().InfoContext(ctx, "handoff: customer left the queue", "case", id)
	back := customerText(c.Lang, "desk.left", nil)
	entries := []Entry{{At: now, Who: System, Text: d.say("event_left", nil)}, {At: now, Who: Bot, Text: back}}
	out := d.toThreads(c, d.say("left", map[string]any{"ID": id, "Name": displayName(c.Name, c.User)}))
	out = append(out, bot.Outbound{To: c.Customer, Reply: dialog.Reply{Text: back}})
	for _, r := range replies {
		out = append(out, bot.Outbound{To: c.Customer, Reply: r})
		entries = append(entries, Entry{At: now, Who: Bot, Text: r.Text})
	}
	d.append(ctx, id, entries...)
	return out, nil
}

func langOf(c *Case) string {
	if c == nil {
		return ""
	}
	return c.Lang
}

// queued is what a waiting customer hears on escalation and, at most every QueueNotice,
// when they write again: staff have their messages, their place in the queue, and how to
// go back to the bot. force says the case has just opened. It returns nothing for a case
// staff have claimed, or told of less than QueueNotice ago.
func (d *Desk) queued(ctx context.Context, c *Case, force bool) []bot.Outbound {
	now := d.now()
	if !c.Waiting() || !force && now.Sub(c.Told) < d.queueNotice() {
		return nil // as the case was read for this message; the write below checks again
	}
	if !force {
		updated, err := d.Cases.Update(ctx, c.ID, func(c *Case) error {
			if !c.Waiting() || now.Sub(c.Told) < d.queueNotice() {
				return errNoChange
			}
			c.Told = now
			return nil
		})
		if err != nil {
			if !errors.Is(err, errNoChange) {
				d.log().ErrorContext(ctx, "handoff: note the queue notice", "case", c.ID, "err", err)
			}
			return nil
		}
		c = updated
	}
	text := customerText(c.Lang, "desk.queue", map[string]any{"Position": d.position(ctx, c)})
	if line := d.hoursLine(c.Lang, now); line != "" {
		text += "\n\n" + line
	}
	return []bot.Outbound{{To: c.Customer, Reply: dialog.Reply{Text: text, Buttons: leaveButton(c)}}}
}

// hoursLine tells the customer the desk's hours and, out of them, when staff will answer;
// "" when the desk has no hours.
func (d *Desk) hoursLine(lang string, now time.Time) string {
	if d.Hours == nil {
		return ""
	}
	days := weekdayNames(lang)
	data := map[string]any{"Hours": d.Hours.Describe(days), "Zone": d.Hours.loc.String()}
	if d.Hours.OpenAt(now) {
		return customerText(lang, "desk.hours_open", data)
	}
	next, ok := d.Hours.NextOpen(now)
	if !ok {
		return customerText(lang, "desk.hours_closed_unknown", data)
	}
	data["Opens"] = days[next.Weekday()] + " " + next.Format("2006-01-02 15:04")
	return customerText(lang, "desk.hours_closed", data)
}

// weekdayNames are the day names of the customer's language (desk.weekdays, a comma
// list, Sunday first), as written: not a list of words to match, which i18n lowercases.
func weekdayNames(lang string) []string {
	names := strings.Split(customerText(lang, "desk.weekdays", nil), ",")
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
	}
	if len(names) != 7 {
		return englishWeekdays
	}
	return names
}

// position is the case's place in the queue of waiting cases, counted by opening time, at
// most maxQueueScan+1.
func (d *Desk) position(ctx context.Context, c *Case) int {
	ids, err := d.Cases.Due(ctx, d.now().Add(time.Hour*24*365))
	if err != nil {
		d.log().ErrorContext(ctx, "handoff: read the queue", "case", c.ID, "err", err)
		return 1
	}
	ahead := 0
	for i, id := range ids {
		if i == maxQueueScan {
			break
		}
		if id == c.ID {
			continue
		}
		o, err := d.Cases.Get(ctx, id)
		// Ties (the same instant) go by id, so two cases never share a place.
		if err == nil && o.Waiting() && (o.Opened.Before(c.Opened) || o.Opened.Equal(c.Opened) && o.ID < c.ID) {
			ahead++
		}
	}
	return ahead + 1
}

// askRating is the closing question to the customer: how did staff do, 1 to 5.
func (d *Desk) askRating(c *Case) []bot.Outbound {
	var bs []dialog.Button
	for n := 1; n <= 5; n++ {
		bs = append(bs, dialog.Button{ID: fmt.Sprintf("%s%s:%d", btnRate, c.ID, n), Label: strings.Repeat("★", n)})
	}
	bs = append(bs, dialog.Button{ID: btnCopy + c.ID, Label: customerText(c.Lang, "desk.button_copy", nil)})
	return []bot.Outbound{{To: c.Customer, Reply: dialog.Reply{Text: customerText(c.Lang, "desk.rate", nil), Buttons: bs}}}
}

// rate stores the customer's first rating of their closed case on the case and its claim
// (claim.rated); the claim store counts it for /metrics. A second press is thanked and changes nothing.
func (d *Desk) rate(ctx context.Context, m bot.Message, id string, score int) ([]bot.Outbound, error) {
	c, err := d.Cases.Update(ctx, id, func(c *Case) error {
		switch {
		case c.Customer != m.From || c.Status != Closed || c.CloseReason == ReasonCustomerLeft || c.ReopenedAs != "":
			return ErrNotFound
		case c.Rating != 0:
			return errNoChange
		}
		c.Rating = score
		return nil
	})
	switch {
	case errors.Is(err, ErrNotFound):
		return reply(m.From, customerText(m.Lang, "desk.rate_unknown", nil)), nil
	case errors.Is(err, errNoChange):
		return reply(m.From, customerText(c.Lang, "desk.rated", nil)), nil
	case err != nil:
		return unavailable(m, err)
	}
	now := d.now()
	d.claimEvent(ctx, c, claims.ClaimRated, func(r *claims.Record) {
		r.Rating = &claims.Rating{Score: score, At: now.UTC()}
	})
	d.append(ctx, id, Entry{At: now, Who: System, Text: d.say("event_rated", map[string]any{"Score": score})})
	d.log().InfoContext(ctx, "handoff: case rated", "case", id, "score", score)
	out := []bot.Outbound{{To: m.From, Reply: dialog.Reply{Text: customerText(c.Lang, "desk.rated", nil),
		Buttons: []dialog.Button{{ID: btnNote + id, Label: customerText(c.Lang, "desk.button_comment", nil)}}}}}
	return append(out, d.toThreads(c, d.say("rated", map[string]any{"ID": id, "Score": score}))...), nil
}

// commentable reports whether the customer of m may comment on the rating of c: theirs,
// closed, rated, not commented on, not reopened.
func commentable(c *Case, m bot.Message) bool {
	return c.Customer == m.From && c.Status == Closed && c.Rating != 0 && c.RatingComment == "" && c.ReopenedAs == ""
}

// askComment takes the customer's next message, within commentWait, as their comment on
// the rating they gave.
func (d *Desk) askComment(ctx context.Context, m bot.Message, id string) ([]bot.Outbound, error) {
	c, err := d.Cases.Get(ctx, id)
	if errors.Is(err, ErrNotFound) || err == nil && !commentable(c, m) {
		return reply(m.From, customerText(m.Lang, "desk.rate_unknown", nil)), nil
	}
	if err != nil {
		return unavailable(m, err)
	}
	if err := d.Cases.AwaitComment(ctx, m.From.Key(), id, commentWait); err != nil {
		return unavailable(m, err)
	}
	return reply(m.From, customerText(c.Lang, "desk.comment_ask", nil)), nil
}

// comment stores the customer's text as the comment on the rating of case id, awaited
// since they pressed "Add a comment" (TakeComment), on the case and the claim
// (claim.rated again, now with the comment), and shows it in the threads.
func (d *Desk) comment(ctx context.Context, m bot.Message, id string) ([]bot.Outbound, error) {
	text := strings.TrimSpace(m.Text)
	if len(text) > maxComment {
		text = truncate(text, maxComment)
	}
	c, err := d.Cases.Update(ctx, id, func(c *Case) error {
		if !commentable(c, m) {
			return errNoChange
		}
		c.RatingComment = text
		return nil
	})
	if errors.Is(err, errNoChange) || errors.Is(err, ErrNotFound) {
		return nil, nil // not theirs to comment on after all: the dialog has the message
	}
	if err != nil {
		return unavailable(m, err)
	}
	now := d.now()
	d.claimEventOnce(ctx, c, claims.ClaimRated, c.ID+":comment", func(r *claims.Record) {
		if r.Rating == nil {
			r.Rating = &claims.Rating{Score: c.Rating, At: now.UTC()}
		}
		r.Rating.Comment = text
	})
	d.append(ctx, id, Entry{At: now, Who: Customer, Name: m.UserName, Text: text}, Entry{At: now, Who: System, Text: d.say("event_commented", nil)})
	d.log().InfoContext(ctx, "handoff: rating commented", "case", id)
	out := reply(m.From, customerText(c.Lang, "desk.comment_thanks", nil))
	return append(out, d.toThreads(c, d.say("commented", map[string]any{"ID": id, "Score": c.Rating, "Text": text}))...), nil
}
