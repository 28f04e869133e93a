package claims

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/returnsbot/returnsbot/policy"
)

// csvColumns are the export's fixed columns, before one "answer:<question id>" column per
// answer key any exported claim has.
var csvColumns = []string{
	"id", "created", "updated", "state", "close_reason", "case",
	"platform", "chat", "thread", "user", "user_name", "language",
	"outcome", "reason", "exclusion", "clauses", "clause_texts",
	"receipt_date", "last_return_day", "warranty_end", "policy_version", "rating",
}

// AnswerColumn prefixes an answer's question id in the CSV header.
const AnswerColumn = "answer:"

// factOrder puts the policy's own facts first among the answer columns, in the order the
// bot asks them; the rest follow sorted by id.
var factOrder = []string{"receipt_date", "packaging", "carrier_check", "defect", "defect_details"}

// dateLayout formats the computed calendar days.
const dateLayout = time.DateOnly

// answerKeys returns the union of the records' answer keys in a stable order.
func answerKeys(rs []Record) []string {
	seen := map[string]bool{}
	for _, r := range rs {
		for k := range r.Answers {
			seen[k] = true
		}
	}
	var keys []string
	for _, k := range factOrder {
		if seen[k] {
			keys = append(keys, k)
			delete(seen, k)
		}
	}
	rest := make([]string, 0, len(seen))
	for k := range seen {
		rest = append(rest, k)
	}
	slices.Sort(rest)
	return append(keys, rest...)
}

// WriteCSV writes the records as CSV for spreadsheets: a header, then one row per claim
// with every answer in a column of its own (empty where a claim has no such answer). The
// clause ids are joined by spaces, their texts by newlines. A cell that a spreadsheet would
// read as a formula (starting with = + - @ or a tab) gets a leading apostrophe, which
// ReadCSV removes.
func WriteCSV(w io.Writer, rs []Record) error {
	keys := answerKeys(rs)
	cw := csv.NewWriter(w)
	header := slices.Clone(csvColumns)
	for _, k := range keys {
		header = append(header, AnswerColumn+k)
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write CSV header: %w", err)
	}
	row := make([]string, len(header))
	for _, r := range rs {
		ids := make([]string, len(r.Clauses))
		texts := make([]string, len(r.Clauses))
		for i, c := range r.Clauses {
			ids[i], texts[i] = c.ID, c.Text
		}
		fixed := []string{
			string(r.ID), stamp(r.Created), stamp(r.Updated), string(r.State), r.CloseReason, r.CaseID,
			r.Platform, r.Chat, r.Thread, r.User, r.UserName, r.Language,
			string(r.Outcome), r.Reason, r.Exclusion, strings.Join(ids, " "), strings.Join(texts, "\n"),
			day(r.ReceiptDate), day(r.LastReturnDay), day(r.WarrantyEnd), r.PolicyVersion, rating(r.Rating),
		}
		copy(row, fixed)
		for i, k := range keys {
			row[len(fixed)+i] = r.Answers[k]
		}
		for i := range row {
			row[i] = defuse(row[i])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write CSV row of claim %s: %w", r.ID, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// ReadCSV parses what WriteCSV wrote. Clause texts survive only if none holds a newline.
func ReadCSV(rd io.Reader) ([]Record, error) {
	cr := csv.NewReader(rd)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read CSV header: %w", err)
	}
	if len(header) < len(csvColumns) || !slices.Equal(header[:len(csvColumns)], csvColumns) {
		return nil, fmt.Errorf("read CSV: the header is not a claims export")
	}
	var rs []Record
	for line := 2; ; line++ {
		row, err := cr.Read()
		if err == io.EOF {
			return rs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read CSV: %w", err)
		}
		for i := range row {
			row[i] = strings.TrimPrefix(row[i], "'")
		}
		r, err := parseRow(header, row)
		if err != nil {
			return nil, fmt.Errorf("read CSV line %d: %w", line, err)
		}
		rs = append(rs, r)
	}
}

// parseRow reads one CSV row of WriteCSV.
func parseRow(header, row []string) (Record, error) {
	var r Record
	var err error
	parseTime := func(s, layout string) time.Time {
		if s == "" || err != nil {
			return time.Time{}
		}
		var t time.Time
		t, err = time.Parse(layout, s)
		return t
	}
	r.ID = ID(row[0])
	r.Created, r.Updated = parseTime(row[1], time.RFC3339Nano), parseTime(row[2], time.RFC3339Nano)
	r.State, r.CloseReason, r.CaseID = State(row[3]), row[4], row[5]
	r.Platform, r.Chat, r.Thread, r.User, r.UserName, r.Language = row[6], row[7], row[8], row[9], row[10], row[11]
	r.Outcome, r.Reason, r.Exclusion = policy.Outcome(row[12]), row[13], row[14]
	if row[15] != "" {
		ids, texts := strings.Split(row[15], " "), strings.Split(row[16], "\n")
		if len(ids) != len(texts) {
			return r, fmt.Errorf("%d clause ids but %d clause texts", len(ids), len(texts))
		}
		for i := range ids {
			r.Clauses = append(r.Clauses, policy.Clause{ID: ids[i], Text: texts[i]})
		}
	}
	r.ReceiptDate, r.LastReturnDay, r.WarrantyEnd = parseTime(row[17], dateLayout), parseTime(row[18], dateLayout), parseTime(row[19], dateLayout)
	r.PolicyVersion = row[20]
	if row[21] != "" {
		n, aerr := strconv.Atoi(row[21])
		if aerr != nil || n < 1 || n > 5 {
			return r, fmt.Errorf("rating %q: want 1 to 5", row[21])
		}
		r.Rating = &Rating{Score: n}
	}
	if err != nil {
		return r, err
	}
	for i := len(csvColumns); i < len(header); i++ {
		if row[i] == "" {
			continue
		}
		if r.Answers == nil {
			r.Answers = map[string]string{}
		}
		r.Answers[strings.TrimPrefix(header[i], AnswerColumn)] = row[i]
	}
	return r, nil
}

// WriteJSON writes the records as a JSON array, one record per line.
func WriteJSON(w io.Writer, rs []Record) error {
	if _, err := io.WriteString(w, "["); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	for i, r := range rs {
		b, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode claim %s: %w", r.ID, err)
		}
		sep := ",\n"
		if i == 0 {
			sep = "\n"
		}
		if _, err := io.WriteString(w, sep+string(b)); err != nil {
			return fmt.Errorf("write JSON: %w", err)
		}
	}
	if _, err := io.WriteString(w, "\n]\n"); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(dateLayout)
}

// rating is the CSV cell of a claim's rating: its score, or empty.
func rating(g *Rating) string {
	if g == nil {
		return ""
	}
	return strconv.Itoa(g.Score)
}

// defuse keeps a spreadsheet from running a cell as a formula.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r'", rune(s[0])) {
		return "'" + s
	}
	return s
}

// AnswerKeys are the answer keys of the records in the export's column order: the
// policy's facts in the order the bot asks them, then the rest by id.
func AnswerKeys(rs ...Record) []string { return answerKeys(rs) }
