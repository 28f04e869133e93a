package understand_test

import (
	"testing"

	"github.com/returnsbot/returnsbot/dialog/understand"
)

// TestReadInEveryLanguage reads each shipped language's own answers: yes, no, not sure,
// the parcel's state, a defect or none, and a request for a person.
func TestReadInEveryLanguage(t *testing.T) {
	type answer struct {
		kind understand.Kind
		text string
		want string // a value, or "unsure"
	}
	tests := map[string][]answer{
		"fr": {
			{understand.YesNo, "oui", "yes"}, {understand.YesNo, "non", "no"}, {understand.YesNo, "je ne sais pas", "unsure"},
			{understand.Packaging, "le carton était écrasé", "damaged"}, {understand.Packaging, "il manquait une pièce", "incomplete"},
			{understand.Packaging, "tout était intact", "intact"}, {understand.Packaging, "pas endommagé", "intact"},
			{understand.Defect, "il ne marche pas", "yes"}, {understand.Defect, "ça ne s'allume plus", "yes"}, {understand.Defect, "il fonctionne bien", "no"},
		},
		"es": {
			{understand.YesNo, "sí", "yes"}, {understand.YesNo, "si", "yes"}, {understand.YesNo, "no", "no"}, {understand.YesNo, "no lo sé", "unsure"},
			{understand.Packaging, "la caja llegó aplastada", "damaged"}, {understand.Packaging, "faltaba una pieza", "incomplete"},
			{understand.Packaging, "en perfecto estado", "intact"}, {understand.Packaging, "no estaba dañada", "intact"},
			{understand.Defect, "no funciona", "yes"}, {understand.Defect, "no enciende", "yes"}, {understand.Defect, "funciona bien", "no"},
		},
		"it": {
			{understand.YesNo, "sì", "yes"}, {understand.YesNo, "no", "no"}, {understand.YesNo, "non lo so", "unsure"},
			{understand.Packaging, "la scatola era schiacciata", "damaged"}, {understand.Packaging, "mancava un pezzo", "incomplete"},
			{understand.Packaging, "era tutto integro", "intact"}, {understand.Packaging, "non è danneggiato", "intact"},
			{understand.Defect, "non funziona", "yes"}, {understand.Defect, "non si accende", "yes"}, {understand.Defect, "funziona bene", "no"},
		},
		"pt": {
			{understand.YesNo, "sim", "yes"}, {understand.YesNo, "não", "no"}, {understand.YesNo, "nao", "no"}, {understand.YesNo, "não sei", "unsure"},
			{understand.Packaging, "a caixa veio amassada", "damaged"}, {understand.Packaging, "faltava uma peça", "incomplete"},
			{understand.Packaging, "em perfeito estado", "intact"}, {understand.Packaging, "não estava danificada", "intact"},
			{understand.Defect, "não funciona", "yes"}, {understand.Defect, "não liga", "yes"}, {understand.Defect, "funciona bem", "no"},
		},
		"pl": {
			{understand.YesNo, "tak", "yes"}, {understand.YesNo, "nie", "no"}, {understand.YesNo, "nie wiem", "unsure"},
			{understand.Packaging, "karton był zgnieciony", "damaged"}, {understand.Packaging, "brakowało części", "incomplete"},
			{understand.Packaging, "w idealnym stanie", "intact"}, {understand.Packaging, "nie był uszkodzony", "intact"},
			{understand.Defect, "nie działa", "yes"}, {understand.Defect, "nie wlacza sie", "yes"}, {understand.Defect, "działa dobrze", "no"},
		},
		"ru": {
			{understand.YesNo, "да", "yes"}, {understand.YesNo, "нет", "no"}, {understand.YesNo, "не знаю", "unsure"},
			{understand.Packaging, "коробка была помята", "damaged"}, {understand.Packaging, "не хватало детали", "incomplete"},
			{understand.Packaging, "всё было целое", "intact"}, {understand.Packaging, "не повреждена", "intact"},
			{understand.Defect, "не работает", "yes"}, {understand.Defect, "не включается", "yes"}, {understand.Defect, "работает нормально", "no"},
		},
		"uk": {
			{understand.YesNo, "так", "yes"}, {understand.YesNo, "ні", "no"}, {understand.YesNo, "не знаю", "unsure"},
			{understand.Packaging, "коробка була пом'ята", "damaged"}, {understand.Packaging, "бракувало деталі", "incomplete"},
			{understand.Packaging, "усе було ціле", "intact"}, {understand.Packaging, "не пошкоджена", "intact"},
			{understand.Defect, "не працює", "yes"}, {understand.Defect, "не вмикається", "yes"}, {understand.Defect, "працює добре", "no"},
		},
	}
	for lang, answers := range tests {
		for _, a := range answers {
			t.Run(lang+"/"+a.text, func(t *testing.T) {
				r := understand.Read(a.kind, lang, a.text)
				got := r.Value
				if r.Unsure {
					got = "unsure"
				}
				if got != a.want {
					t.Fatalf("Read(%s, %s, %q): got %q, want %q", a.kind, lang, a.text, got, a.want)
				}
			})
		}
	}
	persons := map[string]string{
		"fr": "je voudrais parler à un conseiller", "es": "quiero hablar con una persona", "it": "vorrei parlare con un operatore",
		"pt": "quero falar com uma pessoa", "pl": "chcę porozmawiać z konsultantem", "ru": "хочу поговорить с оператором",
		"uk": "хочу поговорити з оператором",
	}
	for lang, text := range persons {
		if got := understand.ReadRequest(lang, text); got.Intent != understand.Person {
			t.Errorf("ReadRequest(%s, %q): got intent %q, want person", lang, text, got.Intent)
		}
	}
}
