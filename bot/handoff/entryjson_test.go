package handoff_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/bot/handoff"
)

func TestEntryJSON(t *testing.T) {
	at := time.Date(2026, 12, 2, 9, 30, 5, 123456789, time.UTC)
	for _, e := range []handoff.Entry{
		{},
		{At: at, Who: handoff.Customer, Name: "Ann", Text: "my kettle <leaks> & \"drips\"", Photos: 2},
		{At: at.Truncate(time.Second), Who: handoff.Bot, Text: "When did you receive the goods?\nFor example"},
		{At: at.In(time.FixedZone("IST", 5*3600+1800)), Who: handoff.StaffWho, Name: "Bob"},
		{At: at.In(time.FixedZone("LMT", 3600+58)), Who: handoff.System, Text: "odd zone"},
		{At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Who: handoff.Note},
		{At: at, Who: handoff.Customer, Text: "bad \xff utf-8 \u2028", Photos: -1},
	} {
		want, wantErr := json.Marshal(e)
		got, err := e.AppendJSON(nil)
		if (err != nil) != (wantErr != nil) || err == nil && string(got) != string(want) {
			t.Errorf("AppendJSON(%+v) = %s, %v\nwant %s, %v", e, got, err, want, wantErr)
		}
	}
}

func FuzzEntryJSON(f *testing.F) {
	f.Add(int64(1764667805123456789), "customer", "Ann", "hi <there>", 1, 0)
	f.Add(int64(0), "", "", "", 0, 19800)
	f.Fuzz(func(t *testing.T, ns int64, who, name, text string, photos, offset int) {
		e := handoff.Entry{At: time.Unix(0, ns).In(time.FixedZone("z", offset%100000)), Who: handoff.Who(who), Name: name, Text: text, Photos: photos}
		want, wantErr := json.Marshal(e)
		got, err := e.AppendJSON(nil)
		if (err != nil) != (wantErr != nil) || err == nil && string(got) != string(want) {
			t.Fatalf("AppendJSON(%+v) = %s, %v\nwant %s, %v", e, got, err, want, wantErr)
		}
	})
}
