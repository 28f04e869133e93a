package handoff

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/returnsbot/returnsbot/internal/jsonenc"
)

// Every customer message adds entries to the rolling log, each encoded as JSON, and
// encoding/json's reflection (with time.Time's MarshalJSON) was about 7 % of the CPU of a
// Redis-backed desk under load. AppendJSON writes the same bytes by hand; TestEntryJSON
// and FuzzEntryJSON hold it to json.Marshal, so a stored entry reads back the same
// whichever encoder wrote it.

// AppendJSON appends the JSON encoding of e to b, exactly as json.Marshal encodes it, or
// returns json.Marshal's error for a time it cannot encode.
func (e Entry) AppendJSON(b []byte) ([]byte, error) {
	if y := e.At.Year(); y < 0 || y > 9999 || !wholeMinutes(e.At) {
		// json.Marshal refuses these, or writes them its own way: let it.
		data, err := json.Marshal(e)
		return append(b, data...), err
	}
	b = append(b, `{"at":"`...)
	b = e.At.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","who":`...)
	b = jsonenc.AppendString(b, string(e.Who))
	if e.Name != "" {
		b = append(b, `,"name":`...)
		b = jsonenc.AppendString(b, e.Name)
	}
	if e.Text != "" {
		b = append(b, `,"text":`...)
		b = jsonenc.AppendString(b, e.Text)
	}
	if e.Photos != 0 {
		b = append(b, `,"photos":`...)
		b = strconv.AppendInt(b, int64(e.Photos), 10)
	}
	return append(b, '}'), nil
}

// wholeMinutes reports whether t's zone offset is whole minutes, as RFC 3339 needs.
func wholeMinutes(t time.Time) bool {
	_, off := t.Zone()
	return off%60 == 0
}
