package bot

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDeskMetrics(t *testing.T) {
	m := &Metrics{}
	m.LeftQueue()
	m.IdleClosed()
	m.IdleClosed()
	var none *Metrics
	none.IdleClosed() // a nil Metrics counts nothing, and does not panic
	none.LeftQueue()
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{
		"returnsbot_queue_left_total 1\n", "returnsbot_idle_closed_total 2\n",
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, rec.Body.String())
		}
	}
}
