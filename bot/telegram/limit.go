package telegram

import (
	"context"
	"sync"
	"time"

	"github.com/returnsbot/returnsbot/internal/pause"
)

// pacer spaces events at interval, allowing bursts of up to burst events: a generic cell
// rate algorithm, where tat is the theoretical arrival time of the next event.
type pacer struct {
	interval time.Duration
	burst    int
	tat      time.Time
}

// reserve books the next slot and returns how long to wait for it from now.
func (p *pacer) reserve(now time.Time) time.Duration {
	if p.interval <= 0 { // no pace, but a retry_after still holds
		if p.tat.After(now) {
			return p.tat.Sub(now)
		}
		return 0
	}
	if p.tat.Before(now) {
		p.tat = now
	}
	burst := max(p.burst, 1)
	allowAt := p.tat.Add(-time.Duration(burst-1) * p.interval)
	p.tat = p.tat.Add(p.interval)
	if allowAt.Before(now) {
		return 0
	}
	return allowAt.Sub(now)
}

// block makes no slot available before until: Telegram said to retry after it.
func (p *pacer) block(until time.Time) {
	if p.interval <= 0 {
		if until.After(p.tat) {
			p.tat = until
		}
		return
	}
	burst := max(p.burst, 1)
	if t := until.Add(time.Duration(burst-1) * p.interval); t.After(p.tat) {
		p.tat = t
	}
}

// idle reports whether the pacer is back to its full burst at now, so it can be forgotten.
func (p *pacer) idle(now time.Time) bool { return !p.tat.After(now) }

// limiter keeps Telegram's outbound limits: a pace per chat (slower for groups) and one
// for the whole bot.
type limiter struct {
	mu            sync.Mutex
	now           func() time.Time
	global        pacer
	chatInterval  time.Duration
	groupInterval time.Duration
	chatBurst     int
	chats         map[int64]*pacer
	reserved      int
}

func newLimiter(c Config) *limiter {
	var global time.Duration
	if c.GlobalRate > 0 {
		global = time.Second / time.Duration(c.GlobalRate)
	}
	return &limiter{
		now:           time.Now,
		global:        pacer{interval: global, burst: max(c.GlobalRate, 1)},
		chatInterval:  c.ChatInterval,
		groupInterval: c.GroupInterval,
		chatBurst:     c.ChatBurst,
		chats:         map[int64]*pacer{},
	}
}

func (l *limiter) chat(id int64) *pacer {
	p, ok := l.chats[id]
	if !ok {
		p = &pacer{interval: l.chatInterval, burst: l.chatBurst}
		if id < 0 { // groups and channels have negative ids and a stricter limit
			p.interval, p.burst = l.groupInterval, 1
		}
		l.chats[id] = p
	}
	return p
}

// wait blocks until chat may be sent one more message.
func (l *limiter) wait(ctx context.Context, chat int64) error {
	l.mu.Lock()
	now := l.now()
	d := l.chat(chat).reserve(now)
	l.reserved++
	if l.reserved%256 == 0 {
		for id, p := range l.chats {
			if p.idle(now) {
				delete(l.chats, id)
			}
		}
	}
	l.mu.Unlock()
	if err := pause.For(ctx, d); err != nil {
		return err
	}
	// The global slot is booked only once the chat's turn has come, so a chat waiting
	// its turn does not hold up the others.
	l.mu.Lock()
	d = l.global.reserve(l.now())
	l.mu.Unlock()
	return pause.For(ctx, d)
}

// block holds back chat until until.
func (l *limiter) block(chat int64, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.chat(chat).block(until)
}
