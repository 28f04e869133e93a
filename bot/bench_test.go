package bot_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/bot/bottest"
	"github.com/returnsbot/returnsbot/claims/memclaims"
	"github.com/returnsbot/returnsbot/dialog/memstore"
	"github.com/returnsbot/returnsbot/dialog/redisstore/loadgen"
	"github.com/returnsbot/returnsbot/funnel"
)

// BenchmarkHandle measures the Service's own cost of a message (load, dialog step,
// compare-and-set save, replies) on the memory store: what every adapter and store add
// to. Each op is one message of a claim; a new customer starts every claim.
//
//	go test -run '^$' -bench Handle -benchmem ./bot/
func BenchmarkHandle(b *testing.B) {
	svc := bottest.NewService(memstore.New())
	benchHandle(b, svc)
}

// BenchmarkHandleWithClaims is BenchmarkHandle with the claim record and its outbox event
// (memory stores): what recording every decision adds to a message, on average over a
// claim's messages.
//
//	go test -run '^$' -bench Handle -benchmem ./bot/
func BenchmarkHandleWithClaims(b *testing.B) {
	svc := bottest.NewService(memstore.New())
	svc.Claims = memclaims.New(memclaims.Options{})
	svc.Outbox = memclaims.NewOutbox(memclaims.OutboxOptions{})
	benchHandle(b, svc)
}

// benchHandle runs svc through one claim after another, each in a new chat.
func benchHandle(b *testing.B, svc *bot.Service) {
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		in := loadgen.Claim[i%len(loadgen.Claim)]
		m := bot.Message{
			ID:     strconv.Itoa(i),
			From:   bot.Address{Platform: "telegram", Chat: strconv.Itoa(i / len(loadgen.Claim))},
			Text:   in.Text,
			Button: in.Button,
		}
		out, err := svc.Handle(ctx, m)
		if err != nil || len(out) == 0 {
			b.Fatalf("message %d: %d replies, %v", i, len(out), err)
		}
	}
}

// BenchmarkHandleWithMetricsAndFunnel is BenchmarkHandleWithClaims with Metrics and the
// memory funnel tally: what counting the funnel and the Prometheus metrics adds.
//
//	go test -run '^$' -bench Handle -benchmem ./bot/
func BenchmarkHandleWithMetricsAndFunnel(b *testing.B) {
	svc := bottest.NewService(memstore.New())
	svc.Claims = memclaims.New(memclaims.Options{})
	svc.Outbox = memclaims.NewOutbox(memclaims.OutboxOptions{})
	svc.Metrics, svc.Funnel = &bot.Metrics{}, &funnel.Memory{}
	benchHandle(b, svc)
}
