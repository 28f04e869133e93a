package discordtest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/returnsbot/returnsbot/bot/discord/discordtest"
	"github.com/returnsbot/returnsbot/internal/waittest"
)

// These tests speak the protocol by hand, without discordgo, so the fake is checked
// against Discord's documentation and not only against the client the adapter uses.

type frame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  int64           `json:"s"`
	T  string          `json:"t"`
}

func dial(t *testing.T, srv *discordtest.Server) *websocket.Conn {
	t.Helper()
	var g struct {
		URL string `json:"url"`
	}
	resp, err := http.Get(srv.URL + "/api/v10/gateway")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&g); err != nil || !strings.HasPrefix(g.URL, "ws://") {
		t.Fatalf("GET /gateway: got %q, %v; want a ws:// URL", g.URL, err)
	}
	c, _, err := websocket.DefaultDialer.Dial(g.URL+"?v=10&encoding=json", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func read(t *testing.T, c *websocket.Conn) frame {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var f frame
	if err := c.ReadJSON(&f); err != nil {
		t.Fatalf("read: %v", err)
	}
	return f
}

func send(t *testing.T, c *websocket.Conn, op int, d any) {
	t.Helper()
	if err := c.WriteJSON(map[string]any{"op": op, "d": d}); err != nil {
		t.Fatal(err)
	}
}

func TestGatewayHandshakeHeartbeatResume(t *testing.T) {
	srv := discordtest.NewServer(t, discordtest.Config{HeartbeatInterval: time.Second})
	c := dial(t, srv)
	hello := read(t, c)
	if hello.Op != 10 || !strings.Contains(string(hello.D), `"heartbeat_interval":1000`) {
		t.Fatalf("got %+v, want HELLO with heartbeat_interval 1000", hello)
	}
	send(t, c, 2, map[string]any{"token": "Bot test-token", "intents": 1 << 12, "properties": map[string]string{}})
	ready := read(t, c)
	var r struct {
		SessionID string `json:"session_id"`
		User      struct {
			ID string `json:"id"`
		} `json:"user"`
		Application struct {
			ID string `json:"id"`
		} `json:"application"`
	}
	json.Unmarshal(ready.D, &r)
	if ready.Op != 0 || ready.T != "READY" || ready.S != 1 || r.SessionID == "" || r.User.ID != srv.BotID || r.Application.ID != srv.AppID {
		t.Fatalf("got %+v, want READY seq 1 with session, bot user and application", ready)
	}
	send(t, c, 1, 1)
	if ack := read(t, c); ack.Op != 11 {
		t.Fatalf("got op %d after a heartbeat, want 11", ack.Op)
	}
	u := srv.NewUser("ann")
	srv.SendDM(u, "one")
	if f := read(t, c); f.T != "MESSAGE_CREATE" || f.S != 2 || !strings.Contains(string(f.D), `"content":"one"`) {
		t.Fatalf("got %+v, want MESSAGE_CREATE seq 2", f)
	}

	// The connection dies; events meanwhile are replayed on RESUME, then RESUMED.
	srv.Drop()
	srv.SendDM(u, "two")
	srv.SendDM(u, "three")
	c2 := dial(t, srv)
	read(t, c2) // HELLO
	send(t, c2, 6, map[string]any{"token": "Bot test-token", "session_id": r.SessionID, "seq": 2})
	var got []string
	for {
		f := read(t, c2)
		if f.T == "RESUMED" {
			break
		}
		var m struct {
			Content string `json:"content"`
		}
		json.Unmarshal(f.D, &m)
		got = append(got, m.Content)
	}
	if strings.Join(got, ",") != "two,three" {
		t.Errorf("got replay %q, want two,three", got)
	}

	// A session closed with 1000 is over: RESUME gets op 9.
	c2.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(1000, ""))
	c2.Close()
	waittest.For(t, "the server to see the close with 1000", func() bool { return slices.Contains(srv.Stats().ClientCloseCodes, 1000) })
	c3 := dial(t, srv)
	read(t, c3)
	send(t, c3, 6, map[string]any{"token": "Bot test-token", "session_id": r.SessionID, "seq": 4})
	if f := read(t, c3); f.Op != 9 {
		t.Errorf("got op %d resuming a session closed with 1000, want 9 (invalid session)", f.Op)
	}
}

func TestGatewayCloseCodes(t *testing.T) {
	tests := []struct {
		name    string
		cfg     discordtest.Config
		token   string
		intents int
		code    int
	}{
		{"bad token", discordtest.Config{}, "Bot nope", 1 << 12, 4004},
		{"privileged intent refused", discordtest.Config{RefusePrivileged: true}, "Bot test-token", 1<<12 | 1<<15, 4014},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := discordtest.NewServer(t, tt.cfg)
			c := dial(t, srv)
			read(t, c)
			send(t, c, 2, map[string]any{"token": tt.token, "intents": tt.intents})
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, _, err := c.ReadMessage()
			if !websocket.IsCloseError(err, tt.code) {
				t.Errorf("got %v, want close %d", err, tt.code)
			}
		})
	}
}

func TestRESTValidation(t *testing.T) {
	srv := discordtest.NewServer(t, discordtest.Config{})
	u := srv.NewUser("bo")
	dm := srv.DMChannel(u)
	post := func(token, body string) (int, string) {
		req, _ := http.NewRequest("POST", srv.URL+"/api/v9/channels/"+dm+"/messages", strings.NewReader(body))
		req.Header.Set("Authorization", token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	long, _ := json.Marshal(strings.Repeat("é", 2001))
	tests := []struct {
		name, token, body string
		status            int
		want              string
	}{
		{"ok", "Bot test-token", `{"content":"hi"}`, 200, `"content":"hi"`},
		{"no token", "", `{"content":"hi"}`, 401, "Unauthorized"},
		{"too long", "Bot test-token", `{"content":` + string(long) + `}`, 400, "2000"},
		{"empty", "Bot test-token", `{"content":""}`, 400, "50006"},
		{"long custom_id", "Bot test-token", `{"content":"q","components":[{"type":1,"components":[{"type":2,"style":1,"label":"x","custom_id":"` + strings.Repeat("x", 101) + `"}]}]}`, 400, "custom_id"},
		{"six buttons in a row", "Bot test-token", `{"content":"q","components":[{"type":1,"components":[` + strings.Repeat(`{"type":2,"style":1,"label":"x","custom_id":"a"},`, 5) + `{"type":2,"style":1,"label":"x","custom_id":"a"}]}]}`, 400, "row"},
	}
	for _, tt := range tests {
		status, body := post(tt.token, tt.body)
		if status != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("%s: got %d %s, want %d containing %q", tt.name, status, body, tt.status, tt.want)
		}
	}
	if n := len(srv.Messages(dm)); n != 1 {
		t.Errorf("got %d stored messages, want only the valid one", n)
	}
}

func TestInteractionCallbackRules(t *testing.T) {
	var clock atomic.Int64 // seconds the test moved the fake's clock on
	start := time.Now()
	srv := discordtest.NewServer(t, discordtest.Config{InteractionTimeout: 3 * time.Second,
		Now: func() time.Time { return start.Add(time.Duration(clock.Load()) * time.Second) }})
	c := dial(t, srv)
	read(t, c)
	send(t, c, 2, map[string]any{"token": "Bot test-token", "intents": 1 << 12})
	read(t, c) // READY
	u := srv.NewUser("cy")
	callback := func(id, token string) int {
		resp, err := http.Post(srv.URL+"/api/v10/interactions/"+id+"/"+token+"/callback", "application/json", bytes.NewReader([]byte(`{"type":6}`)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	ev := srv.SlashEvent(u, srv.DMChannel(u), "return")
	srv.Dispatch("INTERACTION_CREATE", ev)
	id, token := ev["id"].(string), ev["token"].(string)
	if got := callback(id, "wrong"); got != 404 {
		t.Errorf("wrong token: got %d, want 404", got)
	}
	if got := callback(id, token); got != 204 {
		t.Errorf("first callback: got %d, want 204", got)
	}
	if got := callback(id, token); got != 400 {
		t.Errorf("second callback: got %d, want 400 (already acknowledged)", got)
	}
	late := srv.SlashEvent(u, srv.DMChannel(u), "return")
	srv.Dispatch("INTERACTION_CREATE", late)
	clock.Add(4) // past the 3 seconds an interaction lives
	if got := callback(late["id"].(string), late["token"].(string)); got != 404 {
		t.Errorf("callback after the timeout: got %d, want 404 (unknown interaction)", got)
	}
}
