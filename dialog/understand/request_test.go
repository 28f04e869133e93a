package understand_test

import (
	"testing"

	"github.com/returnsbot/returnsbot/dialog/understand"
)

func TestReadRequest(t *testing.T) {
	person := understand.Request{Intent: understand.Person}
	dispute := understand.Request{Intent: understand.Dispute}
	why := understand.Request{Intent: understand.Why}
	none := understand.Request{}
	change := func(target, rest string) understand.Request {
		return understand.Request{Intent: understand.Change, Target: target, Rest: rest}
	}
	for _, c := range []struct {
		lang, text string
		want       understand.Request
	}{
		{"en", "I want to talk to a human", person},
		{"en", "can I speak to a manager?", person},
		{"en", "talk to a human please", person},
		{"en", "real person", person},
		{"en", "operator", person},
		{"en", "agent", person},
		{"en", "Support!", person},
		{"en", "hello, I would like to speak with someone from customer service", person},
		{"en", "this is useless. get me a human", person},
		{"en", "I want to talk to a real person because the app is broken", person},
		{"de", "ich möchte mit einem Menschen sprechen", person},
		{"de", "Mitarbeiter bitte", person},
		{"de", "kann ich bitte mit einem Mitarbeiter reden?", person},
		{"en", "Ich möchte mit einem Menschen sprechen", person},
		// Descriptions that hold the nouns are no request.
		{"en", "the stand does not support the weight", none},
		{"en", "the agent in the app crashes", none},
		{"en", "I tried to contact the agent in the app", none},
		{"en", "I want the agent to stop crashing", none},
		{"en", "I don't want to talk to a human", none},
		{"de", "der Support der App stürzt ab", none},
		{"en", "I don't agree", dispute},
		{"en", "that's not fair", dispute},
		{"en", "that's wrong", dispute},
		{"en", "I disagree", dispute},
		{"en", "unfair!", dispute},
		{"en", "no, that is not right", dispute},
		{"de", "ich bin nicht einverstanden", dispute},
		{"de", "das ist ungerecht", dispute},
		{"de", "Das ist falsch!", dispute},
		{"en", "why?", why},
		{"en", "Why do you need this?", why},
		{"en", "what for?", why},
		{"en", "why do you ask", why},
		{"en", "but why?", why},
		{"en", "why do you need the date", why},
		{"de", "warum?", why},
		{"de", "wozu?", why},
		{"de", "wieso brauchen Sie das", why},
		{"en", "why is it not working", none},
		{"en", "why it broke: I dropped it", none},
		{"en", "actually the box was damaged", change("packaging", "the box was damaged")},
		{"en", "change the date", change("receipt_date", "")},
		{"en", "the date is wrong, it was the 12th", change("receipt_date", "it was the 12th")},
		{"en", "I made a mistake", change("", "")},
		{"en", "Sorry, I made a mistake with the date", change("receipt_date", "")},
		{"en", "actually it doesn't work", change("defect", "it doesn't work")},
		{"en", "no, actually the parcel was fine", change("packaging", "the parcel was fine")},
		{"en", "actually, a part was missing", change("packaging", "a part was missing")},
		{"en", "I want to change my answer about the carrier", change("carrier_check", "")},
		{"en", "change my answer", change("", "")},
		{"en", "change the description", change("defect_details", "")},
		{"en", "change the packaging to damaged", change("packaging", "damaged")},
		{"de", "eigentlich war der Karton beschädigt", change("packaging", "war der Karton beschädigt")},
		{"de", "Datum ändern", change("receipt_date", "")},
		{"de", "das Datum ist falsch, es war der 12.", change("receipt_date", "es war der 12")},
		{"de", "ich habe mich vertan", change("", "")},
		{"de", "eigentlich funktioniert es nicht", change("defect", "funktioniert es nicht")},
		// Corrections need their shape.
		{"en", "the colour seems to change when it is heated", none},
		{"en", "the display shows the wrong date", none},
		{"en", "the date display seems to change colour", none},
		{"de", "bitte das Datum ändern", change("receipt_date", "")},
		{"en", "it actually stopped working after a week", none},
		{"en", "correct", none},
		{"en", "yes", none},
		{"en", "the box was crushed", none},
		{"en", "", none},
	} {
		if got := understand.ReadRequest(c.lang, c.text); got != c.want {
			t.Errorf("ReadRequest(%q, %q) = %+v, want %+v", c.lang, c.text, got, c.want)
		}
	}
}
