package funnel_test

import (
	"slices"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/funnel"
	"github.com/returnsbot/returnsbot/funnel/funneltest"
)

func TestMemory(t *testing.T) {
	funneltest.Run(t, func(t *testing.T) funnel.Tally { return &funnel.Memory{} })
}

func TestSteps(t *testing.T) {
	tests := []struct {
		from, to string
		want     []funnel.Event
	}{
		{"", "new", nil},
		{"new", "receipt_date", []funnel.Event{{"receipt_date", funnel.Reached}}},
		{"receipt_date", "packaging", []funnel.Event{{"receipt_date", funnel.Answered}, {"packaging", funnel.Reached}}},
		{"packaging", "packaging", nil},
		{"confirm_summary", "decided", []funnel.Event{{"confirm_summary", funnel.Answered}}},
		{"defect", "escalated", []funnel.Event{{"defect", funnel.Escalated}}},
		{"decided", "receipt_date", []funnel.Event{{"receipt_date", funnel.Reached}}},
	}
	for _, tt := range tests {
		if got := funnel.Steps(tt.from, tt.to); !slices.Equal(got, tt.want) {
			t.Errorf("Steps(%q, %q) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestRangeIsBounded(t *testing.T) {
	until := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	days := funnel.Range(until.AddDate(-5, 0, 0), until)
	if len(days) != funnel.MaxDays || !days[len(days)-1].Equal(funnel.DayOf(until)) {
		t.Fatalf("got %d days ending %v, want %d ending on until's day", len(days), days[len(days)-1], funnel.MaxDays)
	}
}

func TestMemoryRetention(t *testing.T) {
	m := &funnel.Memory{Retention: 48 * time.Hour}
	old := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	m.Add(t.Context(), old, funnel.Steps("new", "packaging"))
	m.Add(t.Context(), old.AddDate(0, 0, 5), funnel.Steps("new", "packaging"))
	days, _ := m.Days(t.Context(), old, old.AddDate(0, 0, 5))
	if len(days) != 1 {
		t.Fatalf("got %d days, want the old one dropped past retention", len(days))
	}
}
