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

// What the Desk says. Customer texts are English, like the dialog's only catalog.
const (
	textNotStaff      = "Sorry, only authorised staff can act on cases here. This attempt has been logged."
	textUnknownButton = "That button is not one I know; it may belong to an older version of a case card."
	textUseInThread   = "Use this command in the thread of a case."
	textStaffHelp     = "In a case thread: /claim, /tobot (hand back to the bot), /close, /override OUTCOME [note]. Only the staff member handling a case writes to the customer."
	textOverrideUsage = "Usage: /override OUTCOME [note], where OUTCOME is one of: return_eligible, return_expired, refuse_at_delivery, damage_not_covered, warranty_repair, warranty_excluded, warranty_expired."
)

// maxCard keeps a card within Discord's 2000 characters, the smaller platform limit. The
// full transcript is always available from "returnsbot case show".
const maxCard = 1900

// maxCardLine bounds one transcript line on a card.
const maxCardLine = 200

func threadTitle(c *Case) string {
	return fmt.Sprintf("Case %s: %s (%s)", c.ID, truncate(displayName(c.Name, c.User), 40), c.Customer.Platform)
}

// card renders the case card: who, why, the facts gathered, the bot's decision with its
// clauses quoted, and as much of the transcript, newest kept, as fits. It also returns
// the references of the photos the customer sent the bot, to attach.
func (d *Desk) card(ctx context.Context, c *Case) (string, []string) {
	var photos []string
	var b strings.Builder
	fmt.Fprintf(&b, "Case %s: %s, %s customer (%s)\n", c.ID, displayName(c.Name, c.User), c.Customer.Platform, c.Customer.Key())
	fmt.Fprintf(&b, "Why: %s\nOpened: %s\n", reasonText(c.Reason), c.Opened.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "Speaks: %s\n", languageText(c.Lang))
	sess, err := d.Service.Store.Load(ctx, c.Customer.Key())
	if err != nil {
		d.log().ErrorContext(ctx, "handoff: load session for the case card", "case", c.ID, "err", err)
		b.WriteString("\n(The facts could not be loaded; see returnsbot case show " + c.ID + ".)\n")
	} else {
		writeFacts(&b, d.Service.Engine, sess)
		photos = sess.Answers.Photos
		if r, ok := d.storedClaim(ctx, c); ok {
			WriteClaim(&b, r)
		} else {
			fmt.Fprintf(&b, "\nBot's decision: none yet; the customer left the dialog at %q.\n", orNone(sess.Resume))
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
		line := truncate(entryLine(es[i], "15:04"), maxCardLine)
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
		fmt.Fprintf(&b, "\nTranscript (last %d of %d):\n", len(lines), len(es))
	} else {
		b.WriteString("\nTranscript:\n")
	}
	for i := len(lines) - 1; i >= 0; i-- {
		b.WriteString(lines[i] + "\n")
	}
	return truncate(strings.TrimRight(b.String(), "\n"), maxCard), photos
}

// writeFacts lists the answers in the order the dialog asks them, the shop's own
// questions included, as the dialog's question table names them.
func writeFacts(b *strings.Builder, e *dialog.Engine, s *dialog.Session) {
	b.WriteString("\nFacts:\n")
	facts := e.Answered(s, "en")
	for _, f := range facts {
		value := f.Value
		switch {
		case f.ID == dialog.StateReceiptDate && f.Value == dialog.ReceiptPending:
			value = "not yet (at pickup)"
		case f.ID == dialog.StateDefectDetails:
			value = strconvQuote(f.Value)
		}
		if q, ok := e.Policy().Question(f.ID); ok && len(q.Choices) > 0 {
			value = f.Shown + " (" + f.Value + ")" // the shop's own words, and the value its systems know
		}
		fmt.Fprintf(b, "- %s: %s\n", f.Label, safetext.Line(value))
	}
	if n := len(s.Answers.Photos); n > 0 {
		fmt.Fprintf(b, "- Photos sent to the bot: %d, attached\n", n)
	}
	if len(facts) == 0 {
		b.WriteString("- (no answers yet)\n")
	}
}

// WriteCase writes a case and its whole transcript for "returnsbot case show".
func WriteCase(w io.Writer, c *Case, es []Entry) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Case %s (%s)\n", c.ID, c.Status)
	fmt.Fprintf(&b, "Customer: %s, %s (user %s)\n", displayName(c.Name, c.User), c.Customer.Key(), c.User)
	fmt.Fprintf(&b, "Why: %s\n", reasonText(c.Reason))
	fmt.Fprintf(&b, "Opened: %s\n", c.Opened.UTC().Format(time.RFC3339))
	if c.Claimed != nil {
		fmt.Fprintf(&b, "Claimed: %s at %s\n", c.Claimed, c.ClaimedAt.UTC().Format(time.RFC3339))
	}
	if o := c.Override; o != nil {
		fmt.Fprintf(&b, "Override: %s -> %s by %s at %s", orNone(string(o.From)), o.To, o.By, o.At.UTC().Format(time.RFC3339))
		if o.Note != "" {
			fmt.Fprintf(&b, ": %s", safetext.Line(o.Note))
		}
		b.WriteString("\n")
	}
	if c.EndedBy != nil {
		fmt.Fprintf(&b, "Ended: %s by %s at %s\n", statusText(c.Status), c.EndedBy, c.Ended.UTC().Format(time.RFC3339))
	}
	for _, th := range c.Threads {
		fmt.Fprintf(&b, "Thread: %s\n", th.Key())
	}
	fmt.Fprintf(&b, "\nTranscript (%d entries):\n", len(es))
	for _, e := range es {
		b.WriteString(entryLine(e, time.RFC3339) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func entryLine(e Entry, layout string) string {
	who := map[Who]string{Customer: "Customer", Bot: "Bot", StaffWho: "Staff", System: "*"}[e.Who]
	if e.Name != "" && e.Who != System {
		who += " " + safetext.Line(e.Name)
	}
	text := safetext.Block(e.Text, continuation)
	if e.Photos > 0 {
		text = strings.TrimSpace(text + fmt.Sprintf(" [%d photo(s)]", e.Photos))
	}
	return fmt.Sprintf("%s %s: %s", e.At.UTC().Format(layout), who, text)
}

func reasonText(reason string) string {
	switch reason {
	case policy.ReasonAsked:
		return "the customer asked for a person"
	case policy.ReasonDisputed:
		return "the customer disputes the decision"
	case policy.ReasonUndecidable:
		return "the policy does not settle this case"
	case policy.ReasonCarrierClaim:
		return "damage recorded with the carrier: a carrier claim to file"
	case "":
		return "escalated"
	}
	return reason
}

func statusText(s Status) string {
	switch s {
	case Returned:
		return "returned to the bot"
	case Closed:
		return "closed"
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

func orNone(s string) string {
	if s == "" {
		return "none"
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
