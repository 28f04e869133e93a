package handoff

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Errors of the case operations, for callers to tell staff what happened.
var (
	// ErrClaimed means another staff member holds the case.
	ErrClaimed = errors.New("case is claimed by someone else")
	// ErrEnded means the case was returned to the bot or closed already.
	ErrEnded = errors.New("case has ended")
	// ErrYours means the staff member claiming the case holds it already.
	ErrYours = errors.New("case is already yours")
	// errNoChange aborts an update that finds nothing to do.
	errNoChange = errors.New("nothing to change")
	// errRepeat means the action was done already, by this very message, delivered
	// again: its notices may never have been sent, so they are sent again.
	errRepeat = errors.New("action done already by this message")
)

// Claim gives the open case to by. Of any number of staff claiming at once exactly one
// wins; the others get ErrClaimed with the case naming the winner. Claiming one's own case
// again changes nothing and returns ErrYours.
func Claim(ctx context.Context, st Store, id string, by Staff, now time.Time) (*Case, error) {
	return claim(ctx, st, id, by, now, "")
}

// claim is Claim by the message msgID, which the case remembers with the claim, in the same
// write: the same message claiming again returns errRepeat instead of ErrYours.
func claim(ctx context.Context, st Store, id string, by Staff, now time.Time, msgID string) (*Case, error) {
	c, err := st.Update(ctx, id, func(c *Case) error {
		switch {
		case c.Status != Open:
			return ErrEnded
		case c.Claimed != nil && sameStaff(*c.Claimed, by) && msgID != "" && slices.Contains(c.Seen, msgID):
			return errRepeat
		case c.Claimed != nil && sameStaff(*c.Claimed, by):
			return ErrYours
		case c.Claimed != nil:
			return ErrClaimed
		}
		c.Claimed, c.ClaimedAt = &by, now
		c.seen(msgID)
		return nil
	})
	if err != nil {
		return c, fmt.Errorf("claim case %s: %w", id, err)
	}
	return c, nil
}

// End returns the case to the bot or closes it (status Returned or Closed). Only the
// claiming staff member may end a claimed case; anyone authorised may end an unclaimed
// one. Of several ending at once exactly one succeeds; the others get ErrEnded.
func End(ctx context.Context, st Store, id string, status Status, by Staff, now time.Time) (*Case, error) {
	return end(ctx, st, id, status, by, now, "")
}

// end is End by the message msgID, remembered with the change: the same message ending the
// case again returns errRepeat instead of ErrEnded.
func end(ctx context.Context, st Store, id string, status Status, by Staff, now time.Time, msgID string) (*Case, error) {
	return endWhy(ctx, st, id, status, by, now, msgID, "", "")
}

// endWhy is end with the close reason code and note stored on the case in the same write.
func endWhy(ctx context.Context, st Store, id string, status Status, by Staff, now time.Time, msgID, reason, note string) (*Case, error) {
	c, err := st.Update(ctx, id, func(c *Case) error {
		switch {
		case c.Status == status && c.EndedBy != nil && sameStaff(*c.EndedBy, by) && msgID != "" && slices.Contains(c.Seen, msgID):
			return errRepeat
		case c.Status != Open:
			return ErrEnded
		case c.Claimed != nil && !sameStaff(*c.Claimed, by):
			return ErrClaimed
		}
		c.Status, c.Ended, c.EndedBy = status, now, &by
		c.CloseReason, c.CloseNote = reason, note
		c.seen(msgID)
		return nil
	})
	if err != nil {
		return c, fmt.Errorf("end case %s: %w", id, err)
	}
	return c, nil
}

func sameStaff(a, b Staff) bool { return a.Platform == b.Platform && a.User == b.User }
