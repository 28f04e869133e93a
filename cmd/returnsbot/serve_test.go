package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
)

// serve answers /healthz and /metrics on LISTEN_ADDR, and the metrics count what the
// platforms did.
func TestServeHealthAndMetrics(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	stop := runServeTelegram(t, telegramEnv(map[string]string{
		"TELEGRAM_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": srv.URL, "LISTEN_ADDR": addr,
		"TELEGRAM_CHAT_INTERVAL": "off", "TELEGRAM_GROUP_INTERVAL": "off", "TELEGRAM_GLOBAL_RATE": "1000",
	}))
	customer := telegramtest.Private(91, "Sam", "")
	for i, text := range []string{"/start", "yesterday", "intact", "no"} {
		srv.Text(customer, text)
		srv.WaitBotMessages(t, 91, []int{2, 3, 4, 5}[i], 10*time.Second)
	}
	get := func(path string) string {
		t.Helper()
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d", path, resp.StatusCode)
		}
		return string(body)
	}
	if body := get("/healthz"); body != "ok\n" {
		t.Errorf("/healthz = %q, want ok", body)
	}
	metrics := get("/metrics")
	for _, want := range []string{"returnsbot_messages_total 4\n", `returnsbot_decisions_total{outcome="return_eligible"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, metrics)
		}
	}
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
}
