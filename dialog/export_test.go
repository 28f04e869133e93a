package dialog

// Refused counts the transitions the engine's state machine refused; the design allows
// none, and the fuzz test holds it to that.
func (e *Engine) Refused() int64 { return e.refused.Load() }

// UntranslatedGerman lists the sentence keys the German catalog lacks.
func UntranslatedGerman() []int {
	var missing []int
	for key := range catalogs["en"] {
		if _, ok := catalogs["de"][key]; !ok {
			missing = append(missing, int(key))
		}
	}
	return missing
}
