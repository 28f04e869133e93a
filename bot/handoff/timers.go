package handoff

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/dialog"
)

// The desk's timers: reminders of unclaimed cases, and the loop that runs them with the
// repair of threads and the idle close.

// Remind posts a reminder in the threads of every case that has waited unclaimed for
// Renotify since staff were last told, opening threads that could not be opened before.
// Several instances may run it at once: the compare-and-set on Case.Notified lets one of
// them remind per case and period.
func (d *Desk) Remind(ctx context.Context) error {
	now := d.now()
	if d.Renotify <= 0 || !d.Hours.OpenAt(now) {
		return nil // out of hours, reminders wait for opening time
	}
	before := now.Add(-d.Renotify)
	ids, err := d.Cases.Due(ctx, before)
	if err != nil {
		return fmt.Errorf("remind: %w", err)
	}
	return d.sweep(ctx, "remind", ids, func(c *Case) error {
		if !c.Waiting() || c.Notified.After(before) {
			return errNoChange
		}
		c.Notified = now
		return nil
	}, func(ctx context.Context, c *Case) []bot.Outbound {
		if len(c.Threads) < len(d.Desks) {
			d.openLater(c) // the new threads get the card, which says all a reminder would
		}
		waited := now.Sub(c.Opened).Round(time.Second)
		text := d.say("reminder", map[string]any{"ID": c.ID, "Name": displayName(c.Name, c.User), "Waited": waited.String()})
		var out []bot.Outbound
		for _, th := range c.Threads {
			out = append(out, bot.Outbound{To: th, Reply: dialog.Reply{Text: text, Buttons: cardButtons(d.lang(), c.ID)[:1]}})
		}
		d.log().InfoContext(ctx, "handoff: unclaimed case re-notified", "case", c.ID, "waited", waited.String())
		return out
	})
}

// sweep changes each case of ids with compare-and-set, skipping those change finds nothing
// to do for (errNoChange), and delivers what then returns for each case changed. Several
// instances may sweep at once: of them, one changes a case, and only it delivers.
func (d *Desk) sweep(ctx context.Context, what string, ids []string, change func(*Case) error, then func(context.Context, *Case) []bot.Outbound) error {
	var errs []error
	for _, id := range ids {
		c, err := d.Cases.Update(ctx, id, change)
		if errors.Is(err, errNoChange) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s case %s: %w", what, id, err))
			continue
		}
		if err := d.Router.Deliver(ctx, then(ctx, c)); err != nil {
			errs = append(errs, fmt.Errorf("%s case %s: %w", what, id, err))
		}
	}
	return errors.Join(errs...)
}

// Run reminds staff of unclaimed cases, and opens the threads that could not be opened
// when their case was, until ctx is done; then it stops the background retries and waits
// for the attempts in flight. It checks four times per Renotify period, so a reminder is
// at most a quarter period late, and at least every Threads.Repair.
func (d *Desk) Run(ctx context.Context) error {
	defer d.bg.shutdown()
	every := d.Threads.repair()
	if d.Renotify > 0 {
		every = min(every, max(d.Renotify/4, time.Millisecond))
	}
	if d.IdleClose > 0 {
		every = min(every, max(d.idleWarn()/4, time.Millisecond))
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := d.Remind(ctx); err != nil && ctx.Err() == nil {
				d.log().ErrorContext(ctx, "handoff: remind", "err", err)
			}
			if err := d.repair(ctx, d.now()); err != nil && ctx.Err() == nil {
				d.log().ErrorContext(ctx, "handoff: repair threads", "err", err)
			}
			if err := d.CloseIdle(ctx); err != nil && ctx.Err() == nil {
				d.log().ErrorContext(ctx, "handoff: close idle cases", "err", err)
			}
		}
	}
}
