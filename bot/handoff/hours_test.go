package handoff_test

import (
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/handoff"
)

func TestHours(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	h, err := handoff.ParseHours("Mon-Fri 09:00-12:00,13:00-18:00; Sat 10:00-14:00", "2026-12-24, 2026-12-25", berlin)
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tt := range []struct {
		when string
		open bool
		next string
	}{
		{"2026-12-01 10:00", true, "2026-12-01 10:00"},  // Tuesday morning
		{"2026-12-01 12:30", false, "2026-12-01 13:00"}, // lunch
		{"2026-12-01 18:00", false, "2026-12-02 09:00"}, // closing time
		{"2026-12-05 13:59", true, "2026-12-05 13:59"},  // Saturday
		{"2026-12-06 03:00", false, "2026-12-07 09:00"}, // 3 a.m. on a Sunday
		{"2026-12-23 19:00", false, "2026-12-26 10:00"}, // over two holidays to Saturday
		{"2026-12-24 10:00", false, "2026-12-26 10:00"}, // a holiday
	} {
		if got := h.OpenAt(at(tt.when)); got != tt.open {
			t.Errorf("OpenAt(%s) = %v, want %v", tt.when, got, tt.open)
		}
		next, ok := h.NextOpen(at(tt.when))
		if !ok || !next.Equal(at(tt.next)) {
			t.Errorf("NextOpen(%s) = %v, %v; want %s", tt.when, next, ok, tt.next)
		}
	}
	// UTC 08:30 is 09:30 in Berlin in winter: the policy's zone counts.
	if !h.OpenAt(time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)) {
		t.Error("08:30 UTC should be open in Berlin")
	}
	var none *handoff.Hours
	if !none.OpenAt(at("2026-12-06 03:00")) {
		t.Error("no hours should be always open")
	}
}

func TestParseHoursErrors(t *testing.T) {
	for _, tt := range []struct{ spec, holidays, want string }{
		{"Mon-Fri", "", "want days and times"},
		{"Mon-Fry 09:00-18:00", "", `day "fry"`},
		{"Mon 18:00-09:00", "", "the first earlier"},
		{"Mon 9-18", "", "want HH:MM-HH:MM"},
		{"Mon 09:00-24:30", "", "want HH:MM-HH:MM"},
		{"Mon 09:00-18:00", "24.12.2026", `holiday "24.12.2026"`},
		{"", "2026-12-24", "need opening hours"},
	} {
		_, err := handoff.ParseHours(tt.spec, tt.holidays, time.UTC)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseHours(%q, %q) error %v, want %q", tt.spec, tt.holidays, err, tt.want)
		}
	}
	if h, err := handoff.ParseHours("", "", time.UTC); h != nil || err != nil {
		t.Errorf("empty hours = %v, %v; want nil, nil", h, err)
	}
}

// TestHoursDescribe: customers read the hours in their language's day names, Monday
// first, consecutive days with the same times as one range, whatever the order of
// STAFF_HOURS.
func TestHoursDescribe(t *testing.T) {
	de := []string{"So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"}
	for _, tt := range []struct {
		spec string
		days []string
		want string
	}{
		{"Mon-Fri 09:00-18:00", nil, "Mon–Fri 09:00–18:00"},
		{"Sat 10:00-14:00; Mon-Fri 09:00-12:00,13:00-18:00", de, "Mo–Fr 09:00–12:00, 13:00–18:00; Sa 10:00–14:00"},
		{"Mon,Wed,Fri 09:00-17:00", de, "Mo 09:00–17:00; Mi 09:00–17:00; Fr 09:00–17:00"},
		{"Sun 10:00-24:00; Mon 08:00-09:00", []string{"too", "few"}, "Mon 08:00–09:00; Sun 10:00–24:00"},
	} {
		h, err := handoff.ParseHours(tt.spec, "", time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.Describe(tt.days); got != tt.want {
			t.Errorf("ParseHours(%q).Describe(%q) = %q, want %q", tt.spec, tt.days, got, tt.want)
		}
	}
}
