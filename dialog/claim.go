package dialog

import (
	"strings"

	"github.com/returnsbot/returnsbot/claims"
)

// Claims: the dialog draws the id of a claim in the step that states its decision or
// escalation, keeps it in the session and names it in the message; bot.Service stores the
// record once the session is saved (see bot/claims.go).

// SetClaimIDs makes next draw the id of every new claim, in place of claims.NewID: the
// console's --now makes it deterministic, so a run can be replayed. Call it before the
// Engine is used.
func (e *Engine) SetClaimIDs(next func() string) { e.claimIDs = next }

// NewClaimID draws a claim id as the Engine does: bot.Service calls it when a store
// refuses a drawn id as taken by another claim.
func (e *Engine) NewClaimID() string { return e.newClaimID() }

func (e *Engine) newClaimID() string {
	if e.claimIDs != nil {
		return e.claimIDs()
	}
	return string(claims.NewID())
}

// claimLine is the paragraph that names the session's claim id in a decision or an
// escalation, or "" without one.
func (e *Engine) claimLine(s *Session) string {
	if s.Claim == "" {
		return ""
	}
	return "\n\n" + e.texts(s).get(msgClaimNumber, s.Claim)
}

// AnswerValues returns the session's answers by question id, as a claim record keeps
// them: every question asked, the shop's own included, with its stored value.
func (e *Engine) AnswerValues(s *Session) map[string]string {
	facts := e.Answered(s, "")
	m := make(map[string]string, len(facts))
	for _, f := range facts {
		m[f.ID] = f.Value
	}
	return m
}

// ReplaceClaim changes the claim id old to new in the session and in replies, after a
// store refused old as another customer's (ids are random; a collision costs a retry).
func ReplaceClaim(s *Session, replies []Reply, old, new string) {
	if s.Claim == old {
		s.Claim = new
	}
	for i := range replies {
		replies[i].Text = strings.ReplaceAll(replies[i].Text, old, new)
		if d := replies[i].Decision; d != nil && d.Claim == old {
			c := *d
			c.Claim = new
			replies[i].Decision = &c
		}
	}
}
