package understand_test

import (
	"testing"

	"github.com/returnsbot/returnsbot/dialog/understand"
)

func TestFind(t *testing.T) {
	for _, c := range []struct {
		kind       understand.Kind
		lang, text string
		want       understand.Reading
	}{
		{understand.Packaging, "en", "I got it yesterday and the box was crushed", damaged},
		{understand.Defect, "en", "I got it yesterday and the box was crushed", nothing},
		{understand.Packaging, "en", "the box was fine but it won't turn on", intact},
		{understand.Defect, "en", "the box was fine but it won't turn on", yes},
		{understand.Packaging, "en", "hi, the parcel arrived wet, and the speaker makes a strange noise", damaged},
		{understand.Defect, "en", "hi, the parcel arrived wet, and the speaker makes a strange noise", yes},
		{understand.Packaging, "en", "bought a lamp, the charger was missing", incomplete},
		{understand.Packaging, "en", "all parts were there but it stopped working", intact},
		{understand.Defect, "en", "all parts were there but it stopped working", yes},
		{understand.Defect, "en", "it works fine, I just don't like the colour", no},
		{understand.Defect, "en", "the box was broken but the phone works fine", no},
		{understand.Packaging, "en", "the box was broken but the phone works fine", damaged},
		{understand.Packaging, "en", "the box was not damaged", intact},
		{understand.Defect, "en", "Hi, I want to return my headphones, they stopped working", yes},
		{understand.Packaging, "en", "Hi, I want to return my headphones, they stopped working", nothing},
		{understand.Defect, "en", "I'd like to return a broken kettle, box was fine", yes},
		// "broken" with no box may be the box's: it spoils "box was fine" out of turn.
		{understand.Packaging, "en", "I'd like to return a broken lawnmower, box was fine", nothing},
		{understand.Packaging, "en", "I'd like to return a broken kettle, box was fine", intact},
		{understand.Packaging, "en", "the battery was missing", incomplete},
		{understand.Packaging, "en", "I'd like to return a broken phone, box was fine", intact},
		// "arrived damaged" may be the box or the product: out of turn it is neither.
		{understand.Defect, "en", "my order arrived damaged", nothing},
		{understand.Packaging, "en", "my order arrived damaged", nothing},
		{understand.Defect, "en", "the screen is cracked", yes},
		// Nothing out of turn in a bare answer word.
		{understand.Packaging, "en", "fine", nothing},
		{understand.Packaging, "en", "ok", nothing},
		{understand.Packaging, "en", "crushed", nothing},
		{understand.Defect, "en", "yes", nothing},
		{understand.Defect, "en", "no", nothing},
		{understand.YesNo, "en", "yes", nothing},
		{understand.YesNo, "en", "no it wasn't", nothing},
		{understand.Defect, "en", "I want to start a return", nothing},
		{understand.Defect, "en", "how does this work?", nothing},
		{understand.Defect, "en", "no problem, thanks", nothing},
		{understand.Defect, "en", "I have a problem with my order", nothing},
		{understand.Packaging, "en", "I want to complete my return", nothing},
		// Doubt tells nothing; a word out of context spoils.
		{understand.Packaging, "en", "not sure if the box was damaged", nothing},
		{understand.Defect, "en", "I don't know if it works", nothing},
		{understand.Packaging, "en", "everything was there, crushed", nothing},
		{understand.Packaging, "en", "the box was fine and damaged", nothing},
		{understand.Packaging, "de", "gestern bekommen und der Karton war eingedrückt", damaged},
		{understand.Defect, "de", "gestern bekommen und der Karton war eingedrückt", nothing},
		{understand.Packaging, "de", "die Verpackung war in Ordnung, aber es geht nicht an", intact},
		{understand.Defect, "de", "die Verpackung war in Ordnung, aber es geht nicht an", yes},
		{understand.Packaging, "de", "es fehlt ein Teil", incomplete},
		{understand.Defect, "de", "am Montag gekommen, funktioniert einwandfrei", no},
		{understand.Defect, "de", "funktioniert", nothing},
		{understand.Defect, "de", "wie funktioniert die Rücksendung?", nothing},
		{understand.Packaging, "de", "gut", nothing},
		{understand.Packaging, "de", "keine Ahnung ob der Karton beschädigt war", nothing},
		{understand.Packaging, "de-AT", "the box was crushed", damaged},
	} {
		if got := understand.Find(c.kind, c.lang, c.text); got != c.want {
			t.Errorf("Find(%s, %q, %q) = %+v, want %+v", c.kind, c.lang, c.text, got, c.want)
		}
	}
}
