package dialog

import "github.com/looplab/fsm"

// Refused counts the transitions the engine's state machine refused; the design allows
// none, and the fuzz test holds it to that.
func (e *Engine) Refused() int64 { return e.refused.Load() }

// Events returns the transitions the engine's state machine is built with.
func (e *Engine) Events() fsm.Events { return e.events() }

// Fire runs event on the session's state machine, as a step does.
func (e *Engine) Fire(s *Session, event string) error { return e.fire(&turn{s: s}, event) }
