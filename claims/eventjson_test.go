package claims_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/claims/claimstest"
)

// sameAsMarshal fails t unless e encodes by hand as json.Marshal encodes it, and a record
// by its MarshalJSON as json.Marshal encodes it (the stores call MarshalJSON directly).
func sameAsMarshal(t *testing.T, e claims.Event) {
	t.Helper()
	want, wantErr := json.Marshal(e)
	got, err := e.AppendJSON(nil)
	if (err != nil) != (wantErr != nil) || err == nil && string(got) != string(want) {
		t.Fatalf("AppendJSON = %s, %v\nwant       %s, %v", got, err, want, wantErr)
	}
	wantRec, wantErr := json.Marshal(e.Claim)
	gotRec, err := e.Claim.MarshalJSON()
	if (err != nil) != (wantErr != nil) || err == nil && string(gotRec) != string(wantRec) {
		t.Fatalf("Record.MarshalJSON = %s, %v\nwant              %s, %v", gotRec, err, wantRec, wantErr)
	}
}

func TestEventJSON(t *testing.T) {
	at := time.Date(2026, 12, 2, 9, 30, 5, 0, time.UTC)
	typical := claimstest.Claim("R-7K2Q9M", "telegram", "42", at)
	odd := typical.Clone()
	odd.UserName = `<script>alert("x")</script> & Grüße ` + "\u2028 \xff"
	odd.Answers["defect_details"] = "line\nbreak\ttab \"quoted\" \\ back"
	for _, e := range []claims.Event{
		{},
		claims.NewEvent(claims.ClaimDecided, typical, at),
		{ID: "evt_<&>", Type: claims.CaseClosed, Time: at.In(time.FixedZone("IST", 19800)), Claim: odd},
		{ID: "evt_1", Type: claims.ClaimRated, Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Claim: typical},
	} {
		sameAsMarshal(t, e)
	}
}

func FuzzEventJSON(f *testing.F) {
	f.Add("evt_1", "Alice", "it stopped heating", int64(1764667805))
	f.Add("", "<b>&</b>", "\u2028\xff", int64(0))
	f.Fuzz(func(t *testing.T, id, name, details string, unix int64) {
		r := claimstest.Claim("R-FUZZED", "telegram", "42", time.Unix(unix, 0).UTC())
		r.UserName, r.Answers["defect_details"] = name, details
		sameAsMarshal(t, claims.Event{ID: id, Type: claims.ClaimDecided, Time: time.Unix(unix, 0).UTC(), Claim: r})
	})
}
