package console

import (
	"context"

	"github.com/returnsbot/returnsbot/bot"
)

// The console runs its messages on a bot.Dispatcher like every platform, one at a time
// and waiting for each: a panic while handling one is recovered and answered with an
// apology, and the session goes on.

// deliverFunc adapts a function to bot.Deliverer.
type deliverFunc func(ctx context.Context, out []bot.Outbound) error

func (f deliverFunc) Deliver(ctx context.Context, out []bot.Outbound) error { return f(ctx, out) }

// newDispatcher returns the console's dispatcher: no inbound limit (scripts type fast),
// replies written by deliver.
func newDispatcher(h bot.Handler, deliver deliverFunc) *bot.Dispatcher {
	return bot.NewDispatcher(bot.DispatchConfig{Handler: h, Deliver: deliver, Platform: Platform, InboundRate: -1})
}

// do runs m on d with run doing the handling and the writing, and waits until it is done.
func do(d *bot.Dispatcher, m bot.Message, run func(ctx context.Context) error) {
	done := make(chan struct{})
	d.Submit(&bot.Job{Msg: m, NoLimit: true, Run: run, Done: func(bot.Outcome) { close(done) }})
	<-done
}
