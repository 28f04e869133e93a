// Package telegram is the adapter for Telegram bots, built on github.com/go-telegram/bot.
//
// It turns updates into bot.Messages for a bot.Handler, one conversation at a time in
// order (bot.Dispatcher), and sends replies in HTML with inline keyboards, within Telegram's
// rate limits. No update is lost or handled twice across crashes: polled updates are
// confirmed to Telegram only once handled (see poll.go), webhook updates are answered only
// once handled, and the core drops a re-delivered update by its update_id.
package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/i18n"
	"github.com/returnsbot/returnsbot/internal/bounded"
	"github.com/returnsbot/returnsbot/internal/pause"
)

// DefaultAPIURL is the official Bot API server.
const DefaultAPIURL = "https://api.telegram.org"

// Config configures an Adapter. Zero durations and counts take the defaults noted.
type Config struct {
	// Token is the bot's token. It is a password: it never appears in logs or errors.
	Token string
	// APIURL is the Bot API server; default DefaultAPIURL.
	APIURL string
	// WebhookURL, when set, selects webhook mode: Run registers it with setWebhook and
	// updates arrive through WebhookHandler. WebhookSecret is then required.
	WebhookURL    string
	WebhookSecret string

	// PollTimeout is the long-poll timeout of getUpdates; default 50s.
	PollTimeout time.Duration
	// PollIdle is how long to wait before asking again when getUpdates only returned
	// updates still being handled, and the least pause after an empty answer (a server
	// that does not hold long polls must not make the loop spin); default 250ms.
	PollIdle time.Duration

	// ChatInterval and ChatBurst pace the messages to one chat: ChatBurst at once, then
	// one per ChatInterval; default 1s and 3. GroupInterval paces group chats (no burst);
	// default 3s. GlobalRate is messages per second over all chats; default 30.
	// A negative value switches that limit off.
	ChatInterval  time.Duration
	ChatBurst     int
	GroupInterval time.Duration
	GlobalRate    int

	// SendAttempts bounds the tries of a request failing for a passing reason (network,
	// server error); default 5. SendFor bounds the time one request may take in all,
	// waits for 429's retry_after included; default 1 minute. A request given up on is
	// logged, and the lane goes on. RetryMin and RetryMax bound the backoff between tries
	// and between retries of an update the store could not take; default 100ms and 5s.
	SendAttempts int
	SendFor      time.Duration
	RetryMin     time.Duration
	RetryMax     time.Duration

	// DrainTimeout is how long Run waits on shutdown for updates being handled; default
	// 10s. Updates not finished by then stay unconfirmed and are handled after a restart.
	DrainTimeout time.Duration

	// Dispatch configures the runtime the updates run in: the inbound limit per customer,
	// the queue bound per chat, retries of store failures (bot.DispatchConfig). Its
	// Handler, Deliver and Platform are set by the adapter; DrainTimeout, RetryMin and
	// RetryMax above take precedence.
	Dispatch bot.DispatchConfig

	// GroupChats, if not nil, are the only group chats whose messages the bot handles (the
	// staff desk's): in any other group a conversation would be shared by all its members,
	// so messages there are ignored and a command gets a pointer to a private chat. Nil
	// handles every group as a conversation of its own.
	GroupChats []string
	// HTTPClient makes the requests; default a client with a 30s timeout (long polls get
	// their own deadline).
	HTTPClient *http.Client
	Log        *slog.Logger
}

func (c *Config) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	c.APIURL = strings.TrimRight(c.APIURL, "/")
	def(&c.PollTimeout, 50*time.Second)
	def(&c.PollIdle, 250*time.Millisecond)
	def(&c.ChatInterval, time.Second)
	def(&c.GroupInterval, 3*time.Second)
	def(&c.RetryMin, 100*time.Millisecond)
	def(&c.RetryMax, 5*time.Second)
	def(&c.DrainTimeout, 10*time.Second)
	def(&c.SendFor, time.Minute)
	if c.SendAttempts <= 0 {
		c.SendAttempts = 5
	}
	if c.ChatBurst == 0 {
		c.ChatBurst = 3
	}
	if c.GlobalRate == 0 {
		c.GlobalRate = 30
	}
	if c.HTTPClient == nil {
		// go-telegram/bot reads every response whole: bound them (photos, the largest,
		// are 20 MiB).
		c.HTTPClient = &http.Client{Timeout: 30 * time.Second, Transport: &bounded.Transport{Max: maxPhotoBytes + 1<<20}}
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
}

// Deliverer sends replies wherever they go; bot.Router is one.
type Deliverer = bot.Deliverer

// Adapter connects a Telegram bot to a Handler. It is the bot.Sender of platform
// "telegram", and a bot.PhotoSource and bot.ThreadOpener.
type Adapter struct {
	cfg   Config
	api   *tgbot.Bot
	h     bot.Handler
	out   Deliverer
	limit *limiter
	log   *slog.Logger
	// name is the bot's username, from getMe.
	name string

	// d runs the updates: lanes per chat, the inbound limit, retries, drain, panics.
	d     *bot.Dispatcher
	track tracker
	// refused counts webhook requests with a wrong secret, for a rate-limited log line.
	refused refusals
}

// New connects to the Bot API (getMe checks the token) and returns an Adapter that hands
// updates to h and delivers the replies through out; nil out sends them all to Telegram.
func New(ctx context.Context, cfg Config, h bot.Handler, out Deliverer) (*Adapter, error) {
	cfg.setDefaults()
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("telegram: no token")
	}
	if cfg.WebhookURL != "" {
		if err := checkSecret(cfg.WebhookSecret); err != nil {
			return nil, err
		}
	}
	a := &Adapter{cfg: cfg, h: h, out: out, limit: newLimiter(cfg), log: cfg.Log.With("platform", Platform)}
	if a.out == nil {
		a.out = bot.Router{Platform: a}
	}
	api, err := tgbot.New(cfg.Token,
		tgbot.WithServerURL(cfg.APIURL),
		tgbot.WithHTTPClient(cfg.PollTimeout, cfg.HTTPClient),
		tgbot.WithSkipGetMe(),
		tgbot.WithErrorsHandler(func(err error) { a.log.Error("telegram client", "err", a.scrub(err)) }),
		tgbot.WithDefaultHandler(func(context.Context, *tgbot.Bot, *models.Update) {}),
	)
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", a.scrub(err))
	}
	a.api = api
	me, err := api.GetMe(ctx)
	if err != nil {
		return nil, fmt.Errorf("telegram: getMe: %w", a.scrub(err))
	}
	a.name = me.Username
	dc := cfg.Dispatch
	dc.Handler, dc.Deliver, dc.Platform = h, a.out, Platform
	dc.DrainTimeout, dc.RetryMin, dc.RetryMax = cfg.DrainTimeout, cfg.RetryMin, cfg.RetryMax
	if dc.Log == nil {
		dc.Log = a.log
	}
	a.d = bot.NewDispatcher(dc)
	return a, nil
}

// checkSecret enforces Telegram's rule for secret_token: 1-256 of A-Z, a-z, 0-9, _ and -.
func checkSecret(s string) error {
	if s == "" {
		return errors.New("telegram: webhook mode needs a secret (TELEGRAM_WEBHOOK_SECRET)")
	}
	if len(s) > 256 {
		return errors.New("telegram: webhook secret longer than 256 characters")
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return errors.New("telegram: webhook secret may only hold A-Z, a-z, 0-9, _ and -")
		}
	}
	return nil
}

// BotName returns the bot's username.
func (a *Adapter) BotName() string { return a.name }

// menuCommands are the commands of the bot's menu, each described by the catalog text
// "menu.<command>"; the dialog understands the commands in every language.
var menuCommands = []string{"start", "restart", "back", "staff", "status", "forget", "language", "help"}

// commands returns the command menu described in lang.
func commands(lang string) []models.BotCommand {
	c := i18n.Current()
	out := make([]models.BotCommand, 0, len(menuCommands))
	for _, cmd := range menuCommands {
		out = append(out, models.BotCommand{Command: cmd, Description: c.Text(lang, "menu."+cmd, nil)})
	}
	return out
}

// setCommands publishes the command menu in every language the bot speaks, and in the
// shop's default language for users of any other.
func (a *Adapter) setCommands(ctx context.Context) {
	c := i18n.Current()
	for _, lang := range append([]string{""}, c.Languages()...) {
		menuLang := lang
		if lang == "" {
			menuLang = c.Default()
		}
		if _, err := a.api.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: commands(menuLang), LanguageCode: lang}); err != nil {
			// The menu is a convenience: typed commands work without it.
			a.log.Warn("telegram: setMyCommands failed", "lang", lang, "err", a.scrub(err))
		}
	}
}

// Run takes updates, by long polling or from the webhook, until ctx is done; then it
// stops taking them and finishes the ones it holds (up to the drain timeout).
func (a *Adapter) Run(ctx context.Context) error {
	a.setCommands(ctx)
	var err error
	if a.cfg.WebhookURL != "" {
		err = a.runWebhook(ctx)
	} else {
		err = a.poll(ctx)
	}
	a.drain()
	if a.cfg.WebhookURL == "" {
		a.confirm()
	}
	return err
}

// drain stops taking updates and waits, up to the drain timeout, for those held.
func (a *Adapter) drain() { a.d.Close() }

// job makes the dispatcher's job of an update: it answers a pressed button first, and an
// update the bot does not handle (in.skip) is only confirmed.
func (a *Adapter) job(in inbound, release func(), done func(bot.Outcome)) *bot.Job {
	j := &bot.Job{Msg: in.msg, Release: release, Done: done}
	if in.query != "" {
		j.Before = func(ctx context.Context) { a.answer(ctx, in) }
	}
	if in.skip {
		j.Lane, j.NoLimit = "telegram:skipped", true
		j.Run = func(context.Context) error { return nil }
	} else if a.ignoredGroup(in.msg.From.Chat) {
		a.privateOnly(j, in)
	}
	return j
}

// answer stops the spinner of a pressed button and removes the keyboard pressed, so the
// question cannot be answered twice; the dialog's reply asks again if need be.
func (a *Adapter) answer(ctx context.Context, in inbound) {
	chat, _ := strconv.ParseInt(in.msg.From.Chat, 10, 64)
	err := a.retry(ctx, chat, false, func(ctx context.Context) error {
		_, err := a.api.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: in.query})
		return err
	})
	if err != nil {
		// A re-delivered update's query is already answered, or too old: nothing to do.
		a.log.Debug("telegram: answerCallbackQuery", "update", in.msg.ID, "err", a.scrub(err))
	}
	if in.pressed == 0 || in.skip {
		return
	}
	err = a.call(ctx, chat, func(ctx context.Context) error {
		_, err := a.api.EditMessageReplyMarkup(ctx, &tgbot.EditMessageReplyMarkupParams{
			ChatID: chat, MessageID: in.pressed,
			ReplyMarkup: models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{}},
		})
		return err
	})
	if err != nil {
		// "message is not modified": the keyboard is gone already (a re-delivery).
		a.log.Debug("telegram: remove keyboard", "update", in.msg.ID, "err", err)
	}
}

func (a *Adapter) backoff(attempt int) time.Duration {
	d := a.cfg.RetryMin << min(attempt-1, 20)
	if d > a.cfg.RetryMax || d <= 0 {
		d = a.cfg.RetryMax
	}
	return d/2 + rand.N(d/2+1) // jitter, so instances do not retry in step
}

// Send implements bot.Sender: it sends the reply's text in HTML with its buttons as an
// inline keyboard, then its photos, to o.To (a forum topic if o.To.Thread is set).
func (a *Adapter) Send(ctx context.Context, o bot.Outbound) error {
	chat, thread, err := parseAddress(o.To)
	if err != nil {
		return err
	}
	kb, err := keyboard(o.Buttons)
	if err != nil {
		return fmt.Errorf("telegram: send to %s: %w", o.To, err)
	}
	if strings.TrimSpace(o.Text) != "" {
		texts := render(o.Reply)
		for i, text := range texts {
			p := &tgbot.SendMessageParams{
				ChatID: chat, MessageThreadID: thread, Text: text, ParseMode: models.ParseModeHTML,
				LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()},
			}
			if i == len(texts)-1 && kb != nil {
				p.ReplyMarkup = kb
			}
			if err := a.call(ctx, chat, func(ctx context.Context) error {
				_, err := a.api.SendMessage(ctx, p)
				return err
			}); err != nil {
				return fmt.Errorf("telegram: send message to %s: %w", o.To, err)
			}
		}
	} else if kb != nil {
		return fmt.Errorf("telegram: send to %s: buttons without text", o.To)
	}
	for _, ph := range o.Photos {
		name := ph.Name
		if name == "" {
			name = "photo.jpg"
		}
		if err := a.call(ctx, chat, func(ctx context.Context) error {
			// A fresh reader per try: a retried upload must send the bytes again.
			_, err := a.api.SendPhoto(ctx, &tgbot.SendPhotoParams{
				ChatID: chat, MessageThreadID: thread,
				Photo: &models.InputFileUpload{Filename: name, Data: bytes.NewReader(ph.Data)},
			})
			return err
		}); err != nil {
			return fmt.Errorf("telegram: send photo to %s: %w", o.To, err)
		}
	}
	return nil
}

func parseAddress(to bot.Address) (chat int64, thread int, err error) {
	if to.Platform != Platform {
		return 0, 0, fmt.Errorf("telegram: send to %s: not a Telegram chat", to)
	}
	chat, err = strconv.ParseInt(to.Chat, 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("telegram: send to %s: chat id is not a number", to)
	}
	if to.Thread != "" {
		if thread, err = strconv.Atoi(to.Thread); err != nil {
			return 0, 0, fmt.Errorf("telegram: send to %s: thread id is not a number", to)
		}
	}
	return chat, thread, nil
}

// call makes one request to chat within the rate limits. It waits out a 429 for as long
// as Telegram says and tries again; other passing failures are tried up to SendAttempts
// times; all within SendFor. Errors returned are scrubbed of the token.
func (a *Adapter) call(ctx context.Context, chat int64, fn func(context.Context) error) error {
	return a.retry(ctx, chat, true, fn)
}

// retry is call, with the chat's pace kept only if paced: answering a button press is
// not a message and must not wait behind them.
func (a *Adapter) retry(ctx context.Context, chat int64, paced bool, fn func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.SendFor)
	defer cancel()
	for attempt := 1; ; attempt++ {
		if paced {
			if err := a.limit.wait(ctx, chat); err != nil {
				return a.gaveUp(chat, attempt, err)
			}
		}
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if sentAnyway(err) {
			// Telegram said ok: the message is sent. Sending it again would repeat it.
			a.log.Warn("telegram: request succeeded with an undecodable answer; taken as sent", "chat", chat, "err", a.scrub(err))
			return nil
		}
		var flood *tgbot.TooManyRequestsError
		if errors.As(err, &flood) {
			wait := time.Duration(max(flood.RetryAfter, 1)) * time.Second
			a.log.Info("telegram: rate limited, waiting", "chat", chat, "retry_after", wait)
			if paced {
				a.limit.block(chat, time.Now().Add(wait))
			} else if pause.For(ctx, wait) != nil {
				return a.gaveUp(chat, attempt, err)
			}
			attempt--
			continue
		}
		if permanent(err) {
			return a.scrub(err)
		}
		if attempt >= a.cfg.SendAttempts || ctx.Err() != nil {
			return a.gaveUp(chat, attempt, err)
		}
		a.log.Warn("telegram: request failed, retrying", "chat", chat, "attempt", attempt, "err", a.scrub(err))
		if pause.For(ctx, a.backoff(attempt)) != nil {
			return a.gaveUp(chat, attempt, err)
		}
	}
}

// gaveUp logs and returns the error of a request given up on. A request cut short by
// shutdown is not logged here: the dispatcher says what became of its update.
func (a *Adapter) gaveUp(chat int64, attempts int, err error) error {
	err = a.scrub(err)
	if !errors.Is(err, context.Canceled) {
		a.log.Error("telegram: request given up", "chat", chat, "attempts", attempts, "within", a.cfg.SendFor, "err", err)
	}
	return err
}

// sentAnyway reports whether err is the client failing to decode the result of a
// request Telegram answered with ok:true: go-telegram/bot reports it with this text only.
func sentAnyway(err error) bool {
	return strings.Contains(err.Error(), "error decode response result for method")
}

// permanent reports whether a failed request would fail again the same way.
func permanent(err error) bool {
	var migrate *tgbot.MigrateError
	return errors.Is(err, tgbot.ErrorBadRequest) || errors.Is(err, tgbot.ErrorForbidden) ||
		errors.Is(err, tgbot.ErrorUnauthorized) || errors.Is(err, tgbot.ErrorNotFound) ||
		errors.As(err, &migrate)
}

// maxPhotoBytes is the largest file the Bot API lets a bot download.
const maxPhotoBytes = 20 << 20

// Photo implements bot.PhotoSource: ref is a file_id the adapter put in Message.Photos.
func (a *Adapter) Photo(ctx context.Context, ref string) (bot.Photo, error) {
	f, err := a.api.GetFile(ctx, &tgbot.GetFileParams{FileID: ref})
	if err != nil {
		return bot.Photo{}, fmt.Errorf("telegram: getFile %s: %w", ref, a.scrub(err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.api.FileDownloadLink(f), nil)
	if err != nil {
		return bot.Photo{}, fmt.Errorf("telegram: download %s: %w", ref, a.scrub(err))
	}
	resp, err := a.cfg.HTTPClient.Do(req)
	if err != nil {
		return bot.Photo{}, fmt.Errorf("telegram: download %s: %w", ref, a.scrub(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return bot.Photo{}, fmt.Errorf("telegram: download %s: HTTP %d", ref, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPhotoBytes+1))
	if err != nil {
		return bot.Photo{}, fmt.Errorf("telegram: download %s: %w", ref, a.scrub(err))
	}
	if len(data) > maxPhotoBytes {
		return bot.Photo{}, fmt.Errorf("telegram: download %s: larger than %d bytes", ref, maxPhotoBytes)
	}
	return bot.Photo{Name: path.Base(f.FilePath), Data: data}, nil
}

// maxTopicName is Telegram's limit on a forum topic's name, in characters.
const maxTopicName = 128

// OpenThread implements bot.ThreadOpener: it creates a forum topic titled title in chat
// (a forum supergroup the bot administers) and returns its address.
func (a *Adapter) OpenThread(ctx context.Context, chat bot.Address, title string) (bot.Address, error) {
	id, _, err := parseAddress(chat)
	if err != nil {
		return bot.Address{}, err
	}
	if utf8.RuneCountInString(title) > maxTopicName {
		title = string([]rune(title)[:maxTopicName-1]) + "…"
	}
	if strings.TrimSpace(title) == "" {
		title = "Conversation"
	}
	var topic *models.ForumTopic
	err = a.call(ctx, id, func(ctx context.Context) error {
		var err error
		topic, err = a.api.CreateForumTopic(ctx, &tgbot.CreateForumTopicParams{ChatID: id, Name: title})
		return err
	})
	if err == nil && topic == nil {
		err = errors.New("created, but Telegram's answer names no topic")
	}
	if err != nil {
		return bot.Address{}, fmt.Errorf("telegram: create forum topic in %s: %w", chat, err)
	}
	return bot.Address{Platform: Platform, Chat: chat.Chat, Thread: strconv.Itoa(topic.MessageThreadID)}, nil
}

// scrub hides the token in err's text: the Bot API puts it in every URL, and URLs end up
// in transport errors.
func (a *Adapter) scrub(err error) error {
	if err == nil || a.cfg.Token == "" {
		return err
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		uerr.URL = strings.ReplaceAll(uerr.URL, a.cfg.Token, "<token>")
	}
	if !strings.Contains(err.Error(), a.cfg.Token) {
		return err
	}
	return &scrubbed{err: err, msg: strings.ReplaceAll(err.Error(), a.cfg.Token, "<token>")}
}

type scrubbed struct {
	err error
	msg string
}

func (s *scrubbed) Error() string { return s.msg }
func (s *scrubbed) Unwrap() error { return s.err }

var (
	_ bot.Sender       = (*Adapter)(nil)
	_ bot.PhotoSource  = (*Adapter)(nil)
	_ bot.ThreadOpener = (*Adapter)(nil)
)
