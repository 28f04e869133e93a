package dialog_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/policy"
)

// TestMachineIsBuiltFromTheTable: the states, events and their sources come from the
// question table, a shop's questions included, and only the read-back leads to a decision.
func TestMachineIsBuiltFromTheTable(t *testing.T) {
	e := dialog.NewEngine(shopPolicy(t))
	src := map[string][]string{}
	dst := map[string]string{}
	for _, ev := range e.Events() {
		src[ev.Name], dst[ev.Name] = ev.Src, ev.Dst
	}
	tests := []struct {
		event   string
		dst     string
		from    []string
		notFrom []string
	}{
		{"ask_order_number", "order_number", []string{"new", "escalated", "receipt_date"}, []string{"packaging", "decided"}},
		{"reopen_order_number", "order_number", []string{"packaging", "product", "confirm_summary", "decided"}, []string{"receipt_date", "new"}},
		{"ask_confirm_exclusion", "confirm_exclusion", []string{"defect_details", "confirm_exclusion"}, []string{"product"}},
		{"ask_product", "product", []string{"confirm_exclusion", "defect"}, []string{"confirm_summary"}},
		{"read_back", "confirm_summary", []string{"product", "carrier_check", "decided", "escalated"}, []string{"new"}},
		{"decide", "decided", []string{"confirm_summary", "escalated"}, []string{"product", "defect", "confirm_exclusion", "carrier_check", "new"}},
		{"escalate", "escalated", []string{"new", "order_number", "confirm_summary", "decided"}, []string{"escalated"}},
	}
	for _, tt := range tests {
		if dst[tt.event] != tt.dst {
			t.Errorf("event %s leads to %q, want %q", tt.event, dst[tt.event], tt.dst)
		}
		for _, s := range tt.from {
			if !slices.Contains(src[tt.event], s) {
				t.Errorf("event %s is not allowed from %s; sources %v", tt.event, s, src[tt.event])
			}
		}
		for _, s := range tt.notFrom {
			if slices.Contains(src[tt.event], s) {
				t.Errorf("event %s is allowed from %s; sources %v", tt.event, s, src[tt.event])
			}
		}
	}
}

// TestRefusedTransitionDoesNotPanic: a transition the table does not allow is refused
// with an error, counted, and leaves the session where it was.
func TestRefusedTransitionDoesNotPanic(t *testing.T) {
	e := dialog.NewEngine(policy.Default())
	s := &dialog.Session{State: dialog.StatePackaging}
	err := e.Fire(s, "decide")
	if !errors.Is(err, dialog.ErrRefused) || !strings.Contains(err.Error(), "decide in state packaging") {
		t.Fatalf("Fire(decide) from packaging = %v, want ErrRefused naming both", err)
	}
	if s.State != dialog.StatePackaging || s.Outcome != "" || e.Refused() != 1 {
		t.Fatalf("after the refusal: state %s outcome %q refused %d, want packaging, none, 1", s.State, s.Outcome, e.Refused())
	}
}

// TestStoredStateOfAnotherTable: a session stored mid-question under a policy whose
// questions have changed since goes on from where its answers lead.
func TestStoredStateOfAnotherTable(t *testing.T) {
	e := dialog.NewEngine(policy.Default())
	s := &dialog.Session{State: "order_number", Answers: dialog.Answers{Receipt: "2026-11-24", Shop: map[string]string{"order_number": "AB123456"}}}
	r := e.Step(s, dialog.Input{Text: "intact"}, now)
	if got := r[len(r)-1].Awaiting; got != "defect" || e.Refused() != 0 {
		t.Fatalf("awaiting %q (refused %d), want the defect question", got, e.Refused())
	}
}
