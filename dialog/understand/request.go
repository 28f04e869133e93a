package understand

const targetMask = 1<<secTargetDate | 1<<secTargetPackaging | 1<<secTargetCarrier | 1<<secTargetDefect | 1<<secTargetDetails

func readRequest(code, text string) Request {
	t := getTokens(text)
	defer putTokens(t)
	for _, l := range order(code) {
		if l == nil {
			break
		}
		t.use(l)
		if r := l.request(t, code, text); r.Intent != None {
			return r
		}
	}
	return Request{}
}

// request reads one language's requests, the strongest first: a person, then "why?",
// then a correction, then disagreement ("that's wrong" with no fact named is a dispute,
// "the date is wrong" a correction).
func (l *lang) request(t *tokens, code, text string) Request {
	for a, b := range l.clauses(t) {
		if l.person(t, a, b) {
			return Request{Intent: Person}
		}
	}
	if l.why(t) {
		return Request{Intent: Why}
	}
	if r, ok := l.change(t, code, text); ok {
		return r
	}
	for a, b := range l.clauses(t) {
		for j := a; j < b; j++ {
			if l.longest(t, j, b, bit(secDispute)).n > 0 {
				return Request{Intent: Dispute}
			}
		}
	}
	return Request{}
}

// person reports whether the clause a..b asks for a human: it is made only of
// [person.nouns], [person.verbs] and [filler], with a noun among them ("can I speak to a
// manager?", "Mitarbeiter bitte", "agent"). A clause that says anything else ("the agent
// in the app crashes", "the stand does not support the weight") is not a request.
func (l *lang) person(t *tokens, a, b int) bool {
	const mask = 1<<secPersonNoun | 1<<secPersonVerb | 1<<secFiller
	nouns := 0
	for i := a; i < b; {
		m := l.longest(t, i, b, mask)
		if m.n == 0 {
			return false
		}
		if m.sec == secPersonNoun {
			nouns++
		}
		i += m.n
	}
	return nouns > 0
}

// why reports whether the whole message asks why: it opens (after filler) with a phrase
// of [why]; a one-word one ("why?", "warum?") may be followed by filler only ("why is
// that"), a longer one by at most two more words ("why do you need the date").
func (l *lang) why(t *tokens) bool {
	n := len(t.toks)
	i := 0
	for i < n && (l.is(t, i, secFiller) || l.is(t, i, secSplit)) {
		i++
	}
	m := l.longest(t, i, n, bit(secWhy))
	if m.n == 0 {
		return false
	}
	other := 0
	for j := i + m.n; j < n; j++ {
		if !l.is(t, j, secFiller) {
			other++
		}
	}
	if m.n == 1 {
		return other == 0
	}
	return other <= 2
}

// change reads a correction. It takes one of three shapes, in the first clause that has
// one:
//   - a phrase of [change] opening the clause ("actually the box was damaged", "sorry,
//     I meant ...", "I made a mistake"): the rest of the message is the new answer;
//   - a word of [change.verbs] with a fact named within two words, or with filler and
//     facts only ("change the date", "Datum ändern", "change my answer"): what follows
//     the fact is the new answer;
//   - a word of [change.wrong] with a fact named and filler only ("the date is wrong"):
//     the clauses after it are the new answer ("..., it was the 12th").
//
// The target is the fact named in that clause, else in the new answer, else the one fact
// Find reads from the new answer.
func (l *lang) change(t *tokens, code, text string) (Request, bool) {
	n := len(t.toks)
	for a, b := range l.clauses(t) {
		from, ok := l.changeIn(t, a, b)
		if !ok {
			continue
		}
		r := Request{Intent: Change, Target: l.firstTarget(t, a, b)}
		for from < n && l.is(t, from, secSplit) {
			from++
		}
		if from < n {
			r.Rest = text[t.toks[from].start:t.toks[n-1].end]
		}
		if r.Target == "" && from < n {
			r.Target = l.firstTarget(t, from, n)
		}
		if r.Target == "" && r.Rest != "" {
			r.Target = inferTarget(code, r.Rest)
		}
		return r, true
	}
	return Request{}, false
}

// changeIn reads a correction in the clause a..b; from is the word where the new answer
// starts.
func (l *lang) changeIn(t *tokens, a, b int) (from int, ok bool) {
	// A word of [change] opening the clause ("it actually stopped working" is no
	// correction).
	if m := l.longest(t, a, b, bit(secChange)); m.n > 0 {
		from = a + m.n
		if only, _ := l.covered(t, from, b, -1, -1); only {
			from = b // "I made a mistake with the date": nothing new in this clause
		}
		return from, true
	}
	for p := a; p < b; p++ {
		if m := l.longest(t, p, b, bit(secChangeVerb)); m.n > 0 {
			q := p + m.n
			only, _ := l.covered(t, a, b, p, q)
			_, near := l.covered(t, max(a, p-2), min(b, q+2), p, q)
			if !only && !near {
				// "the colour seems to change when ...", "the date display seems to
				// change colour" are no request.
				return 0, false
			}
			from = max(q, l.lastTargetEnd(t, a, b))
			for from < b && l.is(t, from, secFiller) {
				from++
			}
			return from, true
		}
		if m := l.longest(t, p, b, bit(secChangeWrong)); m.n > 0 {
			if only, named := l.covered(t, a, b, p, p+m.n); only && named {
				return b, true
			}
			return 0, false
		}
	}
	return 0, false
}

// covered reports whether the words a..b, but for skipFrom..skipTo, are all filler or
// names of facts, and whether a fact is named among them.
func (l *lang) covered(t *tokens, a, b, skipFrom, skipTo int) (only, named bool) {
	only = true
	for i := a; i < b; {
		if i == skipFrom {
			i = skipTo
			continue
		}
		m := l.longest(t, i, b, targetMask|bit(secFiller))
		if m.n == 0 {
			only = false
			i++
			continue
		}
		if m.sec != secFiller {
			named = true
		}
		i += m.n
	}
	return only, named
}

// firstTarget returns the question id of the first fact named in words a..b.
func (l *lang) firstTarget(t *tokens, a, b int) string {
	for i := a; i < b; i++ {
		if m := l.longest(t, i, b, targetMask); m.n > 0 {
			return targetID(m.sec)
		}
	}
	return ""
}

// lastTargetEnd returns the word after the last fact named in words a..b, or a.
func (l *lang) lastTargetEnd(t *tokens, a, b int) int {
	end := a
	for i := a; i < b; {
		if m := l.longest(t, i, b, targetMask); m.n > 0 {
			i += m.n
			end = i
			continue
		}
		i++
	}
	return end
}

func targetID(s section) string {
	for _, tg := range targets {
		if tg.sec == s {
			return tg.id
		}
	}
	return ""
}

// inferTarget names the fact a new answer gives when it names none ("actually it
// doesn't work" → defect): the one of the closed facts Find reads from it.
func inferTarget(code, rest string) string {
	pack, defect := find(Packaging, code, rest).Value != "", find(Defect, code, rest).Value != ""
	switch {
	case pack && !defect:
		return "packaging"
	case defect && !pack:
		return "defect"
	}
	return ""
}
