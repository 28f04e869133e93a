// Package understand reads what customers type in their own words: yes and no, the state
// of a parcel, whether a product is faulty, and the requests that work at any step (a
// person, a correction, "why?"). Every reader says when it cannot tell: the dialog asks
// again rather than guess, so a reader must never turn "not sure" or "nothing missing"
// into an answer it does not carry.
//
// It knows nothing of sessions or policies; the words it reads are data, one embedded
// file per language, words/<code>.txt (code is the base language: "en", "de"). A shop
// adds a language or replaces some of a built-in one's sections with files of the same
// format: NewWords lays them over the built-in words and Use makes the readers read with
// the result. The package reads no files and no environment of its own (the caller reads
// the shop's files and hands over their text); Check says what is wrong with one.
//
// # Word files
//
// A word file is UTF-8 text, read line by line:
//
//	# a comment (a line starting with #)
//	[key]
//	a phrase
//	~a weak phrase
//
// A line "[key]" starts a section; every other non-blank line is one phrase of the
// section above it. A key is given at most once, with at least one phrase; a file of a
// new language gives every key, one of a built-in language only the keys it replaces
// (each replaces the built-in section whole).
// Phrases are matched word by word, ignoring case, with apostrophes dropped ("don't" and
// "dont" are one word) and German letters folded (ä ae, ö oe, ü ue, ß ss), so a phrase
// holds no punctuation. "~" before a phrase marks it weak: Read counts it when the
// question was asked, Find never counts it out of turn unless it is negated ("works" is
// weak, "doesn't work" is not). A phrase must not be filed under two keys that one
// reader looks for together (say [yes] and [no]).
//
// The keys:
//
//	yes, no, unsure           answers to a yes/no question; unsure wins over any value
//	negators                  single words that negate the phrase after them ("not", "nicht")
//	negators_after            single words that negate the phrase right before them when no
//	                          phrase follows ("es fehlt nichts", "I did not")
//	split                     single words that end a clause, like a comma ("and", "aber")
//	ignore                    phrases that mean nothing, hiding the words in them ("no problem")
//	packaging.intact          the box was sound ("fine", "undamaged"); negated: damaged
//	packaging.complete        nothing was missing ("all parts were there"); negated: incomplete
//	packaging.damaged         the box was damaged ("crushed"); negated: intact
//	packaging.incomplete      something was missing ("the cable was missing"); negated: intact
//	packaging.topic           words that name the parcel ("box", "Karton")
//	product.topic             words that name the product ("device", "Gerät")
//	defect.faulty             symptoms ("won't turn on" is listed or read as negated works)
//	defect.works              it works ("works fine"); negated: faulty ("doesn't work")
//	person.nouns              who a customer asks for ("human", "manager", "Mitarbeiter")
//	person.verbs              how they ask ("talk", "speak", "sprechen")
//	filler                    single words a request may hold besides ("can", "I", "please")
//	dispute                   disagreement ("I don't agree", "ungerecht")
//	why                       asking why ("why?", "what for", "wozu")
//	change                    a correction opening a clause ("actually", "I made a mistake")
//	change.verbs              asking to change a named fact ("change", "ändern")
//	change.wrong              saying a named fact is wrong ("is wrong", "falsch")
//	target.receipt_date, target.packaging, target.carrier_check, target.defect,
//	target.defect_details     the words naming each fact a correction may target
//
// # How answers are read
//
// A message is split into clauses at punctuation and at the [split] words, and each
// clause is read on its own. In a clause the longest phrase wins ("nothing was missing"
// over "missing"); a negator within two words before a phrase turns it into its opposite
// ("not in good shape" is damaged, "it doesn't work" faulty), and a negation without an
// opposite ("not no") makes the message unreadable. A word of doubt anywhere makes the
// reading Unsure; contrary values give nothing. For the parcel the box (intact, damaged)
// and its contents (complete, incomplete) are read apart: parts missing read as
// incomplete whatever the box, a damaged box with everything there as damaged. At the
// defect question a clause naming the parcel is skipped: it speaks of the box; at the
// parcel's, one naming the product and not the parcel ("the screen is cracked"), and the
// product's own phrases ("works fine") are read past. The
// customer's language is tried first; the others only when it finds no phrase at all.
package understand

// Kind names a closed question whose answer a reader knows how to read.
type Kind string

// The closed questions of the built-in dialog.
const (
	// YesNo reads a plain yes or no ("yes", "nope", "not really", "ja", "nein").
	YesNo Kind = "yes_no"
	// Packaging reads the state of the parcel: ValueIntact, ValueDamaged or ValueIncomplete.
	Packaging Kind = "packaging"
	// Defect reads whether the product is faulty: ValueYes ("it doesn't work", "broken")
	// or ValueNo ("works fine", "nothing wrong with it").
	Defect Kind = "defect"
)

// Values a reader returns.
const (
	ValueYes        = "yes"
	ValueNo         = "no"
	ValueIntact     = "intact"
	ValueDamaged    = "damaged"
	ValueIncomplete = "incomplete"
)

// Reading is what a reader made of a text.
type Reading struct {
	// Value is the answer read, one of the Value constants; empty when none could be
	// read with confidence.
	Value string
	// Unsure is set when the customer says they do not know ("not sure", "I didn't
	// look", "keine Ahnung"); Value is then empty.
	Unsure bool
}

// Read reads the answer to a question of kind from text, in language lang (a BCP 47 code
// such as "en" or "de-AT"; the words of its base language are tried first, the others
// only when those find no phrase at all). An answer that mixes contrary values ("intact
// but damaged") is not read: Value is empty. A word of doubt anywhere ("not sure", "no
// idea") makes it Unsure, never No.
func Read(kind Kind, lang, text string) Reading { return read(kind, lang, text) }

// Find looks for an answer to a question of kind anywhere in a longer message, as in
// "I got it yesterday and the box was crushed", and reports it only when one phrase in the
// message clearly carries it. It is used for facts given out of turn, so it is stricter
// than Read: a bare "yes" or "ok" is not an answer to a question nobody asked. It never
// reads yes/no (Find(YesNo, ...) is always empty) and never reports Unsure (a clause with
// a word of doubt tells it nothing); weak phrases count only when negated; the parcel's
// intact and damaged words count only in a clause that names the parcel ("the box was
// fine"), its contents words anywhere ("a part was missing"), and a word out of context
// that disagrees ("crushed" with no box) spoils the reading. Whatever Find reports, Read
// of the same text reports too, or nothing.
func Find(kind Kind, lang, text string) Reading { return find(kind, lang, text) }

// Intent is a request that works at any step, whatever the question.
type Intent string

// Intents.
const (
	// None: the text asks for nothing of the kind; read it as an answer.
	None Intent = ""
	// Person asks for a human ("talk to a human", "can I speak to a manager?").
	Person Intent = "person"
	// Dispute disagrees with a decision ("I don't agree", "that's not fair").
	Dispute Intent = "dispute"
	// Why asks why the bot needs the answer ("why?", "why do you need this?").
	Why Intent = "why"
	// Change asks to correct an earlier answer ("actually the box was damaged", "change
	// the date"); Request.Target names which fact, if the text says.
	Change Intent = "change"
)

// Request is an intent read from a text.
type Request struct {
	Intent Intent
	// Target is, for Change, the fact to correct: a question id such as "receipt_date",
	// "packaging", "carrier_check", "defect", "defect_details"; empty when not named.
	Target string
	// Rest is, for Change, the text after the correction words ("actually the box was
	// damaged" → "the box was damaged"), to be read as the new answer; may be empty.
	Rest string
}

// ReadRequest reads a request that works at any step from text, in language lang as Read
// does. Person needs request phrasing: a clause made only of who to ask for, how, and
// filler ("can I speak to a manager?", "agent"), so "the agent in the app crashes" is
// none. Why needs the message to be the question ("why?", "why do you need this?").
// Change needs a correction opening a clause ("actually ..."), a change asked for a named
// fact ("change the date"), or a named fact said to be wrong ("the date is wrong, ...");
// Target is then inferred from Rest when no fact is named. Dispute is disagreement
// anywhere ("I don't agree", "that's wrong" with no fact named). Commands ("/staff",
// "back", "restart", "help") are not its business: the dialog reads those itself.
func ReadRequest(lang, text string) Request { return readRequest(lang, text) }
