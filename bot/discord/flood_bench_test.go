package discord_test

import (
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/discord/discordtest"
	"github.com/returnsbot/returnsbot/internal/waittest"
)

// BenchmarkQuietUnderFlood measures what a quiet customer waits while another floods: one
// user sends 1000 DMs at once, three others write one a second later. It reports the
// slowest of the three first replies (quiet-max-s), capped at a minute. Run it with
// -benchtime=1x.
func BenchmarkQuietUnderFlood(b *testing.B) {
	for range b.N {
		h := start(b, discordtest.Config{HeartbeatInterval: 5 * time.Second})
		srv := h.srv
		flooder := srv.NewUser("flood")
		for range 1000 {
			srv.SendDM(flooder, "hello")
		}
		time.Sleep(time.Second) // the scenario: the others write a second later
		var quiet []discordtest.User
		for _, name := range []string{"q1", "q2", "q3"} {
			quiet = append(quiet, srv.NewUser(name))
		}
		begin := time.Now()
		for _, u := range quiet {
			srv.SendDM(u, "hi")
		}
		waittest.Until(time.Minute, func() bool {
			for _, u := range quiet {
				if len(srv.Messages(srv.DMChannel(u))) == 0 {
					return false
				}
			}
			return true
		})
		b.ReportMetric(min(time.Since(begin), time.Minute).Seconds(), "quiet-max-s")
		h.wait(b, time.Minute)
	}
}
