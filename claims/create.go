package claims

import (
	"context"
	"errors"
	"fmt"
)

// ErrNotQueued: CreateWithEvent stored the record but could not queue its event (the
// error it comes with says why: ErrOutboxFull, say). The claim exists; the caller logs it
// and goes on.
var ErrNotQueued = errors.New("claim stored, its event not queued")

// EventCreator is a Store that can store a new record and queue the event of its
// creation as one write, when the outbox lives with it: one round trip instead of
// Create's and Add's. The write is all or nothing for the record; the event is left out
// only when the outbox is full.
type EventCreator interface {
	// CreateWithEvent is Create(r) followed by out.Add(e) in one write. It returns done
	// false, having done nothing, when it cannot write to out so (another kind of outbox,
	// another server, a Redis Cluster where they lie in different slots).
	CreateWithEvent(ctx context.Context, r Record, e Event, out Outbox) (done bool, err error)
}

// CreateWithEvent stores the new record r in st and queues e, the event of its creation,
// in out (nil: none). The event is never queued unless the record was stored whole: the
// result is nil, ErrExists (nothing stored, nothing queued: the caller picks a new id),
// an error wrapping ErrNotQueued (the record stored, the event not), or another error of
// the store (the record not stored, or not known to be; a retry finds it by its id).
//
// A store that is an EventCreator for out writes both at once; any other creates and
// then adds.
func CreateWithEvent(ctx context.Context, st Store, out Outbox, r Record, e Event) error {
	if c, ok := st.(EventCreator); ok && out != nil {
		if done, err := c.CreateWithEvent(ctx, r, e, out); done {
			return err
		}
	}
	if err := st.Create(ctx, r); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := out.Add(ctx, e); err != nil {
		return fmt.Errorf("%w: %w", ErrNotQueued, err)
	}
	return nil
}
