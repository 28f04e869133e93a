package dialog_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/dialog"
	"github.com/returnsbot/returnsbot/i18n"
)

// TestParseReceiptIn reads receipt dates in each shipped language's own words: relative
// days and "N units ago", weekdays, month names, numeric dates, a day of the month alone,
// not received yet, and the future and impossible dates that get their own re-asks; every
// shipped language has each kind.
func TestParseReceiptIn(t *testing.T) {
	// Wednesday 25 November 2026, afternoon.
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		lang, kind, in string
		want           string // YYYY-MM-DD, "pending", or "future", "impossible", "none": the error
	}{
		{"en", "relative", "yesterday", "2026-11-24"},
		{"en", "relative", "3 days ago", "2026-11-22"},
		{"en", "weekday", "last friday", "2026-11-20"},
		{"en", "month", "November 15", "2026-11-15"},
		{"en", "month", "the 15th of November", "2026-11-15"},
		{"en", "numeric", "12/11/2026", "2026-11-12"},
		{"en", "day", "the 12th", "2026-11-12"},
		{"en", "day", "I got it on the 3rd", "2026-11-03"},
		{"en", "day", "30th", "2026-10-30"},
		{"en", "pending", "not received yet", "pending"},
		{"en", "future", "tomorrow", "future"},
		{"en", "impossible", "31.02.2026", "impossible"},
		{"en", "impossible", "the 32nd", "impossible"},

		{"de", "relative", "vorgestern", "2026-11-23"},
		{"de", "relative", "vor zwei Wochen", "2026-11-11"},
		{"de", "weekday", "letzten Freitag", "2026-11-20"},
		{"de", "month", "am 15. November", "2026-11-15"},
		{"de", "numeric", "12.11.2026", "2026-11-12"},
		{"de", "day", "am 12.", "2026-11-12"},
		{"de", "day", "den 3.", "2026-11-03"},
		{"de", "pending", "noch nicht abgeholt", "pending"},
		{"de", "future", "übermorgen", "future"},
		{"de", "impossible", "31.02.2026", "impossible"},

		{"fr", "relative", "hier", "2026-11-24"},
		{"fr", "relative", "avant-hier", "2026-11-23"},
		{"fr", "relative", "il y a 3 jours", "2026-11-22"},
		{"fr", "relative", "il y a une semaine", "2026-11-18"},
		{"fr", "weekday", "vendredi dernier", "2026-11-20"},
		{"fr", "weekday", "mercredi dernier", "2026-11-18"},
		{"fr", "month", "le 15 novembre", "2026-11-15"},
		{"fr", "month", "1er décembre 2025", "2025-12-01"},
		{"fr", "numeric", "le 12/11/2026", "2026-11-12"},
		{"fr", "day", "le 12", "2026-11-12"},
		{"fr", "day", "je l'ai reçu le 1er", "2026-11-01"},
		{"fr", "pending", "pas encore reçu", "pending"},
		{"fr", "pending", "il est toujours au point relais", "pending"},
		{"fr", "future", "demain", "future"},
		{"fr", "impossible", "le 31 février", "impossible"},
		{"fr", "impossible", "le 32", "impossible"},

		{"es", "relative", "ayer", "2026-11-24"},
		{"es", "relative", "anteayer", "2026-11-23"},
		{"es", "relative", "hace 3 días", "2026-11-22"},
		{"es", "relative", "hace dos semanas", "2026-11-11"},
		{"es", "weekday", "el viernes pasado", "2026-11-20"},
		{"es", "month", "el 15 de noviembre", "2026-11-15"},
		{"es", "month", "3 de marzo de 2026", "2026-03-03"},
		{"es", "numeric", "12/11/2026", "2026-11-12"},
		{"es", "day", "el 12", "2026-11-12"},
		{"es", "day", "lo recibí el día 3", "2026-11-03"},
		{"es", "pending", "todavía no lo he recibido", "pending"},
		{"es", "future", "el 2 de diciembre de 2026", "future"},
		{"es", "impossible", "30.02.2026", "impossible"},

		{"it", "relative", "ieri", "2026-11-24"},
		{"it", "relative", "l'altro ieri", "2026-11-23"},
		{"it", "relative", "3 giorni fa", "2026-11-22"},
		{"it", "relative", "una settimana fa", "2026-11-18"},
		{"it", "weekday", "venerdì scorso", "2026-11-20"},
		{"it", "month", "il 15 novembre", "2026-11-15"},
		{"it", "numeric", "12/11/2026", "2026-11-12"},
		{"it", "day", "il 12", "2026-11-12"},
		{"it", "day", "il giorno 3", "2026-11-03"},
		{"it", "day", "l'11", "2026-11-11"},
		{"it", "month", "l'8 novembre", "2026-11-08"},
		{"it", "pending", "non l'ho ancora ritirato", "pending"},
		{"it", "future", "domani", "future"},
		{"it", "impossible", "il 31 aprile 2026", "impossible"},

		{"pt", "relative", "ontem", "2026-11-24"},
		{"pt", "relative", "anteontem", "2026-11-23"},
		{"pt", "relative", "há 3 dias", "2026-11-22"},
		{"pt", "relative", "ha 3 dias", "2026-11-22"},
		{"pt", "weekday", "na sexta-feira passada", "2026-11-20"},
		{"pt", "month", "15 de novembro", "2026-11-15"},
		{"pt", "numeric", "12/11/2026", "2026-11-12"},
		{"pt", "day", "dia 12", "2026-11-12"},
		{"pt", "day", "no dia 1º", "2026-11-01"},
		{"pt", "pending", "ainda não recebi", "pending"},
		{"pt", "future", "amanhã", "future"},
		{"pt", "impossible", "31/02/2026", "impossible"},

		{"pl", "relative", "wczoraj", "2026-11-24"},
		{"pl", "relative", "przedwczoraj", "2026-11-23"},
		{"pl", "relative", "3 dni temu", "2026-11-22"},
		{"pl", "relative", "tydzień temu", "2026-11-18"},
		{"pl", "weekday", "w zeszły piątek", "2026-11-20"},
		{"pl", "month", "15 listopada", "2026-11-15"},
		{"pl", "numeric", "12.11.2026", "2026-11-12"},
		{"pl", "day", "12-go", "2026-11-12"},
		{"pl", "day", "dnia 3", "2026-11-03"},
		{"pl", "pending", "jeszcze nie odebrałam", "pending"},
		{"pl", "future", "jutro", "future"},
		{"pl", "impossible", "31 kwietnia 2026", "impossible"},

		{"ru", "relative", "вчера", "2026-11-24"},
		{"ru", "relative", "позавчера", "2026-11-23"},
		{"ru", "relative", "3 дня назад", "2026-11-22"},
		{"ru", "relative", "неделю назад", "2026-11-18"},
		{"ru", "weekday", "в прошлую пятницу", "2026-11-20"},
		{"ru", "month", "15 ноября", "2026-11-15"},
		{"ru", "numeric", "12.11.2026", "2026-11-12"},
		{"ru", "day", "12-го", "2026-11-12"},
		{"ru", "day", "12 числа", "2026-11-12"},
		{"ru", "day", "получил 3-ого", "2026-11-03"},
		{"ru", "pending", "ещё не получил", "pending"},
		{"ru", "future", "завтра", "future"},
		{"ru", "impossible", "31.02.2026", "impossible"},
		{"ru", "impossible", "32-го", "impossible"},

		{"uk", "relative", "вчора", "2026-11-24"},
		{"uk", "relative", "позавчора", "2026-11-23"},
		{"uk", "relative", "3 дні тому", "2026-11-22"},
		{"uk", "relative", "тиждень тому", "2026-11-18"},
		{"uk", "weekday", "минулої п'ятниці", "2026-11-20"},
		{"uk", "month", "15 листопада", "2026-11-15"},
		{"uk", "numeric", "12.11.2026", "2026-11-12"},
		{"uk", "day", "12-го", "2026-11-12"},
		{"uk", "day", "3 числа", "2026-11-03"},
		{"uk", "pending", "ще не отримав", "pending"},
		{"uk", "future", "завтра", "future"},
		{"uk", "impossible", "31.02.2026", "impossible"},

		// Another language's words are read when the customer's find nothing.
		{"en", "other", "hace 3 días", "2026-11-22"},
		{"de", "other", "3 дня назад", "2026-11-22"},
		{"fr", "other", "je ne sais pas", "none"},
		{"fr", "other", "am 12.", "2026-11-12"},
		// A count of days is no day of the month.
		{"en", "other", "the 3 days", "none"},
	}
	// Every shipped language has a row of each kind.
	kinds := []string{"relative", "weekday", "month", "numeric", "day", "pending", "future", "impossible"}
	for _, lang := range i18n.Shipped {
		for _, k := range kinds {
			if !slices.ContainsFunc(tests, func(tt struct{ lang, kind, in, want string }) bool { return tt.lang == lang && tt.kind == k }) {
				t.Errorf("no %s date of %s in the table", k, lang)
			}
		}
	}
	errs := map[string]error{"future": dialog.ErrFutureDate, "impossible": dialog.ErrImpossibleDate, "none": dialog.ErrNoDate}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.in, func(t *testing.T) {
			r, err := dialog.ParseReceiptIn(tt.lang, tt.in, now, time.UTC)
			if want, ok := errs[tt.want]; ok {
				if !errors.Is(err, want) {
					t.Fatalf("ParseReceiptIn(%s, %q): got %+v, %v, want error %v", tt.lang, tt.in, r, err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseReceiptIn(%s, %q): %v", tt.lang, tt.in, err)
			}
			got := r.Date.Format(time.DateOnly)
			if r.NotReceived {
				got = "pending"
			}
			if got != tt.want {
				t.Fatalf("ParseReceiptIn(%s, %q): got %s, want %s", tt.lang, tt.in, got, tt.want)
			}
		})
	}
}
