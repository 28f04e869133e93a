package bot

// Rated counts a customer's rating of a staff case, score 1 to 5, for /metrics
// (returnsbot_ratings_total, returnsbot_rating_points_total).
func (m *Metrics) Rated(score int) {
	if m == nil || score < 1 || score > 5 {
		return
	}
	m.count(metricRatings)
	m.counts[metricRatingPoints].Add(int64(score))
}

// LeftQueue counts a waiting customer who went back to the bot (returnsbot_queue_left_total).
func (m *Metrics) LeftQueue() {
	if m != nil {
		m.count(metricQueueLeft)
	}
}

// IdleClosed counts a case closed as idle (returnsbot_idle_closed_total).
func (m *Metrics) IdleClosed() {
	if m != nil {
		m.count(metricIdleClosed)
	}
}
