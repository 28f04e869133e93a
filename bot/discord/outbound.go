package discord

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/dialog"
)

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
