package discord

import (
	"context"
	"errors"
	"net/http"
	"path"
	"runtime/debug"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/i18n"
)

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
	msg.From = bot.Address{Platform: Platform, Chat: channel}
	if guild && !a.guildMessage(channel, msg) {
		return
	}
	a.enqueue(channel, msg, func(ctx context.Context) {
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
		inChannel := func(ctx context.Context) {
			msg.From = a.address(ctx, i.ChannelID, guild)
			a.handle(ctx, msg)
			if <-acked == nil {
				a.finishDeferred(ctx, i, "")
			}
		}
		// Over the inbound limit the command is dropped: its deferred response must still
		// end, or the member watches "thinking…" until the token dies.
		dropped := func() { a.finishDropped(i, msg.Lang, acked) }
		if name == "return" && guild {
			a.submit(a.dmLane(user.ID), a.fromDM(msg, i.ChannelID), false, func(ctx context.Context) { a.startInDM(ctx, i, msg, acked) }, dropped)
			return
		}
		if owned, known := a.owned(i.ChannelID); guild && !(known && owned) {
			// A command in a public channel: its answers would be public too.
			a.interactionInDM(i, msg, inChannel, func(ctx context.Context) { a.startInDM(ctx, i, msg, acked) }, dropped)
			return
		}
		a.submit(i.ChannelID, withFrom(msg, i.ChannelID), false, inChannel, dropped)
	case discordgo.InteractionMessageComponent:
		msg.Button = i.MessageComponentData().CustomID
		// Update the pressed message, removing its buttons: the choice is made, and a
		// second press cannot be sent. The dialog answers with a new message.
		acked := a.acknowledge(i, discordgo.InteractionResponseUpdateMessage, map[string]any{"components": []any{}})
		if owned, known := a.owned(i.ChannelID); guild && !(known && owned) {
			a.interactionInDM(i, msg, func(ctx context.Context) {
				<-acked
				msg.From = a.address(ctx, i.ChannelID, guild)
				a.handle(ctx, msg)
			}, func(ctx context.Context) { <-acked; a.pressInDM(ctx, msg) }, nil)
			return
		}
		a.enqueue(i.ChannelID, withFrom(msg, i.ChannelID), func(ctx context.Context) {
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

// withFrom is msg as seen from channel, for the inbound limit's slow-down reply.
func withFrom(msg bot.Message, channel string) bot.Message {
	msg.From = bot.Address{Platform: Platform, Chat: channel}
	return msg
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

// returnNotes are the ephemeral answers to /return in a server, in the interaction's
// locale (the "discord." texts of package i18n).
type returnNotes struct{ moved, closed, failed string }

func notesIn(lang string) returnNotes {
	c := i18n.Current()
	return returnNotes{
		moved:  c.Text(lang, "discord.moved", nil),
		closed: c.Text(lang, "discord.closed", nil),
		failed: c.Text(lang, "discord.failed", nil),
	}
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

// enqueue runs fn on the lane of key, after the work queued there before, within the
// customer's inbound limit: msg names the customer and where a slow-down reply goes.
func (a *Adapter) enqueue(key string, msg bot.Message, fn func(ctx context.Context)) {
	a.submit(key, msg, false, fn, nil)
}

// submit is enqueue, exempt from the inbound limit when noLimit; dropped, if set, runs
// when the dispatcher drops the event over the limit.
func (a *Adapter) submit(key string, msg bot.Message, noLimit bool, fn func(ctx context.Context), dropped func()) {
	a.mu.Lock()
	stopped := a.stopped
	a.mu.Unlock()
	if stopped {
		a.log.Warn("event arrived after shutdown, dropped", "channel", key)
		return
	}
	j := &bot.Job{Lane: "discord:" + key, Msg: msg, NoLimit: noLimit, Run: func(ctx context.Context) error {
		fn(ctx)
		return ctx.Err()
	}}
	if dropped != nil {
		j.Done = func(o bot.Outcome) {
			if o == bot.Dropped {
				dropped()
			}
		}
	}
	a.d.Submit(j)
}

// finishDropped ends the deferred response of a command dropped over the inbound limit
// with the slow-down text, privately, in the background: it waits for the
// acknowledgement, and Submit must not block.
func (a *Adapter) finishDropped(i *discordgo.Interaction, lang string, acked <-chan error) {
	a.mu.Lock()
	if a.stopped {
		a.mu.Unlock()
		return
	}
	a.jobs.Add(1)
	a.mu.Unlock()
	go func() {
		defer a.jobs.Done()
		if <-acked != nil {
			return
		}
		// The follow-up token outlives the acknowledgement's 3 seconds by far (15 minutes).
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		a.finishDeferred(ctx, i, bot.SlowDownText(lang))
	}()
}

// handle runs msg through the Handler and delivers the replies. A panic is recovered by
// the dispatcher, which asks the person to try again; the session was not saved.
func (a *Adapter) handle(ctx context.Context, msg bot.Message) error {
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
