package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
	"github.com/returnsbot/returnsbot/internal/waittest"
)

// serve answers /healthz and /metrics on LISTEN_ADDR, and the metrics count what the
// platforms did.
func TestServeHealthAndMetrics(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	addr := freeAddr(t)
	stop := runServeTelegram(t, telegramEnv(map[string]string{
		"TELEGRAM_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": srv.URL, "LISTEN_ADDR": addr,
		"TELEGRAM_CHAT_INTERVAL": "off", "TELEGRAM_GROUP_INTERVAL": "off", "TELEGRAM_GLOBAL_RATE": "1000",
	}))
	customer := telegramtest.Private(91, "Sam", "")
	for i, text := range []string{"/start", "yesterday", "intact", "no", "yes"} { // "yes" accepts the read-back
		srv.Text(customer, text)
		srv.WaitBotMessages(t, 91, []int{2, 3, 4, 5, 6}[i], 10*time.Second)
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
	for _, want := range []string{"returnsbot_messages_total 5\n", `returnsbot_decisions_total{outcome="return_eligible"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, metrics)
		}
	}
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
}

// With Redis, /healthz reports whether Redis answers.
func TestServeHealthFollowsRedis(t *testing.T) {
	redisSrv := redistest.Start(t)
	srv := telegramtest.NewServer(t, "")
	addr := freeAddr(t)
	stop := runServeTelegram(t, telegramEnv(map[string]string{
		"TELEGRAM_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": srv.URL, "LISTEN_ADDR": addr,
		"REDIS_URL": redisSrv.URL(), "REDIS_KEY_PREFIX": redistest.Prefix(t),
	}))
	status := func() int {
		t.Helper()
		code := 0
		// The listener may take a moment to come up.
		waittest.For(t, "/healthz to answer", func() bool {
			resp, err := http.Get("http://" + addr + "/healthz")
			if err != nil {
				return false
			}
			resp.Body.Close()
			code = resp.StatusCode
			return true
		})
		return code
	}
	if got := status(); got != http.StatusOK {
		t.Fatalf("/healthz with Redis up: %d, want 200", got)
	}
	redisSrv.Kill()
	if got := status(); got != http.StatusServiceUnavailable {
		t.Fatalf("/healthz with Redis down: %d, want 503", got)
	}
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
}

// freeAddr returns a loopback address nothing listens on, for LISTEN_ADDR.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
