package bot

import (
	"context"
	"errors"
	"fmt"
)

// Sender delivers replies to chats of one platform. Each adapter is one.
type Sender interface {
	Send(ctx context.Context, o Outbound) error
}

// Router delivers Outbound replies through the Sender of their platform, so a reply to a
// Discord chat can come from a Telegram update (staff handoff works across platforms).
type Router map[string]Sender

// Deliver sends every reply in order. It goes on past a failed send, so one unreachable
// chat does not silence the others, and returns the failures joined.
func (r Router) Deliver(ctx context.Context, out []Outbound) error {
	var errs []error
	for _, o := range out {
		s, ok := r[o.To.Platform]
		if !ok {
			errs = append(errs, fmt.Errorf("deliver to %s: no adapter for platform %q", o.To, o.To.Platform))
			continue
		}
		if err := s.Send(ctx, o); err != nil {
			errs = append(errs, fmt.Errorf("deliver to %s: %w", o.To, err))
		}
	}
	return errors.Join(errs...)
}
