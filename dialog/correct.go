package dialog

import "time"

// Corrections: a fact replaced or reopened at any step, by words, a change button or
// "back". The answers that rested on the old one and no longer apply are dropped, and the
// dialog goes on from the first open question.

// change corrects the answer to question target (found from rest when not named): with
// rest it replaces the answer, without it reopens the question. Answers that rested on
// the old one are dropped, and the dialog goes on from the first open question.
func (e *Engine) change(tr *turn, target, rest string) []Reply {
	s := tr.s
	t := e.texts(s)
	if target == "" {
		target = e.changedBy(s, rest)
	}
	st, ok := e.stepFor(s, target)
	if !ok || st.status == skipped {
		return append(tr.out, e.whichChange(s, t.get(msgWhichChange)))
	}
	if st.answered && rest != "" {
		if v, problem := e.read(st.q, s, rest, tr.now); problem == "" {
			if v == st.value {
				tr.note = t.get(msgUnchanged)
			}
			e.setAnswer(s, st.q, v)
			e.move(tr)
			return tr.out
		}
	}
	if !st.answered && rest != "" {
		// A correction of a question not answered yet is simply its answer.
		if v, problem := e.read(st.q, s, rest, tr.now); problem == "" {
			e.setAnswer(s, st.q, v)
			e.move(tr)
			return tr.out
		}
	}
	st.q.clear(&s.Answers)
	e.prune(&s.Answers)
	e.move(tr)
	return tr.out
}

// changedBy returns the answered question whose answer rest gives differently, or "".
func (e *Engine) changedBy(s *Session, rest string) string {
	if rest == "" {
		return ""
	}
	for _, st := range e.plan(make([]step, 0, planCap), &s.Answers) {
		if st.status != asked || !st.answered || !st.q.outOfTurn {
			continue
		}
		if v, ok := e.find(st.q, s, rest, time.Unix(s.Updated, 0)); ok && v != st.value {
			return st.q.ID
		}
	}
	return ""
}

// back returns to the answer before the current question, or before the read-back,
// and asks it again; from a decision it returns to the read-back.
func (e *Engine) back(s *Session, now time.Time) []Reply {
	t := e.texts(s)
	tr := &turn{s: s, now: now}
	switch s.State {
	case StateNew, StateEscalated:
		return e.reprompt(s, t.get(msgCannotGoBack), now)
	case StateDecided:
		if err := e.fire(tr, eventReadBack); err != nil {
			return e.reprompt(s, t.get(msgCannotGoBack), now)
		}
		return tr.out
	}
	var prev *question
	for _, st := range e.plan(make([]step, 0, planCap), &s.Answers) {
		if st.status == asked && !st.answered {
			break
		}
		if st.status == asked {
			prev = st.q
		}
	}
	if prev == nil {
		return e.reprompt(s, t.get(msgCannotGoBack), now)
	}
	prev.clear(&s.Answers)
	e.prune(&s.Answers)
	e.move(tr)
	return tr.out
}
