package discord_test

import (
	"fmt"
	"slices"
	"strings"
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

// BenchmarkButtonPresses measures a burst of b.N interactions dispatched at once: each
// press is acknowledged (type 7) and answered with a new message. It reports presses per
// second, the acknowledgement latency the fake saw (dispatch to callback), p50 and p99,
// and how many acknowledgements came after Discord's 3 seconds and were refused.
func BenchmarkButtonPresses(b *testing.B) {
	h := start(b, discordtest.Config{HeartbeatInterval: 5 * time.Second})
	srv := h.srv
	const users = 64
	var events []map[string]any
	var ids []string
	var people []discordtest.User
	var questions []discordtest.Message
	for i := range users {
		u := srv.NewUser(fmt.Sprintf("u%d", i))
		people = append(people, u)
		srv.SendDM(u, "hi")
	}
	for _, u := range people {
		questions = append(questions, srv.WaitMessages(b, srv.DMChannel(u), 2)[1])
	}
	// Presses are built while the buttons are on screen; once the first is handled the
	// rest are stale, which the bot must still acknowledge and answer.
	for i := 0; i < b.N; i++ {
		e := srv.PressEvent(b, people[i%users], questions[i%users], "receipt_date:yesterday")
		events = append(events, e)
		ids = append(ids, e["id"].(string))
	}
	b.ResetTimer()
	for _, e := range events {
		srv.Dispatch("INTERACTION_CREATE", e)
	}
	srv.WaitSent(b, 2*users+b.N, time.Minute)
	b.StopTimer()
	var lat []time.Duration
	missed := 0
	// Every press is answered; acknowledgements may still be on their way, but after the
	// 3 seconds an interaction lives, one still missing was refused as too late.
	settled := time.Now().Add(4 * time.Second)
	for _, id := range ids {
		in := srv.Interaction(id)
		for len(in.Responses) == 0 && time.Now().Before(settled) {
			time.Sleep(5 * time.Millisecond)
			in = srv.Interaction(id)
		}
		if len(in.Responses) > 0 {
			lat = append(lat, in.Responses[0].After)
		} else {
			missed++
		}
	}
	if len(lat) == 0 {
		b.Fatal("no press was acknowledged")
	}
	slices.Sort(lat)
	b.ReportMetric(float64(missed), "acks-missed")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "presses/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ack-p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "ack-p99-ms")
}

// BenchmarkPressRoundTrip is one customer pressing buttons through claim after claim, each
// press waiting for the bot's next question: the latency of one interaction end to end
// (dispatch, acknowledgement, dialog step, reply over REST).
func BenchmarkPressRoundTrip(b *testing.B) {
	h := start(b, discordtest.Config{HeartbeatInterval: 5 * time.Second})
	srv := h.srv
	u := srv.NewUser("solo")
	dm := srv.DMChannel(u)
	srv.SendDM(u, "hi")
	msgs := srv.WaitMessages(b, dm, 2)
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		last := msgs[len(msgs)-1]
		id := last.Buttons[0].CustomID
		for _, bt := range last.Buttons {
			if strings.HasSuffix(bt.CustomID, ":no") {
				id = bt.CustomID // a "no" to the defect question leads to more buttons
			}
		}
		pid := srv.Press(b, u, last, id)
		n := len(msgs)
		for {
			msgs = srv.WaitMessages(b, dm, n+1)
			if len(msgs[len(msgs)-1].Buttons) > 0 {
				break
			}
			n = len(msgs)
		}
		in := srv.WaitInteraction(b, pid, func(in discordtest.Interaction) bool { return len(in.Responses) > 0 })
		lat = append(lat, in.Responses[0].After)
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ack-p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "ack-p99-ms")
}
