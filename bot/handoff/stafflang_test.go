package handoff_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/handoff"
	"github.com/returnsbot/returnsbot/dialog/memstore"
)

// TestStaffLanguage: with a German desk (STAFF_LANGUAGE=de) and a French customer, the
// card, the thread titles, the buttons, the staff notices, refusals and reminders are
// German, the card says the customer speaks French, what the customer wrote reaches staff
// untranslated, and the customer hears French.
func TestStaffLanguage(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	w.lang = "de"
	w.desk = w.newDesk()
	w.tg.titlePrefix, w.dc.titlePrefix = "Fall ", "Fall "
	fr := func(text string) bot.Message {
		m := customer(tgAnn, text)
		m.Lang = "fr"
		return m
	}
	var opened []bot.Outbound
	for _, text := range []string{"bonjour", "conseiller"} {
		opened = append(opened, w.send(fr(text))...)
	}
	c, err := w.cases.OpenFor(context.Background(), tgAnn.Key())
	if err != nil {
		t.Fatalf("no case after a French customer asked for a person: %v", err)
	}
	dcThread := thread(t, c, "discord")

	cards := to(opened, dcThread)
	if len(cards) != 1 {
		t.Fatalf("got %d messages in the new thread, want the card: %q", len(cards), texts(cards))
	}
	card := cards[0]
	for _, want := range []string{
		"Fall " + c.ID + ": Ann, Kunde über telegram",
		"Grund: der Kunde möchte mit einem Menschen sprechen",
		"Spricht: fr (Français)",
		"Angaben:",
		"Verlauf",
		"Kunde Ann: conseiller", // the customer's words as written
		"*: Fall eröffnet: der Kunde möchte mit einem Menschen sprechen",
	} {
		if !strings.Contains(card.Text, want) {
			t.Errorf("the card: got %q, want it to contain %q", card.Text, want)
		}
	}
	for _, english := range []string{"Why:", "Speaks:", "Facts:", "Transcript", "Customer Ann", "case opened"} {
		if strings.Contains(card.Text, english) {
			t.Errorf("the card: got %q, want no English %q", card.Text, english)
		}
	}
	var labels []string
	for _, b := range card.Buttons {
		labels = append(labels, b.Label)
	}
	if got, want := strings.Join(labels, "|"), "Übernehmen|Zurück an den Bot|Schließen"; got != want {
		t.Errorf("card buttons: got %q, want %q", got, want)
	}
	if got := w.dc.titles; len(got) != 1 || !strings.HasPrefix(got[0], "Fall "+c.ID+": Ann") {
		t.Errorf("thread titles: got %q, want one starting %q", got, "Fall "+c.ID+": Ann")
	}

	// A reminder of the waiting case, in German with a German Claim button.
	before := len(w.dc.sent)
	w.advance(10 * time.Minute)
	if err := w.desk.Remind(context.Background()); err != nil {
		t.Fatalf("Remind: %v", err)
	}
	reminders := w.dc.since(before)
	if len(reminders) != 1 || !strings.HasPrefix(reminders[0].Text, "Erinnerung: Fall "+c.ID+" von Ann wartet seit 10m0s") ||
		len(reminders[0].Buttons) != 1 || reminders[0].Buttons[0].Label != "Übernehmen" {
		t.Fatalf("reminder: got %+v, want a German reminder with an Übernehmen button", reminders)
	}

	closing := "Notre équipe a clôturé votre dossier."
	steps := []struct {
		name         string
		msg          bot.Message
		wantStaff    string // a prefix of what the sender's thread gets
		wantCustomer string // a prefix of what the customer gets; empty for nothing
	}{
		{"customer writes", fr("le couvercle est fendu"), "Ann (Kunde): le couvercle est fendu", ""},
		{"stranger presses Claim", press(dcThread, stranger, handoff.ButtonID(handoff.ActClaim, c.ID)),
			"Entschuldigung, nur berechtigte Mitarbeiter", ""},
		{"staff writes before claiming", staffMsg(dcThread, dcStaff, "Bonjour Ann"), "Zuerst „Übernehmen“ drücken", ""},
		{"help", staffMsg(dcThread, dcStaff, "/help"), "Im Thread eines Falls: /claim (übernehmen)", ""},
		{"claim", press(dcThread, dcStaff, handoff.ButtonID(handoff.ActClaim, c.ID)),
			"Fall " + c.ID + " übernommen von Staff8 (discord).",
			"Staff8, de notre équipe, a pris en charge votre dossier et vous répondra ici."},
		{"claim again", press(dcThread, dcStaff, handoff.ButtonID(handoff.ActClaim, c.ID)),
			"Du bearbeitest Fall " + c.ID + " bereits.", ""},
		{"bad override", staffMsg(dcThread, dcStaff, "/override maybe"), "Verwendung: /override OUTCOME [Notiz], wobei OUTCOME eines davon ist: return_eligible,", ""},
		{"override", staffMsg(dcThread, dcStaff, "/override warranty_repair"),
			"Staff8 (discord) hat die Entscheidung zu Fall " + c.ID + " geändert: keine -> warranty_repair.",
			"Notre équipe a réexaminé votre demande et a décidé : votre produit sera réparé gratuitement"},
		{"close", press(dcThread, dcStaff, handoff.ButtonID(handoff.ActClose, c.ID)),
			"Fall " + c.ID + " geschlossen von Staff8 (discord): resolved. Der Verlauf bleibt erhalten", closing},
		{"write after close", staffMsg(dcThread, dcStaff, "Au revoir"),
			"Fall " + c.ID + " ist geschlossen; deine Nachricht wurde dem Kunden nicht gesendet.", ""},
	}
	for _, s := range steps {
		out := w.send(s.msg)
		staffGot := texts(to(out, dcThread))
		if !strings.HasPrefix(staffGot, s.wantStaff) {
			t.Errorf("%s: the thread got %q, want it to start with %q", s.name, staffGot, s.wantStaff)
		}
		customerGot := texts(to(out, tgAnn))
		if s.msg.From == tgAnn {
			continue // the customer's own message is relayed, not answered
		}
		if s.wantCustomer == "" && customerGot != "" || !strings.HasPrefix(customerGot, s.wantCustomer) {
			t.Errorf("%s: the customer got %q, want %q", s.name, customerGot, s.wantCustomer)
		}
	}
}

// TestStaffLanguageTranscript: the desk's own lines of a case's transcript are written in
// the desk's language; what the customer wrote stays as written.
func TestStaffLanguageTranscript(t *testing.T) {
	w := newWorld(t, handoff.NewMemoryStore(), memstore.New())
	w.lang = "de"
	w.desk = w.newDesk()
	w.tg.titlePrefix, w.dc.titlePrefix = "Fall ", "Fall "
	for _, text := range []string{"bonjour", "conseiller"} {
		m := customer(tgAnn, text)
		m.Lang = "fr"
		w.send(m)
	}
	c, err := w.cases.OpenFor(context.Background(), tgAnn.Key())
	if err != nil {
		t.Fatalf("no case: %v", err)
	}
	dcThread := thread(t, c, "discord")
	w.send(press(dcThread, dcStaff, handoff.ButtonID(handoff.ActClaim, c.ID)))
	w.send(press(dcThread, dcStaff, handoff.ButtonID(handoff.ActClose, c.ID)))
	es, err := w.cases.Transcript(context.Background(), c.ID)
	if err != nil {
		t.Fatalf("Transcript: %v", err)
	}
	var system []string
	for _, e := range es {
		if e.Who == handoff.System {
			system = append(system, e.Text)
		}
	}
	want := []string{
		"Fall eröffnet: der Kunde möchte mit einem Menschen sprechen",
		"übernommen von Staff8 (discord)",
		"geschlossen von Staff8 (discord): resolved",
	}
	if got := strings.Join(system, "|"); got != strings.Join(want, "|") {
		t.Errorf("the desk's transcript lines: got %q, want %q", got, strings.Join(want, "|"))
	}
	if es[0].Who != handoff.Customer || es[0].Text != "bonjour" {
		t.Errorf("first entry: got %+v, want the customer's own \"bonjour\"", es[0])
	}
}
