package dialog_test

import (
	"errors"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/dialog"
)

// TestParseReceiptIn reads receipt dates in each shipped language's own words: relative
// days, "N units ago", weekdays, month names, numeric dates, not received yet, and the
// future and impossible dates that get their own re-asks.
func TestParseReceiptIn(t *testing.T) {
	// Wednesday 25 November 2026, afternoon.
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		lang, in string
		want     string // YYYY-MM-DD, "pending", or "" when err is set
		wantErr  error
	}{
		{"en", "yesterday", "2026-11-24", nil},
		{"en", "3 days ago", "2026-11-22", nil},
		{"en", "last friday", "2026-11-20", nil},
		{"en", "November 15", "2026-11-15", nil},
		{"en", "not received yet", "pending", nil},

		{"de", "vorgestern", "2026-11-23", nil},
		{"de", "vor zwei Wochen", "2026-11-11", nil},
		{"de", "letzten Freitag", "2026-11-20", nil},
		{"de", "am 15. November", "2026-11-15", nil},
		{"de", "noch nicht abgeholt", "pending", nil},
		{"de", "31.02.2026", "", dialog.ErrImpossibleDate},

		{"fr", "hier", "2026-11-24", nil},
		{"fr", "avant-hier", "2026-11-23", nil},
		{"fr", "il y a 3 jours", "2026-11-22", nil},
		{"fr", "il y a une semaine", "2026-11-18", nil},
		{"fr", "vendredi dernier", "2026-11-20", nil},
		{"fr", "mercredi dernier", "2026-11-18", nil},
		{"fr", "le 15 novembre", "2026-11-15", nil},
		{"fr", "1er décembre 2025", "2025-12-01", nil},
		{"fr", "le 12/11/2026", "2026-11-12", nil},
		{"fr", "pas encore reçu", "pending", nil},
		{"fr", "il est toujours au point relais", "pending", nil},
		{"fr", "demain", "", dialog.ErrFutureDate},
		{"fr", "le 31 février", "", dialog.ErrImpossibleDate},

		{"es", "ayer", "2026-11-24", nil},
		{"es", "anteayer", "2026-11-23", nil},
		{"es", "hace 3 días", "2026-11-22", nil},
		{"es", "hace dos semanas", "2026-11-11", nil},
		{"es", "el viernes pasado", "2026-11-20", nil},
		{"es", "el 15 de noviembre", "2026-11-15", nil},
		{"es", "3 de marzo de 2026", "2026-03-03", nil},
		{"es", "todavía no lo he recibido", "pending", nil},
		{"es", "el 2 de diciembre de 2026", "", dialog.ErrFutureDate},
		{"es", "30.02.2026", "", dialog.ErrImpossibleDate},

		{"it", "ieri", "2026-11-24", nil},
		{"it", "l'altro ieri", "2026-11-23", nil},
		{"it", "3 giorni fa", "2026-11-22", nil},
		{"it", "una settimana fa", "2026-11-18", nil},
		{"it", "venerdì scorso", "2026-11-20", nil},
		{"it", "il 15 novembre", "2026-11-15", nil},
		{"it", "non l'ho ancora ritirato", "pending", nil},
		{"it", "domani", "", dialog.ErrFutureDate},

		{"pt", "ontem", "2026-11-24", nil},
		{"pt", "anteontem", "2026-11-23", nil},
		{"pt", "há 3 dias", "2026-11-22", nil},
		{"pt", "ha 3 dias", "2026-11-22", nil},
		{"pt", "na sexta-feira passada", "2026-11-20", nil},
		{"pt", "15 de novembro", "2026-11-15", nil},
		{"pt", "ainda não recebi", "pending", nil},
		{"pt", "amanhã", "", dialog.ErrFutureDate},

		{"pl", "wczoraj", "2026-11-24", nil},
		{"pl", "przedwczoraj", "2026-11-23", nil},
		{"pl", "3 dni temu", "2026-11-22", nil},
		{"pl", "tydzień temu", "2026-11-18", nil},
		{"pl", "w zeszły piątek", "2026-11-20", nil},
		{"pl", "15 listopada", "2026-11-15", nil},
		{"pl", "jeszcze nie odebrałam", "pending", nil},
		{"pl", "jutro", "", dialog.ErrFutureDate},
		{"pl", "31 kwietnia 2026", "", dialog.ErrImpossibleDate},

		{"ru", "вчера", "2026-11-24", nil},
		{"ru", "позавчера", "2026-11-23", nil},
		{"ru", "3 дня назад", "2026-11-22", nil},
		{"ru", "неделю назад", "2026-11-18", nil},
		{"ru", "в прошлую пятницу", "2026-11-20", nil},
		{"ru", "15 ноября", "2026-11-15", nil},
		{"ru", "ещё не получил", "pending", nil},
		{"ru", "завтра", "", dialog.ErrFutureDate},
		{"ru", "31.02.2026", "", dialog.ErrImpossibleDate},

		{"uk", "вчора", "2026-11-24", nil},
		{"uk", "позавчора", "2026-11-23", nil},
		{"uk", "3 дні тому", "2026-11-22", nil},
		{"uk", "тиждень тому", "2026-11-18", nil},
		{"uk", "минулої п'ятниці", "2026-11-20", nil},
		{"uk", "15 листопада", "2026-11-15", nil},
		{"uk", "ще не отримав", "pending", nil},
		{"uk", "завтра", "", dialog.ErrFutureDate},

		// Another language's words are read when the customer's find nothing.
		{"en", "hace 3 días", "2026-11-22", nil},
		{"de", "3 дня назад", "2026-11-22", nil},
		{"fr", "je ne sais pas", "", dialog.ErrNoDate},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.in, func(t *testing.T) {
			r, err := dialog.ParseReceiptIn(tt.lang, tt.in, now, time.UTC)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("ParseReceiptIn(%s, %q): got error %v, want %v", tt.lang, tt.in, err, tt.wantErr)
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
