package dialog

import (
	"time"

	"github.com/returnsbot/returnsbot/policy"
)

// Handing a conversation to staff and back.

// escalate hands the conversation to staff, remembering where to resume.
func (e *Engine) escalate(s *Session, reason string, now time.Time) []Reply {
	if s.State == StateEscalated {
		return []Reply{{Text: e.texts(s).get(msgWithStaff)}}
	}
	tr := &turn{s: s, now: now, reason: reason}
	if err := e.fire(tr, eventEscalate); err != nil {
		return []Reply{e.where(s)}
	}
	return tr.out
}

func (e *Engine) escalation(s *Session, reason string) Reply {
	d := &policy.Decision{Outcome: escalated, Reason: reason, Clauses: []policy.Clause{}, Claim: s.Claim}
	return Reply{Text: e.texts(s).get(msgEscalated) + e.claimLine(s), Decision: d}
}

// Resume hands an escalated conversation back to the bot at the step where it left off,
// re-asking that question (or reading back, or stating the decision again). Staff
// handoff calls it.
func (e *Engine) Resume(s *Session, now time.Time) []Reply {
	if s.State != StateEscalated {
		return nil
	}
	target := s.Resume
	s.Resume, s.Reason = "", ""
	s.Outcome, s.DecidedAt = "", 0
	tr := &turn{s: s, now: now}
	if target != StateDecided {
		e.move(tr)
		return tr.out
	}
	if _, open := open(e.plan(make([]step, 0, planCap), &s.Answers)); open {
		e.move(tr)
		return tr.out
	}
	// The claim was decided after the read-back: decide again. If the facts still call
	// for a person (a carrier claim staff have dealt with), deciding again would only
	// escalate again, so offer a new claim instead.
	tr.handBack = true
	if err := e.fire(tr, eventDecide); err != nil {
		tr.add(e.where(s))
	}
	return tr.out
}

// Hold hands the conversation to staff again without a message of its own, remembering
// where to resume, as an escalation does: staff reopened its case. The claim stays the
// session's. It does nothing to a conversation with staff already.
func (e *Engine) Hold(s *Session, reason string, now time.Time) {
	if s.State == StateEscalated {
		return
	}
	if s.State == "" {
		s.State = StateNew
	}
	tr := &turn{s: s, now: now, reason: reason, quiet: true}
	_ = e.fire(tr, eventEscalate) // only an escalated session cannot escalate
}
