package claims

import (
	"context"
	"fmt"
	"time"
)

// Lister is the part of Store that reads claims by creation time.
type Lister interface {
	List(ctx context.Context, q Query) (page []Record, next string, err error)
}

// All reads every claim q selects, page by page, oldest first: `returnsbot claims export`
// and the dashboard's CSV export. max > 0 stops after that many records and reports that
// more were left (the dashboard's bounded pages); 0 reads everything.
func All(ctx context.Context, st Lister, q Query, max int) (rs []Record, more bool, err error) {
	for {
		page, next, err := st.List(ctx, q)
		if err != nil {
			return rs, false, fmt.Errorf("list claims: %w", err)
		}
		rs = append(rs, page...)
		if max > 0 && len(rs) >= max {
			return rs[:max], len(rs) > max || next != "", nil
		}
		if next == "" {
			return rs, false, nil
		}
		q.Cursor = next
	}
}

// ParseDay reads a --since or --until value (or the dashboard's date fields): a date (the
// whole day, in UTC) or an RFC 3339 time. end makes a date mean the end of that day, so an
// until is inclusive. "" is the zero time, unbounded.
func ParseDay(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("want 2026-11-23 or 2026-11-23T10:00:00Z, got %q", s)
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}
