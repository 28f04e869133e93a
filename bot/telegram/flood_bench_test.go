package telegram_test

import (
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
)

// floodCap bounds how long BenchmarkQuietUnderFlood waits for a quiet customer's reply; a
// reply later than that is reported as floodCap.
const floodCap = 60 * time.Second

// BenchmarkQuietUnderFlood measures what a quiet customer waits while another floods: one
// chat sends 1000 messages at once, three others write one message a second later, with
// the default outbound pacing. It reports the slowest of the three first replies
// (quiet-max-s) and how many updates were still unconfirmed then. Run it with
// -benchtime=1x: one iteration takes seconds.
func BenchmarkQuietUnderFlood(b *testing.B) {
	for _, mode := range []string{"polling", "webhook"} {
		b.Run(mode, func(b *testing.B) {
			for range b.N {
				quiet, pending := floodOnce(b, mode == "webhook")
				b.ReportMetric(quiet.Seconds(), "quiet-max-s")
				b.ReportMetric(float64(pending), "unconfirmed")
			}
		})
	}
}

func floodOnce(b *testing.B, webhook bool) (time.Duration, int) {
	srv, stop := startBench(b, webhook, true)
	defer stop()

	flooder := telegramtest.Private(90000, "Flood", "")
	for range 1000 {
		srv.Text(flooder, "hello")
	}
	time.Sleep(time.Second) // the scenario: the others write a second later
	start := time.Now()
	quiet := []int64{90001, 90002, 90003}
	for _, id := range quiet {
		srv.Text(telegramtest.Private(id, "Quiet", ""), "/start")
	}
	srv.WaitFor(floodCap, func() bool {
		for _, id := range quiet {
			if len(srv.BotMessagesLocked(id)) == 0 {
				return false
			}
		}
		return true
	})
	return min(time.Since(start), floodCap), srv.Pending()
}
