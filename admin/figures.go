package admin

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/funnel"
	"github.com/returnsbot/returnsbot/policy"
)

// The charts are drawn here, as numbers for the SVG templates in charts.html: no script
// runs in the browser. Colours come from the style sheet by class.

// Geometry of the charts, in SVG user units (the SVG scales to the page's width).
const (
	chartWidth  = 800
	columnsH    = 220
	axisLeft    = 40
	axisBottom  = 24
	barRowH     = 26
	barLabelW   = 190
	barValueW   = 150
	barAreaW    = chartWidth - barLabelW - barValueW
	minBarShown = 1
)

// seg is one coloured part of a bar or column.
type seg struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

// columns is a stacked column chart (claims per day by outcome).
type columns struct {
	Width, Height float64
	Cols          []column
	Ticks         []tick
	Legend        []legend
	Empty         bool
}

type column struct {
	Segs  []seg
	Label string
	LX    float64
}

type tick struct {
	Y     float64
	Label string
}

type legend struct{ Class, Label string }

// hbars is a horizontal bar chart, a row per label, each bar split in segments.
type hbars struct {
	Width, Height float64
	Rows          []hbar
	Legend        []legend
	Empty         bool
}

type hbar struct {
	Y, TextY float64
	Label    string
	Segs     []seg
	Value    string
}

// part is one segment's class, legend label and count, for newBars.
type part struct {
	Class, Label string
	N            int64
}

type barInput struct {
	Label string
	Parts []part
	Value string
}

func newBars(in []barInput) hbars {
	var max int64
	for _, b := range in {
		var sum int64
		for _, p := range b.Parts {
			sum += p.N
		}
		max = int64(math.Max(float64(max), float64(sum)))
	}
	c := hbars{Width: chartWidth, Height: float64(len(in)*barRowH) + 4, Empty: max == 0}
	seen := map[string]bool{}
	for i, b := range in {
		y := float64(i*barRowH) + 2
		row := hbar{Y: y, TextY: y + barRowH/2 + 5, Label: b.Label, Value: b.Value}
		x := float64(barLabelW)
		for _, p := range b.Parts {
			if !seen[p.Class] {
				seen[p.Class] = true
				c.Legend = append(c.Legend, legend{p.Class, p.Label})
			}
			if p.N == 0 || max == 0 {
				continue
			}
			w := math.Max(minBarShown, float64(p.N)/float64(max)*barAreaW)
			row.Segs = append(row.Segs, seg{X: x, Y: y + 3, W: w, H: barRowH - 6, Class: p.Class, Title: fmt.Sprintf("%s: %d", p.Label, p.N)})
			x += w
		}
		c.Rows = append(c.Rows, row)
	}
	if len(c.Legend) < 2 {
		c.Legend = nil // one colour needs no key
	}
	return c
}

// outcomeClass is the style class of an outcome's colour: its place in the contract's
// list, so no stored text becomes a class name.
func outcomeClass(o policy.Outcome) string {
	if i := slices.Index(policy.Outcomes, o); i >= 0 {
		return "c" + strconv.Itoa(i)
	}
	return "cx"
}

func perDay(rs []claims.Record, since, until time.Time) columns {
	days := funnel.Range(since, until.Add(-time.Nanosecond))
	idx := map[time.Time]int{}
	for i, d := range days {
		idx[d] = i
	}
	counts := make([]map[policy.Outcome]int, len(days))
	maxDay := 0
	for _, r := range rs {
		i, ok := idx[funnel.DayOf(r.Created)]
		if !ok {
			continue
		}
		if counts[i] == nil {
			counts[i] = map[policy.Outcome]int{}
		}
		counts[i][r.Outcome]++
		total := 0
		for _, n := range counts[i] {
			total += n
		}
		maxDay = max(maxDay, total)
	}
	c := columns{Width: chartWidth, Height: columnsH, Empty: maxDay == 0}
	for _, o := range policy.Outcomes {
		c.Legend = append(c.Legend, legend{outcomeClass(o), outcomeLabel(o)})
	}
	if len(days) == 0 || maxDay == 0 {
		return c
	}
	plotH := float64(columnsH - axisBottom - 8)
	colW := float64(chartWidth-axisLeft) / float64(len(days))
	for _, frac := range []float64{0, 0.5, 1} {
		n := int(math.Round(frac * float64(maxDay)))
		c.Ticks = append(c.Ticks, tick{Y: 8 + plotH - float64(n)/float64(maxDay)*plotH, Label: strconv.Itoa(n)})
	}
	every := int(math.Ceil(float64(len(days)) / 10)) // at most ~10 labels
	for i, d := range days {
		x := axisLeft + float64(i)*colW
		col := column{LX: x + colW/2}
		if i%every == 0 {
			col.Label = d.Format("01-02")
		}
		y := 8 + plotH
		for _, o := range policy.Outcomes {
			n := counts[i][o]
			if n == 0 {
				continue
			}
			h := float64(n) / float64(maxDay) * plotH
			y -= h
			col.Segs = append(col.Segs, seg{X: x + colW*0.1, Y: y, W: colW * 0.8, H: h, Class: outcomeClass(o),
				Title: fmt.Sprintf("%s %s: %d", d.Format(time.DateOnly), outcomeLabel(o), n)})
		}
		c.Cols = append(c.Cols, col)
	}
	return c
}

type figuresPage struct {
	Filter     filter
	Problem    string
	Read       int
	More       bool
	Total      int
	PerDay     columns
	Escalated  int
	EscRate    string
	Reasons    hbars
	Replies    hbars
	Answered   int
	Waiting    int
	Median     string
	P90        string
	Ratings    hbars
	Rated      int
	MeanRating string
	Funnel     hbars
	FunnelOff  bool
	FunnelErr  bool
}

// replyBuckets group the times to first staff answer.
var replyBuckets = []struct {
	upTo  time.Duration
	label string
}{
	{5 * time.Minute, "within 5 minutes"},
	{15 * time.Minute, "5 to 15 minutes"},
	{time.Hour, "15 minutes to 1 hour"},
	{4 * time.Hour, "1 to 4 hours"},
	{24 * time.Hour, "4 to 24 hours"},
	{math.MaxInt64, "over a day"},
}

func (d *dashboard) figures(w http.ResponseWriter, r *http.Request) {
	f := formOf(r)
	q, problem := d.dateRange(&f)
	rs, more, err := claims.All(r.Context(), d.opt.Claims, q, scanLimit)
	if err != nil {
		d.fail(w, r, "figures", err)
		return
	}
	p := figuresPage{Filter: f, Problem: problem, Read: len(rs), More: more, Total: len(rs), PerDay: perDay(rs, q.Since, q.Until)}

	reasons := map[string]int64{}
	var waits []time.Duration
	var ratings [6]int64
	var ratingSum int
	for _, rec := range rs {
		if rec.Outcome == policy.Escalated {
			p.Escalated++
			reasons[rec.Reason]++
			if rec.FirstStaffReply.IsZero() {
				if rec.State != claims.StateClosed {
					p.Waiting++
				}
			} else {
				waits = append(waits, rec.FirstStaffReply.Sub(rec.Created))
			}
		}
		if rec.Rating != nil && rec.Rating.Score >= 1 && rec.Rating.Score <= 5 {
			ratings[rec.Rating.Score]++
			ratingSum += rec.Rating.Score
			p.Rated++
		}
	}
	if p.Total > 0 {
		p.EscRate = fmt.Sprintf("%.1f%%", 100*float64(p.Escalated)/float64(p.Total))
	}
	var rin []barInput
	for _, reason := range []string{policy.ReasonAsked, policy.ReasonDisputed, policy.ReasonUndecidable} {
		rin = append(rin, barInput{Label: reasonLabel(reason), Parts: []part{{"c7", "escalated", reasons[reason]}}, Value: strconv.FormatInt(reasons[reason], 10)})
		delete(reasons, reason)
	}
	for reason, n := range reasons { // reasons a later version adds
		rin = append(rin, barInput{Label: reasonLabel(reason), Parts: []part{{"c7", "escalated", n}}, Value: strconv.FormatInt(n, 10)})
	}
	p.Reasons = newBars(rin)

	p.Answered = len(waits)
	slices.Sort(waits)
	if len(waits) > 0 {
		p.Median = duration(waits[len(waits)/2])
		p.P90 = duration(waits[min(len(waits)-1, len(waits)*9/10)])
	}
	var win []barInput
	for i, b := range replyBuckets {
		var n int64
		for _, w := range waits {
			if w <= b.upTo && (i == 0 || w > replyBuckets[i-1].upTo) {
				n++
			}
		}
		win = append(win, barInput{Label: b.label, Parts: []part{{"c4", "claims", n}}, Value: strconv.FormatInt(n, 10)})
	}
	p.Replies = newBars(win)

	var gin []barInput
	for s := 5; s >= 1; s-- {
		gin = append(gin, barInput{Label: fmt.Sprintf("%d of 5", s), Parts: []part{{"c0", "ratings", ratings[s]}}, Value: strconv.FormatInt(ratings[s], 10)})
	}
	p.Ratings = newBars(gin)
	if p.Rated > 0 {
		p.MeanRating = fmt.Sprintf("%.2f", float64(ratingSum)/float64(p.Rated))
	}

	if d.opt.Funnel == nil {
		p.FunnelOff = true
	} else if days, err := d.opt.Funnel.Days(r.Context(), q.Since, q.Until.Add(-time.Nanosecond)); err != nil {
		d.opt.Log.Warn("admin: funnel", "err", err)
		p.FunnelErr = true
	} else {
		var fin []barInput
		for _, row := range funnel.Totals(days) {
			fin = append(fin, barInput{
				Label: row.Question,
				Parts: []part{{"c0", "answered", row.Answered}, {"c7", "to staff", row.Escalated}, {"cd", "dropped or still open", row.Dropped()}},
				Value: fmt.Sprintf("%d asked, %d answered", row.Reached, row.Answered),
			})
		}
		p.Funnel = newBars(fin)
	}
	d.render(w, r, http.StatusOK, "figures", p)
}
