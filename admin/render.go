package admin

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/returnsbot/returnsbot/claims"
	"github.com/returnsbot/returnsbot/policy"
)

// page is a parsed page: the layout, the charts and the page's own template.
type page struct{ t *template.Template }

// pageNames are the templates/<name>.html pages.
var pageNames = []string{"login", "list", "claim", "figures", "notfound", "unavailable"}

var funcs = template.FuncMap{
	"outcome":      outcomeLabel,
	"outcomeClass": func(o policy.Outcome) string { return outcomeClass(o) },
	"reason":       reasonLabel,
	"state":        stateLabel,
	"stamp":        stampText,
	"day":          func(t time.Time) string { return dayText(t) },
	"stars":        func(n int) string { return strings.Repeat("★", n) + strings.Repeat("☆", max(0, 5-n)) },
	// count says "1 claim" or "3 claims": the dashboard speaks English only.
	"count": func(n int, noun string) string {
		if n == 1 {
			return "1 " + noun
		}
		return fmt.Sprintf("%d %ss", n, noun)
	},
}

func parsePages() map[string]*page {
	ps := map[string]*page{}
	for _, name := range pageNames {
		t := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/charts.html", "templates/"+name+".html"))
		ps[name] = &page{t}
	}
	return ps
}

// view is what the layout gets: the page's data and whether to show the navigation.
type view struct {
	Nav  bool
	Page string
	Data any
}

// render writes the page; it renders to a buffer first, so a template error is a clean
// 500, never half a page.
func (d *dashboard) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := d.pages[name].t.Execute(&buf, view{Nav: name != "login", Page: name, Data: data}); err != nil {
		d.opt.Log.Error("admin: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

var outcomeLabels = map[policy.Outcome]string{
	"return_eligible":    "Return eligible",
	"return_expired":     "Return expired",
	"refuse_at_delivery": "Refuse at delivery",
	"damage_not_covered": "Damage not covered",
	"warranty_repair":    "Warranty repair",
	"warranty_excluded":  "Warranty excluded",
	"warranty_expired":   "Warranty expired",
	"escalated":          "Escalated",
}

func outcomeLabel(o policy.Outcome) string {
	if l, ok := outcomeLabels[o]; ok {
		return l
	}
	return string(o)
}

var reasonLabels = map[string]string{
	policy.ReasonAsked:       "customer asked for a person",
	policy.ReasonDisputed:    "customer disputes the decision",
	policy.ReasonUndecidable: "facts do not fit the policy",
	"":                       "(no reason recorded)",
}

func reasonLabel(r string) string {
	if l, ok := reasonLabels[r]; ok {
		return l
	}
	return r
}

func stateLabel(s claims.State) string {
	switch s {
	case claims.StateDecided:
		return "decided"
	case claims.StateWithStaff:
		return "with staff"
	case claims.StateClosed:
		return "closed"
	}
	return string(s)
}

func stampText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func dayText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}
