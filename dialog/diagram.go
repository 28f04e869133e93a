package dialog

import (
	"strings"

	"github.com/looplab/fsm"
)

// Diagram returns the dialog's state machine as a Mermaid state diagram, generated from
// the same transition table the Engine runs, so README's picture cannot drift from the
// code (a test checks README contains it). Transitions that every question shares are
// drawn once as notes rather than as dozens of arrows: "escalate" (reachable from every
// state) and the back, restart and resume moves that return to an earlier question.
func Diagram() string {
	m := fsm.NewFSM(StateNew, transitions(), fsm.Callbacks{})
	full, err := fsm.VisualizeForMermaidWithGraphType(m, fsm.StateDiagram)
	if err != nil {
		panic("dialog: " + err.Error())
	}
	order := map[string]int{}
	for i, s := range append([]string{StateNew}, append(questions, StateDecided, StateEscalated)...) {
		order[s] = i
	}
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	b.WriteString("    [*] --> " + StateNew + "\n")
	for _, line := range strings.Split(full, "\n") {
		src, rest, ok := strings.Cut(strings.TrimSpace(line), " --> ")
		if !ok || src == "[*]" {
			continue
		}
		dst, event, _ := strings.Cut(rest, ": ")
		forward := order[dst] > order[src] && src != StateEscalated && event != "escalate"
		if forward || (src == StateConfirm && dst == StateConfirm) {
			b.WriteString("    " + src + " --> " + dst + ": " + event + "\n")
		}
	}
	b.WriteString("    " + StateConfirm + " --> " + StateConfirm + ": ask_" + StateConfirm + " (next exclusion)\n")
	b.WriteString("    note right of " + StateEscalated + "\n")
	b.WriteString("        escalate: from any state (\"person\", /staff, a dispute, undecidable)\n")
	b.WriteString("        resume: staff hand back, to the step the customer left\n")
	b.WriteString("    end note\n")
	b.WriteString("    note left of " + StateReceiptDate + "\n")
	b.WriteString("        back: to the previous question, forgetting its answer\n")
	b.WriteString("        restart: from any state, forgetting every answer\n")
	b.WriteString("    end note\n")
	return b.String()
}
