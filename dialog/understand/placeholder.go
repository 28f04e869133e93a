package understand

import "strings"

// Placeholder readers with the dialog's former keyword lists, until the real readers land.

func read(kind Kind, _ string, text string) Reading {
	lower := strings.ToLower(strings.TrimSpace(text))
	switch kind {
	case Packaging:
		for _, p := range []struct {
			value string
			words []string
		}{
			{ValueIntact, []string{"no damage", "undamaged", "not damaged", "nothing missing", "all fine", "unbeschädigt", "nicht beschädigt", "in ordnung"}},
			{ValueIncomplete, []string{"missing", "incomplete", "unvollständig", "fehlt"}},
			{ValueDamaged, []string{"damage", "broken", "crushed", "torn", "wet", "beschädigt", "kaputt"}},
			{ValueIntact, []string{"intact", "fine", "ok", "good", "complete", "intakt", "vollständig"}},
		} {
			for _, w := range p.words {
				if strings.Contains(lower, w) {
					return Reading{Value: p.value}
				}
			}
		}
	case YesNo, Defect:
		fields := strings.Fields(lower)
		if len(fields) == 0 {
			return Reading{}
		}
		switch strings.Trim(fields[0], ".,!?") {
		case "yes", "y", "yeah", "yep", "ja":
			return Reading{Value: ValueYes}
		case "no", "n", "nope", "nein":
			return Reading{Value: ValueNo}
		}
	}
	return Reading{}
}

func find(Kind, string, string) Reading { return Reading{} }

func readRequest(_ string, text string) Request {
	lower := strings.ToLower(text)
	switch {
	case strings.Contains(lower, "human") || strings.Contains(lower, "manager"):
		return Request{Intent: Person}
	case strings.Contains(lower, "disagree"):
		return Request{Intent: Dispute}
	case strings.HasPrefix(lower, "why"):
		return Request{Intent: Why}
	}
	return Request{}
}
