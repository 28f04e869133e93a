package telegram

import (
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/returnsbot/returnsbot/bot"
)

// Platform is the Address.Platform of Telegram chats.
const Platform = "telegram"

// allowedUpdates are the update kinds the bot asks Telegram for; others are not sent.
var allowedUpdates = []string{"message", "callback_query"}

// inbound is an update turned into what the adapter does with it.
type inbound struct {
	msg bot.Message
	// query is the callback query to answer, and pressed the message whose keyboard was
	// pressed (0 if inaccessible), for a button press.
	query   string
	pressed int
	// skip is true for updates the bot does not handle (edits, service messages, other
	// bots' commands); they are still confirmed.
	skip bool
}

// convert turns an update into a Message. botName is the bot's username, to tell a
// "/cmd@ThisBot" command in a group from one meant for another bot.
func convert(u *models.Update, botName string) inbound {
	id := strconv.FormatInt(u.ID, 10)
	var in inbound
	switch {
	case u.Message != nil:
		in = fromMessage(id, u.Message, botName)
	case u.CallbackQuery != nil:
		in = fromQuery(id, u.CallbackQuery)
	default:
		return inbound{skip: true}
	}
	// Telegram gives an update again only if it was not confirmed (polling) or not
	// answered with 200 (webhook), and the adapter does both only after the replies are
	// sent: an update seen before may have lost its replies.
	in.msg.Redelivery = true
	return in
}

func fromMessage(id string, m *models.Message, botName string) inbound {
	if m.From == nil || m.From.IsBot {
		return inbound{skip: true}
	}
	msg := bot.Message{
		ID:       id,
		From:     address(m),
		User:     strconv.FormatInt(m.From.ID, 10),
		UserName: displayName(m.From),
		Lang:     m.From.LanguageCode,
		Text:     m.Text,
	}
	switch {
	case m.Text != "":
		if forOtherBot(m.Text, botName) {
			return inbound{skip: true}
		}
	case len(m.Photo) > 0:
		msg.Photos, msg.Text = []string{largest(m.Photo)}, m.Caption
	case m.Document != nil && strings.HasPrefix(m.Document.MimeType, "image/"):
		// A picture sent "as a file" keeps its full quality; it is evidence all the same.
		msg.Photos, msg.Text = []string{m.Document.FileID}, m.Caption
	default:
		kind := unsupported(m)
		if kind == "" {
			return inbound{skip: true} // a service message: someone joined, a title changed...
		}
		msg.Unsupported, msg.Text = kind, m.Caption
	}
	return inbound{msg: msg}
}

func fromQuery(id string, q *models.CallbackQuery) inbound {
	in := inbound{query: q.ID}
	var chat models.Chat
	var thread int
	switch {
	case q.Message.Message != nil:
		m := q.Message.Message
		chat, in.pressed = m.Chat, m.ID
		if m.IsTopicMessage {
			thread = m.MessageThreadID
		}
	case q.Message.InaccessibleMessage != nil:
		chat = q.Message.InaccessibleMessage.Chat
	default:
		in.skip = true // an inline-mode button: no chat to answer in
		return in
	}
	from := bot.Address{Platform: Platform, Chat: strconv.FormatInt(chat.ID, 10)}
	if thread != 0 {
		from.Thread = strconv.Itoa(thread)
	}
	in.msg = bot.Message{
		ID:       id,
		From:     from,
		User:     strconv.FormatInt(q.From.ID, 10),
		UserName: displayName(&q.From),
		Lang:     q.From.LanguageCode,
		Button:   q.Data,
	}
	return in
}

func address(m *models.Message) bot.Address {
	a := bot.Address{Platform: Platform, Chat: strconv.FormatInt(m.Chat.ID, 10)}
	if m.IsTopicMessage && m.MessageThreadID != 0 {
		a.Thread = strconv.Itoa(m.MessageThreadID)
	}
	return a
}

func displayName(u *models.User) string {
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if name == "" && u.Username != "" {
		name = "@" + u.Username
	}
	return name
}

// largest picks the biggest of the sizes Telegram offers a photo in.
func largest(sizes []models.PhotoSize) string {
	best := sizes[0]
	for _, s := range sizes[1:] {
		if s.Width*s.Height > best.Width*best.Height || (s.Width*s.Height == best.Width*best.Height && s.FileSize > best.FileSize) {
			best = s
		}
	}
	return best.FileID
}

// forOtherBot reports whether text is a command addressed to another bot ("/start@Other").
func forOtherBot(text, botName string) bool {
	if !strings.HasPrefix(text, "/") || botName == "" {
		return false
	}
	word, _, _ := strings.Cut(text, " ")
	_, to, ok := strings.Cut(word, "@")
	return ok && !strings.EqualFold(to, botName)
}

// unsupported names the content of a message the dialog cannot read, in the words the
// dialog puts in "I can only read text and photos, not a %s".
func unsupported(m *models.Message) string {
	switch {
	case m.Sticker != nil:
		return "sticker"
	case m.Voice != nil:
		return "voice message"
	case m.VideoNote != nil:
		return "video message"
	case m.Video != nil:
		return "video"
	case m.Animation != nil:
		return "GIF"
	case m.Audio != nil:
		return "audio file"
	case m.Document != nil:
		return "file"
	case m.Location != nil, m.Venue != nil:
		return "location"
	case m.Contact != nil:
		return "contact"
	case m.Poll != nil:
		return "poll"
	case m.Dice != nil:
		return "dice"
	case m.Story != nil:
		return "story"
	case m.Game != nil:
		return "game"
	case m.Checklist != nil:
		return "checklist"
	case m.PaidMedia != nil:
		return "paid media"
	}
	return ""
}
