package discord_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/discord/discordtest"
)

// BenchmarkDMEvents measures events per second through the whole path: the fake gateway
// dispatches MESSAGE_CREATE, discordgo decodes it, the adapter queues it on its
// conversation's lane, the Service runs the dialog on the memory store, and the reply goes
// back over REST to the fake. 64 customers type at once; b.N events in all.
func BenchmarkDMEvents(b *testing.B) {
	h := start(b, discordtest.Config{HeartbeatInterval: 5 * time.Second})
	srv := h.srv
	const users = 64
	var people []discordtest.User
	for i := range users {
		people = append(people, srv.NewUser(fmt.Sprintf("u%d", i)))
	}
	// Warm up: every customer is past the greeting, so each later event is one reply.
	for _, u := range people {
		srv.SendDM(u, "hi")
	}
	srv.WaitSent(b, 2*users, 30*time.Second)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		srv.SendDM(people[i%users], "hello again")
	}
	srv.WaitSent(b, 2*users+b.N, time.Minute)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
