package claims

import "github.com/returnsbot/returnsbot/internal/jsonenc"

// encoding/json compacts (re-reads byte by byte) what a MarshalJSON method returns, and a
// record's JSON is a kilobyte with the policy's clauses in it: marshalling an Event, the
// record inside it, was about 5 % of the instructions of a Redis-backed bot's step. The
// record's own encoder already writes compact JSON, so the event is put together around it
// by hand; TestEventJSON and FuzzEventJSON hold the bytes to json.Marshal's, which the
// webhook's signature is computed over.

// AppendJSON appends the JSON encoding of e to b, exactly as json.Marshal encodes it.
func (e Event) AppendJSON(b []byte) ([]byte, error) {
	claim, err := e.Claim.MarshalJSON()
	if err != nil {
		return nil, err
	}
	at, err := e.Time.MarshalJSON()
	if err != nil {
		return nil, err
	}
	b = append(b, `{"id":`...)
	b = jsonenc.AppendString(b, e.ID)
	b = append(b, `,"type":`...)
	b = jsonenc.AppendString(b, string(e.Type))
	b = append(b, `,"time":`...)
	b = append(b, at...)
	b = append(b, `,"claim":`...)
	b = append(b, claim...)
	return append(b, '}'), nil
}
