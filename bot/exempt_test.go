package bot_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot"
)

// TestStaffExempt: messages Exempt names (staff at the desk) are all handled, however
// fast they come, and get no slow-down; a customer in the same chat is still limited.
func TestStaffExempt(t *testing.T) {
	now := time.Now()
	out := &delivered{}
	d := bot.NewDispatcher(bot.DispatchConfig{Handler: &gate{}, Deliver: out, Log: quiet(),
		InboundRate: 60, InboundBurst: 2, Now: func() time.Time { return now },
		Exempt: func(m bot.Message) bool { return m.User == "staff" }})
	var o outcomes
	tests := []struct {
		user string
		n    int
		want int // handled
	}{
		{"staff", 10, 10},
		{"customer", 5, 2},
	}
	for _, tt := range tests {
		for i := range tt.n {
			j := o.job(fmt.Sprintf("%s-%d", tt.user, i))
			j.Msg.User = tt.user
			d.Submit(j)
		}
	}
	d.Close()
	for _, tt := range tests {
		handled := 0
		for i := range tt.n {
			if got, _ := o.get(fmt.Sprintf("%s-%d", tt.user, i)); got == bot.Handled {
				handled++
			}
		}
		if handled != tt.want {
			t.Errorf("%s: got %d of %d handled, want %d", tt.user, handled, tt.n, tt.want)
		}
	}
	if got := out.count(bot.SlowDownText("en")); got != 1 {
		t.Errorf("slow-down replies: got %d, want 1 (the customer's only)", got)
	}
}
