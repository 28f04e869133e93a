package understand_test

import (
	"testing"

	"github.com/returnsbot/returnsbot/dialog/understand"
)

var (
	intact     = understand.Reading{Value: understand.ValueIntact}
	damaged    = understand.Reading{Value: understand.ValueDamaged}
	incomplete = understand.Reading{Value: understand.ValueIncomplete}
	yes        = understand.Reading{Value: understand.ValueYes}
	no         = understand.Reading{Value: understand.ValueNo}
	unsure     = understand.Reading{Unsure: true}
	nothing    = understand.Reading{}
)

type readCase struct {
	lang, text string
	want       understand.Reading
}

func runRead(t *testing.T, kind understand.Kind, cases []readCase) {
	t.Helper()
	for _, c := range cases {
		if got := understand.Read(kind, c.lang, c.text); got != c.want {
			t.Errorf("Read(%s, %q, %q) = %+v, want %+v", kind, c.lang, c.text, got, c.want)
		}
	}
}

func TestReadPackagingEnglish(t *testing.T) {
	runRead(t, understand.Packaging, []readCase{
		{"en", "all parts were there", intact},
		{"en", "nothing was missing", intact},
		{"en", "nothing missing", intact},
		{"en", "Nothing is missing.", intact},
		{"en", "no parts missing", intact},
		{"en", "not damaged", intact},
		{"en", "it wasn't damaged", intact},
		{"en", "The box wasn't really damaged", intact},
		{"en", "no damage", intact},
		{"en", "undamaged", intact},
		{"en", "in perfect condition", intact},
		{"en", "fine", intact},
		{"en", "the box was fine", intact},
		{"en", "Intact!", intact},
		{"en", "all good, everything was there", intact},
		{"en", "the box was not in good shape", damaged},
		{"en", "not ok", damaged},
		{"en", "not intact", damaged},
		{"en", "crushed", damaged},
		{"en", "dented", damaged},
		{"en", "torn", damaged},
		{"en", "wet", damaged},
		{"en", "broken box", damaged},
		{"en", "The box was crushed but everything was there", damaged},
		{"en", "it arrived soaked", damaged},
		{"en", "a part is missing", incomplete},
		{"en", "the cable was missing", incomplete},
		{"en", "incomplete", incomplete},
		{"en", "not everything was in it", incomplete},
		{"en", "empty box", incomplete},
		{"en", "the box was fine but the charger wasn't there", incomplete},
		{"en", "The box was crushed and a part is missing", incomplete},
		{"en", "not complete", incomplete},
		{"en", "I didn't look", unsure},
		{"en", "not sure", unsure},
		{"en", "I don't know", unsure},
		{"en", "maybe", unsure},
		{"en", "maybe a little dented", unsure},
		{"en", "I dont know if it was damaged", unsure},
		{"en", "banana", nothing},
		{"en", "", nothing},
		{"en", "yes", nothing},
		{"en", "no", nothing},
		{"en", "intact but damaged", nothing},
		{"en", "fine, crushed", nothing},
		{"en", "all parts were there but a part was missing", nothing},
		{"en", "it doesn't work", nothing},
		{"en", "the product is broken", nothing},
		{"en", "the box was fine but the screen is cracked", intact},
		{"en", "the device came in a crushed box", damaged},
		{"en", "the box was crushed but the phone works fine", damaged},
		// A German answer in an English conversation is still read.
		{"en", "keine Ahnung", unsure},
		{"en", "weiß nicht", unsure},
		{"en", "unbeschädigt", intact},
	})
}

func TestReadPackagingGerman(t *testing.T) {
	runRead(t, understand.Packaging, []readCase{
		{"de", "unbeschädigt", intact},
		{"de", "nicht beschädigt", intact},
		{"de", "Der Karton war nicht beschädigt.", intact},
		{"de", "alles da", intact},
		{"de", "nichts fehlt", intact},
		{"de", "es fehlt nichts", intact},
		{"de", "es fehlt kein Teil", intact},
		{"de", "kein Schaden", intact},
		{"de", "intakt", intact},
		{"de", "alles in Ordnung", intact},
		{"de", "in Ordnung", intact},
		{"de", "einwandfrei", intact},
		{"de", "vollständig", intact},
		{"de", "ok", intact},
		{"de-AT", "passt, alles dabei", intact},
		{"de", "die Verpackung war nicht in Ordnung", damaged},
		{"de", "eingedrückt", damaged},
		{"de", "der Karton war zerdrückt", damaged},
		{"de", "nass", damaged},
		{"de", "beschädigt", damaged},
		{"de", "Verpackung kaputt", damaged},
		{"de", "nicht gut", damaged},
		{"de", "der Karton war eingerissen, aber alles war da", damaged},
		{"de", "es fehlt ein Teil", incomplete},
		{"de", "unvollständig", incomplete},
		{"de", "das Kabel fehlte", incomplete},
		{"de", "nicht vollständig", incomplete},
		{"de", "nicht alles da", incomplete},
		{"de", "der Karton war leer", incomplete},
		{"de", "Karton eingedrückt und ein Teil fehlt", incomplete},
		{"de", "keine Ahnung", unsure},
		{"de", "weiß nicht", unsure},
		{"de", "weiss nicht", unsure},
		{"de", "habe nicht nachgesehen", unsure},
		{"de", "vielleicht", unsure},
		{"de", "ich bin mir nicht sicher", unsure},
		{"de", "Bratwurst", nothing},
		{"de", "ja", nothing},
		{"de", "intakt aber beschädigt", nothing},
		{"de", "vollständig aber es fehlt ein Teil", nothing},
		{"de", "funktioniert nicht", nothing},
		{"de", "das Gerät ist kaputt", nothing},
	})
}

func TestReadYesNoEnglish(t *testing.T) {
	runRead(t, understand.YesNo, []readCase{
		{"en", "yes", yes},
		{"en", "Yes it was", yes},
		{"en", "of course", yes},
		{"en", "I did", yes},
		{"en", "sure", yes},
		{"en", "correct", yes},
		{"en", "yeah", yes},
		{"en", "yep!", yes},
		{"en", "yes, they did", yes},
		{"en", "absolutely", yes},
		{"en", "that's right", yes},
		{"en", "no", no},
		{"en", "nope", no},
		{"en", "not really", no},
		{"en", "I don't think so", no},
		{"en", "never", no},
		{"en", "no it wasn't", no},
		{"en", "No.", no},
		{"en", "I did not", no},
		{"en", "of course not", no},
		{"en", "not at all", no},
		{"en", "no, not really", no},
		{"en", "nah", no},
		{"en", "not sure", unsure},
		{"en", "maybe", unsure},
		{"en", "I don't know", unsure},
		{"en", "no idea", unsure},
		{"en", "I can't remember", unsure},
		{"en", "I'm not sure", unsure},
		{"en", "not really sure", unsure},
		{"en", "yes, maybe", unsure},
		{"en", "dunno", unsure},
		{"en", "yes and no", nothing},
		{"en", "blue", nothing},
		{"en", "   ", nothing},
		{"en", "not no", nothing},
		{"en", "he didn't", no},
		{"en", "ja", yes},
		{"en", "nein", no},
	})
}

func TestReadYesNoGerman(t *testing.T) {
	runRead(t, understand.YesNo, []readCase{
		{"de", "ja", yes},
		{"de", "Ja!", yes},
		{"de", "genau", yes},
		{"de", "klar", yes},
		{"de", "na klar", yes},
		{"de", "natürlich", yes},
		{"de", "stimmt", yes},
		{"de", "richtig", yes},
		{"de", "ja, hat er", yes},
		{"de", "auf jeden Fall", yes},
		{"de", "jawohl", yes},
		{"de", "nein", no},
		{"de", "nö", no},
		{"de", "noe", no},
		{"de", "nee", no},
		{"de", "eher nicht", no},
		{"de", "nicht wirklich", no},
		{"de", "auf keinen Fall", no},
		{"de", "niemals", no},
		{"de", "natürlich nicht", no},
		{"de", "sicher nicht", no},
		{"de", "nein, hat er nicht", no},
		{"de", "ich glaube nicht", no},
		{"de", "weiß nicht", unsure},
		{"de", "keine Ahnung", unsure},
		{"de", "vielleicht", unsure},
		{"de", "ich weiß es nicht", unsure},
		{"de", "bin mir nicht sicher", unsure},
		{"de", "kann mich nicht erinnern", unsure},
		{"de", "nicht so sicher", unsure},
		{"de", "ja, vielleicht", unsure},
		{"de", "ja nein", nothing},
		{"de", "Fahrrad", nothing},
		{"de-CH", "yes", yes},
		{"de", "no", no},
	})
}

func TestReadDefectEnglish(t *testing.T) {
	runRead(t, understand.Defect, []readCase{
		{"en", "it doesn't work", yes},
		{"en", "It won't turn on", yes},
		{"en", "broken", yes},
		{"en", "stopped working", yes},
		{"en", "faulty", yes},
		{"en", "defective", yes},
		{"en", "it makes a strange noise", yes},
		{"en", "leaks", yes},
		{"en", "never worked", yes},
		{"en", "it has never worked", yes},
		{"en", "it never turned on", yes},
		{"en", "it's not working", yes},
		{"en", "yes, it's broken", yes},
		{"en", "yes", yes},
		{"en", "the screen is cracked", yes},
		{"en", "it doesnt charge", yes},
		{"en", "it only works sometimes", yes},
		{"en", "it doesn't work at all", yes},
		{"en", "works fine", no},
		{"en", "nothing wrong with it", no},
		{"en", "it works", no},
		{"en", "works perfectly", no},
		{"en", "no", no},
		{"en", "no, it works", no},
		{"en", "no it works", no},
		{"en", "it is not broken", no},
		{"en", "nothing is broken", no},
		{"en", "no problems", no},
		{"en", "not sure", unsure},
		{"en", "no idea", unsure},
		{"en", "haven't tried it yet", unsure},
		{"en", "I don't know, it's broken maybe", unsure},
		{"en", "I haven't tested it", unsure},
		{"en", "no it doesn't work", nothing},
		{"en", "yes it works fine", nothing},
		{"en", "it turns on but makes a strange noise", nothing},
		{"en", "the box was broken", nothing},
		{"en", "purple", nothing},
		{"en", "I'd like to start a return", nothing},
		{"en", "no problem", nothing},
		{"en", "nothing's wrong", no},
		{"en", "it's the wrong size", nothing},
		{"en", "kaputt", yes},
	})
}

func TestReadDefectGerman(t *testing.T) {
	runRead(t, understand.Defect, []readCase{
		{"de", "kaputt", yes},
		{"de", "funktioniert nicht", yes},
		{"de", "es funktioniert nicht", yes},
		{"de", "geht nicht an", yes},
		{"de", "es geht nicht mehr", yes},
		{"de", "defekt", yes},
		{"de", "ist kaputt gegangen", yes},
		{"de", "macht ein seltsames Geräusch", yes},
		{"de", "funktioniert nicht mehr richtig", yes},
		{"de", "funktioniert nicht einwandfrei", yes},
		{"de", "lässt sich nicht einschalten", yes},
		{"de", "es startet nicht", yes},
		{"de", "hat nie funktioniert", yes},
		{"de", "ja, kaputt", yes},
		{"de", "ja", yes},
		{"de", "leckt", yes},
		{"de", "geht gar nicht", yes},
		{"de", "funktioniert überhaupt nicht", yes},
		{"de", "funktioniert einwandfrei", no},
		{"de", "alles in Ordnung", no},
		{"de", "es funktioniert", no},
		{"de", "nein", no},
		{"de", "nein, funktioniert", no},
		{"de", "ist nicht kaputt", no},
		{"de", "nichts kaputt", no},
		{"de", "kein Defekt", no},
		{"de", "keine Probleme", no},
		{"de", "läuft einwandfrei", no},
		{"de", "weiß nicht", unsure},
		{"de", "keine Ahnung", unsure},
		{"de", "noch nicht ausprobiert", unsure},
		{"de", "vielleicht", unsure},
		{"de", "nicht sicher, vielleicht kaputt", unsure},
		{"de", "ja, es funktioniert einwandfrei", nothing},
		{"de", "nein, es ist kaputt", nothing},
		{"de", "der Karton ist kaputt", nothing},
		{"de", "Gurke", nothing},
		{"de", "kein Problem", nothing},
	})
}
