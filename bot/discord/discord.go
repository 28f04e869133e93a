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
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/internal/bounded"
	"github.com/returnsbot/returnsbot/internal/pause"
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
	// GuildChannels are the server channels whose messages the bot reads with
	// GuildMessages, with their threads: the staff desk's. Every other server message is
	// ignored, and an interaction elsewhere in a server continues in the member's DMs, so
	// nothing a customer says is posted where other members read it.
	GuildChannels []string
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
	// DrainTimeout bounds how long Run waits on shutdown for the events it holds (default
	// 10s); what is not done by then is cancelled. Discord does not deliver gateway
	// events again, so those are lost (logged).
	DrainTimeout time.Duration
	// Dispatch configures the runtime events run in: the inbound limit per customer and
	// the queue bound per channel (bot.DispatchConfig). Its Handler, Deliver, Platform,
	// HandleTimeout and DrainTimeout are set by the adapter.
	Dispatch bot.DispatchConfig
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
	d            *bot.Dispatcher
	seen         recent

	mu      sync.Mutex
	stopped bool
	jobs    sync.WaitGroup // acknowledgements in flight; lane work is in d
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
	names := map[string]bool{ReturnCommand().Name: true}
	for _, c := range cfg.Commands {
		if c == nil || c.Name == "" || names[c.Name] {
			return nil, fmt.Errorf("discord: command %v: empty or registered twice (/return is the adapter's)", c)
		}
		names[c.Name] = true
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
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	a.log = a.log.With("platform", Platform)
	dc := cfg.Dispatch
	dc.Handler, dc.Platform = cfg.Handler, Platform
	dc.HandleTimeout, dc.DrainTimeout = cfg.HandleTimeout, cfg.DrainTimeout
	dc.Deliver = cfg.Router
	if cfg.Router == nil {
		dc.Deliver = bot.Router{Platform: a}
	}
	if dc.Log == nil {
		dc.Log = a.log
	}
	a.d = bot.NewDispatcher(dc)
	s, err := discordgo.New("Bot " + cfg.Token)
	if err != nil {
		return nil, fmt.Errorf("discord: new session: %w", err)
	}
	// discordgo's endpoints are fixed at package load: redirect them in the transport.
	// Keep connections to Discord open: the default keeps 2 idle per host, so a burst of
	// interactions opened (and closed) one connection per acknowledgement.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	// discordgo reads every response whole: bound them (photos, the largest, are 25 MiB).
	s.Client = &http.Client{Timeout: 20 * time.Second, Transport: &rewrite{base: base, next: &bounded.Transport{Next: tr, Max: maxPhoto + 1<<20}}}
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
// Discord refuses the bot for good (bad token, disallowed intents). Call it once.
func (a *Adapter) Run(ctx context.Context) error {
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
			if pause.For(ctx, a.cfg.ReconnectMin) != nil {
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
		if pause.For(ctx, delay) != nil {
			return nil
		}
		delay = min(2*delay, a.cfg.ReconnectMax)
	}
}

func (a *Adapter) shutdown() {
	a.s.Close()
	a.mu.Lock()
	a.stopped = true
	a.mu.Unlock()
	if cut := a.d.Close(); cut > 0 {
		a.log.Warn("events not finished at the drain deadline were cancelled; Discord does not deliver them again", "conversations", cut)
	}
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
