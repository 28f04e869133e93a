package bot

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDeskMetrics(t *testing.T) {
	m := &Metrics{}
	m.Rated(4)
	m.Rated(2)
	m.Rated(9) // not a rating: not counted
	m.LeftQueue()
	m.IdleClosed()
	m.IdleClosed()
	var none *Metrics
	none.Rated(5) // a nil Metrics counts nothing, and does not panic
	none.LeftQueue()
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{
		"returnsbot_ratings_total 2\n", "returnsbot_rating_points_total 6\n",
		"returnsbot_queue_left_total 1\n", "returnsbot_idle_closed_total 2\n",
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, rec.Body.String())
		}
	}
}
