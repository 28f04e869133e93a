package claims

import (
	"encoding/json"
	"fmt"
	"time"
)

// recordAlias has Record's fields without its methods, for the JSON codecs.
type recordAlias Record

// recordJSON is a Record as JSON: its calendar days as dates, not instants.
type recordJSON struct {
	*recordAlias
	ReceiptDate   string `json:"receipt_date,omitempty"`
	LastReturnDay string `json:"last_return_day,omitempty"`
	WarrantyEnd   string `json:"warranty_end,omitempty"`
}

// MarshalJSON writes the record with its calendar days as "2006-01-02".
func (r Record) MarshalJSON() ([]byte, error) {
	return json.Marshal(recordJSON{
		recordAlias: (*recordAlias)(&r),
		ReceiptDate: day(r.ReceiptDate), LastReturnDay: day(r.LastReturnDay), WarrantyEnd: day(r.WarrantyEnd),
	})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (r *Record) UnmarshalJSON(b []byte) error {
	v := recordJSON{recordAlias: (*recordAlias)(r)}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	for _, f := range []struct {
		s   string
		dst *time.Time
	}{{v.ReceiptDate, &r.ReceiptDate}, {v.LastReturnDay, &r.LastReturnDay}, {v.WarrantyEnd, &r.WarrantyEnd}} {
		if f.s == "" {
			*f.dst = time.Time{}
			continue
		}
		t, err := time.Parse(dateLayout, f.s)
		if err != nil {
			return fmt.Errorf("claim %s: %w", r.ID, err)
		}
		*f.dst = t
	}
	return nil
}
