package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
	"github.com/returnsbot/returnsbot/internal/waittest"
)

// TestStaffNotSlowedDown: with a strict customer limit, staff answering in a case thread
// in quick succession are never told to slow down, and every answer reaches the customer.
func TestStaffNotSlowedDown(t *testing.T) {
	w := newDeskWorld(t, map[string]string{"INBOUND_RATE": "4"}) // a burst of 1
	ann := telegramtest.Private(1011, "Ann", "en")
	w.tg.Text(ann, "person")
	c := w.openCase("telegram:1011")
	dcThread := threadOf(t, c, "discord")
	card := w.dcWithButton(dcThread, handoff.ButtonID(handoff.ActClaim, c.ID))
	w.dc.Press(t, w.dana, card, handoff.ButtonID(handoff.ActClaim, c.ID))
	waittest.For(t, "the claim notice", func() bool { return tgHasText(w.tg.BotMessages(1011), "has taken up your case") })
	const n = 6
	for i := range n {
		w.dc.SendGuild(w.dana, dcThread, fmt.Sprintf("answer %d of %d", i+1, n))
	}
	waittest.For(t, "every staff answer at the customer", func() bool { return tgHasText(w.tg.BotMessages(1011), fmt.Sprintf("answer %d of %d", n, n)) })
	for i := range n {
		if want := fmt.Sprintf("answer %d of %d", i+1, n); !tgHasText(w.tg.BotMessages(1011), want) {
			t.Errorf("the customer did not get %q", want)
		}
	}
	slow := bot.SlowDownText("en")
	for _, m := range w.dc.Messages(dcThread) {
		if strings.Contains(m.Content, slow) {
			t.Errorf("staff were told to slow down in the case thread: %q", m.Content)
		}
	}
}
