package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/telegram/telegramtest"
	"github.com/returnsbot/returnsbot/dialog/redisstore/redistest"
	"github.com/returnsbot/returnsbot/internal/waittest"
)

// get returns the status and body of a GET, or 0 if the request failed.
func get(url string) (int, string) {
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b)
}

// TestHealthzSaysWhatIsDown: /healthz is 503 while Redis answers PING but refuses writes
// (maxmemory reached, noeviction) and while it is gone, and the body says only what is
// down: no address, no Redis error.
func TestHealthzSaysWhatIsDown(t *testing.T) {
	redisSrv := redistest.Start(t)
	rdb := redisSrv.Client(t)
	srv := telegramtest.NewServer(t, "")
	addr := freeAddr(t)
	stop := runServeTelegram(t, telegramEnv(map[string]string{
		"TELEGRAM_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": srv.URL, "LISTEN_ADDR": addr,
		"REDIS_URL": redisSrv.URL(), "REDIS_KEY_PREFIX": redistest.Prefix(t),
	}))
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	var code int
	var body string
	waittest.For(t, "/healthz to answer", func() bool { code, body = get("http://" + addr + "/healthz"); return code != 0 })
	if code != http.StatusOK {
		t.Fatalf("/healthz with Redis up: %d %q, want 200", code, body)
	}
	ctx := context.Background()
	if err := rdb.ConfigSet(ctx, "maxmemory-policy", "noeviction").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.ConfigSet(ctx, "maxmemory", "1").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING with maxmemory reached: %v, want it to answer", err)
	}
	steps := []struct {
		name  string
		setup func()
	}{
		{"writes refused", func() {}},
		{"Redis gone", redisSrv.Kill},
	}
	for _, st := range steps {
		st.setup()
		// A result is reused for a second (healthEvery): wait for the next check.
		waittest.For(t, "/healthz to answer 503 ("+st.name+")", func() bool {
			code, body = get("http://" + addr + "/healthz")
			return code == http.StatusServiceUnavailable
		})
		if body != "session store unavailable\n" {
			t.Errorf("%s: got %d %q, want 503 \"session store unavailable\"", st.name, code, body)
		}
	}
}

// TestMetricsAddr: with METRICS_ADDR, /metrics is served there and not on LISTEN_ADDR.
func TestMetricsAddr(t *testing.T) {
	srv := telegramtest.NewServer(t, "")
	addr, metrics := freeAddr(t), freeAddr(t)
	stop := runServeTelegram(t, telegramEnv(map[string]string{
		"TELEGRAM_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": srv.URL, "LISTEN_ADDR": addr, "METRICS_ADDR": metrics,
	}))
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	waittest.For(t, "both listeners", func() bool {
		c1, _ := get("http://" + addr + "/healthz")
		c2, _ := get("http://" + metrics + "/metrics")
		return c1 != 0 && c2 != 0
	})
	tests := []struct {
		url  string
		want int
	}{
		{"http://" + metrics + "/metrics", http.StatusOK},
		{"http://" + addr + "/metrics", http.StatusNotFound},
		{"http://" + addr + "/healthz", http.StatusOK},
		{"http://" + metrics + "/healthz", http.StatusNotFound},
		{"http://" + addr + "/admin/", http.StatusNotFound}, // no ADMIN_TOKEN, no dashboard
	}
	for _, tt := range tests {
		if code, body := get(tt.url); code != tt.want {
			t.Errorf("GET %s: got %d %.100q, want %d", tt.url, code, body, tt.want)
		}
	}
}

// TestHTTPLimits: idle keep-alive connections cannot hold every slot (a real request
// still gets in), a client that never finishes its headers is cut off, huge headers are
// refused.
func TestHTTPLimits(t *testing.T) {
	lim := httpLimits{ReadHeader: 300 * time.Millisecond, Read: 2 * time.Second, Write: 2 * time.Second,
		Idle: time.Hour, MaxConns: 4, MaxHeaderBytes: 4 << 10}
	addr := serveOK(t, lim)
	url := "http://" + addr.String() + "/"

	// Fill every slot with an idle keep-alive connection (Idle is an hour: only the
	// limit can free them).
	var idle []net.Conn
	for range 2 * lim.MaxConns {
		c, err := net.Dial("tcp", addr.String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		idle = append(idle, c)
	}
	for i, c := range idle[:lim.MaxConns] {
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("idle connection %d: %v", i, err)
		}
		resp.Body.Close()
	}
	// The connections beyond the limit wait to be accepted; a real request must get in.
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("request with every slot held by idle connections: %v", err)
	}
	resp.Body.Close()
	// The idle ones were closed by the server to make room.
	closed := 0
	for _, c := range idle[:lim.MaxConns] {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Read(make([]byte, 1)); errors.Is(err, io.EOF) {
			closed++
		}
	}
	if closed == 0 {
		t.Errorf("no idle keep-alive connection was closed, want them shed at the limit")
	}

	// A client that never finishes its headers is cut off after ReadHeader.
	slow, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	io.WriteString(slow, "GET / HTTP/1.1\r\nHost: x\r\n")
	slow.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadAll(slow); err != nil {
		t.Errorf("slow client: got %v, want the server to close the connection", err)
	}

	// Headers beyond MaxHeaderBytes are refused.
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("X-Big", strings.Repeat("a", 16<<10))
	resp, err = client.Do(req)
	if err != nil {
		t.Fatalf("big header: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("big header: got %d, want 431", resp.StatusCode)
	}
}

// countingStore is a session store health check that counts its calls.
type countingStore struct {
	n   int
	err error
}

func (c *countingStore) Check(context.Context) error { c.n++; return c.err }

// TestHealthzChecksAtMostOnceASecond: a burst of /healthz requests (it is often public)
// costs the store one write a second, and a failure shows until the next check.
func TestHealthzChecksAtMostOnceASecond(t *testing.T) {
	clock := time.Unix(1_000_000, 0)
	store := &countingStore{}
	h := healthAt(store, slog.New(slog.DiscardHandler), func() time.Time { return clock })
	status := func() int {
		rec := httptest.NewRecorder()
		h(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		return rec.Code
	}
	for range 100 {
		status()
	}
	if store.n != 1 {
		t.Errorf("100 requests in one instant: got %d checks, want 1", store.n)
	}
	store.err = errors.New("down")
	clock = clock.Add(time.Second)
	if got := status(); got != http.StatusServiceUnavailable || store.n != 2 {
		t.Errorf("a second later, store down: got %d after %d checks, want 503 after 2", got, store.n)
	}
	if got := status(); got != http.StatusServiceUnavailable || store.n != 2 {
		t.Errorf("same instant: got %d after %d checks, want the 503 reused", got, store.n)
	}
}

// TestHTTPSilentFlood: hundreds of connections from one address that never send a
// request (the red-team pass held 2,000 open) neither exhaust the server's descriptors
// nor keep a real request out.
func TestHTTPSilentFlood(t *testing.T) {
	lim := defaultHTTPLimits
	lim.MaxConns, lim.MaxConnsPerIP = 16, 8
	addr := serveOK(t, lim)
	var silent []net.Conn
	for range 300 {
		c, err := net.Dial("tcp", addr.String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		silent = append(silent, c)
	}
	// The real client comes from another address, as Telegram does (Linux routes all of
	// 127/8 to loopback).
	other := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true, DialContext: other.DialContext}}
	resp, err := client.Get("http://" + addr.String() + "/")
	if err != nil {
		t.Fatalf("real request behind %d silent connections: %v", len(silent), err)
	}
	resp.Body.Close()
	// The server closed all but a few of them: count those still open from our side.
	open := 0
	for _, c := range silent {
		c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
			open++
		}
	}
	if open > lim.MaxConnsPerIP {
		t.Errorf("%d of %d silent connections from one address still open, want at most %d", open, len(silent), lim.MaxConnsPerIP)
	}
}

// serveOK serves "ok" through listenHTTP with lim on a loopback port until the test ends,
// and fails the test if the server does not stop cleanly.
func serveOK(t *testing.T, lim httpLimits) net.Addr {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	addr, done, err := listenHTTP(ctx, "test", "127.0.0.1:0", h, lim, slog.New(slog.DiscardHandler))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	return addr
}
