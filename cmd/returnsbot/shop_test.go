package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
	"github.com/returnsbot/returnsbot/internal/waittest"
)

// A shop's own questions, from its policy file alone: asked where the file places them,
// read back, and carried into the console's decision and the staff desk's case card.

const shopQuestionsPolicy = "../../testdata/policies/shop-questions.policy"

func TestConsoleShopQuestions(t *testing.T) {
	inputs := []struct{ in, awaiting string }{
		{`{"user":"a","text":"hi"}`, "receipt_date"},
		{`{"user":"a","text":"yesterday"}`, "order_number"},
		{`{"user":"a","text":"12345"}`, "order_number"}, // not an order number: asked again
		{`{"user":"a","text":"AB123456"}`, "packaging"},
		{`{"user":"a","button":"packaging:intact"}`, "defect"},
		{`{"user":"a","button":"defect:no"}`, "product"},
		{`{"user":"a","button":"product:kettle"}`, "confirm_summary"},
		{`{"user":"a","button":"change:order_number"}`, "order_number"},
		{`{"user":"a","text":"CD654321"}`, "confirm_summary"},
		{`{"user":"a","button":"confirm_summary:yes"}`, ""},
	}
	var in strings.Builder
	for _, s := range inputs {
		in.WriteString(s.in + "\n")
	}
	out, _, err := runBot(t, env("POLICY_FILE", shopQuestionsPolicy), in.String(), "console", "--json", "--now", "2026-11-25")
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		Text     string `json:"text"`
		Awaiting string `json:"awaiting"`
		Buttons  []struct {
			ID string `json:"id"`
		} `json:"buttons"`
		Decision *struct {
			Outcome string            `json:"outcome"`
			Answers map[string]string `json:"answers"`
		} `json:"decision"`
	}
	var lines []line
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var v line
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		lines = append(lines, v)
	}
	// The greeting has no question; every input after it gets one message.
	if len(lines) != len(inputs)+1 {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(inputs)+1, out)
	}
	for i, s := range inputs {
		if got := lines[i+1].Awaiting; got != s.awaiting {
			t.Errorf("after %s: awaiting %q, want %q (%q)", s.in, got, s.awaiting, lines[i+1].Text)
		}
	}
	if !strings.Contains(lines[3].Text, "AB123456") {
		t.Errorf("the re-ask %q does not show the example", lines[3].Text)
	}
	summary := lines[7].Text
	for _, want := range []string{"Order number: AB123456", "Product: Kettle"} {
		if !strings.Contains(summary, want) {
			t.Errorf("read-back %q lacks %q", summary, want)
		}
	}
	d := lines[len(lines)-1].Decision
	if d == nil || d.Outcome != "return_eligible" || d.Answers["order_number"] != "CD654321" || d.Answers["product"] != "kettle" {
		t.Fatalf("decision %+v, want return_eligible with answers order_number CD654321 and product kettle", d)
	}
	// The default policy's decisions carry no answers of a shop's own.
	def, _, _ := runBot(t, env(), `{"user":"a","text":"hi"}`+"\n"+`{"user":"a","text":"yesterday"}`+"\n"+
		`{"user":"a","text":"intact"}`+"\n"+`{"user":"a","text":"no"}`+"\n"+`{"user":"a","text":"yes"}`+"\n", "console", "--json", "--now", "2026-11-25")
	if !strings.Contains(def, `"outcome":"return_eligible"`) || strings.Contains(def, `"answers"`) {
		t.Fatalf("default policy: want return_eligible without answers:\n%s", def)
	}
}

// TestTelegramShopQuestionsOnTheCard runs the shop's questions through the Telegram
// adapter against the fake Bot API, then asks for a person: the case card on the staff
// desk lists the shop's answers.
func TestTelegramShopQuestionsOnTheCard(t *testing.T) {
	w := newDeskWorld(t, map[string]string{"POLICY_FILE": shopQuestionsPolicy})
	ann := telegramtest.Private(1001, "Ann", "en")
	say := func(text string, n int) telegramtest.Message {
		t.Helper()
		w.tg.Text(ann, text)
		msgs := w.tg.WaitBotMessages(t, 1001, n, 10*time.Second)
		return msgs[len(msgs)-1]
	}
	say("hi", 2)
	if m := say("yesterday", 3); !strings.Contains(m.Text, "What is your order number?") {
		t.Fatalf("after the date: %q, want the order number question", m.Text)
	}
	say("AB123456", 4)
	say("intact", 5)
	product := say("no", 6)
	if len(product.Keyboard) == 0 || product.Keyboard[0][0].CallbackData != "product:kettle" {
		t.Fatalf("product question %q with keyboard %v, want the product buttons", product.Text, product.Keyboard)
	}
	w.tg.Press(ann, product.ID, "product:kettle")
	msgs := w.tg.WaitBotMessages(t, 1001, 7, 10*time.Second)
	if rb := msgs[6].Text; !strings.Contains(rb, "Order number: AB123456") || !strings.Contains(rb, "Product: Kettle") {
		t.Fatalf("read-back %q, want the order number and the product", rb)
	}
	w.tg.Text(ann, "person")
	c := w.openCase("telegram:1001")
	card := w.dcWithButton(threadOf(t, c, "discord"), handoff.ButtonID(handoff.ActClaim, c.ID))
	for _, want := range []string{"Order number: AB123456", "Product: Kettle (kettle)", "Received: ", "Packaging: intact"} {
		if !strings.Contains(card.Content, want) {
			t.Errorf("card lacks %q:\n%s", want, card.Content)
		}
	}
	topic := threadOf(t, c, "telegram")
	waittest.For(t, "the case card in the Telegram desk topic", func() bool {
		return tgHasText(w.tgTopicMessages(topic), "Order number: AB123456")
	})
}
