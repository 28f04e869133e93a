package dialog_test

import (
	"errors"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/dialog"
)

func TestParseReceipt(t *testing.T) {
	// Wednesday 25 November 2026, afternoon.
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    string // YYYY-MM-DD, "pending", or "" when err is set
		wantErr error
	}{
		{"2026-11-12", "2026-11-12", nil},
		{"2026/11/12", "2026-11-12", nil},
		{"12.11.2026", "2026-11-12", nil},
		{"12/11/2026", "2026-11-12", nil},
		{"12-11-2026", "2026-11-12", nil},
		{"11/20/2026", "2026-11-20", nil}, // month first only because day first cannot be
		{"12.11.26", "2026-11-12", nil},
		{"12.11", "2026-11-12", nil},
		{"I got it on 3.11.2026 in the evening", "2026-11-03", nil},
		{"Nov 15", "2026-11-15", nil},
		{"november 15th", "2026-11-15", nil},
		{"15 Nov", "2026-11-15", nil},
		{"the 15th of November", "2026-11-15", nil},
		{"Nov 15, 2025", "2025-11-15", nil},
		{"Dec 3", "2025-12-03", nil}, // the last 3 December, not the coming one
		{"the date is wrong, it was the 12th", "2026-11-12", nil},
		{"on the 30th", "2026-10-30", nil}, // the 30th of this month is still to come
		{"the 31st", "2026-10-31", nil},
		{"am 12.", "2026-11-12", nil},
		{"the 40th", "", dialog.ErrImpossibleDate},
		{"today", "2026-11-25", nil},
		{"Today", "2026-11-25", nil},
		{"yesterday", "2026-11-24", nil},
		{"the day before yesterday", "2026-11-23", nil},
		{"3 days ago", "2026-11-22", nil},
		{"three days ago", "2026-11-22", nil},
		{"a week ago", "2026-11-18", nil},
		{"2 weeks ago", "2026-11-11", nil},
		{"a month ago", "2026-10-25", nil},
		{"last friday", "2026-11-20", nil},
		{"friday", "2026-11-20", nil},
		{"on Monday", "2026-11-23", nil},
		{"wednesday", "2026-11-25", nil},
		{"last wednesday", "2026-11-18", nil},
		{"not received yet", "pending", nil},
		{"I haven't received it yet", "pending", nil},
		{"I'm at the pickup point now", "pending", nil},
		{"didn’t get it yet", "pending", nil},
		{"gestern", "2026-11-24", nil},
		{"vorgestern", "2026-11-23", nil},
		{"vor 3 Tagen", "2026-11-22", nil},
		{"vor einer Woche", "2026-11-18", nil},
		{"am 15. November", "2026-11-15", nil},
		{"3. März 2026", "2026-03-03", nil},
		{"noch nicht abgeholt", "pending", nil},
		{"tomorrow", "", dialog.ErrFutureDate},
		{"2026-12-01", "", dialog.ErrFutureDate},
		{"26.11.2026", "", dialog.ErrFutureDate},
		{"31.02.2026", "", dialog.ErrImpossibleDate},
		{"2026-02-30", "", dialog.ErrImpossibleDate},
		{"31.13.2026", "", dialog.ErrImpossibleDate},
		{"30.11.1999", "", dialog.ErrAncientDate},
		{"1000 years ago", "", dialog.ErrAncientDate},
		{"the goods arrived", "", dialog.ErrNoDate},
		{"🙂", "", dialog.ErrNoDate},
		{"", "", dialog.ErrNoDate},
		{"99999999999999999999 days ago", "", dialog.ErrAncientDate},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := dialog.ParseReceipt(tt.in, now, time.UTC)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("ParseReceipt(%q) error = %v, want %v", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseReceipt(%q): %v", tt.in, err)
			}
			got := r.Date.Format(time.DateOnly)
			if r.NotReceived {
				got = "pending"
			}
			if got != tt.want {
				t.Fatalf("ParseReceipt(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseReceipt(f *testing.F) {
	for _, s := range []string{"12.11.2026", "3 days ago", "last friday", "Nov 15", "29.02", "9999-99-99"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		r, err := dialog.ParseReceipt(s, now, time.UTC)
		if err == nil && !r.NotReceived && (r.Date.After(now) || r.Date.Year() < 2000) {
			t.Fatalf("ParseReceipt(%q) = %v without error, outside 2000..now", s, r.Date)
		}
	})
}
