// Package telegramtest provides a fake Telegram Bot API server for tests, in the spirit of
// net/http/httptest: it speaks the real wire protocol on loopback, so the real client
// library is exercised byte for byte.
//
// The fake keeps chats and their messages, queues updates that tests create as a customer
// would (Text, Photo, Sticker, Press), serves them through getUpdates with Telegram's offset
// semantics (an update is forgotten only once getUpdates is called with a higher offset) or
// pushes them to a webhook, and records every call. It rejects what Telegram rejects where
// tests depend on it: malformed HTML, callback data over 64 bytes, empty or too long
// texts, unknown callback queries, edits that change nothing. Fail queues error replies,
// including 429 with retry_after.
package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// Token is the bot token the fake accepts unless NewServer is given another.
const Token = "123456:TEST-secret-token"

// BotUser is the bot itself, as getMe reports it.
var BotUser = models.User{ID: 123456, IsBot: true, FirstName: "Returns", Username: "returns_test_bot"}

// Message is a message in a chat of the fake, sent by the bot or by a customer.
type Message struct {
	ID     int
	Chat   int64
	Thread int
	// FromBot is true for messages the bot sent.
	FromBot bool
	// Text is what the reader sees: for HTML messages, the markup removed and entities
	// decoded. Raw is the text as sent on the wire, ParseMode its parse_mode.
	Text      string
	Raw       string
	ParseMode string
	// Keyboard is the inline keyboard as it is now, after any edits; nil when none.
	Keyboard [][]models.InlineKeyboardButton
	// Photo is the picture's bytes for photo messages.
	Photo []byte
	// CopiedFrom is "chat/message" for messages made by copyMessage.
	CopiedFrom string
}

// Call is one request the fake received.
type Call struct {
	Method string
	Params map[string]string
	At     time.Time
	// Status is the error_code answered, 0 for success.
	Status int
}

// Failure is an error reply the fake gives instead of handling a call.
type Failure struct {
	Code        int
	Description string
	// RetryAfter goes into parameters.retry_after (for 429).
	RetryAfter int
	// NoErrorCode leaves error_code out of the body, as a proxy or another Bot API
	// server may: only the HTTP status says Code.
	NoErrorCode bool
}

// Customer is who sends a message and where.
type Customer struct {
	Chat models.Chat
	// Thread is the forum topic the message is in, or 0.
	Thread int
	User   models.User
}

// Private returns a customer in a private chat with the bot: the chat id is the user id.
func Private(id int64, firstName, lang string) Customer {
	return Customer{
		Chat: models.Chat{ID: id, Type: models.ChatTypePrivate, FirstName: firstName},
		User: models.User{ID: id, FirstName: firstName, LanguageCode: lang},
	}
}

// Server is a fake Bot API server. Create it with NewServer.
type Server struct {
	// URL is the base URL to use instead of https://api.telegram.org.
	URL   string
	token string
	srv   *httptest.Server

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced whenever the state changes
	closing  chan struct{}
	nextUpd  int64
	updates  []models.Update // not yet confirmed, in id order
	history  map[int64]models.Update
	messages map[int64][]*Message
	nextMsg  map[int64]int
	calls    []Call
	failures map[string][]Failure
	files    map[string]file
	nextFile int
	queries  map[string]bool // callback query id → answered
	nextTop  int
	webhook  webhook
	hookStop chan struct{}
	hookDone chan struct{}
	commands map[string][]models.BotCommand // by language_code, "" for all
	statuses []int                          // HTTP statuses of webhook deliveries
	flood    Flood
	floodTAT map[int64]time.Time // per chat; key 0 is the whole bot
	garble   map[string]int      // method → calls still to answer ok:true with an undecodable result
	noWait   bool                // getUpdates ignores timeout
}

// Flood are limits the fake enforces on messages sent (sendMessage, sendPhoto,
// copyMessage) the way Telegram does, answering 429 with retry_after when a bot sends
// faster. Zero fields are no limit.
type Flood struct {
	// ChatInterval and ChatBurst: ChatBurst messages to a chat at once, then one per
	// ChatInterval.
	ChatInterval time.Duration
	ChatBurst    int
	// GlobalRate is messages per second over all chats, with a burst of as many.
	GlobalRate int
}

// SetFlood makes the fake enforce f from now on.
func (s *Server) SetFlood(f Flood) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flood, s.floodTAT = f, map[int64]time.Time{}
}

// floodLocked books a message to chat under the flood limits, or returns how long to
// wait.
func (s *Server) floodLocked(chat int64, now time.Time) time.Duration {
	type limit struct {
		key      int64
		interval time.Duration
		burst    int
	}
	var limits []limit
	if s.flood.ChatInterval > 0 {
		limits = append(limits, limit{chat, s.flood.ChatInterval, max(s.flood.ChatBurst, 1)})
	}
	if s.flood.GlobalRate > 0 {
		limits = append(limits, limit{0, time.Second / time.Duration(s.flood.GlobalRate), s.flood.GlobalRate})
	}
	for _, l := range limits {
		tat := s.floodTAT[l.key]
		if tat.Before(now) {
			tat = now
		}
		if allow := tat.Add(-time.Duration(l.burst-1) * l.interval); allow.After(now) {
			return allow.Sub(now)
		}
	}
	for _, l := range limits {
		tat := s.floodTAT[l.key]
		if tat.Before(now) {
			tat = now
		}
		s.floodTAT[l.key] = tat.Add(l.interval)
	}
	return 0
}

type file struct {
	path string
	data []byte
}

type webhook struct {
	URL, Secret string
}

// NewServer starts a fake Bot API server that accepts token (Token if empty) and stops it
// when the test ends.
func NewServer(tb testing.TB, token string) *Server {
	tb.Helper()
	if token == "" {
		token = Token
	}
	s := &Server{
		token:    token,
		changed:  make(chan struct{}),
		closing:  make(chan struct{}),
		nextUpd:  1000,
		messages: map[int64][]*Message{},
		history:  map[int64]models.Update{},
		nextMsg:  map[int64]int{},
		failures: map[string][]Failure{},
		files:    map[string]file{},
		queries:  map[string]bool{},
		nextTop:  100,
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server, ending long polls at once.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.closing:
		s.mu.Unlock()
		return
	default:
	}
	close(s.closing)
	stop, done := s.hookStop, s.hookDone
	s.hookStop = nil
	s.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
	s.srv.Close()
}

// notify wakes everything waiting for a change. Callers hold s.mu.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Fail makes the next calls of method fail, one Failure per call, in order.
func (s *Server) Fail(method string, f ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], f...)
}

// Garble makes the next n calls of method succeed (a sendMessage is sent) but answer
// {"ok":true} with a result no client can decode, as a broken proxy or a changed API
// might.
func (s *Server) Garble(method string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.garble == nil {
		s.garble = map[string]int{}
	}
	s.garble[method] += n
}

// IgnoreTimeout makes getUpdates answer at once, even with nothing to return, whatever
// timeout the client asks for, as some Bot API emulators do.
func (s *Server) IgnoreTimeout() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noWait = true
}

// CallsLocked returns how many calls of method (all calls if method is empty) the fake
// has answered, for use inside WaitFor.
func (s *Server) CallsLocked(method string) int {
	n := 0
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			n++
		}
	}
	return n
}

// WaitCalls waits until the fake has answered n more calls of method than it had when
// WaitCalls was called, and fails the test after timeout. Waiting for a few later
// getUpdates is how a test sees that the bot went round its loop and sent nothing more.
func (s *Server) WaitCalls(tb testing.TB, method string, n int, timeout time.Duration) {
	tb.Helper()
	s.mu.Lock()
	want := s.CallsLocked(method) + n
	s.mu.Unlock()
	if !s.WaitFor(timeout, func() bool { return s.CallsLocked(method) >= want }) {
		tb.Fatalf("waited %v for %d more %s calls", timeout, n, method)
	}
}

// TooManyRequests is the Failure Telegram gives when a bot sends too fast.
func TooManyRequests(retryAfter int) Failure {
	return Failure{Code: http.StatusTooManyRequests, Description: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter), RetryAfter: retryAfter}
}

// Push queues an update, giving it the next update_id, which it returns.
func (s *Server) Push(u models.Update) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pushLocked(u)
}

func (s *Server) pushLocked(u models.Update) int64 {
	s.nextUpd++
	u.ID = s.nextUpd
	s.updates = append(s.updates, u)
	s.history[u.ID] = u
	s.notify()
	return u.ID
}

// Redeliver queues the update with id again, unchanged, as Telegram does with updates
// that were not confirmed before a bot crashed.
func (s *Server) Redeliver(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.history[id]
	if !ok {
		panic(fmt.Sprintf("telegramtest: Redeliver: no update %d", id))
	}
	s.updates = append(s.updates, u)
	sort.SliceStable(s.updates, func(i, j int) bool { return s.updates[i].ID < s.updates[j].ID })
	s.notify()
}

// newMessageLocked records a customer's message and returns it as Telegram would send it.
func (s *Server) newMessageLocked(c Customer, m *models.Message) *models.Message {
	s.nextMsg[c.Chat.ID]++
	m.ID = s.nextMsg[c.Chat.ID]
	m.Date = int(time.Now().Unix())
	m.Chat = c.Chat
	from := c.User
	m.From = &from
	if c.Thread != 0 {
		m.MessageThreadID, m.IsTopicMessage = c.Thread, true
	}
	text := m.Text
	if text == "" {
		text = m.Caption
	}
	s.messages[c.Chat.ID] = append(s.messages[c.Chat.ID], &Message{ID: m.ID, Chat: c.Chat.ID, Thread: c.Thread, Text: text, Raw: text})
	return m
}

// Text sends text from a customer, as a message update; it returns the update_id.
func (s *Server) Text(c Customer, text string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pushLocked(models.Update{Message: s.newMessageLocked(c, &models.Message{Text: text})})
}

// Photo sends a picture with an optional caption. Like Telegram, it offers the picture in
// two sizes: a thumbnail (other bytes) and data as the largest.
func (s *Server) Photo(c Customer, data []byte, caption string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	thumb := s.addFileLocked("photos", []byte("thumbnail"))
	full := s.addFileLocked("photos", data)
	m := &models.Message{Caption: caption, Photo: []models.PhotoSize{
		{FileID: thumb, FileUniqueID: "u" + thumb, Width: 90, Height: 90, FileSize: 9},
		{FileID: full, FileUniqueID: "u" + full, Width: 1280, Height: 960, FileSize: len(data)},
	}}
	return s.pushLocked(models.Update{Message: s.newMessageLocked(c, m)})
}

// Album sends pictures as one album (media group), the caption on the first, as Telegram
// does: one update per picture, queued together. It returns the update_ids.
func (s *Server) Album(c Customer, pictures [][]byte, caption string) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextFile++
	group := fmt.Sprintf("album-%d", s.nextFile)
	var ids []int64
	for i, data := range pictures {
		id := s.addFileLocked("photos", data)
		m := &models.Message{MediaGroupID: group, Photo: []models.PhotoSize{{FileID: id, FileUniqueID: "u" + id, Width: 1280, Height: 960, FileSize: len(data)}}}
		if i == 0 {
			m.Caption = caption
		}
		ids = append(ids, s.pushLocked(models.Update{Message: s.newMessageLocked(c, m)}))
	}
	return ids
}

// Sticker sends a sticker.
func (s *Server) Sticker(c Customer) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.addFileLocked("stickers", []byte("sticker"))
	m := &models.Message{Sticker: &models.Sticker{FileID: id, FileUniqueID: "u" + id, Type: "regular", Width: 512, Height: 512, Emoji: "👍"}}
	return s.pushLocked(models.Update{Message: s.newMessageLocked(c, m)})
}

// Press presses the button with callback data data on the bot's message messageID, as
// customer c. Like Telegram, it does not check that the message still has that button:
// old clients and re-sent updates press buttons that are gone. It returns the update_id.
func (s *Server) Press(c Customer, messageID int, data string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := &models.Message{ID: messageID, Date: int(time.Now().Unix()), Chat: c.Chat, From: &BotUser}
	if c.Thread != 0 {
		msg.MessageThreadID, msg.IsTopicMessage = c.Thread, true
	}
	if m := s.findLocked(c.Chat.ID, messageID); m != nil {
		msg.Text = m.Text
		if m.Keyboard != nil {
			msg.ReplyMarkup = &models.InlineKeyboardMarkup{InlineKeyboard: m.Keyboard}
		}
	}
	id := fmt.Sprintf("cq%d", s.nextUpd+1)
	s.queries[id] = false
	return s.pushLocked(models.Update{CallbackQuery: &models.CallbackQuery{
		ID: id, From: c.User, Data: data, ChatInstance: "ci",
		Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: msg},
	}})
}

// AddFile stores data as a file that getFile and the file download serve; it returns the
// file_id.
func (s *Server) AddFile(dir string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addFileLocked(dir, data)
}

func (s *Server) addFileLocked(dir string, data []byte) string {
	s.nextFile++
	id := fmt.Sprintf("file-%d", s.nextFile)
	s.files[id] = file{path: fmt.Sprintf("%s/file_%d.jpg", dir, s.nextFile), data: data}
	return id
}

// Messages returns copies of the messages in chat, oldest first.
func (s *Server) Messages(chat int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(chat, false)
}

// BotMessages returns copies of the messages the bot sent to chat, oldest first.
func (s *Server) BotMessages(chat int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(chat, true)
}

// BotMessagesLocked is BotMessages for use inside WaitFor.
func (s *Server) BotMessagesLocked(chat int64) []Message { return s.messagesLocked(chat, true) }

// BotCountLocked is how many messages the bot has sent to chat, for use inside WaitFor
// (without the copies BotMessagesLocked makes: benchmarks watch hundreds of chats).
func (s *Server) BotCountLocked(chat int64) int {
	n := 0
	for _, m := range s.messages[chat] {
		if m.FromBot {
			n++
		}
	}
	return n
}

func (s *Server) messagesLocked(chat int64, botOnly bool) []Message {
	var out []Message
	for _, m := range s.messages[chat] {
		if botOnly && !m.FromBot {
			continue
		}
		c := *m
		c.Keyboard = cloneKeyboard(m.Keyboard)
		out = append(out, c)
	}
	return out
}

// WaitBotMessages waits until the bot has sent at least n messages to chat and returns
// them all; after timeout it fails the test.
func (s *Server) WaitBotMessages(tb testing.TB, chat int64, n int, timeout time.Duration) []Message {
	tb.Helper()
	var got []Message
	ok := s.WaitFor(timeout, func() bool {
		got = s.messagesLocked(chat, true)
		return len(got) >= n
	})
	if !ok {
		tb.Fatalf("chat %d: got %d bot messages after %v, want at least %d; last: %q", chat, len(got), timeout, n, lastText(got))
	}
	return got
}

func lastText(ms []Message) string {
	if len(ms) == 0 {
		return ""
	}
	return ms[len(ms)-1].Text
}

// WaitFor waits until cond, called with the server's state locked, holds. It reports
// false if timeout passes first.
func (s *Server) WaitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if cond() {
			s.mu.Unlock()
			return true
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			return false
		}
	}
}

// Pending returns how many updates are not yet confirmed.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// PendingLocked is Pending for use inside WaitFor.
func (s *Server) PendingLocked() int { return len(s.updates) }

// Calls returns the calls of method received so far (all calls if method is empty).
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Answered reports whether the callback query id was answered.
func (s *Server) Answered(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries[id]
}

// Commands returns the bot's command menu for users of language lang ("" for those
// without one of their own), as last set with setMyCommands.
func (s *Server) Commands(lang string) []models.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]models.BotCommand(nil), s.commands[lang]...)
}

// Webhook returns the webhook URL and secret set with setWebhook.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook.URL, s.webhook.Secret
}

func (s *Server) findLocked(chat int64, id int) *Message {
	for _, m := range s.messages[chat] {
		if m.ID == id {
			return m
		}
	}
	return nil
}

func cloneKeyboard(k [][]models.InlineKeyboardButton) [][]models.InlineKeyboardButton {
	if k == nil {
		return nil
	}
	out := make([][]models.InlineKeyboardButton, len(k))
	for i, row := range k {
		out[i] = append([]models.InlineKeyboardButton(nil), row...)
	}
	return out
}

// apiError is an error reply of the Bot API.
type apiError struct {
	code       int
	desc       string
	retryAfter int
	noCode     bool
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: 400, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		s.serveFile(w, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error_code": 404, "description": "Not Found"})
		return
	}
	if token != s.token {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"ok": false, "error_code": 401, "description": "Unauthorized"})
		return
	}
	params, files, err := parseParams(r)
	if err != nil {
		s.reply(w, Call{Method: method, At: time.Now()}, nil, badRequest("%v", err))
		return
	}
	call := Call{Method: method, Params: params, At: time.Now()}
	s.mu.Lock()
	if fs := s.failures[method]; len(fs) > 0 {
		f := fs[0]
		s.failures[method] = fs[1:]
		s.mu.Unlock()
		s.reply(w, call, nil, &apiError{code: f.Code, desc: f.Description, retryAfter: f.RetryAfter, noCode: f.NoErrorCode})
		return
	}
	s.mu.Unlock()
	if method == "getUpdates" {
		res, aerr := s.getUpdates(r.Context(), params)
		s.reply(w, call, res, aerr)
		return
	}
	s.mu.Lock()
	res, aerr := s.call(method, params, files)
	if aerr == nil && s.garble[method] > 0 {
		s.garble[method]--
		res = "\u0000 not what the client expects"
	}
	s.mu.Unlock()
	s.reply(w, call, res, aerr)
}

func (s *Server) reply(w http.ResponseWriter, call Call, result any, aerr *apiError) {
	s.mu.Lock()
	if aerr != nil {
		call.Status = aerr.code
	}
	s.calls = append(s.calls, call)
	s.notify()
	s.mu.Unlock()
	if aerr != nil {
		body := map[string]any{"ok": false, "error_code": aerr.code, "description": aerr.desc}
		if aerr.noCode {
			delete(body, "error_code")
		}
		if aerr.retryAfter > 0 {
			body["parameters"] = map[string]any{"retry_after": aerr.retryAfter}
		}
		writeJSON(w, aerr.code, body)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) serveFile(w http.ResponseWriter, rest string) {
	token, path, _ := strings.Cut(rest, "/")
	if token != s.token {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.files {
		if f.path == path {
			w.Write(f.data)
			return
		}
	}
	http.NotFound(w, nil)
}

// parseParams reads a call's parameters the ways the Bot API accepts them: query string,
// URL-encoded or multipart form, or JSON. Non-string JSON values are kept as JSON text,
// as multipart clients send them.
func parseParams(r *http.Request) (map[string]string, map[string][]byte, error) {
	params := map[string]string{}
	files := map[string][]byte{}
	for k, v := range r.URL.Query() {
		params[k] = v[0]
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var body map[string]json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil && err != io.EOF {
			return nil, nil, fmt.Errorf("can't parse JSON body: %v", err)
		}
		for k, raw := range body {
			var str string
			if json.Unmarshal(raw, &str) == nil {
				params[k] = str
			} else {
				params[k] = string(raw)
			}
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, nil, err
		}
		for k, v := range r.PostForm {
			params[k] = v[0]
		}
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, nil, err
		}
		for parts := 0; ; parts++ {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil && parts == 0 && strings.Contains(err.Error(), "EOF") {
				break // a call without parameters: the client sends an empty body
			}
			if err != nil {
				return nil, nil, fmt.Errorf("can't read multipart body: %v", err)
			}
			data, err := io.ReadAll(p)
			if err != nil {
				return nil, nil, err
			}
			if p.FileName() != "" {
				files[p.FormName()] = data
			} else {
				params[p.FormName()] = string(data)
			}
		}
	}
	return params, files, nil
}

// getUpdates forgets updates below offset and returns the rest, waiting up to timeout
// seconds for one to arrive.
func (s *Server) getUpdates(ctx context.Context, p map[string]string) ([]models.Update, *apiError) {
	offset, _ := strconv.ParseInt(p["offset"], 10, 64)
	limit, _ := strconv.Atoi(p["limit"])
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p["timeout"])
	s.mu.Lock()
	if s.noWait {
		timeout = 0
	}
	s.mu.Unlock()
	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()
	// The offset confirms updates when the call arrives, once: a long poll still waiting
	// after its client went away must not forget updates queued since (a redelivery).
	for first := true; ; first = false {
		s.mu.Lock()
		if s.webhook.URL != "" {
			s.mu.Unlock()
			return nil, &apiError{code: 409, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
		}
		if offset > 0 && first {
			keep := s.updates[:0]
			for _, u := range s.updates {
				if u.ID >= offset {
					keep = append(keep, u)
				}
			}
			if len(keep) != len(s.updates) {
				s.notify()
			}
			s.updates = keep
		}
		if n := len(s.updates); n > 0 || timeout <= 0 {
			out := append([]models.Update{}, s.updates[:min(n, limit)]...)
			s.mu.Unlock()
			return out, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			timeout = 0
		case <-ctx.Done():
			return nil, &apiError{code: 499, desc: "client went away"}
		case <-s.closing:
			return []models.Update{}, nil
		}
	}
}

// call handles every method but getUpdates, with s.mu held.
func (s *Server) call(method string, p map[string]string, files map[string][]byte) (any, *apiError) {
	switch method {
	case "getMe":
		return BotUser, nil
	case "setMyCommands":
		var cmds []models.BotCommand
		if err := json.Unmarshal([]byte(p["commands"]), &cmds); err != nil {
			return nil, badRequest("can't parse commands: %v", err)
		}
		if s.commands == nil {
			s.commands = map[string][]models.BotCommand{}
		}
		s.commands[p["language_code"]] = cmds
		return true, nil
	case "setWebhook":
		if p["url"] == "" {
			return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
		}
		s.startWebhookLocked(webhook{URL: p["url"], Secret: p["secret_token"]})
		return true, nil
	case "deleteWebhook":
		s.stopWebhookLocked()
		if p["drop_pending_updates"] == "true" {
			s.updates = nil
		}
		return true, nil
	case "getWebhookInfo":
		return map[string]any{"url": s.webhook.URL, "pending_update_count": len(s.updates)}, nil
	case "sendMessage":
		return s.sendLocked(p, p["text"], nil, true)
	case "sendPhoto":
		data, ok := files["photo"]
		if !ok {
			f, found := s.files[p["photo"]]
			if !found {
				return nil, badRequest("wrong file identifier/HTTP URL specified")
			}
			data = f.data
		}
		return s.sendLocked(p, p["caption"], data, p["caption"] != "")
	case "copyMessage":
		from, _ := strconv.ParseInt(p["from_chat_id"], 10, 64)
		id, _ := strconv.Atoi(p["message_id"])
		src := s.findLocked(from, id)
		if src == nil {
			return nil, badRequest("message to copy not found")
		}
		res, aerr := s.sendLocked(p, "", src.Photo, false)
		if aerr != nil {
			return nil, aerr
		}
		m := s.findLocked(res.Chat.ID, res.ID)
		m.Text, m.Raw, m.ParseMode = src.Text, src.Raw, src.ParseMode
		m.CopiedFrom = fmt.Sprintf("%d/%d", from, id)
		return map[string]int{"message_id": res.ID}, nil
	case "editMessageText", "editMessageReplyMarkup":
		chat, _ := strconv.ParseInt(p["chat_id"], 10, 64)
		id, _ := strconv.Atoi(p["message_id"])
		m := s.findLocked(chat, id)
		if m == nil || !m.FromBot {
			return nil, badRequest("message to edit not found")
		}
		kb, aerr := keyboard(p["reply_markup"])
		if aerr != nil {
			return nil, aerr
		}
		text, raw, mode := m.Text, m.Raw, m.ParseMode
		if method == "editMessageText" {
			var aerr *apiError
			if text, aerr = checkText(p["text"], p["parse_mode"]); aerr != nil {
				return nil, aerr
			}
			raw, mode = p["text"], p["parse_mode"]
		}
		if text == m.Text && raw == m.Raw && keyboardsEqual(kb, m.Keyboard) {
			return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
		}
		m.Text, m.Raw, m.ParseMode, m.Keyboard = text, raw, mode, kb
		return s.wireMessage(m), nil
	case "answerCallbackQuery":
		answered, ok := s.queries[p["callback_query_id"]]
		if !ok || answered {
			return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
		}
		s.queries[p["callback_query_id"]] = true
		return true, nil
	case "getFile":
		f, ok := s.files[p["file_id"]]
		if !ok {
			return nil, badRequest("invalid file_id")
		}
		return models.File{FileID: p["file_id"], FileUniqueID: "u" + p["file_id"], FileSize: int64(len(f.data)), FilePath: f.path}, nil
	case "createForumTopic":
		if p["name"] == "" || utf8.RuneCountInString(p["name"]) > 128 {
			return nil, badRequest("TOPIC_NAME_INVALID")
		}
		s.nextTop++
		return models.ForumTopic{MessageThreadID: s.nextTop, Name: p["name"], IconColor: 7322096}, nil
	case "editForumTopic", "closeForumTopic", "reopenForumTopic", "deleteForumTopic":
		if p["message_thread_id"] == "" {
			return nil, badRequest("message thread not found")
		}
		return true, nil
	}
	return nil, &apiError{code: 404, desc: "Not Found: method not found"}
}

// sendLocked records a message from the bot after checking it as Telegram does.
func (s *Server) sendLocked(p map[string]string, raw string, photo []byte, hasText bool) (*models.Message, *apiError) {
	chat, err := strconv.ParseInt(p["chat_id"], 10, 64)
	if err != nil {
		return nil, badRequest("chat not found")
	}
	if wait := s.floodLocked(chat, time.Now()); wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		return nil, &apiError{code: http.StatusTooManyRequests, desc: fmt.Sprintf("Too Many Requests: retry after %d", secs), retryAfter: secs}
	}
	text := raw
	if hasText {
		var aerr *apiError
		if text, aerr = checkText(raw, p["parse_mode"]); aerr != nil {
			return nil, aerr
		}
	}
	kb, aerr := keyboard(p["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	thread, _ := strconv.Atoi(p["message_thread_id"])
	s.nextMsg[chat]++
	m := &Message{ID: s.nextMsg[chat], Chat: chat, Thread: thread, FromBot: true, Text: text, Raw: raw,
		ParseMode: p["parse_mode"], Keyboard: kb, Photo: photo}
	s.messages[chat] = append(s.messages[chat], m)
	return s.wireMessage(m), nil
}

func (s *Server) wireMessage(m *Message) *models.Message {
	out := &models.Message{ID: m.ID, Date: int(time.Now().Unix()), Chat: models.Chat{ID: m.Chat, Type: models.ChatTypePrivate},
		From: &BotUser, MessageThreadID: m.Thread, Text: m.Text}
	if m.Keyboard != nil {
		out.ReplyMarkup = &models.InlineKeyboardMarkup{InlineKeyboard: m.Keyboard}
	}
	return out
}

// keyboard decodes and checks reply_markup; an empty inline keyboard is none.
func keyboard(raw string) ([][]models.InlineKeyboardButton, *apiError) {
	if raw == "" {
		return nil, nil
	}
	var m models.InlineKeyboardMarkup
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.Text == "" {
				return nil, badRequest("text buttons are unallowed in the inline keyboard")
			}
			if n := len(b.CallbackData); n == 0 || n > 64 {
				return nil, badRequest("BUTTON_DATA_INVALID")
			}
		}
	}
	if len(m.InlineKeyboard) == 0 {
		return nil, nil
	}
	return m.InlineKeyboard, nil
}

func keyboardsEqual(a, b [][]models.InlineKeyboardButton) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// checkText validates a text for its parse mode as Telegram does and returns what the
// reader sees.
func checkText(raw, parseMode string) (string, *apiError) {
	if strings.TrimSpace(raw) == "" {
		return "", badRequest("message text is empty")
	}
	text := raw
	if strings.EqualFold(parseMode, "HTML") {
		var err error
		if text, err = parseHTML(raw); err != nil {
			return "", badRequest("can't parse entities: %v", err)
		}
	} else if parseMode != "" {
		return "", badRequest("unsupported parse_mode %q in this fake", parseMode)
	}
	if utf8.RuneCountInString(text) > 4096 {
		return "", badRequest("message is too long")
	}
	return text, nil
}

// allowedTags are the tags of Telegram's HTML parse mode.
var allowedTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true, "s": true, "strike": true,
	"del": true, "a": true, "code": true, "pre": true, "blockquote": true, "tg-spoiler": true, "span": true,
	"tg-emoji": true,
}

// parseHTML checks Telegram-style HTML (allowed tags, balanced, only the named entities
// &lt; &gt; &amp; &quot; and numeric ones) and returns its text.
func parseHTML(raw string) (string, error) {
	var b strings.Builder
	var stack []string
	for i := 0; i < len(raw); {
		switch raw[i] {
		case '<':
			end := strings.IndexByte(raw[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("unclosed start tag at byte offset %d", i)
			}
			tag := raw[i+1 : i+end]
			i += end + 1
			if name, ok := strings.CutPrefix(tag, "/"); ok {
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return "", fmt.Errorf("unmatched end tag %q", name)
				}
				stack = stack[:len(stack)-1]
				continue
			}
			name, _, _ := strings.Cut(tag, " ")
			if !allowedTags[name] {
				return "", fmt.Errorf("unsupported start tag %q", name)
			}
			stack = append(stack, name)
		case '&':
			end := strings.IndexByte(raw[i:], ';')
			if end < 0 {
				return "", fmt.Errorf("unterminated entity at byte offset %d", i)
			}
			ent := raw[i : i+end+1]
			switch {
			case ent == "&lt;" || ent == "&gt;" || ent == "&amp;" || ent == "&quot;":
			case strings.HasPrefix(ent, "&#"):
				if _, err := strconv.ParseInt(strings.TrimPrefix(ent[2:len(ent)-1], "x"), 16, 32); err != nil {
					return "", fmt.Errorf("bad numeric entity %q", ent)
				}
			default:
				return "", fmt.Errorf("unsupported entity %q", ent)
			}
			b.WriteString(html.UnescapeString(ent))
			i += end + 1
		default:
			b.WriteByte(raw[i])
			i++
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("unclosed tag %q", stack[len(stack)-1])
	}
	return b.String(), nil
}

// startWebhookLocked makes the fake push pending updates to the webhook, one at a time in
// order, like Telegram: an update is forgotten once the webhook answers 2xx, and retried
// otherwise.
func (s *Server) startWebhookLocked(h webhook) {
	s.stopWebhookLocked()
	s.webhook = h
	stop, done := make(chan struct{}), make(chan struct{})
	s.hookStop, s.hookDone = stop, done
	go s.pushWebhook(h, stop, done)
}

func (s *Server) stopWebhookLocked() {
	s.webhook = webhook{}
	if s.hookStop != nil {
		close(s.hookStop)
		s.hookStop = nil
		// The pusher takes s.mu; it ends on its own once it sees stop.
	}
}

// WebhookRetryDelay is how long the fake waits before re-sending an update the webhook
// refused.
var WebhookRetryDelay = 50 * time.Millisecond

func (s *Server) pushWebhook(h webhook, stop, done chan struct{}) {
	defer close(done)
	client := &http.Client{Timeout: 30 * time.Second}
	for {
		s.mu.Lock()
		var next *models.Update
		if len(s.updates) > 0 {
			u := s.updates[0]
			next = &u
		}
		ch := s.changed
		s.mu.Unlock()
		if next == nil {
			select {
			case <-ch:
				continue
			case <-stop:
				return
			}
		}
		status := s.DeliverWebhook(client, h.URL, h.Secret, *next)
		s.mu.Lock()
		s.statuses = append(s.statuses, status)
		s.notify()
		s.mu.Unlock()
		if status/100 == 2 {
			s.mu.Lock()
			if len(s.updates) > 0 && s.updates[0].ID == next.ID {
				s.updates = s.updates[1:]
				s.notify()
			}
			s.mu.Unlock()
			continue
		}
		select {
		case <-time.After(WebhookRetryDelay):
		case <-stop:
			return
		}
	}
}

// DeliverWebhook posts update to a webhook URL as Telegram does, with secret in the
// X-Telegram-Bot-Api-Secret-Token header, and returns the HTTP status (0 if the request
// failed).
func (s *Server) DeliverWebhook(client *http.Client, url, secret string, u models.Update) int {
	body, _ := json.Marshal(u)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// WebhookStatusesLocked returns the statuses of the fake's webhook deliveries that
// were status, for use inside WaitFor.
func (s *Server) WebhookStatusesLocked(status int) []int {
	var out []int
	for _, st := range s.statuses {
		if st == status {
			out = append(out, st)
		}
	}
	return out
}

// Chats returns the ids of chats that have messages, sorted.
func (s *Server) Chats() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []int64
	for id := range s.messages {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
