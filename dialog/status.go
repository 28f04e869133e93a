package dialog

import (
	"strings"

	"github.com/returnsbot/returnsbot/claims"
)

// A customer asks where their claims stand with /status (or plain words for it); the dialog
// recognises the request and renders the answer, and bot.Service, which holds the claim
// store, looks the claims up in between. A status request changes no session.

// StatusRequest reports whether text asks for the customer's claims, and what it names
// after the command ("" for all of them, else the claim id as typed).
func StatusRequest(text string) (arg string, ok bool) {
	lower := strings.ToLower(strings.TrimSpace(text))
	if strings.HasPrefix(lower, "/") {
		name, rest, _ := strings.Cut(lower[1:], " ")
		name, _, _ = strings.Cut(name, "@")
		if name != "status" {
			return "", false
		}
		return strings.TrimSpace(rest), true
	}
	lower = strings.Trim(lower, ".!? ")
	for _, w := range statusWords() {
		if lower == w {
			return "", true
		}
		if w != "status" {
			continue // only the English word takes a claim id after it
		}
		if rest, found := strings.CutPrefix(lower, "status "); found {
			return strings.TrimSpace(rest), true
		}
	}
	return "", false
}

// ParseStatusID reads the claim id a status request names. Its error is for StatusBadID.
func ParseStatusID(arg string) (claims.ID, error) { return claims.ParseID(arg) }

// StatusList answers /status with the customer's claims, newest first, then where the
// conversation stands if it waits for an answer.
func (e *Engine) StatusList(s *Session, recs []claims.Record) []Reply {
	t := e.texts(s)
	if len(recs) == 0 {
		return e.withWhere(s, t.get(msgStatusNone))
	}
	var b strings.Builder
	b.WriteString(t.get(msgStatusHead))
	for _, r := range recs {
		b.WriteString("\n" + t.get(msgStatusLine, r.ID, t.date(r.Created), t.outcome(r.Outcome), t.state(r.State)))
	}
	return e.withWhere(s, b.String())
}

// StatusOne answers "/status ID" with the one claim, or says none of the customer's has
// that id (r nil).
func (e *Engine) StatusOne(s *Session, id claims.ID, r *claims.Record) []Reply {
	t := e.texts(s)
	if r == nil {
		return e.withWhere(s, t.get(msgStatusNotFound, id))
	}
	text := t.get(msgStatusOne, r.ID, t.date(r.Created), t.outcome(r.Outcome), t.state(r.State))
	if r.CloseReason != "" {
		text += "\n" + t.get(msgStatusClosedWhy, r.CloseReason)
	}
	for _, c := range r.Clauses {
		text += "\n\n“" + c.Text + "”"
	}
	return e.withWhere(s, text)
}

// StatusBadID answers a status request whose argument is no claim id.
func (e *Engine) StatusBadID(s *Session, arg string) []Reply {
	return e.withWhere(s, e.texts(s).get(msgStatusBadID, arg))
}

// StatusUnavailable answers a status request the claim store could not serve.
func (e *Engine) StatusUnavailable(s *Session) []Reply {
	return e.withWhere(s, e.texts(s).get(msgStatusUnavailable))
}

// withWhere is text, then the question the session waits for (so a status request in
// the middle of a claim loses nothing); a session between claims gets text alone.
func (e *Engine) withWhere(s *Session, text string) []Reply {
	out := []Reply{{Text: text}}
	switch s.State {
	case "", StateNew, StateDecided, StateEscalated:
		return out
	}
	return append(out, e.where(s))
}
