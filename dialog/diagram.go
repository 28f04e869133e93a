package dialog

import (
	"strings"

	"github.com/looplab/fsm"

	"github.com/returnsbot/returnsbot/policy"
)

// Diagram returns the default policy's dialog as a Mermaid state diagram; see
// Engine.Diagram.
func Diagram() string { return NewEngine(policy.Default()).Diagram() }

// Diagram returns the engine's state machine as a Mermaid state diagram, generated from
// the machine the Engine runs, which is built from its question table, so README's
// picture cannot drift from the code (a test checks README contains it). Of the forward
// moves it draws those the table's conditions make: from each question to the next one,
// and past each question asked only on a condition. Moves every state shares are drawn
// once as notes rather than as dozens of arrows: escalate, restart, the corrections and
// back that reopen an earlier question, and resume.
func (e *Engine) Diagram() string {
	m := fsm.NewFSM(StateNew, e.events(), fsm.Callbacks{})
	full, err := fsm.VisualizeForMermaidWithGraphType(m, fsm.StateDiagram)
	if err != nil {
		panic("dialog: " + err.Error())
	}
	drawn := e.drawnEdges()
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	b.WriteString("    [*] --> " + StateNew + "\n")
	for _, line := range strings.Split(full, "\n") {
		src, rest, ok := strings.Cut(strings.TrimSpace(line), " --> ")
		if !ok || src == "[*]" {
			continue
		}
		dst, event, _ := strings.Cut(rest, ": ")
		if drawn[src+" "+dst] {
			note := ""
			if src == dst {
				note = " (next exclusion)"
			}
			b.WriteString("    " + src + " --> " + dst + ": " + event + note + "\n")
		}
	}
	b.WriteString("    note right of " + StateEscalated + "\n")
	b.WriteString("        escalate: from any state (\"talk to a human\", /staff, a dispute, a carrier claim)\n")
	b.WriteString("        resume: staff hand back, to the step the customer left\n")
	b.WriteString("    end note\n")
	b.WriteString("    note left of " + StateSummary + "\n")
	b.WriteString("        reopen_*: a correction or back, from any later state\n")
	b.WriteString("        restart: from any state, forgetting every answer\n")
	b.WriteString("    end note\n")
	return b.String()
}

// askedBetween reports whether dst rests on one of the states between, whose question is
// then always asked before it (an answer only that question reads, never out of turn).
func (e *Engine) askedBetween(first map[string]*question, between []string, dst *question) bool {
	needs := e.constraints(dst)
	for _, st := range between {
		q := first[st]
		if _, ok := needs[q.ID]; ok && !q.outOfTurn {
			return true
		}
	}
	return false
}

// drawnEdges lists the forward moves worth drawing, as "src dst": from new to the first
// question; from each question to the next, and on past the next while it is asked only
// on a condition; to the read-back from the questions that may be last; and the decision.
func (e *Engine) drawnEdges() map[string]bool {
	states := e.questionStates()
	conditional := map[string]bool{}
	first := map[string]*question{} // a state's first question stands for the state
	for _, q := range e.rows {
		if first[q.State] == nil {
			first[q.State] = q
			conditional[q.State] = len(q.when) > 0
		}
	}
	drawn := map[string]bool{StateNew + " " + states[0]: true, StateSummary + " " + StateDecided: true}
	for i, src := range states {
		if e.shared[src] {
			drawn[src+" "+src] = true
		}
		j := i + 1
		for ; j < len(states); j++ {
			if !e.exclusive(first[src], first[states[j]]) && !e.askedBetween(first, states[i+1:j], first[states[j]]) {
				drawn[src+" "+states[j]] = true
			}
			if !conditional[states[j]] {
				break
			}
		}
		if j == len(states) {
			drawn[src+" "+StateSummary] = true
		}
	}
	return drawn
}
