// Package understand reads what customers type in their own words: yes and no, the state
// of a parcel, whether a product is faulty, and the requests that work at any step (a
// person, a correction, "why?"). Every reader says when it cannot tell: the dialog asks
// again rather than guess, so a reader must never turn "not sure" or "nothing missing"
// into an answer it does not carry.
//
// It knows nothing of sessions or policies; the words it reads are data, one embedded
// file per language.
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
// such as "en" or "de-AT"; words of every language are tried, the customer's first). An
// answer that mixes contrary values ("intact but damaged") is not read: Value is empty.
func Read(kind Kind, lang, text string) Reading { return read(kind, lang, text) }

// Find looks for an answer to a question of kind anywhere in a longer message, as in
// "I got it yesterday and the box was crushed", and reports it only when one phrase in the
// message clearly carries it. It is used for facts given out of turn, so it is stricter
// than Read: a bare "yes" or "ok" is not an answer to a question nobody asked.
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

// ReadRequest reads a request that works at any step from text. Commands ("/staff",
// "back", "restart", "help") are not its business: the dialog reads those itself.
func ReadRequest(lang, text string) Request { return readRequest(lang, text) }
