package bot

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
