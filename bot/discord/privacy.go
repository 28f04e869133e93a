package discord

import (
	"context"
	"slices"

	"github.com/bwmarrin/discordgo"

	"github.com/returnsbot/returnsbot/bot"
)

// A server channel is shared by all its members, so the bot holds no customer
// conversation there: it reads server messages only in the channels of Config.
// GuildChannels (the staff desk) and in their threads, which it opens itself. Everything
// else said in a server is ignored. An interaction (a slash command, a button) used
// anywhere else in a server continues in the member's DMs, one conversation per person.

// owned reports whether the bot reads server messages in channel, and whether the
// channel cache knew: unknown threads need a lookup first (ownedLookup).
func (a *Adapter) owned(channel string) (owned, known bool) {
	if slices.Contains(a.cfg.GuildChannels, channel) {
		return true, true
	}
	a.mu.Lock()
	parent, known := a.parents[channel]
	a.mu.Unlock()
	if !known {
		return false, false
	}
	return parent != "" && slices.Contains(a.cfg.GuildChannels, parent), true
}

// ownedLookup is owned, asking Discord about a channel the cache does not know. A failed
// lookup counts as not owned: a customer's text must never land in a public channel.
func (a *Adapter) ownedLookup(ctx context.Context, channel string) bool {
	if ok, known := a.owned(channel); known {
		return ok
	}
	addr := a.address(ctx, channel, true)
	return slices.Contains(a.cfg.GuildChannels, addr.Chat)
}

// guildMessage filters a server message: it returns false for one the bot must ignore,
// and handles in its own job one from a channel it must look up first.
func (a *Adapter) guildMessage(channel string, msg bot.Message) bool {
	ok, known := a.owned(channel)
	if known {
		if !ok {
			a.log.Debug("server message outside the staff desk ignored", "channel", channel)
		}
		return ok
	}
	// Not limited: an ignored message must not earn a public slow-down reply. Once looked
	// up, the channel is cached and its next messages are filtered before queueing.
	a.submit(channel, msg, true, func(ctx context.Context) {
		if !a.ownedLookup(ctx, channel) {
			a.log.Debug("server message outside the staff desk ignored", "channel", channel)
			return
		}
		msg.From = a.address(ctx, channel, true)
		a.handle(ctx, msg)
	}, nil)
	return false
}

// interactionInDM runs an interaction used in a server channel the bot does not own in the user's
// DM conversation instead, unless a lookup shows the channel is the desk's after all.
func (a *Adapter) interactionInDM(i *discordgo.Interaction, msg bot.Message, inChannel func(ctx context.Context), inDM func(ctx context.Context), dropped func()) {
	a.submit(a.dmLane(msg.User), a.fromDM(msg, i.ChannelID), false, func(ctx context.Context) {
		if a.ownedLookup(ctx, i.ChannelID) {
			inChannel(ctx)
			return
		}
		inDM(ctx)
	}, dropped)
}

// fromDM is msg as seen from the user's DM channel when it is known, else from channel:
// where the inbound limit's slow-down reply goes, so that a member using /return in a
// public channel too often is told so privately where possible.
func (a *Adapter) fromDM(msg bot.Message, channel string) bot.Message {
	a.mu.Lock()
	dm, ok := a.dms[msg.User]
	a.mu.Unlock()
	if ok {
		channel = dm
	}
	return withFrom(msg, channel)
}

// pressInDM handles a button pressed on a bot message in a server channel the bot does
// not own as a press in the member's DM conversation; the answer goes there.
func (a *Adapter) pressInDM(ctx context.Context, msg bot.Message) {
	dm, err := a.dmChannel(ctx, msg.User)
	if err != nil {
		a.log.Warn("cannot continue a server button press in DM", "user", msg.User, "err", err)
		return
	}
	msg.From = bot.Address{Platform: Platform, Chat: dm}
	a.handle(ctx, msg)
}
