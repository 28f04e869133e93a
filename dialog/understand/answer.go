package understand

// The sections each kind of question reads.
var active = map[Kind]uint64{
	YesNo:     bit(secYes) | bit(secNo) | bit(secUnsure),
	Packaging: bit(secUnsure) | bit(secIntact) | bit(secComplete) | bit(secDamaged) | bit(secIncomplete),
	Defect:    bit(secYes) | bit(secNo) | bit(secUnsure) | bit(secFaulty) | bit(secWorks),
}

// shadow are the sections each kind reads past as saying nothing of it: at the parcel's
// question "the phone works fine" speaks of the product, and its "fine" is not the box's.
// Where a phrase is in both, the question's own section wins.
var shadow = map[Kind]uint64{
	Packaging: bit(secFaulty) | bit(secWorks),
}

// tally adds up what the hits of a text say. A parcel has two sides: the box (intact or
// damaged) and its contents (complete or incomplete).
type tally struct {
	any      bool // some phrase was found, readable or not
	unsure   bool
	conflict bool
	yes, no  bool
	intact   bool
	damaged  bool
	complete bool
	missing  bool
}

func (t *tally) add(h *hit) {
	t.any = true
	if h.conflict {
		t.conflict = true
		return
	}
	switch h.meaning() {
	case secUnsure:
		t.unsure = true
	case secYes, secFaulty:
		t.yes = true
	case secNo, secWorks:
		t.no = true
	case secIntact:
		t.intact = true
	case secDamaged:
		t.damaged = true
	case secComplete:
		t.complete = true
	case secIncomplete:
		t.missing = true
	}
}

// reading turns the tally into an answer to a question of kind. Unsure wins over any
// value; contrary values give nothing. For the parcel, a damaged box with parts missing
// reads as incomplete (both mean "not intact" to the policy, which asks about the carrier
// either way, and missing parts are what staff must know), a sound box with parts missing
// as incomplete, a damaged box with everything there as damaged.
func (t *tally) reading(kind Kind) Reading {
	switch {
	case t.unsure:
		return Reading{Unsure: true}
	case t.conflict:
		return Reading{}
	}
	if kind == Packaging {
		switch {
		case t.intact && t.damaged, t.complete && t.missing:
			return Reading{}
		case t.missing:
			return Reading{Value: ValueIncomplete}
		case t.damaged:
			return Reading{Value: ValueDamaged}
		case t.intact || t.complete:
			return Reading{Value: ValueIntact}
		}
		return Reading{}
	}
	switch {
	case t.yes && t.no:
		return Reading{}
	case t.yes:
		return Reading{Value: ValueYes}
	case t.no:
		return Reading{Value: ValueNo}
	}
	return Reading{}
}

func read(kind Kind, code, text string) Reading {
	act, ok := active[kind]
	if !ok {
		return Reading{}
	}
	t := getTokens(text)
	defer putTokens(t)
	for _, l := range order(code) {
		if l == nil {
			break
		}
		t.use(l)
		var all tally
		for a, b := range l.clauses(t) {
			if l.elsewhere(t, a, b, kind) {
				continue
			}
			t.hits = t.hits[:0]
			l.scan(t, a, b, act, shadow[kind])
			for k := range t.hits {
				all.add(&t.hits[k])
			}
		}
		if all.any {
			return all.reading(kind)
		}
	}
	return Reading{}
}

func find(kind Kind, code, text string) Reading {
	act, ok := active[kind]
	if !ok || kind == YesNo {
		return Reading{} // a bare yes or no answers nothing out of turn
	}
	t := getTokens(text)
	defer putTokens(t)
	for _, l := range order(code) {
		if l == nil {
			break
		}
		t.use(l)
		// told holds what the clauses say; anchored what clauses say that plainly speak of
		// the fact. Both must agree, so a word out of context ("crushed" with no box) can
		// spoil a reading but never make one.
		var found bool
		var told, anchored tally
		for a, b := range l.clauses(t) {
			if l.elsewhere(t, a, b, kind) {
				continue
			}
			topic := kind == Packaging && l.names(t, a, b, secPackTopic)
			t.hits = t.hits[:0]
			l.scan(t, a, b, act, shadow[kind])
			if len(t.hits) > 0 {
				found = true
			}
			if unsure(t.hits) {
				continue // "not sure if the box was damaged" tells nothing
			}
			for k := range t.hits {
				h := &t.hits[k]
				if h.sec == secIgnore || h.sec == secYes || h.sec == secNo || (h.weak && !h.negated) {
					continue
				}
				told.add(h)
				if kind == Defect || topic || h.sec == secComplete || h.sec == secIncomplete {
					anchored.add(h)
				}
			}
		}
		if found {
			r := told.reading(kind)
			if r.Value != "" && r.Value == anchored.reading(kind).Value {
				return r
			}
			return Reading{}
		}
	}
	return Reading{}
}

// elsewhere reports whether the clause a..b speaks of another thing than the question of
// kind asks about: at the defect question the box ("the box was broken"), at the parcel's
// the product alone ("the product is broken"; "the device came in a crushed box" is read).
func (l *lang) elsewhere(t *tokens, a, b int, kind Kind) bool {
	switch kind {
	case Defect:
		return l.names(t, a, b, secPackTopic)
	case Packaging:
		return l.names(t, a, b, secProductTopic) && !l.names(t, a, b, secPackTopic)
	}
	return false
}

// unsure reports whether the hits hold a word of doubt.
func unsure(hits []hit) bool {
	for k := range hits {
		if hits[k].sec == secUnsure {
			return true
		}
	}
	return false
}
