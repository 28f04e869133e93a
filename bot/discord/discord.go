// Package discord is the Discord adapter: it connects to the gateway with discordgo, turns
// direct messages, button presses and the /return slash command into bot.Messages, and
// sends replies as messages with buttons.
//
// Conversations are Discord channels. A customer's conversation is their DM channel with
// the bot: /return used in a server answers with an ephemeral pointer and continues in the
// DM. A guild text channel is Address{Chat: channel}; a thread is Address{Chat: parent
// channel, Thread: thread}, so staff threads opened with OpenThread and the messages posted
// in them meet on the same Address. Events of one channel are handled one at a time, in
// gateway order; different channels in parallel.
package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/dialog"
)

// Platform is the Address.Platform of Discord conversations.
const Platform = "discord"

// defaultAPI is where discordgo's endpoint variables point; requests there are redirected
// to Config.APIURL.
const defaultAPI = "https://discord.com"

// MaxCustomID is the longest button custom_id Discord accepts.
const MaxCustomID = 100

// Config configures an Adapter. Token and Handler are required.
type Config struct {
	// Token is the bot token, without the "Bot " prefix.
	Token string
	// APIURL replaces https://discord.com for REST and the gateway lookup; empty means
	// Discord itself. A trailing /api or /api/v10 is ignored.
	APIURL  string
	Handler bot.Handler
	// Router delivers the replies of handled events; nil delivers to this adapter only.
	Router bot.Router
	// GuildMessages makes the bot read messages in server text channels and threads too,
	// not only DMs and interactions. It asks for the GUILD_MESSAGES intent and the
	// privileged MESSAGE_CONTENT intent, which must be enabled for the bot in the
	// Developer Portal, or Discord closes the gateway with 4014.
	GuildMessages bool
	// Commands are registered besides /return; their uses reach the Handler as
	// "/name" texts in the channel where they were used.
	Commands []*discordgo.ApplicationCommand
	Log      *slog.Logger

	// ReconnectMin and ReconnectMax bound the backoff between gateway connection attempts
	// (default 1s and 2m). HandleTimeout bounds the handling of one event (default 30s).
	// RateLimitRetries is how many 429 answers one request waits out (default 5).
	ReconnectMin, ReconnectMax time.Duration
	HandleTimeout              time.Duration
	RateLimitRetries           int
	// GatewayIdle is how long the gateway may stay silent before the connection counts
	// as dead (default 2m). Discord acknowledges a heartbeat at least every 41.25s;
	// discordgo sets no read deadline, so without this a server that accepts the
	// connection but never says HELLO would hang the adapter forever.
	GatewayIdle time.Duration
}

// Adapter is a connection to Discord. It implements bot.Sender, bot.PhotoSource and
// bot.ThreadOpener.
type Adapter struct {
	cfg  Config
	s    *discordgo.Session
	log  *slog.Logger
	base *url.URL

	disconnected chan struct{}
	lanes        bot.Lanes
	seen         recent

	mu      sync.Mutex
	stopped bool
	jobs    sync.WaitGroup // acknowledgements in flight; lane work is in lanes
	runCtx  context.Context
	appID   string
	botID   string
	parents map[string]string // channel id -> parent channel id of a thread, "" if none
	dms     map[string]string // user id -> DM channel id

	tokenLimits *discordgo.RateLimiter
	tokenKeys   int
}

var (
	_ bot.Sender       = (*Adapter)(nil)
	_ bot.PhotoSource  = (*Adapter)(nil)
	_ bot.ThreadOpener = (*Adapter)(nil)
)

// New prepares an adapter; Run connects it.
func New(cfg Config) (*Adapter, error) {
	if cfg.Token == "" {
		return nil, errors.New("discord: no bot token")
	}
	if cfg.Handler == nil {
		return nil, errors.New("discord: no handler")
	}
	base, err := apiBase(cfg.APIURL)
	if err != nil {
		return nil, err
	}
	if cfg.ReconnectMin <= 0 {
		cfg.ReconnectMin = time.Second
	}
	if cfg.ReconnectMax < cfg.ReconnectMin {
		cfg.ReconnectMax = max(2*time.Minute, cfg.ReconnectMin)
	}
	if cfg.HandleTimeout <= 0 {
		cfg.HandleTimeout = 30 * time.Second
	}
	if cfg.RateLimitRetries <= 0 {
		cfg.RateLimitRetries = 5
	}
	if cfg.GatewayIdle <= 0 {
		cfg.GatewayIdle = 2 * time.Minute
	}
	a := &Adapter{
		cfg: cfg, base: base, log: cfg.Log,
		disconnected: make(chan struct{}, 1),
		parents:      map[string]string{}, dms: map[string]string{},
		runCtx: context.Background(),
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	a.log = a.log.With("platform", Platform)
	s, err := discordgo.New("Bot " + cfg.Token)
	if err != nil {
		return nil, fmt.Errorf("discord: new session: %w", err)
	}
	// discordgo's endpoints are fixed at package load: redirect them in the transport.
	// Keep connections to Discord open: the default keeps 2 idle per host, so a burst of
	// interactions opened (and closed) one connection per acknowledgement.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	s.Client = &http.Client{Timeout: 20 * time.Second, Transport: &rewrite{base: base, next: tr}}
	s.Dialer = &websocket.Dialer{
		Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 15 * time.Second,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{Timeout: 15 * time.Second}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &idleConn{Conn: c, idle: cfg.GatewayIdle}, nil
		},
	}
	// Events must reach us in gateway order; our handlers only queue work, so running
	// them on the read loop is cheap.
	s.SyncEvents = true
	// We reconnect ourselves, so fatal close codes stop the adapter instead of looping.
	s.ShouldReconnectOnError = false
	// We wait out 429s ourselves, with a bound and a context.
	s.ShouldRetryOnRateLimit = false
	s.StateEnabled = false
	s.Identify.Intents = cfg.intents()
	s.AddHandler(a.onReady)
	s.AddHandler(a.onDisconnect)
	s.AddHandler(a.onMessage)
	s.AddHandler(a.onInteraction)
	s.AddHandler(a.onGuildCreate)
	s.AddHandler(a.onThreadCreate)
	a.s = s
	return a, nil
}

// intents are only those the configured features need: DMs always; guild channels, their
// threads and the message text in them only with GuildMessages. Interactions need none.
func (c Config) intents() discordgo.Intent {
	in := discordgo.IntentsDirectMessages
	if c.GuildMessages {
		in |= discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsMessageContent
	}
	return in
}

func apiBase(raw string) (*url.URL, error) {
	if raw == "" {
		raw = defaultAPI
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("discord: API URL %q: want http(s)://host[:port]", raw)
	}
	p := strings.TrimRight(u.Path, "/")
	p = strings.TrimSuffix(p, "/api/v"+discordgo.APIVersion)
	p = strings.TrimSuffix(p, "/api")
	u.Path, u.RawPath, u.RawQuery, u.Fragment = p, "", "", ""
	return u, nil
}

// rewrite sends requests for discord.com to the configured base URL.
type rewrite struct {
	base *url.URL
	next http.RoundTripper
}

func (t *rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != "discord.com" || t.base.String() == defaultAPI {
		return t.next.RoundTrip(r)
	}
	r2 := r.Clone(r.Context())
	u := *r.URL
	u.Scheme, u.Host, u.Path, u.RawPath = t.base.Scheme, t.base.Host, t.base.Path+u.Path, ""
	r2.URL, r2.Host = &u, ""
	return t.next.RoundTrip(r2)
}

// idleConn is a connection whose every read must complete within idle.
type idleConn struct {
	net.Conn
	idle time.Duration
}

func (c *idleConn) Read(p []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(time.Now().Add(c.idle)); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

// GatewayError is a gateway close the adapter must not retry: reconnecting with the same
// token and intents would be refused again.
type GatewayError struct {
	Code   int
	Reason string
}

func (e *GatewayError) Error() string {
	advice := ""
	switch e.Code {
	case 4004:
		advice = ": Discord refused the bot token; check DISCORD_TOKEN"
	case 4013:
		advice = ": the requested gateway intents are invalid"
	case 4014:
		advice = ": the bot asked for a privileged intent that is not enabled; enable MESSAGE CONTENT INTENT under Bot > Privileged Gateway Intents in the Discord Developer Portal, or set DISCORD_GUILD_MESSAGES=false"
	case 4010, 4011:
		advice = ": sharding is misconfigured"
	case 4012:
		advice = ": unsupported gateway API version"
	}
	return fmt.Sprintf("discord: gateway closed with %d (%s)%s", e.Code, e.Reason, advice)
}

// fatal returns the GatewayError of err if Discord refused the connection for good.
func fatal(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4004, 4010, 4011, 4012, 4013, 4014:
			return &GatewayError{Code: ce.Code, Reason: ce.Text}
		}
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
		return fmt.Errorf("discord: the API refused the bot token (HTTP 401); check DISCORD_TOKEN: %w", err)
	}
	return nil
}

// Run connects to the gateway, registers the slash commands, and handles events until ctx
// is done; then it disconnects and finishes the events it holds. It returns an error if
// Discord refuses the bot for good (bad token, disallowed intents).
func (a *Adapter) Run(ctx context.Context) error {
	a.mu.Lock()
	a.runCtx = ctx
	a.mu.Unlock()
	defer a.shutdown()
	if err := a.connect(ctx); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return nil
	}
	if err := a.registerCommands(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while registering: not a failure
		}
		return err
	}
	a.log.Info("connected to Discord", "intents", int(a.s.Identify.Intents))
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-a.disconnected:
			if ctx.Err() != nil {
				return nil
			}
			a.log.Info("gateway disconnected, reconnecting")
			// Wait a moment first: discordgo's heartbeat goroutine of the old connection
			// may still call Close, and it closes whatever connection is current, with
			// 1000, which makes Discord drop the session and the events queued for it.
			if !sleep(ctx, a.cfg.ReconnectMin) {
				return nil
			}
			if err := a.connect(ctx); err != nil {
				return err
			}
		}
	}
}

// connect opens the gateway, retrying with backoff unless the close is fatal. discordgo
// resumes the session when it has one, so events sent meanwhile are replayed.
func (a *Adapter) connect(ctx context.Context) error {
	delay := a.cfg.ReconnectMin
	for {
		err := a.s.Open()
		if err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			return nil
		}
		if f := fatal(err); f != nil {
			return f
		}
		a.log.Warn("gateway connection failed, retrying", "err", err, "in", delay)
		if !sleep(ctx, delay) {
			return nil
		}
		delay = min(2*delay, a.cfg.ReconnectMax)
	}
}

// sleep waits d, or until ctx is done; it reports whether the full time passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (a *Adapter) shutdown() {
	a.s.Close()
	a.mu.Lock()
	a.stopped = true
	a.mu.Unlock()
	a.lanes.Wait()
	a.jobs.Wait()
}

func (a *Adapter) onDisconnect(_ *discordgo.Session, _ *discordgo.Disconnect) {
	select {
	case a.disconnected <- struct{}{}:
	default:
	}
}

func (a *Adapter) onReady(_ *discordgo.Session, r *discordgo.Ready) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if r.User != nil {
		a.botID = r.User.ID
	}
	if r.Application != nil {
		a.appID = r.Application.ID
	}
	if a.appID == "" {
		a.appID = a.botID // the application id of a bot equals its user id
	}
}

func (a *Adapter) onGuildCreate(_ *discordgo.Session, g *discordgo.GuildCreate) {
	if g.Guild == nil {
		return
	}
	for _, c := range g.Channels {
		a.setParent(c.ID, "")
	}
	for _, t := range g.Threads {
		a.setParent(t.ID, t.ParentID)
	}
}

func (a *Adapter) onThreadCreate(_ *discordgo.Session, t *discordgo.ThreadCreate) {
	if t.Channel != nil {
		a.setParent(t.ID, t.ParentID)
	}
}

// maxCache bounds the channel and DM caches; when full they start over, which only costs
// a lookup.
const maxCache = 50000

func (a *Adapter) setParent(channel, parent string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.parents) >= maxCache {
		clear(a.parents)
	}
	a.parents[channel] = parent
}

func (a *Adapter) rememberDM(user, channel string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.dms) >= maxCache {
		clear(a.dms)
	}
	a.dms[user] = channel
}

func (a *Adapter) ids() (app, self string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.appID, a.botID
}

// ---- inbound ----

// recoverEvent keeps a panic in event handling from killing the gateway read loop.
func (a *Adapter) recoverEvent(event string) {
	if r := recover(); r != nil {
		a.log.Error("panic handling gateway event", "event", event, "panic", r, "stack", string(debug.Stack()))
	}
}

func (a *Adapter) onMessage(_ *discordgo.Session, m *discordgo.MessageCreate) {
	defer a.recoverEvent("MESSAGE_CREATE")
	_, self := a.ids()
	switch {
	case m.Message == nil || m.Author == nil || m.Author.Bot || m.Author.ID == self || m.WebhookID != "":
		return // our own echoes, other bots and webhooks: answering them could loop
	case m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply:
		return // joins, pins, thread notices
	case m.GuildID != "" && !a.cfg.GuildMessages:
		return
	}
	if !a.seen.add("m" + m.ID) {
		a.log.Debug("duplicate event dropped", "id", m.ID)
		return
	}
	msg := bot.Message{ID: m.ID, User: m.Author.ID, UserName: displayName(m.Author), Text: m.Content}
	if m.Member != nil {
		msg.Roles = m.Member.Roles
	}
	for _, at := range m.Attachments {
		if isImage(at) {
			msg.Photos = append(msg.Photos, at.URL)
		} else if msg.Unsupported == "" {
			msg.Unsupported = "file"
		}
	}
	switch {
	case len(msg.Photos) > 0:
		msg.Unsupported = ""
	case len(m.StickerItems) > 0:
		msg.Unsupported = "sticker"
	case m.Poll != nil:
		msg.Unsupported = "poll"
	}
	guild := m.GuildID != ""
	if !guild {
		a.rememberDM(m.Author.ID, m.ChannelID)
	}
	channel := m.ChannelID
	a.enqueue(channel, func(ctx context.Context) {
		msg.From = a.address(ctx, channel, guild)
		a.handle(ctx, msg)
	})
}

func displayName(u *discordgo.User) string {
	if u.GlobalName != "" {
		return u.GlobalName
	}
	return u.Username
}

func isImage(at *discordgo.MessageAttachment) bool {
	if strings.HasPrefix(at.ContentType, "image/") {
		return true
	}
	switch strings.ToLower(path.Ext(at.Filename)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic":
		return true
	}
	return false
}

func language(l discordgo.Locale) string {
	lang, _, _ := strings.Cut(string(l), "-")
	return strings.ToLower(lang)
}

func (a *Adapter) onInteraction(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	defer a.recoverEvent("INTERACTION_CREATE")
	if ic.Interaction == nil {
		return
	}
	i := ic.Interaction
	user, roles := i.User, []string(nil)
	if i.Member != nil && i.Member.User != nil {
		user, roles = i.Member.User, i.Member.Roles
	}
	if user == nil {
		return
	}
	if !a.seen.add("i" + i.ID) {
		a.log.Debug("duplicate event dropped", "id", i.ID)
		return
	}
	msg := bot.Message{ID: i.ID, User: user.ID, UserName: displayName(user), Lang: language(i.Locale), Roles: roles}
	guild := i.GuildID != ""
	if !guild {
		a.rememberDM(user.ID, i.ChannelID)
	}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		name := i.ApplicationCommandData().Name
		msg.Text = "/" + name
		// Deferred and ephemeral: the token lives 3 seconds, handling may take longer.
		acked := a.acknowledge(i, discordgo.InteractionResponseDeferredChannelMessageWithSource,
			map[string]any{"flags": discordgo.MessageFlagsEphemeral})
		if name == "return" && guild {
			a.enqueue(a.dmLane(user.ID), func(ctx context.Context) { a.startInDM(ctx, i, msg, acked) })
			return
		}
		a.enqueue(i.ChannelID, func(ctx context.Context) {
			msg.From = a.address(ctx, i.ChannelID, guild)
			a.handle(ctx, msg)
			if <-acked == nil {
				a.finishDeferred(ctx, i, "")
			}
		})
	case discordgo.InteractionMessageComponent:
		msg.Button = i.MessageComponentData().CustomID
		// Update the pressed message, removing its buttons: the choice is made, and a
		// second press cannot be sent. The dialog answers with a new message.
		acked := a.acknowledge(i, discordgo.InteractionResponseUpdateMessage, map[string]any{"components": []any{}})
		a.enqueue(i.ChannelID, func(ctx context.Context) {
			// Handle once acknowledged (or refused): under a burst the acknowledgements,
			// which have a deadline, get the CPU first, and the customer sees the old
			// buttons go before the next question comes. The press counts either way.
			<-acked
			msg.From = a.address(ctx, i.ChannelID, guild)
			a.handle(ctx, msg)
		})
	default:
		a.log.Debug("interaction type ignored", "type", int(i.Type))
	}
}

// dmLane is the lane of work for a user's DM conversation: the DM channel when known, so
// a /return from a server queues behind the messages of that DM.
func (a *Adapter) dmLane(user string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if dm, ok := a.dms[user]; ok {
		return dm
	}
	return "user:" + user
}

// returnNotes are the ephemeral answers to /return in a server, in the languages the
// dialog speaks; the interaction's locale picks one.
type returnNotes struct{ moved, closed, failed string }

var notes = map[string]returnNotes{
	"en": {
		moved:  "I have sent you a direct message. Let's continue there.",
		closed: "I could not send you a direct message. Please allow direct messages from server members (Privacy Settings of this server), then use /return again.",
		failed: "Sorry, I could not reach you by direct message just now. Please use /return again in a moment.",
	},
	"de": {
		moved:  "Ich habe Ihnen eine Direktnachricht geschickt. Machen wir dort weiter.",
		closed: "Ich konnte Ihnen keine Direktnachricht senden. Bitte erlauben Sie Direktnachrichten von Servermitgliedern (Privatsphäre-Einstellungen dieses Servers) und verwenden Sie dann erneut /return.",
		failed: "Entschuldigung, ich konnte Sie gerade nicht per Direktnachricht erreichen. Bitte verwenden Sie /return gleich noch einmal.",
	},
}

func notesIn(lang string) returnNotes {
	if n, ok := notes[lang]; ok {
		return n
	}
	return notes["en"]
}

// cannotDM reports whether err is Discord refusing a DM to the user (their privacy
// settings, or no shared server).
func cannotDM(err error) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Message != nil && re.Message.Code == discordgo.ErrCodeCannotSendMessagesToThisUser
}

// startInDM runs a /return used in a server in the user's DM channel and then says so in
// the ephemeral response.
func (a *Adapter) startInDM(ctx context.Context, i *discordgo.Interaction, msg bot.Message, acked <-chan error) {
	texts := notesIn(msg.Lang)
	note := texts.moved
	dm, err := a.dmChannel(ctx, msg.User)
	if err == nil {
		msg.From = bot.Address{Platform: Platform, Chat: dm}
		err = a.handle(ctx, msg)
	}
	if err != nil {
		a.log.Warn("cannot continue /return in DM", "user", msg.User, "err", err)
		note = texts.failed
		if cannotDM(err) {
			note = texts.closed
		}
	}
	if <-acked == nil {
		a.finishDeferred(ctx, i, note)
	}
}

// finishDeferred completes a deferred response: with text, or by deleting it when the
// answer went to the channel as ordinary messages.
func (a *Adapter) finishDeferred(ctx context.Context, i *discordgo.Interaction, text string) {
	app, _ := a.ids()
	if app == "" {
		app = i.AppID
	}
	endpoint := discordgo.EndpointWebhookMessage(app, i.Token, "@original")
	var err error
	if text == "" {
		_, err = a.request(ctx, "delete interaction response", http.MethodDelete, endpoint, nil)
	} else {
		body := map[string]any{"content": Escape(text), "allowed_mentions": noMentions()}
		_, err = a.request(ctx, "edit interaction response", http.MethodPatch, endpoint, body)
	}
	if err != nil {
		a.log.Warn("cannot complete interaction response", "interaction", i.ID, "err", err)
	}
}

// acknowledge answers an interaction now, in the background, and returns a channel that
// yields the outcome once.
func (a *Adapter) acknowledge(i *discordgo.Interaction, kind discordgo.InteractionResponseType, data any) <-chan error {
	done := make(chan error, 1)
	a.mu.Lock()
	if a.stopped {
		a.mu.Unlock()
		done <- errors.New("discord: shutting down")
		return done
	}
	a.jobs.Add(1)
	a.mu.Unlock()
	go func() {
		defer a.jobs.Done()
		// An interaction token is only good for 3 seconds: no point trying longer.
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if m, ok := data.(map[string]any); ok {
			m["allowed_mentions"] = noMentions()
		}
		body := map[string]any{"type": kind, "data": data}
		_, err := a.request(ctx, "acknowledge interaction", http.MethodPost, discordgo.EndpointInteractionResponse(i.ID, i.Token), body)
		if err != nil {
			a.log.Warn("interaction not acknowledged", "interaction", i.ID, "err", err)
		}
		done <- err
	}()
	return done
}

// address maps a channel to the conversation's Address: a DM or text channel is its own
// chat, a thread is Thread within its parent channel.
func (a *Adapter) address(ctx context.Context, channel string, guild bool) bot.Address {
	addr := bot.Address{Platform: Platform, Chat: channel}
	if !guild {
		return addr
	}
	a.mu.Lock()
	parent, known := a.parents[channel]
	a.mu.Unlock()
	if !known {
		var ch *discordgo.Channel
		err := a.call(ctx, "look up channel "+channel, func(opts ...discordgo.RequestOption) (err error) {
			ch, err = a.s.Channel(channel, opts...)
			return err
		})
		if err != nil {
			// Answering in the channel itself loses nothing; a thread's reply still
			// lands in the thread.
			a.log.Warn("cannot tell whether channel is a thread", "channel", channel, "err", err)
			return addr
		}
		if ch.IsThread() {
			parent = ch.ParentID
		}
		a.setParent(channel, parent)
	}
	if parent != "" {
		addr.Chat, addr.Thread = parent, channel
	}
	return addr
}

func (a *Adapter) dmChannel(ctx context.Context, user string) (string, error) {
	a.mu.Lock()
	dm, ok := a.dms[user]
	a.mu.Unlock()
	if ok {
		return dm, nil
	}
	var ch *discordgo.Channel
	err := a.call(ctx, "open DM with "+user, func(opts ...discordgo.RequestOption) (err error) {
		ch, err = a.s.UserChannelCreate(user, opts...)
		return err
	})
	if err != nil {
		return "", err
	}
	a.rememberDM(user, ch.ID)
	return ch.ID, nil
}

// enqueue runs fn on the lane of key, after the work queued there before.
func (a *Adapter) enqueue(key string, fn func(ctx context.Context)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopped {
		a.log.Warn("event arrived after shutdown, dropped", "channel", key)
		return
	}
	parent := a.runCtx
	a.lanes.Go(key, func() {
		// Work already taken is finished on shutdown: detach from Run's cancellation.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), a.cfg.HandleTimeout)
		defer cancel()
		fn(ctx)
	})
}

// handle runs msg through the Handler and delivers the replies. A panic is recovered and
// the person asked to try again; the session was not saved, so nothing is lost.
func (a *Adapter) handle(ctx context.Context, msg bot.Message) (err error) {
	defer func() {
		if r := recover(); r != nil {
			a.log.Error("panic handling message", "conversation", msg.From.Key(), "id", msg.ID, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("discord: handling %s panicked: %v", msg.ID, r)
			if serr := a.Send(ctx, bot.Outbound{To: msg.From, Reply: dialog.Reply{Text: bot.TryAgainText}}); serr != nil {
				a.log.Error("cannot send apology", "conversation", msg.From.Key(), "err", serr)
			}
		}
	}()
	out, herr := a.cfg.Handler.Handle(ctx, msg)
	if herr != nil {
		a.log.Error("handle message", "conversation", msg.From.Key(), "id", msg.ID, "err", herr)
	}
	router := a.cfg.Router
	if router == nil {
		router = bot.Router{Platform: a}
	}
	if err := router.Deliver(ctx, out); err != nil {
		a.log.Error("deliver replies", "conversation", msg.From.Key(), "id", msg.ID, "err", err)
		return err
	}
	return nil
}

// ---- outbound ----

func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// Send implements bot.Sender. The text is escaped for markdown and mentions and split into
// messages of at most MaxContent; the buttons and photos go with the last one. Nothing the
// bot sends may mention anyone.
func (a *Adapter) Send(ctx context.Context, o bot.Outbound) error {
	if o.To.Platform != Platform || o.To.Chat == "" {
		return fmt.Errorf("discord: send to %s: not a Discord address", o.To)
	}
	channel := o.To.Chat
	if o.To.Thread != "" {
		channel = o.To.Thread
	}
	rows, err := buttonRows(o.Buttons)
	if err != nil {
		return fmt.Errorf("discord: send to %s: %w", o.To, err)
	}
	msgs := compose(o.Text, rows, o.Photos)
	for n, m := range msgs {
		err := a.call(ctx, "send message", func(opts ...discordgo.RequestOption) error {
			_, err := a.s.ChannelMessageSendComplex(channel, m, opts...)
			return err
		})
		if err != nil {
			return fmt.Errorf("discord: send to %s (message %d of %d): %w", o.To, n+1, len(msgs), err)
		}
	}
	return nil
}

// maxFiles is how many attachments one Discord message may carry.
const maxFiles = 10

// compose lays out a reply as Discord messages: extra photos first, then the text in
// pieces, the last piece carrying the buttons and up to maxFiles photos.
func compose(text string, rows []discordgo.MessageComponent, photos []bot.Photo) []*discordgo.MessageSend {
	var groups [][]*discordgo.File
	for i := 0; i < len(photos); i += maxFiles {
		var g []*discordgo.File
		for _, p := range photos[i:min(i+maxFiles, len(photos))] {
			g = append(g, &discordgo.File{Name: p.Name, ContentType: http.DetectContentType(p.Data), Reader: bytes.NewReader(p.Data)})
		}
		groups = append(groups, g)
	}
	var out []*discordgo.MessageSend
	for len(groups) > 1 {
		out = append(out, &discordgo.MessageSend{Files: groups[0], AllowedMentions: noMentions()})
		groups = groups[1:]
	}
	for _, piece := range splitEscaped(text, MaxContent) {
		out = append(out, &discordgo.MessageSend{Content: piece, AllowedMentions: noMentions()})
	}
	if len(groups) == 0 && len(rows) == 0 {
		return out
	}
	if len(out) == 0 || out[len(out)-1].Files != nil {
		out = append(out, &discordgo.MessageSend{AllowedMentions: noMentions()})
	}
	last := out[len(out)-1]
	last.Components = rows
	if len(groups) > 0 {
		last.Files = groups[0]
	}
	return out
}

// buttonRows lays buttons out five to a row, as Discord requires, up to five rows.
func buttonRows(buttons []dialog.Button) ([]discordgo.MessageComponent, error) {
	if len(buttons) > 25 {
		return nil, fmt.Errorf("%d buttons: a Discord message holds at most 25", len(buttons))
	}
	var rows []discordgo.MessageComponent
	for i := 0; i < len(buttons); i += 5 {
		var row discordgo.ActionsRow
		for _, b := range buttons[i:min(i+5, len(buttons))] {
			if b.ID == "" || utf8.RuneCountInString(b.ID) > MaxCustomID {
				return nil, fmt.Errorf("button %q: its id is %d characters, Discord custom_id allows 1 to %d", b.ID, utf8.RuneCountInString(b.ID), MaxCustomID)
			}
			style := discordgo.PrimaryButton
			if strings.HasPrefix(b.ID, "action:") {
				style = discordgo.SecondaryButton
			}
			row.Components = append(row.Components, discordgo.Button{Label: label(b), Style: style, CustomID: b.ID})
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// label fits a button label into Discord's 80 characters. Labels are not markdown.
func label(b dialog.Button) string {
	l := strings.TrimSpace(b.Label)
	if l == "" {
		l = b.ID
	}
	if r := []rune(l); len(r) > 80 {
		l = string(r[:79]) + "…"
	}
	return l
}

// ---- photos and threads ----

// maxPhoto bounds a downloaded attachment (Discord's upload limit for bots).
const maxPhoto = 25 << 20

// Photo implements bot.PhotoSource: it downloads an attachment by the URL put in
// Message.Photos. Only Discord's CDN hosts (and the configured API host) are fetched, also
// after redirects, so a reference cannot make the bot request arbitrary URLs; the token is
// never sent with it.
func (a *Adapter) Photo(ctx context.Context, ref string) (bot.Photo, error) {
	u, err := url.Parse(ref)
	if err != nil || !a.photoHost(u) {
		return bot.Photo{}, fmt.Errorf("discord: photo %q: not a Discord attachment URL", ref)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return bot.Photo{}, fmt.Errorf("discord: photo %q: %w", ref, err)
	}
	resp, err := a.photoClient().Do(req)
	if err != nil {
		return bot.Photo{}, fmt.Errorf("discord: photo %q: %w", ref, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return bot.Photo{}, fmt.Errorf("discord: photo %q: HTTP %s", ref, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPhoto+1))
	if err != nil {
		return bot.Photo{}, fmt.Errorf("discord: photo %q: %w", ref, err)
	}
	if len(data) > maxPhoto {
		return bot.Photo{}, fmt.Errorf("discord: photo %q: larger than %d bytes", ref, maxPhoto)
	}
	return bot.Photo{Name: path.Base(u.Path), Data: data}, nil
}

// photoClient is the session's HTTP client that follows redirects only to photo hosts.
func (a *Adapter) photoClient() *http.Client {
	c := *a.s.Client
	c.Timeout = time.Minute
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 || !a.photoHost(req.URL) {
			return fmt.Errorf("redirect to %s refused", req.URL.Host)
		}
		return nil
	}
	return &c
}

// photoHost reports whether u is on Discord's CDN or on the configured API host.
func (a *Adapter) photoHost(u *url.URL) bool {
	if u.Scheme == a.base.Scheme && u.Host == a.base.Host {
		return true
	}
	return u.Scheme == "https" && (u.Host == "cdn.discordapp.com" || u.Host == "media.discordapp.net")
}

// OpenThread implements bot.ThreadOpener: it starts a public thread in the text channel
// chat.Chat and returns Address{Chat: chat.Chat, Thread: thread id}; messages posted in the
// thread arrive with that same Address.
func (a *Adapter) OpenThread(ctx context.Context, chat bot.Address, title string) (bot.Address, error) {
	if chat.Platform != Platform || chat.Chat == "" || chat.Thread != "" {
		return bot.Address{}, fmt.Errorf("discord: open thread in %s: want a Discord text channel", chat)
	}
	name := strings.Join(strings.Fields(title), " ")
	if r := []rune(name); len(r) > 100 {
		name = string(r[:99]) + "…"
	}
	if name == "" {
		return bot.Address{}, fmt.Errorf("discord: open thread in %s: empty title", chat)
	}
	var th *discordgo.Channel
	err := a.call(ctx, "open thread", func(opts ...discordgo.RequestOption) (err error) {
		th, err = a.s.ThreadStartComplex(chat.Chat, &discordgo.ThreadStart{
			Name: name, Type: discordgo.ChannelTypeGuildPublicThread, AutoArchiveDuration: 10080,
		}, opts...)
		return err
	})
	if err != nil {
		return bot.Address{}, fmt.Errorf("discord: open thread in %s: %w", chat, err)
	}
	a.setParent(th.ID, chat.Chat)
	return bot.Address{Platform: Platform, Chat: chat.Chat, Thread: th.ID}, nil
}

// ---- commands ----

// ReturnCommand is the slash command customers start with, in a server or a DM.
func ReturnCommand() *discordgo.ApplicationCommand {
	return &discordgo.ApplicationCommand{
		Name:        "return",
		Type:        discordgo.ChatApplicationCommand,
		Description: "Start a return or warranty claim",
		Contexts:    &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM},
		Options:     []*discordgo.ApplicationCommandOption{},
	}
}

// registerCommands replaces the bot's global commands with /return and Config.Commands.
func (a *Adapter) registerCommands(ctx context.Context) error {
	app, _ := a.ids()
	if app == "" {
		return errors.New("discord: register commands: READY named no application")
	}
	cmds := append([]*discordgo.ApplicationCommand{ReturnCommand()}, a.cfg.Commands...)
	err := a.call(ctx, "register commands", func(opts ...discordgo.RequestOption) error {
		_, err := a.s.ApplicationCommandBulkOverwrite(app, "", cmds, opts...)
		return err
	})
	if f := fatal(err); f != nil {
		return f
	}
	if err != nil {
		return fmt.Errorf("discord: register /return: %w", err)
	}
	return nil
}

// ---- REST with rate limits ----

// call runs a discordgo request, waiting out 429 answers for as long as Discord says, at
// most RateLimitRetries times, and giving up when ctx is done.
func (a *Adapter) call(ctx context.Context, op string, f func(opts ...discordgo.RequestOption) error) error {
	for attempt := 0; ; attempt++ {
		err := f(discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
		var rl *discordgo.RateLimitError
		if !errors.As(err, &rl) || rl.TooManyRequests == nil {
			if err != nil {
				return fmt.Errorf("%s: %w", op, err)
			}
			return nil
		}
		if attempt >= a.cfg.RateLimitRetries {
			return fmt.Errorf("%s: still rate limited after %d retries: %w", op, attempt, err)
		}
		wait := rl.RetryAfter
		a.log.Info("rate limited, waiting", "op", op, "retry_after", wait)
		if !sleep(ctx, wait) {
			return fmt.Errorf("%s: rate limited: %w", op, ctx.Err())
		}
	}
}

// request sends an interaction API request (callback, edit or delete of the response)
// through discordgo, shaped the way we need (an update that keeps the content but removes
// the buttons).
func (a *Adapter) request(ctx context.Context, op, method, endpoint string, body any) ([]byte, error) {
	var resp []byte
	err := a.call(ctx, op, func(opts ...discordgo.RequestOption) error {
		var data []byte
		if body != nil {
			var err error
			if data, err = json.Marshal(body); err != nil {
				return err
			}
		}
		var err error
		resp, err = a.s.RequestWithLockedBucket(method, endpoint, "application/json", data, a.tokenBucket(method+" "+endpoint), 0, opts...)
		return err
	})
	return resp, err
}

// tokenBucket returns the rate-limit bucket of one interaction-token endpoint, locked.
// Each interaction has its own limits, so sharing buckets would queue acknowledgements
// behind each other and miss the 3 seconds under load; but discordgo's rate limiter keeps
// every bucket forever. These buckets live in a limiter of our own, replaced when it
// has seen many tokens (tokens last 15 minutes; a replaced bucket only loses its
// remaining count).
func (a *Adapter) tokenBucket(key string) *discordgo.Bucket {
	a.mu.Lock()
	if a.tokenLimits == nil || a.tokenKeys >= 10000 {
		a.tokenLimits, a.tokenKeys = discordgo.NewRatelimiter(), 0
	}
	a.tokenKeys++
	rl := a.tokenLimits
	a.mu.Unlock()
	return rl.LockBucket(key)
}

// recent remembers the last event ids seen, to drop events Discord delivers twice.
type recent struct {
	mu   sync.Mutex
	ids  map[string]struct{}
	ring [4096]string
	next int
}

// add records id and reports whether it is new.
func (r *recent) add(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ids == nil {
		r.ids = map[string]struct{}{}
	}
	if _, ok := r.ids[id]; ok {
		return false
	}
	if old := r.ring[r.next]; old != "" {
		delete(r.ids, old)
	}
	r.ring[r.next] = id
	r.next = (r.next + 1) % len(r.ring)
	r.ids[id] = struct{}{}
	return true
}
