package handoff

import (
	"context"
	"fmt"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/dialog"
)

// DefaultIdleClose is HANDOFF_IDLE_CLOSE when unset.
const DefaultIdleClose = 72 * time.Hour

// maxIdleSweep bounds the cases one CloseIdle looks at; the rest wait for the next.
const maxIdleSweep = 100

// idleWarn is how long before closing an idle case both sides are warned.
func (d *Desk) idleWarn() time.Duration { return d.IdleClose / 6 }

// CloseIdle warns of, then closes, open cases no message went either way in for
// IdleClose: the warning goes IdleClose/6 before, to the customer and the threads, and a
// message from either side after it keeps the case open. The close has reason idle and,
// as any close, resets the customer's conversation. Several instances may run it at once:
// the compare-and-set on the case lets one of them act per case and step.
func (d *Desk) CloseIdle(ctx context.Context) error {
	if d.IdleClose <= 0 {
		return nil
	}
	now := d.now()
	warn := d.idleWarn()
	ids, err := d.Cases.Idle(ctx, now.Add(-(d.IdleClose - warn)), maxIdleSweep)
	if err != nil {
		return fmt.Errorf("close idle: %w", err)
	}
	return d.sweep(ctx, "idle", ids, func(c *Case) error {
		idle := now.Sub(c.LastActive())
		warned := !c.IdleWarned.IsZero() && !c.IdleWarned.Before(c.LastActive())
		switch {
		case c.Status != Open || idle < d.IdleClose-warn:
			return errNoChange
		case warned && idle >= d.IdleClose && now.Sub(c.IdleWarned) >= warn:
			c.Status, c.Ended, c.CloseReason = Closed, now, ReasonIdle
		case warned:
			return errNoChange
		default:
			c.IdleWarned = now
		}
		return nil
	}, func(ctx context.Context, c *Case) []bot.Outbound {
		if c.Status == Closed {
			if d.Metrics != nil {
				d.Metrics.IdleClosed()
			}
			d.log().InfoContext(ctx, "handoff: idle case closed", "case", c.ID, "idle", now.Sub(c.LastActive()).String())
			return d.closed(ctx, c, d.say("by_desk", nil), customerText(c.Lang, "desk.idle_closed", nil), true, false)
		}
		hours := int((warn + time.Hour - 1) / time.Hour)
		d.log().InfoContext(ctx, "handoff: idle case warned", "case", c.ID)
		text := customerText(c.Lang, "desk.idle_warning", map[string]any{"Hours": hours})
		d.append(ctx, c.ID, Entry{At: now, Who: Bot, Text: text})
		out := d.toThreads(c, d.say("idle_warning", map[string]any{"ID": c.ID, "Hours": hours}))
		return append(out, bot.Outbound{To: c.Customer, Reply: dialog.Reply{Text: text}})
	})
}
