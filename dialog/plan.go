package dialog

import "slices"

// Which questions a claim's answers lead through: the Engine asks the first open one,
// reads back when none is open, and drops answers that no longer apply.

// status says whether a question is asked, given the answers so far.
type status int8

const (
	asked   status = iota // its conditions hold
	skipped               // a condition fails: it is not asked, and an answer to it is dropped
	unknown               // a condition rests on a question not answered yet
)

// step is one question of a plan.
type step struct {
	q        *question
	status   status
	value    string
	answered bool
}

// planCap is the room callers give plan: a step plans several times, and a plan the size
// of a policy's table fits on the caller's stack, so planning allocates nothing.
const planCap = 24

// plan lists the table's questions in the order they are asked for answers a, each with
// whether it is asked and its answer, appended to p[:0]. The exclusion questions follow the
// defect description: the ones it leads to in policy.Hinted's order, stopping at the first
// that applies; the others are left out, or listed as skipped when answered.
func (e *Engine) plan(p []step, a *Answers) []step {
	p = p[:0]
	for i := 0; i < len(e.rows); i++ {
		q := e.rows[i]
		if q.exclusion == nil {
			p = append(p, e.stepOf(p, q, a))
			continue
		}
		// The block of exclusion questions, which Engine.rows holds in policy order.
		end := i
		for end < len(e.rows) && e.rows[end].exclusion != nil {
			end++
		}
		p = e.planExclusions(p, e.rows[i:end], a)
		i = end - 1
	}
	return p
}

func (e *Engine) planExclusions(p []step, block []*question, a *Answers) []step {
	details := e.stepOf(p, block[0], a) // every row of the block has the same condition
	if details.status != asked {
		for _, q := range block {
			st := details
			st.q = q
			st.value, st.answered = q.get(a)
			p = append(p, st)
		}
		return p
	}
	h := e.hinted(a.Details)
	settled := false
	for _, q := range h.order {
		st := step{q: q, status: asked}
		if settled {
			st.status = skipped
		}
		st.value, st.answered = q.get(a)
		if st.answered && !settled && (st.value == "yes") == q.exclusion.AppliesIf {
			settled = true // one exclusion that applies settles the claim
		}
		p = append(p, st)
	}
	if len(a.Exclusions) == 0 {
		return p // the questions not asked have no answers to drop
	}
	for _, q := range block {
		if _, hinted := h.asked[q.exclusion.ID]; !hinted {
			if v, ok := q.get(a); ok {
				p = append(p, step{q: q, status: skipped, value: v, answered: true})
			}
		}
	}
	return p
}

// stepOf evaluates q's conditions against the steps planned before it.
func (e *Engine) stepOf(before []step, q *question, a *Answers) step {
	st := step{q: q, status: asked}
	st.value, st.answered = q.get(a)
	for _, c := range q.when {
		switch holds(before, c) {
		case skipped:
			st.status = skipped
			return st
		case unknown:
			st.status = unknown
		}
	}
	return st
}

// holds evaluates a condition: asked if it holds, skipped if not, unknown while the
// question it rests on is unanswered or itself undecided.
func holds(before []step, c cond) status {
	for i := len(before) - 1; i >= 0; i-- {
		ref := before[i]
		if ref.q.ID != c.q {
			continue
		}
		switch {
		case ref.status == skipped:
			return skipped
		case ref.status == unknown || !ref.answered:
			return unknown
		case c.any:
			return asked
		}
		in := false
		for _, v := range c.values {
			if v == condValue(c.q, ref.value) {
				in = true
				break
			}
		}
		if in != c.not {
			return asked
		}
		return skipped
	}
	return unknown
}

// open returns the first question of plan p that is asked and not answered.
func open(p []step) (*question, bool) {
	for _, st := range p {
		if st.status == asked && !st.answered {
			return st.q, true
		}
	}
	return nil, false
}

// prune drops the answers to questions that are no longer asked, so a corrected answer
// does not leave behind the answers that rested on the old one.
func (e *Engine) prune(a *Answers) {
	for {
		dropped := false
		for _, st := range e.plan(make([]step, 0, planCap), a) {
			if st.status == skipped && st.answered {
				st.q.clear(a)
				dropped = true
			}
		}
		if !dropped {
			return
		}
	}
}

// constraints returns, for each question q's asking rests on, directly or through the
// questions its conditions name, the answers that allow it (nil: any answer). The
// diagram uses it to leave out moves between questions that are never both asked.
func (e *Engine) constraints(q *question) map[string][]string {
	out := map[string][]string{}
	for _, c := range q.when {
		if ref := e.byID[c.q]; ref != nil {
			for k, v := range e.constraints(ref) {
				out[k] = intersect(out, k, v)
			}
		}
		if c.any {
			if _, ok := out[c.q]; !ok {
				out[c.q] = nil
			}
			continue
		}
		allowed := c.values
		if c.not {
			allowed = nil
			for _, v := range condValues(e.byID[c.q]) {
				if !slices.Contains(c.values, v) {
					allowed = append(allowed, v)
				}
			}
		}
		out[c.q] = intersect(out, c.q, allowed)
	}
	return out
}

// condValues lists the answers a condition on q can name.
func condValues(q *question) []string {
	if q == nil {
		return nil
	}
	if q.reader == readDate {
		return []string{"received", "pending"}
	}
	var vs []string
	for _, c := range q.choices {
		vs = append(vs, c.value)
	}
	return vs
}

func intersect(m map[string][]string, k string, v []string) []string {
	old, ok := m[k]
	if !ok || old == nil {
		return v
	}
	if v == nil {
		return old
	}
	var both []string
	for _, x := range old {
		if slices.Contains(v, x) {
			both = append(both, x)
		}
	}
	return append([]string{}, both...)
}

// exclusive reports whether questions a and b are never both asked.
func (e *Engine) exclusive(a, b *question) bool {
	ca, cb := e.constraints(a), e.constraints(b)
	ca[a.ID], cb[b.ID] = nil, nil
	for k, va := range ca {
		vb, ok := cb[k]
		if !ok || va == nil || vb == nil {
			continue
		}
		if len(intersect(map[string][]string{k: va}, k, vb)) == 0 {
			return true
		}
	}
	return false
}
