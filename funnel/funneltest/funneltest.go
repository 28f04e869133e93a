// Package funneltest is the conformance suite of funnel.Tally: every implementation runs
// Run.
package funneltest

import (
	"context"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/funnel"
)

// Run tests the Tally that newTally returns; each call must return an empty one.
func Run(t *testing.T, newTally func(t *testing.T) funnel.Tally) {
	ctx := context.Background()
	day1 := time.Date(2026, 11, 30, 23, 59, 0, 0, time.UTC)
	day2 := time.Date(2026, 12, 1, 0, 1, 0, 0, time.UTC)

	t.Run("counts per day and kind", func(t *testing.T) {
		tl := newTally(t)
		steps := []struct {
			at       time.Time
			from, to string
		}{
			{day1, "new", "receipt_date"},
			{day1, "receipt_date", "packaging"},
			{day1, "packaging", "escalated"},
			{day2, "new", "receipt_date"},
			{day2, "receipt_date", "receipt_date"}, // unread answer: nothing
		}
		for _, s := range steps {
			if err := tl.Add(ctx, s.at, funnel.Steps(s.from, s.to)); err != nil {
				t.Fatal(err)
			}
		}
		days, err := tl.Days(ctx, day1.AddDate(0, 0, -3), day2)
		if err != nil {
			t.Fatal(err)
		}
		if len(days) != 2 || !days[0].Date.Equal(funnel.DayOf(day1)) || !days[1].Date.Equal(funnel.DayOf(day2)) {
			t.Fatalf("got days %+v, want 2026-11-30 and 2026-12-01", days)
		}
		want := []funnel.Row{
			{Question: "receipt_date", Reached: 2, Answered: 1},
			{Question: "packaging", Reached: 1, Escalated: 1},
		}
		got := funnel.Totals(days)
		if len(got) != len(want) {
			t.Fatalf("got totals %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("row %d: got %+v, want %+v", i, got[i], want[i])
			}
		}
		if got[0].Dropped() != 1 || got[1].Dropped() != 0 {
			t.Errorf("dropped: got %d and %d, want 1 and 0", got[0].Dropped(), got[1].Dropped())
		}
		only, err := tl.Days(ctx, day2, day2)
		if err != nil {
			t.Fatal(err)
		}
		if len(only) != 1 || only[0].Counts[funnel.Reached]["receipt_date"] != 1 || len(only[0].Counts[funnel.Answered]) != 0 {
			t.Errorf("day 2 alone: got %+v, want one reach of receipt_date", only)
		}
	})

	t.Run("empty range", func(t *testing.T) {
		tl := newTally(t)
		days, err := tl.Days(ctx, day2, day1)
		if err != nil || len(days) != 0 {
			t.Fatalf("until before since: got %v, %v; want nothing", days, err)
		}
	})
}
