package dialog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/looplab/fsm"
)

// The state machine is built from the question table: a state per question state, one
// event "ask_<state>" to move forward to it (from the states of the questions before it,
// and from new and escalated), one "reopen_<state>" to go back to it for a correction
// (from the states after it, the read-back and the decision), "read_back" once every
// question is answered, "decide" only from the read-back (or, handing a decided claim
// back, from escalated), "escalate" and "restart". Its callbacks do the work of entering
// a state: rendering the question, the read-back or the decision. A transition the table
// does not allow is refused; the Engine then re-asks where the session is (see move).

// Events that do not name a question.
const (
	eventReadBack = "read_back"
	eventDecide   = "decide"
	eventEscalate = "escalate"
	eventRestart  = "restart"
)

// turn carries one step's session and replies through the machine's callbacks.
type turn struct {
	s   *Session
	now time.Time
	out []Reply
	// reason is an escalation's; quiet escalates without a message of its own (the
	// decision that escalated has said it).
	reason string
	quiet  bool
	// handBack is set when staff hand a decided claim back: the decision is theirs to
	// state, so entering decided offers a new claim instead.
	handBack bool
	// note is prefixed to the first reply the step renders.
	note string
	// next is the question move fires the event for, so entering it need not plan again;
	// cur is the question the step began at, as Engine.settle found it.
	next, cur *question
}

func (t *turn) add(r Reply) {
	if t.note != "" {
		r.Text = t.note + "\n\n" + r.Text
		t.note = ""
	}
	t.out = append(t.out, r)
}

// questionStates lists the table's states in the order they are first asked.
func (e *Engine) questionStates() []string {
	var states []string
	for _, q := range e.rows {
		if !slices.Contains(states, q.State) {
			states = append(states, q.State)
		}
	}
	return states
}

// events builds the machine's transitions from the table.
func (e *Engine) events() fsm.Events {
	states := e.questionStates()
	shared := map[string]bool{} // states several questions share, such as StateConfirm
	seen := map[string]bool{}
	for _, q := range e.rows {
		shared[q.State] = seen[q.State]
		seen[q.State] = true
	}
	all := append([]string{StateNew, StateSummary, StateDecided, StateEscalated}, states...)
	without := func(state string) []string {
		return slices.DeleteFunc(slices.Clone(all), func(s string) bool { return s == state })
	}
	var ev fsm.Events
	for i, st := range states {
		ask := append([]string{StateNew, StateEscalated}, states[:i]...)
		if shared[st] {
			ask = append(ask, st)
		}
		reopen := append(slices.Clone(states[i+1:]), StateSummary, StateDecided)
		ev = append(ev,
			fsm.EventDesc{Name: "ask_" + st, Src: ask, Dst: st},
			fsm.EventDesc{Name: "reopen_" + st, Src: reopen, Dst: st})
	}
	return append(ev,
		fsm.EventDesc{Name: eventReadBack, Src: append(slices.Clone(states), StateSummary, StateDecided, StateEscalated), Dst: StateSummary},
		fsm.EventDesc{Name: eventDecide, Src: []string{StateSummary, StateEscalated}, Dst: StateDecided},
		fsm.EventDesc{Name: eventEscalate, Src: without(StateEscalated), Dst: StateEscalated},
		fsm.EventDesc{Name: eventRestart, Src: without(StateNew), Dst: StateNew},
	)
}

// callbacks are the work of entering each state, run after its event.
func (e *Engine) callbacks() fsm.Callbacks {
	cb := fsm.Callbacks{}
	for _, st := range e.questionStates() {
		cb["after_ask_"+st] = e.enterQuestion
		cb["after_reopen_"+st] = e.enterQuestion
	}
	cb["after_"+eventReadBack] = func(_ context.Context, ev *fsm.Event) {
		t := ev.Args[0].(*turn)
		t.s.State, t.s.Misses = StateSummary, 0
		t.s.Outcome, t.s.DecidedAt = "", 0
		t.add(e.summary(t.s))
	}
	cb["after_"+eventDecide] = func(_ context.Context, ev *fsm.Event) {
		t := ev.Args[0].(*turn)
		t.s.State, t.s.Misses = StateDecided, 0
		d := e.policy.Decide(e.facts(t.s.Answers), t.now)
		t.s.Outcome, t.s.DecidedAt = d.Outcome, t.now.Unix()
		if !t.handBack || t.s.Claim == "" { // handed back, the claim stays the one staff had
			t.s.Claim = e.newClaimID()
		}
		if t.handBack && d.Outcome == escalated {
			t.add(e.afterDecision(t.s))
			return
		}
		t.add(e.render(t.s, d))
	}
	cb["after_"+eventEscalate] = func(_ context.Context, ev *fsm.Event) {
		t := ev.Args[0].(*turn)
		resume := ev.Src
		if resume == StateNew {
			resume = e.rows[0].State
		}
		t.s.State, t.s.Misses = StateEscalated, 0
		t.s.Resume, t.s.Reason = resume, t.reason
		if t.quiet {
			return
		}
		t.s.Outcome, t.s.DecidedAt = escalated, t.now.Unix()
		if ev.Src != StateDecided || t.s.Claim == "" {
			// A decision disputed stays one claim, now with staff; anything else is new.
			t.s.Claim = e.newClaimID()
		}
		t.add(e.escalation(t.s, t.reason))
	}
	cb["after_"+eventRestart] = func(_ context.Context, ev *fsm.Event) {
		t := ev.Args[0].(*turn)
		t.s.State, t.s.Misses = StateNew, 0
		t.s.Answers = Answers{Photos: t.s.Answers.Photos}
		t.s.Outcome, t.s.DecidedAt, t.s.Resume, t.s.Reason, t.s.Claim = "", 0, "", "", ""
	}
	return cb
}

// enterQuestion renders the first open question, the one the event led to.
func (e *Engine) enterQuestion(_ context.Context, ev *fsm.Event) {
	t := ev.Args[0].(*turn)
	q, ok := t.next, t.next != nil
	if !ok {
		q, ok = open(e.plan(make([]step, 0, planCap), &t.s.Answers))
	}
	if !ok || q.State != ev.Dst { // cannot happen: move picks the event from this question
		t.s.State = ev.Dst
		return
	}
	t.s.State, t.s.Misses = ev.Dst, 0
	t.add(e.ask(t.s, q))
}

// ErrRefused wraps a transition the state machine refused: a bug in the Engine, never a
// customer's doing. The step re-asks where the session is.
var ErrRefused = errors.New("dialog: transition refused")

// fire runs event on a machine restored to the session's state.
func (e *Engine) fire(t *turn, event string) error {
	m := e.machines.Get().(*fsm.FSM)
	defer e.machines.Put(m)
	m.SetState(t.s.State)
	err := m.Event(context.Background(), event, t)
	var none fsm.NoTransitionError
	if err != nil && !errors.As(err, &none) {
		e.refused.Add(1)
		return fmt.Errorf("%w: %s in state %s: %v", ErrRefused, event, t.s.State, err)
	}
	return nil
}

// move fires the event that takes the session where its answers lead: the first open
// question, or the read-back once none is open. If the machine refuses, the session
// stays where it is and hears its current question again.
func (e *Engine) move(t *turn) {
	event := eventReadBack
	q, ok := open(e.plan(make([]step, 0, planCap), &t.s.Answers))
	if ok {
		event = "ask_" + q.State
		if e.before(q.State, t.s.State) {
			event = "reopen_" + q.State
		}
		if q.State == t.s.State && !e.shared[q.State] {
			// Asking the same question again is no transition.
			t.s.Misses = 0
			t.add(e.ask(t.s, q))
			return
		}
	} else if t.s.State == StateSummary {
		t.add(e.summary(t.s))
		return
	}
	t.next = q
	err := e.fire(t, event)
	t.next = nil
	if err != nil {
		t.add(e.where(t.s))
	}
}

// before reports whether question state a comes before state b in the dialog: b is a
// later question, the read-back or the decision.
func (e *Engine) before(a, b string) bool {
	switch b {
	case StateSummary, StateDecided:
		return true
	case StateNew, StateEscalated:
		return false
	}
	return e.order[a] < e.order[b] || (a == b && !e.shared[a])
}
