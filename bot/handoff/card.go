package handoff

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/i18n"
	"github.com/returnsbot/returnsbot/internal/safetext"
	"github.com/returnsbot/returnsbot/policy"
)

// maxCard keeps a card within Discord's 2000 characters, the smaller platform limit. The
// full transcript is always available from "returnsbot case show".
const maxCard = 1900

// maxCardLine bounds one transcript line on a card.
const maxCardLine = 200

func threadTitle(lang string, c *Case) string {
	return staffText(lang, "thread_title", map[string]any{"ID": c.ID, "Name": truncate(displayName(c.Name, c.User), 40), "Platform": c.Customer.Platform})
}

// card renders the case card: who, why, the facts gathered, the bot's decision with its
// clauses quoted, and as much of the transcript, newest kept, as fits, in the desk's
// language; what the customer wrote and the policy's words as they are. It also returns
// the references of the photos the customer sent the bot, to attach.
func (d *Desk) card(ctx context.Context, c *Case) (string, []string) {
	var photos []string
	var b strings.Builder
	lang := d.lang()
	line := func(id string, data map[string]any) { b.WriteString(staffText(lang, id, data) + "\n") }
	line("card_head", map[string]any{"ID": c.ID, "Name": displayName(c.Name, c.User), "Platform": c.Customer.Platform, "Conversation": c.Customer.Key()})
	line("card_why", map[string]any{"Reason": reasonText(lang, c.Reason)})
	line("card_opened", map[string]any{"Time": c.Opened.UTC().Format("2006-01-02 15:04 MST")})
	line("card_speaks", map[string]any{"Language": languageText(c.Lang)})
	sess, err := d.Dialog.Session(ctx, c.Customer.Key())
	if err != nil {
		d.log().ErrorContext(ctx, "handoff: load session for the case card", "case", c.ID, "err", err)
		b.WriteString("\n")
		line("card_no_facts", map[string]any{"ID": c.ID})
	} else {
		writeFacts(&b, lang, d.Engine, sess)
		photos = sess.Answers.Photos
		if r, ok := d.storedClaim(ctx, c); ok {
			writeClaim(&b, lang, r)
		} else {
			b.WriteString("\n")
			line("card_no_decision", map[string]any{"Step": orNone(lang, sess.Resume)})
		}
	}
	head := b.String()
	es, err := d.Cases.Transcript(ctx, c.ID)
	if err != nil {
		d.log().ErrorContext(ctx, "handoff: load transcript for the case card", "case", c.ID, "err", err)
	}
	// Newest lines first until the card is full, then put back in order.
	room := maxCard - utf8.RuneCountInString(head) - 30
	var lines []string
	for i := len(es) - 1; i >= 0 && room > 0; i-- {
		line := truncate(entryLine(lang, es[i], "15:04"), maxCardLine)
		if n := utf8.RuneCountInString(line) + 1; n <= room {
			lines = append(lines, line)
			room -= n
			continue
		}
		break
	}
	if len(lines) == 0 {
		return truncate(head, maxCard), photos
	}
	b.Reset()
	b.WriteString(head)
	if len(lines) < len(es) {
		b.WriteString("\n")
		line("card_transcript_last", map[string]any{"Shown": len(lines), "Total": len(es)})
	} else {
		b.WriteString("\n")
		line("card_transcript", nil)
	}
	for i := len(lines) - 1; i >= 0; i-- {
		b.WriteString(lines[i] + "\n")
	}
	return truncate(strings.TrimRight(b.String(), "\n"), maxCard), photos
}

// writeFacts lists the answers in the order the dialog asks them, the shop's own
// questions included, as the dialog's question table names them in the desk's language.
func writeFacts(b *strings.Builder, lang string, e *dialog.Engine, s *dialog.Session) {
	b.WriteString("\n" + staffText(lang, "card_facts", nil) + "\n")
	facts := e.Answered(s, lang)
	for _, f := range facts {
		value := f.Value
		switch {
		case f.ID == dialog.StateReceiptDate && f.Value == dialog.ReceiptPending:
			value = staffText(lang, "fact_receipt_pending", nil)
		case f.ID == dialog.StateDefectDetails:
			value = strconvQuote(f.Value)
		}
		if q, ok := e.Policy().Question(f.ID); ok && len(q.Choices) > 0 {
			value = f.Shown + " (" + f.Value + ")" // the shop's own words, and the value its systems know
		}
		fmt.Fprintf(b, "- %s: %s\n", f.Label, safetext.Line(value))
	}
	if n := len(s.Answers.Photos); n > 0 {
		b.WriteString("- " + staffText(lang, "fact_photos", map[string]any{"Number": n}) + "\n")
	}
	if len(facts) == 0 {
		b.WriteString("- " + staffText(lang, "fact_none", nil) + "\n")
	}
}

// WriteCase writes a case and its whole transcript for "returnsbot case show". It is in
// English whatever the desk's language, as operators' scripts and searches read it; the
// entries are as recorded, the desk's own lines in the desk's language of the time.
func WriteCase(w io.Writer, c *Case, es []Entry) error {
	const lang = "en"
	var b strings.Builder
	fmt.Fprintf(&b, "Case %s (%s)\n", c.ID, c.Status)
	fmt.Fprintf(&b, "Customer: %s, %s (user %s)\n", displayName(c.Name, c.User), c.Customer.Key(), c.User)
	fmt.Fprintf(&b, "Why: %s\n", reasonText(lang, c.Reason))
	fmt.Fprintf(&b, "Opened: %s\n", c.Opened.UTC().Format(time.RFC3339))
	if c.Claimed != nil {
		fmt.Fprintf(&b, "Claimed: %s at %s\n", c.Claimed, c.ClaimedAt.UTC().Format(time.RFC3339))
	}
	if o := c.Override; o != nil {
		fmt.Fprintf(&b, "Override: %s -> %s by %s at %s", orNone(lang, string(o.From)), o.To, o.By, o.At.UTC().Format(time.RFC3339))
		if o.Note != "" {
			fmt.Fprintf(&b, ": %s", safetext.Line(o.Note))
		}
		b.WriteString("\n")
	}
	if c.EndedBy != nil {
		fmt.Fprintf(&b, "Ended: %s by %s at %s\n", statusText(lang, c.Status), c.EndedBy, c.Ended.UTC().Format(time.RFC3339))
	}
	if c.CloseReason != "" {
		fmt.Fprintf(&b, "Close reason: %s", c.CloseReason)
		if c.CloseNote != "" {
			fmt.Fprintf(&b, ": %s", safetext.Line(c.CloseNote))
		}
		b.WriteString("\n")
	}
	if c.Rating != 0 {
		fmt.Fprintf(&b, "Rating: %d/5", c.Rating)
		if c.RatingComment != "" {
			fmt.Fprintf(&b, ": %s", safetext.Line(c.RatingComment))
		}
		b.WriteString("\n")
	}
	if c.Reopened != "" {
		fmt.Fprintf(&b, "Reopened from: case %s\n", c.Reopened)
	}
	if c.ReopenedAs != "" {
		fmt.Fprintf(&b, "Reopened as: case %s\n", c.ReopenedAs)
	}
	for _, th := range c.Threads {
		fmt.Fprintf(&b, "Thread: %s\n", th.Key())
	}
	fmt.Fprintf(&b, "\nTranscript (%d entries):\n", len(es))
	for _, e := range es {
		b.WriteString(entryLine(lang, e, time.RFC3339) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// entryLine is one transcript entry, its author named in lang; the entry's text as it was
// recorded.
func entryLine(lang string, e Entry, layout string) string {
	who := "*"
	if id, ok := map[Who]string{Customer: "who_customer", Bot: "who_bot", StaffWho: "who_staff", Note: "who_note"}[e.Who]; ok {
		who = staffText(lang, id, nil)
	}
	if e.Name != "" && e.Who != System {
		who += " " + safetext.Line(e.Name)
	}
	text := safetext.Block(e.Text, continuation)
	if e.Photos > 0 {
		text = strings.TrimSpace(text + " [" + staffText(lang, "entry_photos", map[string]any{"Number": e.Photos}) + "]")
	}
	return fmt.Sprintf("%s %s: %s", e.At.UTC().Format(layout), who, text)
}

// reasonText says why a case was opened, in lang; a reason the catalogs lack as it is.
func reasonText(lang, reason string) string {
	switch reason {
	case policy.ReasonAsked, policy.ReasonDisputed, policy.ReasonUndecidable, policy.ReasonCarrierClaim:
		return staffText(lang, "reason."+reason, nil)
	case "":
		return staffText(lang, "reason.escalated", nil)
	}
	return reason
}

// statusText names an ended case's status in lang.
func statusText(lang string, s Status) string {
	switch s {
	case Returned:
		return staffText(lang, "status_returned", nil)
	case Closed:
		return staffText(lang, "status_closed", nil)
	}
	return string(s)
}

// displayName is how a person is named in staff views: their own name (neutralised, as
// any text they chose), or fallback.
func displayName(name, fallback string) string {
	if strings.TrimSpace(name) != "" {
		return safetext.Line(name)
	}
	return safetext.Line(fallback)
}

func orNone(lang, s string) string {
	if s == "" {
		return staffText(lang, "none", nil)
	}
	return s
}

func strconvQuote(s string) string { return "“" + s + "”" }

// truncate cuts s to at most n characters, marking the cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// languageText names the customer's language for staff: the code and the language's own
// name ("fr (Français)"); the shop's default when the customer's is unknown.
func languageText(code string) string {
	c := i18n.Current()
	lang := c.Match(code)
	return lang + " (" + c.Text(lang, "language.name", nil) + ")"
}
