package telegram

import (
	"context"
	"slices"
	"strings"

	"github.com/returnsbot/returnsbot/bot"
	"github.com/returnsbot/returnsbot/dialog"
)

// A group chat is shared by its members, so with Config.GroupChats set the bot holds no
// customer conversation there: it reads only the listed groups (the staff desk), ignores
// everything said in other groups, and answers a command used there (/start, /help...)
// with one pointer to a private chat, which names nothing the member said.

// ignoredGroup reports whether chat is a group (Telegram gives groups, supergroups and
// channels negative ids) the bot must not hold a conversation in.
func (a *Adapter) ignoredGroup(chat string) bool {
	return a.cfg.GroupChats != nil && strings.HasPrefix(chat, "-") && !slices.Contains(a.cfg.GroupChats, chat)
}

// privateOnly turns j, a message in a group the bot does not read, into nothing, or for
// a command into the pointer to a private chat.
func (a *Adapter) privateOnly(j *bot.Job, in inbound) {
	if in.query != "" || !strings.HasPrefix(in.msg.Text, "/") {
		j.Lane, j.NoLimit = "telegram:skipped", true
		j.Run = func(context.Context) error { return nil }
		return
	}
	note := privateNote(in.msg.Lang) + " https://t.me/" + a.name
	j.Run = func(ctx context.Context) error {
		return a.out.Deliver(ctx, []bot.Outbound{{To: in.msg.From, Reply: dialog.Reply{Text: note}}})
	}
}
