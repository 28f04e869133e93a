// Package discordtest is a fake Discord for tests: the REST API and the websocket gateway,
// served on loopback in the test process, so an adapter built on the real discordgo client
// is exercised byte for byte. It speaks the parts of the protocol a chat bot uses — HELLO,
// IDENTIFY/RESUME, READY/RESUMED, heartbeat ACK, dispatches with sequence numbers and replay
// on resume, RECONNECT, close codes — and the REST routes for messages, DMs, threads,
// interaction callbacks and command registration. It validates what Discord validates
// (message length, custom_id length, double acknowledgements, 3-second interaction tokens)
// and records what the bot sent, for tests to inspect.
//
// Point the adapter at Server.URL (DISCORD_API_URL); GET /api/v{N}/gateway answers with the
// fake's own ws:// URL. Any API version is accepted (discordgo 0.29 speaks v9).
package discordtest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/gorilla/websocket"
)

// Gateway intents the fake knows about; privileged ones can be refused.
const (
	IntentGuilds         = 1 << 0
	IntentGuildMessages  = 1 << 9
	IntentDirectMessages = 1 << 12
	IntentMessageContent = 1 << 15
	privilegedIntents    = 1<<1 | 1<<8 | IntentMessageContent
)

// Config tunes the fake. The zero value gives a fake that accepts the token "test-token",
// heartbeats every 500ms, and expires interaction tokens after 3s like Discord.
type Config struct {
	// Token is the bot token the fake accepts, without the "Bot " prefix.
	Token string
	// HeartbeatInterval is sent in HELLO.
	HeartbeatInterval time.Duration
	// InteractionTimeout is how long an interaction may go unacknowledged.
	InteractionTimeout time.Duration
	// Now is the clock interactions expire by; nil is time.Now. A test that sets it can
	// move time past InteractionTimeout without waiting.
	Now func() time.Time
	// RefusePrivileged closes the gateway with 4014 when IDENTIFY asks for a privileged
	// intent, as Discord does when the intent is not enabled in the developer portal.
	RefusePrivileged bool
}

// Button is a button the bot attached to a message.
type Button struct {
	CustomID string `json:"custom_id"`
	Label    string `json:"label"`
	Style    int    `json:"style"`
}

// File is an attachment the bot uploaded.
type File struct {
	Name string
	Data []byte
}

// Message is a message the bot sent (as it is now, after edits).
type Message struct {
	ID        string
	ChannelID string
	Content   string
	// Buttons in order, row by row; Rows is the number of action rows.
	Buttons []Button
	Rows    int
	// AllowedMentions is the raw allowed_mentions object of the last create or edit.
	AllowedMentions json.RawMessage
	Files           []File
	Edits           int
}

// Response is one callback to an interaction.
type Response struct {
	Type int
	Data json.RawMessage
	// After is how long after the interaction was dispatched the callback came.
	After time.Duration
}

// Interaction is what the bot did with an interaction the fake dispatched.
type Interaction struct {
	ID, Token, ChannelID, MessageID string
	Responses                       []Response
	// Original is the content of the response message after webhook edits; Deleted when
	// the bot deleted it.
	Original   string
	Edited     bool
	Deleted    bool
	created    time.Time
	dispatched bool
}

// Request is one REST request the fake answered.
type Request struct {
	Method, Path string
	Status       int
	At           time.Time
}

// Stats counts gateway activity.
type Stats struct {
	Connects, Identifies, Resumes, InvalidSessions int
	// ClientCloseCodes are the close codes the client sent, in order.
	ClientCloseCodes []int
	// Intents of the last IDENTIFY.
	Intents int
}

// User is a person on the fake Discord.
type User struct {
	ID, Name string
}

type channel struct {
	ID       string `json:"id"`
	Type     int    `json:"type"`
	GuildID  string `json:"guild_id,omitempty"`
	ParentID string `json:"parent_id,omitempty"`
	Name     string `json:"name,omitempty"`
}

type rateLimit struct {
	method, prefix string
	n              int
	retryAfter     time.Duration
	status         int // 429, or another failure to answer
}

type session struct {
	id          string
	seq         int64
	log         []frame
	invalidated bool
}

type frame struct {
	Op   int             `json:"op"`
	D    json.RawMessage `json:"d"`
	S    int64           `json:"s,omitempty"`
	T    string          `json:"t,omitempty"`
	seqN int64
}

type gwConn struct {
	mu sync.Mutex
	ws *websocket.Conn
}

func (c *gwConn) write(v any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(v)
}

// Server is a running fake Discord.
type Server struct {
	// URL is the base URL to give the adapter as DISCORD_API_URL.
	URL string
	// AppID and BotID are the application and bot user ids; GuildID is the one guild.
	AppID, BotID, GuildID string

	cfg  Config
	http *httptest.Server

	mu           sync.Mutex
	changed      *sync.Cond
	nextID       int64
	users        map[string]User
	dmByUser     map[string]string
	channels     map[string]*channel
	messages     []*Message
	byID         map[string]*Message
	attachments  map[string][]byte
	blocked      map[string]bool // DM channels whose user refuses DMs
	interactions map[string]*Interaction
	commands     json.RawMessage
	requests     []Request
	limits       []*rateLimit
	sess         *session
	conn         *gwConn
	stats        Stats
	closed       bool
}

// NewServer starts a fake Discord, stopped when the test ends.
func NewServer(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	if cfg.Token == "" {
		cfg.Token = "test-token"
	}
	if cfg.HeartbeatInterval == 0 {
		cfg.HeartbeatInterval = 500 * time.Millisecond
	}
	if cfg.InteractionTimeout == 0 {
		cfg.InteractionTimeout = 3 * time.Second
	}
	s := &Server{
		cfg: cfg, nextID: 1100000000000000000,
		users: map[string]User{}, dmByUser: map[string]string{}, channels: map[string]*channel{},
		byID: map[string]*Message{}, attachments: map[string][]byte{}, blocked: map[string]bool{}, interactions: map[string]*Interaction{},
	}
	s.changed = sync.NewCond(&s.mu)
	s.AppID, s.BotID, s.GuildID = s.id(), s.id(), s.id()
	s.http = httptest.NewServer(s.routes())
	s.URL = s.http.URL
	tb.Cleanup(s.Close)
	return s
}

// Close stops the fake and drops every connection.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	if s.conn != nil {
		s.conn.ws.Close()
		s.conn = nil
	}
	s.changed.Broadcast()
	s.mu.Unlock()
	s.http.CloseClientConnections()
	s.http.Close()
}

// id returns a fresh snowflake-like id. Callers hold s.mu or are in NewServer.
func (s *Server) id() string {
	s.nextID++
	return strconv.FormatInt(s.nextID, 10)
}

// ---- people, channels, events ----

// NewUser registers a person.
func (s *Server) NewUser(name string) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := User{ID: s.id(), Name: name}
	s.users[u.ID] = u
	return u
}

// AddTextChannel adds a text channel to the guild and returns its id.
func (s *Server) AddTextChannel(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &channel{ID: s.id(), Type: 0, GuildID: s.GuildID, Name: name}
	s.channels[c.ID] = c
	return c.ID
}

// DMChannel returns the id of the DM channel between the bot and u, creating it.
func (s *Server) DMChannel(u User) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dmLocked(u.ID)
}

func (s *Server) dmLocked(userID string) string {
	if id, ok := s.dmByUser[userID]; ok {
		return id
	}
	c := &channel{ID: s.id(), Type: 1}
	s.channels[c.ID] = c
	s.dmByUser[userID] = c.ID
	return c.ID
}

// AddAttachment stores a file the fake serves, as Discord's CDN would, and returns the
// attachment object to put in a message.
func (s *Server) AddAttachment(name, contentType string, data []byte) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.id()
	s.attachments[id+"/"+name] = data
	return map[string]any{
		"id": id, "filename": name, "content_type": contentType, "size": len(data),
		"url": s.URL + "/attachments/" + id + "/" + name, "proxy_url": s.URL + "/attachments/" + id + "/" + name,
	}
}

func userJSON(u User) map[string]any {
	return map[string]any{"id": u.ID, "username": u.Name, "global_name": u.Name, "discriminator": "0"}
}

// MessageEvent builds a MESSAGE_CREATE payload from u in channelID; extra fields (stickers,
// attachments, member) are merged in. Dispatch it with Dispatch, as often as a test likes.
func (s *Server) MessageEvent(u User, channelID, text string, extra map[string]any) map[string]any {
	s.mu.Lock()
	id := s.id()
	c := s.channels[channelID]
	s.mu.Unlock()
	m := map[string]any{
		"id": id, "channel_id": channelID, "author": userJSON(u), "content": text, "type": 0,
		"timestamp": time.Now().UTC().Format(time.RFC3339), "attachments": []any{}, "embeds": []any{},
		"mentions": []any{}, "mention_roles": []any{}, "tts": false, "mention_everyone": false, "pinned": false,
	}
	if c != nil && c.GuildID != "" {
		m["guild_id"] = c.GuildID
		m["member"] = map[string]any{"roles": []string{}, "joined_at": "2026-01-01T00:00:00Z"}
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// SendDM dispatches a direct message from u to the bot and returns its payload.
func (s *Server) SendDM(u User, text string) map[string]any {
	m := s.MessageEvent(u, s.DMChannel(u), text, nil)
	s.Dispatch("MESSAGE_CREATE", m)
	return m
}

// SendGuild dispatches a message from u, a member with roles, in a guild channel or thread.
func (s *Server) SendGuild(u User, channelID, text string, roles ...string) map[string]any {
	if roles == nil {
		roles = []string{}
	}
	m := s.MessageEvent(u, channelID, text, map[string]any{
		"member": map[string]any{"roles": roles, "joined_at": "2026-01-01T00:00:00Z"},
	})
	s.Dispatch("MESSAGE_CREATE", m)
	return m
}

func (s *Server) newInteraction(channelID, messageID string) *Interaction {
	in := &Interaction{ID: s.id(), Token: "tok-" + s.id(), ChannelID: channelID, MessageID: messageID, created: s.now()}
	s.interactions[in.ID] = in
	return in
}

func (s *Server) interactionBase(in *Interaction, u User, kind int, roles []string) map[string]any {
	m := map[string]any{
		"id": in.ID, "application_id": s.AppID, "type": kind, "token": in.Token, "version": 1,
		"channel_id": in.ChannelID, "locale": "en-US", "app_permissions": "0",
	}
	c := s.channels[in.ChannelID]
	if c != nil && c.GuildID != "" {
		if roles == nil {
			roles = []string{}
		}
		m["guild_id"] = c.GuildID
		m["member"] = map[string]any{"user": userJSON(u), "roles": roles, "joined_at": "2026-01-01T00:00:00Z"}
		m["context"] = 0
	} else {
		m["user"] = userJSON(u)
		m["context"] = 1
	}
	return m
}

// SlashEvent builds an APPLICATION_COMMAND interaction of command name by u in channelID.
func (s *Server) SlashEvent(u User, channelID, name string, roles ...string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.newInteraction(channelID, "")
	m := s.interactionBase(in, u, 2, roles)
	m["data"] = map[string]any{"id": s.id(), "name": name, "type": 1}
	return m
}

// Slash dispatches the slash command name used by u in channelID (a guild channel or
// their DM channel) and returns the interaction id.
func (s *Server) Slash(u User, channelID, name string) string {
	m := s.SlashEvent(u, channelID, name)
	s.Dispatch("INTERACTION_CREATE", m)
	return m["id"].(string)
}

// PressEvent builds the MESSAGE_COMPONENT interaction of u pressing the button customID on
// the bot's message msg. It fails the test if msg does not carry that button now: a person
// can only press buttons they see.
func (s *Server) PressEvent(tb testing.TB, u User, msg Message, customID string) map[string]any {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.byID[msg.ID]
	if !ok {
		tb.Fatalf("press %q: no bot message %s", customID, msg.ID)
	}
	found := false
	for _, b := range cur.Buttons {
		found = found || b.CustomID == customID
	}
	if !found {
		tb.Fatalf("press %q: message %s has buttons %v", customID, msg.ID, cur.Buttons)
	}
	in := s.newInteraction(cur.ChannelID, cur.ID)
	m := s.interactionBase(in, u, 3, nil)
	m["data"] = map[string]any{"custom_id": customID, "component_type": 2}
	m["message"] = map[string]any{
		"id": cur.ID, "channel_id": cur.ChannelID, "content": cur.Content, "type": 0,
		"author":    map[string]any{"id": s.BotID, "username": "returnsbot", "bot": true},
		"timestamp": time.Now().UTC().Format(time.RFC3339),
	}
	return m
}

// Press dispatches u pressing customID on msg and returns the interaction id.
func (s *Server) Press(tb testing.TB, u User, msg Message, customID string) string {
	tb.Helper()
	m := s.PressEvent(tb, u, msg, customID)
	s.Dispatch("INTERACTION_CREATE", m)
	return m["id"].(string)
}

// Dispatch sends a gateway event to the bot, with the next sequence number. While the bot
// is disconnected the event is kept and replayed when it resumes, as Discord does.
func (s *Server) Dispatch(event string, data any) {
	raw, err := json.Marshal(data)
	if err != nil {
		panic(fmt.Sprintf("discordtest: dispatch %s: %v", event, err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dispatchLocked(event, raw)
}

func (s *Server) dispatchLocked(event string, raw json.RawMessage) {
	if s.sess == nil {
		return // nobody has identified: Discord has no one to send to
	}
	if event == "INTERACTION_CREATE" {
		// The 3 seconds to answer start when Discord sends the interaction.
		var v struct {
			ID string `json:"id"`
		}
		json.Unmarshal(raw, &v)
		if in, ok := s.interactions[v.ID]; ok && !in.dispatched {
			in.created, in.dispatched = s.now(), true
		}
	}
	s.sess.seq++
	f := frame{Op: 0, T: event, S: s.sess.seq, D: raw, seqN: s.sess.seq}
	s.sess.log = append(s.sess.log, f)
	if s.conn != nil {
		s.conn.write(f)
	}
}

// ---- gateway controls ----

// Reconnect asks the bot to reconnect (op 7), as Discord does before moving a session.
func (s *Server) Reconnect() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		s.conn.write(frame{Op: 7, D: json.RawMessage("null")})
	}
}

// InvalidateSession ends the bot's session (op 9, not resumable), as Discord does when a
// session expires: the bot must identify again on the same connection, and events sent
// before it has are lost, as with Discord.
func (s *Server) InvalidateSession() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sess != nil {
		s.sess.invalidated = true
		s.sess = nil
	}
	if s.conn != nil {
		s.conn.write(frame{Op: 9, D: json.RawMessage("false")})
	}
}

// Drop cuts the gateway connection without a close frame, like a network failure.
func (s *Server) Drop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		s.conn.ws.UnderlyingConn().Close()
		s.conn = nil
	}
}

// CloseGateway closes the gateway connection with a close code, as Discord does for
// errors (4004 authentication failed, 4014 disallowed intents, 4009 session timed out).
func (s *Server) CloseGateway(code int, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		closeConn(s.conn, code, reason)
		s.conn = nil
	}
}

func closeConn(c *gwConn, code int, reason string) {
	c.mu.Lock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.mu.Unlock()
	c.ws.Close()
}

// Connected reports whether a bot holds a ready gateway session now.
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn != nil && s.sess != nil
}

// Stats returns the gateway counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.ClientCloseCodes = append([]int(nil), s.stats.ClientCloseCodes...)
	return st
}

// RateLimit makes the next n requests with method whose path, without the "/api/vN"
// prefix, starts with prefix (such as "/channels/") answer 429 with retry_after.
func (s *Server) RateLimit(method, prefix string, n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = append(s.limits, &rateLimit{method: method, prefix: prefix, n: n, retryAfter: retryAfter, status: http.StatusTooManyRequests})
}

// Fail makes the next n requests with method whose path (without "/api/vN") starts with
// prefix answer status, as Discord does when it has an outage.
func (s *Server) Fail(method, prefix string, n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = append(s.limits, &rateLimit{method: method, prefix: prefix, n: n, status: status})
}

// ---- inspection ----

// Messages returns the bot's messages in channelID, oldest first.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(channelID)
}

func (s *Server) messagesLocked(channelID string) []Message {
	var out []Message
	for _, m := range s.messages {
		if m.ChannelID == channelID {
			c := *m
			c.Buttons = append([]Button(nil), m.Buttons...)
			out = append(out, c)
		}
	}
	return out
}

// WaitFor waits until cond, called with the server's state locked, holds, or timeout
// passes (false). Benchmarks watch many channels at once with it and MessagesFromLocked.
func (s *Server) WaitFor(timeout time.Duration, cond func() bool) bool {
	return s.waitFor(timeout, cond)
}

// MessagesFromLocked returns the channel ids of the bot's messages from the from-th on,
// in the order sent, and the number sent so far: the next call's from. For use in WaitFor.
func (s *Server) MessagesFromLocked(from int) (channels []string, next int) {
	for _, m := range s.messages[min(from, len(s.messages)):] {
		channels = append(channels, m.ChannelID)
	}
	return channels, len(s.messages)
}

// WaitMessages waits until the bot has sent at least n messages to channelID and returns
// them all; it fails the test after 10 seconds.
func (s *Server) WaitMessages(tb testing.TB, channelID string, n int) []Message {
	tb.Helper()
	var out []Message
	if !s.waitFor(10*time.Second, func() bool { out = s.messagesLocked(channelID); return len(out) >= n }) {
		tb.Fatalf("waited 10s for %d bot messages in %s, got %d: %s", n, channelID, len(out), contents(out))
	}
	return out
}

func contents(ms []Message) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "\n  %q %v", m.Content, m.Buttons)
	}
	return b.String()
}

// WaitSent waits until the bot has sent at least n messages in all; it fails the test
// after timeout.
func (s *Server) WaitSent(tb testing.TB, n int, timeout time.Duration) {
	tb.Helper()
	if !s.waitFor(timeout, func() bool { return len(s.messages) >= n }) {
		tb.Fatalf("waited %v for %d bot messages, got %d", timeout, n, len(s.messages))
	}
}

// BlockDMs makes u refuse direct messages from the bot, as the privacy setting "allow
// direct messages from server members" turned off does: sending to their DM fails with
// 50007.
func (s *Server) BlockDMs(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[s.dmLocked(u.ID)] = true
}

// Interaction returns what the bot did with interaction id.
func (s *Server) Interaction(id string) Interaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in, ok := s.interactions[id]; ok {
		c := *in
		c.Responses = append([]Response(nil), in.Responses...)
		return c
	}
	return Interaction{}
}

// WaitInteraction waits until cond holds for interaction id; it fails the test after 10s.
func (s *Server) WaitInteraction(tb testing.TB, id string, cond func(Interaction) bool) Interaction {
	tb.Helper()
	var got Interaction
	ok := s.waitFor(10*time.Second, func() bool {
		in, ok := s.interactions[id]
		if !ok {
			return false
		}
		got = *in
		got.Responses = append([]Response(nil), in.Responses...)
		return cond(got)
	})
	if !ok {
		tb.Fatalf("waited 10s on interaction %s, last state %+v", id, got)
	}
	return got
}

// WaitReady waits until the bot has identified and registered its commands.
func (s *Server) WaitReady(tb testing.TB) {
	tb.Helper()
	if !s.waitFor(10*time.Second, func() bool { return s.conn != nil && s.sess != nil && s.commands != nil }) {
		tb.Fatalf("bot not ready after 10s: %+v", s.stats)
	}
}

// WaitConnects waits until the gateway has seen at least n connections that identified or
// resumed and hold a session.
func (s *Server) WaitConnects(tb testing.TB, n int) {
	tb.Helper()
	if !s.waitFor(10*time.Second, func() bool { return s.stats.Identifies+s.stats.Resumes >= n && s.conn != nil }) {
		tb.Fatalf("waited 10s for %d sessions, stats %+v", n, s.stats)
	}
}

// Commands returns the raw application commands the bot registered.
func (s *Server) Commands() json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commands
}

// Requests returns every REST request so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now()
	}
	return time.Now()
}

// waitFor waits until cond (called with s.mu held) is true, or timeout.
func (s *Server) waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	stop := time.AfterFunc(timeout, func() {
		s.mu.Lock()
		s.changed.Broadcast()
		s.mu.Unlock()
	})
	defer stop.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for !cond() {
		if time.Now().After(deadline) || s.closed {
			return cond()
		}
		s.changed.Wait()
	}
	return true
}

// ---- gateway ----

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws}
	s.mu.Lock()
	s.stats.Connects++
	s.changed.Broadcast()
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if s.conn == c {
			s.conn = nil
		}
		s.changed.Broadcast()
		s.mu.Unlock()
		ws.Close()
	}()
	hello, _ := json.Marshal(map[string]any{"heartbeat_interval": s.cfg.HeartbeatInterval.Milliseconds()})
	if c.write(frame{Op: 10, D: hello}) != nil {
		return
	}
	for {
		var f struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		_, data, err := ws.ReadMessage()
		if err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				s.mu.Lock()
				s.stats.ClientCloseCodes = append(s.stats.ClientCloseCodes, ce.Code)
				// Discord invalidates the session of a client that closes with 1000 or 1001.
				if (ce.Code == websocket.CloseNormalClosure || ce.Code == websocket.CloseGoingAway) && s.sess != nil && s.conn == c {
					s.sess.invalidated = true
				}
				s.mu.Unlock()
			}
			return
		}
		if err := json.Unmarshal(data, &f); err != nil {
			closeConn(c, 4002, "Decode error.")
			return
		}
		switch f.Op {
		case 1:
			c.write(frame{Op: 11, D: json.RawMessage("null")})
		case 2:
			if !s.identify(c, f.D) {
				return
			}
		case 6:
			if !s.resume(c, f.D) {
				return
			}
		default:
			closeConn(c, 4001, "Unknown opcode.")
			return
		}
	}
}

func (s *Server) tokenOK(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.TrimPrefix(token, "Bot ") == s.cfg.Token
}

// RevokeToken makes the fake refuse the bot's token from now on, as after a token reset
// in the Developer Portal.
func (s *Server) RevokeToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.Token = "revoked-" + s.id()
}

func (s *Server) identify(c *gwConn, d json.RawMessage) bool {
	var id struct {
		Token   string `json:"token"`
		Intents int    `json:"intents"`
	}
	json.Unmarshal(d, &id)
	if !s.tokenOK(id.Token) {
		closeConn(c, 4004, "Authentication failed.")
		return false
	}
	if s.cfg.RefusePrivileged && id.Intents&privilegedIntents != 0 {
		closeConn(c, 4014, "Disallowed intent(s).")
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Identifies++
	s.stats.Intents = id.Intents
	s.sess = &session{id: "sess-" + s.id()}
	s.conn = c
	ready, _ := json.Marshal(map[string]any{
		"v": 10, "session_id": s.sess.id, "resume_gateway_url": s.gatewayURL(),
		"user":             map[string]any{"id": s.BotID, "username": "returnsbot", "bot": true, "discriminator": "0"},
		"application":      map[string]any{"id": s.AppID, "flags": 0},
		"guilds":           []any{map[string]any{"id": s.GuildID, "unavailable": true}},
		"private_channels": []any{},
	})
	s.dispatchLocked("READY", ready)
	var threads, chans []any
	for _, ch := range s.channels {
		switch {
		case ch.GuildID == "":
		case ch.ParentID != "":
			threads = append(threads, ch)
		default:
			chans = append(chans, ch)
		}
	}
	guild, _ := json.Marshal(map[string]any{
		"id": s.GuildID, "name": "Shop", "channels": orEmpty(chans), "threads": orEmpty(threads),
		"roles": []any{}, "members": []any{}, "emojis": []any{}, "unavailable": false,
	})
	if id.Intents&IntentGuilds != 0 {
		s.dispatchLocked("GUILD_CREATE", guild)
	}
	s.changed.Broadcast()
	return true
}

func orEmpty(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

func (s *Server) resume(c *gwConn, d json.RawMessage) bool {
	var r struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	json.Unmarshal(d, &r)
	if !s.tokenOK(r.Token) {
		closeConn(c, 4004, "Authentication failed.")
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sess == nil || s.sess.id != r.SessionID || s.sess.invalidated {
		s.stats.InvalidSessions++
		c.write(frame{Op: 9, D: json.RawMessage("false")})
		return true
	}
	s.stats.Resumes++
	s.conn = c
	for _, f := range s.sess.log {
		if f.seqN > r.Seq {
			c.write(f)
		}
	}
	s.sess.seq++
	c.write(frame{Op: 0, T: "RESUMED", S: s.sess.seq, D: json.RawMessage("{}")})
	s.changed.Broadcast()
	return true
}

func (s *Server) gatewayURL() string {
	return "ws" + strings.TrimPrefix(s.URL, "http") + "/gateway/"
}

// ---- REST ----

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /gateway/", s.serveGateway)
	mux.HandleFunc("GET /attachments/{id}/{name}", s.getAttachment)
	api := http.NewServeMux()
	api.HandleFunc("GET /api/{v}/gateway", s.getGateway)
	api.HandleFunc("GET /api/{v}/gateway/bot", s.getGateway)
	api.HandleFunc("POST /api/{v}/users/@me/channels", s.createDM)
	api.HandleFunc("GET /api/{v}/channels/{id}", s.getChannel)
	api.HandleFunc("POST /api/{v}/channels/{id}/messages", s.createMessage)
	api.HandleFunc("PATCH /api/{v}/channels/{id}/messages/{mid}", s.editMessage)
	api.HandleFunc("POST /api/{v}/channels/{id}/threads", s.createThread)
	api.HandleFunc("POST /api/{v}/interactions/{id}/{token}/callback", s.callback)
	api.HandleFunc("PATCH /api/{v}/webhooks/{app}/{token}/messages/{mid}", s.editOriginal)
	api.HandleFunc("DELETE /api/{v}/webhooks/{app}/{token}/messages/{mid}", s.deleteOriginal)
	api.HandleFunc("PUT /api/{v}/applications/{app}/commands", s.putCommands)
	mux.Handle("/api/", s.middleware(api))
	return mux
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }

func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w, status: 200}
		defer func() {
			s.mu.Lock()
			s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Status: rec.status, At: time.Now()})
			s.changed.Broadcast()
			s.mu.Unlock()
		}()
		route := apiRoute(r.URL.Path)
		// Interaction callbacks are authorised by their token, GET /gateway by nothing.
		public := strings.HasPrefix(route, "/interactions/") || route == "/gateway"
		if !public && !s.tokenOK(r.Header.Get("Authorization")) {
			apiError(rec, http.StatusUnauthorized, 0, "401: Unauthorized")
			return
		}
		s.mu.Lock()
		for _, l := range s.limits {
			if l.n > 0 && l.method == r.Method && strings.HasPrefix(route, l.prefix) {
				l.n--
				s.mu.Unlock()
				if l.status != http.StatusTooManyRequests {
					apiError(rec, l.status, 0, http.StatusText(l.status))
					return
				}
				secs := l.retryAfter.Seconds()
				rec.Header().Set("Retry-After", strconv.Itoa(int(secs+0.999)))
				rec.Header().Set("X-RateLimit-Limit", "5")
				rec.Header().Set("X-RateLimit-Remaining", "0")
				rec.Header().Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
				rec.Header().Set("X-RateLimit-Scope", "user")
				writeJSON(rec, http.StatusTooManyRequests, map[string]any{"message": "You are being rate limited.", "retry_after": secs, "global": false})
				return
			}
		}
		s.mu.Unlock()
		rec.Header().Set("X-RateLimit-Limit", "50")
		rec.Header().Set("X-RateLimit-Remaining", "49")
		rec.Header().Set("X-RateLimit-Reset-After", "0.001")
		next.ServeHTTP(rec, r)
	})
}

// apiRoute strips the API version: "/api/v9/channels/1" is "/channels/1".
func apiRoute(p string) string {
	rest, ok := strings.CutPrefix(p, "/api/v")
	if !ok {
		return p
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return rest[i:]
	}
	return "/"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg})
}

func (s *Server) getGateway(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]any{"url": s.gatewayURL(), "shards": 1,
		"session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}})
}

func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	data, ok := s.attachments[r.PathValue("id")+"/"+r.PathValue("name")]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", mime.TypeByExtension(r.PathValue("name")))
	w.Write(data)
}

func (s *Server) createDM(w http.ResponseWriter, r *http.Request) {
	var req struct {
		RecipientID string `json:"recipient_id"`
	}
	json.NewDecoder(r.Body).Decode(&req)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[req.RecipientID]; !ok {
		apiError(w, 400, 50007, "Cannot send messages to this user")
		return
	}
	id := s.dmLocked(req.RecipientID)
	writeJSON(w, 200, map[string]any{"id": id, "type": 1, "recipients": []any{userJSON(s.users[req.RecipientID])}})
}

func (s *Server) getChannel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[r.PathValue("id")]
	if !ok {
		apiError(w, 404, 10003, "Unknown Channel")
		return
	}
	writeJSON(w, 200, c)
}

// outgoing is the body of a message create or edit, and of interaction callback data.
type outgoing struct {
	Content         *string         `json:"content"`
	Components      *[]row          `json:"components"`
	AllowedMentions json.RawMessage `json:"allowed_mentions"`
	Flags           int             `json:"flags"`
}

type row struct {
	Type       int      `json:"type"`
	Components []Button `json:"components"`
}

// parseOutgoing reads a JSON or multipart (payload_json + files[n]) body.
func parseOutgoing(r *http.Request) (outgoing, []File, error) {
	var o outgoing
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		err := json.NewDecoder(r.Body).Decode(&o)
		return o, nil, err
	}
	var files []File
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return o, files, nil
		}
		if err != nil {
			return o, nil, err
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return o, nil, err
		}
		if p.FormName() == "payload_json" {
			if err := json.Unmarshal(data, &o); err != nil {
				return o, nil, err
			}
			continue
		}
		files = append(files, File{Name: p.FileName(), Data: data})
	}
}

// validate checks a message as Discord does; it returns the error message or "".
func validate(o outgoing, files int, create bool) string {
	if o.Content != nil && len(utf16.Encode([]rune(*o.Content))) > 2000 {
		return "content: Must be 2000 or fewer in length."
	}
	if o.Components != nil {
		if len(*o.Components) > 5 {
			return "components: Must be 5 or fewer in length."
		}
		for _, rw := range *o.Components {
			if rw.Type != 1 || len(rw.Components) == 0 || len(rw.Components) > 5 {
				return "components: an action row holds 1 to 5 buttons"
			}
			for _, b := range rw.Components {
				if len(b.CustomID) == 0 || len(b.CustomID) > 100 {
					return "custom_id: Must be between 1 and 100 in length."
				}
				if len([]rune(b.Label)) > 80 {
					return "label: Must be 80 or fewer in length."
				}
			}
		}
	}
	if files > 10 {
		return "files: Must be 10 or fewer in length."
	}
	if create && (o.Content == nil || *o.Content == "") && (o.Components == nil || len(*o.Components) == 0) && files == 0 {
		return "Cannot send an empty message"
	}
	return ""
}

func (m *Message) apply(o outgoing) {
	if o.Content != nil {
		m.Content = *o.Content
	}
	if o.Components != nil {
		m.Buttons, m.Rows = nil, len(*o.Components)
		for _, rw := range *o.Components {
			m.Buttons = append(m.Buttons, rw.Components...)
		}
	}
	if o.AllowedMentions != nil {
		m.AllowedMentions = o.AllowedMentions
	}
}

func (s *Server) messageJSON(m *Message) map[string]any {
	return map[string]any{
		"id": m.ID, "channel_id": m.ChannelID, "content": m.Content, "type": 0,
		"author":    map[string]any{"id": s.BotID, "username": "returnsbot", "bot": true, "discriminator": "0"},
		"timestamp": time.Now().UTC().Format(time.RFC3339), "attachments": []any{}, "embeds": []any{},
		"mentions": []any{}, "mention_roles": []any{}, "components": []any{},
	}
}

func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	o, files, err := parseOutgoing(r)
	if err != nil {
		apiError(w, 400, 50109, "The request body contains invalid JSON.")
		return
	}
	if msg := validate(o, len(files), true); msg != "" {
		code := 50035
		if strings.HasPrefix(msg, "Cannot send") {
			code = 50006
		}
		apiError(w, 400, code, msg)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[r.PathValue("id")]
	if !ok {
		apiError(w, 404, 10003, "Unknown Channel")
		return
	}
	if s.blocked[c.ID] {
		apiError(w, 403, 50007, "Cannot send messages to this user")
		return
	}
	m := &Message{ID: s.id(), ChannelID: c.ID, Files: files}
	m.apply(o)
	s.messages = append(s.messages, m)
	s.byID[m.ID] = m
	body := s.messageJSON(m)
	writeJSON(w, 200, body)
	// Discord echoes the bot's own messages back over the gateway.
	if c.GuildID != "" {
		body["guild_id"] = c.GuildID
	}
	raw, _ := json.Marshal(body)
	s.dispatchLocked("MESSAGE_CREATE", raw)
	s.changed.Broadcast()
}

func (s *Server) editMessage(w http.ResponseWriter, r *http.Request) {
	o, _, err := parseOutgoing(r)
	if err != nil {
		apiError(w, 400, 50109, "The request body contains invalid JSON.")
		return
	}
	if msg := validate(o, 0, false); msg != "" {
		apiError(w, 400, 50035, msg)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.byID[r.PathValue("mid")]
	if !ok || m.ChannelID != r.PathValue("id") {
		apiError(w, 404, 10008, "Unknown Message")
		return
	}
	m.apply(o)
	m.Edits++
	writeJSON(w, 200, s.messageJSON(m))
	s.changed.Broadcast()
}

func (s *Server) createThread(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
		Type int    `json:"type"`
	}
	json.NewDecoder(r.Body).Decode(&req)
	s.mu.Lock()
	defer s.mu.Unlock()
	parent, ok := s.channels[r.PathValue("id")]
	if !ok || parent.GuildID == "" {
		apiError(w, 404, 10003, "Unknown Channel")
		return
	}
	if n := len([]rune(req.Name)); n == 0 || n > 100 {
		apiError(w, 400, 50035, "name: Must be between 1 and 100 in length.")
		return
	}
	if req.Type == 0 {
		req.Type = 12
	}
	c := &channel{ID: s.id(), Type: req.Type, GuildID: parent.GuildID, ParentID: parent.ID, Name: req.Name}
	s.channels[c.ID] = c
	writeJSON(w, 201, c)
	raw, _ := json.Marshal(map[string]any{"id": c.ID, "type": c.Type, "guild_id": c.GuildID, "parent_id": c.ParentID, "name": c.Name, "newly_created": true})
	s.dispatchLocked("THREAD_CREATE", raw)
	s.changed.Broadcast()
}

// AddThread creates a thread in parentID as a person would, and tells the bot.
func (s *Server) AddThread(parentID, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &channel{ID: s.id(), Type: 11, GuildID: s.GuildID, ParentID: parentID, Name: name}
	s.channels[c.ID] = c
	return c.ID
}

func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		apiError(w, 400, 50109, "The request body contains invalid JSON.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.interactions[r.PathValue("id")]
	if !ok || in.Token != r.PathValue("token") {
		apiError(w, 404, 10062, "Unknown interaction")
		return
	}
	after := s.now().Sub(in.created)
	switch {
	case len(in.Responses) > 0:
		apiError(w, 400, 40060, "Interaction has already been acknowledged.")
		return
	case after > s.cfg.InteractionTimeout:
		apiError(w, 404, 10062, "Unknown interaction")
		return
	}
	var o outgoing
	if len(req.Data) > 0 && string(req.Data) != "null" {
		if err := json.Unmarshal(req.Data, &o); err != nil {
			apiError(w, 400, 50035, "Invalid Form Body")
			return
		}
	}
	switch req.Type {
	case 1, 4, 5, 6:
	case 7:
		if msg := validate(o, 0, false); msg != "" {
			apiError(w, 400, 50035, msg)
			return
		}
		if m, ok := s.byID[in.MessageID]; ok {
			m.apply(o)
			m.Edits++
		}
	default:
		apiError(w, 400, 50035, "type: invalid interaction callback type")
		return
	}
	if o.Content != nil {
		in.Original = *o.Content
	}
	in.Responses = append(in.Responses, Response{Type: req.Type, Data: req.Data, After: after})
	w.WriteHeader(http.StatusNoContent)
	s.changed.Broadcast()
}

func (s *Server) interactionByToken(token string) *Interaction {
	for _, in := range s.interactions {
		if in.Token == token {
			return in
		}
	}
	return nil
}

func (s *Server) editOriginal(w http.ResponseWriter, r *http.Request) {
	o, _, err := parseOutgoing(r)
	if err != nil {
		apiError(w, 400, 50109, "The request body contains invalid JSON.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.interactionByToken(r.PathValue("token"))
	if in == nil || r.PathValue("app") != s.AppID || r.PathValue("mid") != "@original" || len(in.Responses) == 0 || in.Deleted {
		apiError(w, 404, 10008, "Unknown Message")
		return
	}
	if msg := validate(o, 0, false); msg != "" {
		apiError(w, 400, 50035, msg)
		return
	}
	if o.Content != nil {
		in.Original = *o.Content
	}
	in.Edited = true
	writeJSON(w, 200, map[string]any{"id": in.ID, "channel_id": in.ChannelID, "content": in.Original, "type": 20})
	s.changed.Broadcast()
}

func (s *Server) deleteOriginal(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.interactionByToken(r.PathValue("token"))
	if in == nil || r.PathValue("app") != s.AppID || len(in.Responses) == 0 || in.Deleted {
		apiError(w, 404, 10008, "Unknown Message")
		return
	}
	in.Deleted = true
	w.WriteHeader(http.StatusNoContent)
	s.changed.Broadcast()
}

func (s *Server) putCommands(w http.ResponseWriter, r *http.Request) {
	var cmds []map[string]any
	if err := json.NewDecoder(r.Body).Decode(&cmds); err != nil {
		apiError(w, 400, 50109, "The request body contains invalid JSON.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.PathValue("app") != s.AppID {
		apiError(w, 403, 50001, "Missing Access")
		return
	}
	for _, c := range cmds {
		c["id"], c["application_id"], c["version"] = s.id(), s.AppID, "1"
	}
	s.commands, _ = json.Marshal(cmds)
	writeJSON(w, 200, cmds)
	s.changed.Broadcast()
}
