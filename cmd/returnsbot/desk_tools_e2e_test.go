package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
	"github.com/returnsbot/returnsbot/internal/waittest"
)

// tgButtonMessage returns the id of the last bot message to chat carrying a button whose
// data starts with prefix, and that data.
func (w *deskWorld) tgButtonMessage(chat int64, prefix string) (int, string) {
	w.t.Helper()
	id, data := 0, ""
	waittest.For(w.t, "a telegram message with a button "+prefix+"…", func() bool {
		for _, m := range w.tg.BotMessages(chat) {
			for _, row := range m.Keyboard {
				for _, b := range row {
					if strings.HasPrefix(b.CallbackData, prefix) {
						id, data = m.ID, b.CallbackData
					}
				}
			}
		}
		return id != 0
	})
	return id, data
}

// A Telegram customer served by Discord staff with the desk's tools: a snippet, a note the
// customer never sees, a close with a reason, and the customer's rating.
func TestDeskToolsTelegramCustomerDiscordStaff(t *testing.T) {
	snippets := filepath.Join(t.TempDir(), "snippets.txt")
	if err := os.WriteFile(snippets, []byte("[refund_sent]\nHello {name}, the refund for claim {claim} is on its way.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w := newDeskWorld(t, map[string]string{"SNIPPETS_FILE": snippets})
	ann := telegramtest.Private(1101, "Ann", "en")
	w.tg.Text(ann, "hi")
	w.tg.Text(ann, "person")
	c := w.openCase("telegram:1101")
	waittest.For(t, "the queue notice", func() bool { return tgHasText(w.tg.BotMessages(1101), "number 1 in the queue") })
	dcThread := threadOf(t, c, "discord")
	card := w.dcWithButton(dcThread, handoff.ButtonID(handoff.ActClaim, c.ID))
	w.dc.Press(t, w.dana, card, handoff.ButtonID(handoff.ActClaim, c.ID))
	waittest.For(t, "the claim notice", func() bool { return tgHasText(w.tg.BotMessages(1101), "Dana from our team") })

	w.dc.SendGuild(w.dana, dcThread, "/note she called about this yesterday")
	w.dc.SendGuild(w.dana, dcThread, "/s refund_sent")
	want := "Hello Ann, the refund for claim " + c.Claim + " is on its way."
	waittest.For(t, "the snippet in Ann's chat", func() bool { return tgHasText(w.tg.BotMessages(1101), want) })
	if tgHasText(w.tg.BotMessages(1101), "called about this") {
		t.Fatal("the staff note reached the customer")
	}
	w.dc.SendGuild(w.dana, dcThread, "/close goodwill new lid sent")
	msg, data := w.tgButtonMessage(1101, "desk:rate:"+c.ID+":")
	w.tg.Press(ann, msg, "desk:rate:"+c.ID+":4")
	waittest.For(t, "the rating in the thread", func() bool { return dcHasText(w.dc.Messages(dcThread), "rated case "+c.ID+" 4/5") })
	if !strings.HasPrefix(data, "desk:rate:") {
		t.Fatalf("rating button data %q", data)
	}

	var out bytes.Buffer
	if err := run(context.Background(), []string{"case", "show", c.ID}, w.getenv, nil, &out, &out); err != nil {
		t.Fatalf("case show: %v\n%s", err, out.String())
	}
	for _, want := range []string{"Close reason: goodwill: new lid sent", "Note Dana (discord): she called about this yesterday", "Staff Dana (discord): " + want, "rated 4/5", "Rating: 4/5\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("case show lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := run(context.Background(), []string{"claims", "export", "--format", "json"}, w.getenv, nil, &out, &out); err != nil {
		t.Fatalf("claims export: %v", err)
	}
	if !strings.Contains(out.String(), `"close_reason":"goodwill"`) || !strings.Contains(out.String(), `"rating":{"score":4`) {
		t.Errorf("export lacks the close reason and rating:\n%s", out.String())
	}
}

// A Discord customer waiting for Telegram staff goes back to the bot with the button.
func TestDeskDiscordCustomerLeavesTheQueue(t *testing.T) {
	w := newDeskWorld(t, nil)
	bob, dm, c := w.dcEscalate("Bob")
	topic := threadOf(t, c, "telegram")
	notice := w.dcWithButton(dm, "desk:leave:"+c.ID)
	w.dc.Press(t, bob, notice, "desk:leave:"+c.ID)
	waittest.For(t, "the packaging question in Bob's DM", func() bool {
		return dcHasText(w.dc.Messages(dm), "You have left the queue") && dcHasText(w.dc.Messages(dm), "packaging")
	})
	waittest.For(t, "staff told in the telegram topic", func() bool { return tgHasText(w.tgTopicMessages(topic), "left the queue") })
	got, err := w.cases.Get(context.Background(), c.ID)
	if err != nil || got.Status != handoff.Closed || got.CloseReason != handoff.ReasonCustomerLeft {
		t.Fatalf("case = %+v, %v; want closed as customer_left", got, err)
	}
}
