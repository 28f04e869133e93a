package dialog

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/looplab/fsm"

	"github.com/returnsbot/returnsbot/dialog/understand"
	"github.com/returnsbot/returnsbot/policy"
)

// Dialog states. The question states are also the "awaiting" names of the contract, except
// StateConfirm, whose awaiting name is "confirm_" + the exclusion id; a shop's own
// questions are states named by their ids.
const (
	StateNew           = "new"
	StateReceiptDate   = policy.QuestionReceiptDate
	StatePackaging     = policy.QuestionPackaging
	StateCarrierCheck  = policy.QuestionCarrierCheck
	StateDefect        = policy.QuestionDefect
	StateDefectDetails = policy.QuestionDefectDetails
	StateConfirm       = "confirm_exclusion"
	StateDecided       = "decided"
	StateEscalated     = "escalated"
)

const escalated = policy.Escalated

// MaxTextLen is the longest message, in characters, the dialog reads; longer ones are
// refused with a request to shorten them rather than cut silently.
const MaxTextLen = 2000

// maxPhotos bounds the evidence kept per session.
const maxPhotos = 10

// maxMisses is how many answers to one question the bot cannot read before it offers
// a person.
const maxMisses = 3

// Input is one thing a customer did: typed text, pressed a button, sent photos, or sent
// something the bot cannot read.
type Input struct {
	Text string
	// Button is the id of a button the bot offered, such as "packaging:intact".
	Button string
	// Photos are platform references to pictures, kept as evidence.
	Photos []string
	// Unsupported names content the bot cannot read ("sticker", "voice"); set by adapters.
	Unsupported string
}

// Button is an answer offered to the customer. ID is "question:value", "change:question"
// or "action:name".
type Button struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Reply is one message from the bot. Text is plain: adapters escape it for their markup.
type Reply struct {
	Text    string   `json:"text"`
	Buttons []Button `json:"buttons,omitempty"`
	// Awaiting names the fact the bot is asking for, or is empty.
	Awaiting string `json:"awaiting,omitempty"`
	// Decision is set on the message that states the eligibility decision.
	Decision *policy.Decision `json:"decision,omitempty"`
}

// Engine runs the dialog for one policy. It is safe for concurrent use: every Step
// restores a state machine to the session it is given and keeps nothing between steps.
type Engine struct {
	policy *policy.Policy
	// rows is the question table, exclusions its exclusion questions by exclusion id,
	// byID every question by id; order ranks question states as first asked, and
	// shared marks states several questions share.
	rows       []*question
	exclusions map[string]*question
	byID       map[string]*question
	outOfTurn  []*question // the questions a message may answer out of turn
	order      map[string]int
	shared     map[string]bool
	// machines recycles state machines: building one from the table costs more than a
	// step, restoring a recycled one to a session's state is nothing.
	machines sync.Pool
	// refused counts transitions the machine refused (a bug; tests hold it at 0).
	refused atomic.Int64
	// claimIDs draws the id of each new claim (see SetClaimIDs).
	claimIDs func() string

	// hints remembers which exclusions recent defect descriptions lead to: a step plans
	// several times, and matching is much of a step's CPU.
	hintsMu sync.Mutex
	hints   map[string]*hintPlan
}

// hintPlan is what a defect description leads to: the exclusion questions to ask, in
// order, and the set of their exclusion ids.
type hintPlan struct {
	order []*question
	asked map[string]struct{}
}

// hintCacheSize bounds Engine.hints; past it the cache starts afresh.
const hintCacheSize = 4096

// hinted returns the exclusion questions to ask for a defect description, in asking order.
func (e *Engine) hinted(details string) *hintPlan {
	e.hintsMu.Lock()
	h, ok := e.hints[details]
	e.hintsMu.Unlock()
	if ok {
		return h
	}
	h = &hintPlan{asked: map[string]struct{}{}}
	for _, ex := range e.policy.Hinted(details) {
		h.order = append(h.order, e.exclusions[ex.ID])
		h.asked[ex.ID] = struct{}{}
	}
	e.hintsMu.Lock()
	if e.hints == nil || len(e.hints) >= hintCacheSize {
		e.hints = make(map[string]*hintPlan)
	}
	e.hints[details] = h
	e.hintsMu.Unlock()
	return h
}

// NewEngine returns an Engine that asks the questions of p and decides claims by it.
func NewEngine(p *policy.Policy) *Engine {
	e := &Engine{policy: p, byID: map[string]*question{}, order: map[string]int{}, shared: map[string]bool{}}
	e.rows, e.exclusions = buildTable(p)
	for _, q := range e.rows {
		e.byID[q.ID] = q
		if q.outOfTurn {
			e.outOfTurn = append(e.outOfTurn, q)
		}
		if _, ok := e.order[q.State]; ok {
			e.shared[q.State] = true
			continue
		}
		e.order[q.State] = len(e.order)
	}
	events, callbacks := e.events(), e.callbacks()
	e.machines.New = func() any { return fsm.NewFSM(StateNew, events, callbacks) }
	return e
}

// Policy returns the policy the engine decides by.
func (e *Engine) Policy() *policy.Policy { return e.policy }

// Step handles one input and returns the replies to send. It changes s in place; the
// caller stores s and sends the replies only once the store has accepted it.
func (e *Engine) Step(s *Session, in Input, now time.Time) []Reply {
	t := e.texts(s)
	cur := e.settle(s)
	s.Updated = now.Unix()
	if len(in.Photos) > 0 {
		s.Answers.Photos = appendCapped(s.Answers.Photos, in.Photos, maxPhotos)
	}
	text := strings.TrimSpace(in.Text)
	switch {
	case in.Button != "":
		return e.button(s, in.Button, now, cur)
	case utf8.RuneCountInString(text) > MaxTextLen:
		return e.reprompt(s, t.get(msgTooLong, utf8.RuneCountInString(text), MaxTextLen), now)
	case text == "" && len(in.Photos) > 0:
		if cur != nil && cur.ID == StateDefectDetails { // a photo alone describes no defect
			return e.reprompt(s, t.get(msgPhotoNeedsWords), now)
		}
		return e.reprompt(s, t.get(msgPhotoKept), now)
	case text == "" && in.Unsupported != "":
		return e.reprompt(s, t.get(msgUnsupported, in.Unsupported), now)
	case text == "":
		return e.reprompt(s, t.get(msgEmpty), now)
	}
	if cmd, ok := command(s.Lang, text); ok {
		return e.command(s, cmd, now)
	}
	tr := &turn{s: s, now: now, cur: cur}
	if len(in.Photos) > 0 {
		if q := cur; q != nil && q.reader != readText {
			tr.note = t.get(msgPhotoKept) // a caption at a closed question is read as its answer
		}
	}
	req := understand.ReadRequest(s.Lang, text)
	switch s.State {
	case StateNew:
		if req.Intent == understand.Person {
			return e.escalate(s, policy.ReasonAsked, now)
		}
		return e.start(tr, text)
	case StateEscalated:
		return []Reply{{Text: t.get(msgWithStaff)}}
	case StateDecided:
		switch {
		case req.Intent == understand.Dispute || req.Intent == understand.Person || isDispute(s.Lang, text):
			return e.escalate(s, policy.ReasonDisputed, now)
		case req.Intent == understand.Change:
			return e.change(tr, req.Target, req.Rest)
		}
		return []Reply{e.afterDecision(s)}
	}
	switch req.Intent {
	case understand.Person:
		return e.escalate(s, policy.ReasonAsked, now)
	case understand.Why:
		return e.reprompt(s, e.why(s), now)
	case understand.Change:
		return e.change(tr, req.Target, req.Rest)
	}
	if s.State == StateSummary {
		return e.readBackAnswer(tr, text, req.Intent == understand.Dispute)
	}
	return e.answer(tr, text)
}

// settle brings a session stored mid-question in line with the table: the state of its
// first open question, which it returns. They differ only when the policy's questions
// changed since the session was stored; the step then goes on from where the answers lead.
func (e *Engine) settle(s *Session) *question {
	switch s.State {
	case "":
		s.State = StateNew
		return nil
	case StateNew, StateDecided, StateEscalated:
		return nil
	}
	q, ok := open(e.plan(make([]step, 0, planCap), &s.Answers))
	if !ok {
		s.State = StateSummary
		return nil
	}
	s.State = q.State
	return q
}

// asking returns the question the session is asking now, if any.
func (e *Engine) asking(s *Session) (*question, bool) {
	if _, ok := e.order[s.State]; !ok {
		return nil, false
	}
	return open(e.plan(make([]step, 0, planCap), &s.Answers))
}

// start greets a new customer, keeps the facts the first message gives and asks the
// first open question.
func (e *Engine) start(tr *turn, first string) []Reply {
	s := tr.s
	t := e.texts(s)
	s.Answers = Answers{Photos: s.Answers.Photos}
	s.Outcome, s.DecidedAt, s.Resume, s.Reason, s.Claim = "", 0, "", "", ""
	greeting := t.get(msgGreeting)
	if found := e.findAll(s, first, tr.now, nil); len(found) > 0 {
		greeting += "\n\n" + t.get(msgUnderstood) + "\n" + e.factLines(s, found)
	}
	tr.add(Reply{Text: greeting})
	e.move(tr)
	return tr.out
}

// command runs one of the words that work at any step.
func (e *Engine) command(s *Session, cmd string, now time.Time) []Reply {
	t := e.texts(s)
	switch cmd {
	case "start", "restart":
		if cmd == "start" && s.State != StateNew && s.State != StateDecided && s.State != StateEscalated {
			// /start in the middle of a claim re-asks rather than throwing answers away.
			return e.reprompt(s, t.get(msgAlreadyStarted), now)
		}
		tr := &turn{s: s, now: now}
		if s.State != StateNew {
			if err := e.fire(tr, eventRestart); err != nil {
				return e.reprompt(s, t.get(msgAlreadyStarted), now)
			}
		}
		return e.start(tr, "")
	case "back":
		return e.back(s, now)
	case "staff":
		if s.State == StateDecided {
			return e.escalate(s, policy.ReasonDisputed, now)
		}
		return e.escalate(s, policy.ReasonAsked, now)
	case "help":
		return e.reprompt(s, t.get(msgHelp), now)
	case "status": // bot.Service answers it from the claim store; without one, there is none
		return e.StatusUnavailable(s)
	case "language":
		return []Reply{e.languageMenu(s)}
	default:
		return e.reprompt(s, t.get(msgUnknownCommand, cmd), now)
	}
}

// button handles a pressed button. A button of a question no longer asked is stale: it
// gets a kind word and the current question, and changes nothing.
func (e *Engine) button(s *Session, id string, now time.Time, cur *question) []Reply {
	t := e.texts(s)
	question, value, ok := strings.Cut(id, ":")
	if !ok || value == "" {
		return e.reprompt(s, t.get(msgStaleButton), now)
	}
	tr := &turn{s: s, now: now}
	switch question {
	case "action":
		return e.command(s, value, now)
	case "change":
		if st, ok := e.stepFor(s, value); !ok || !st.answered || st.status == skipped || s.State == StateNew || s.State == StateEscalated {
			return e.reprompt(s, t.get(msgStaleButton), now)
		}
		return e.change(tr, value, "")
	case "language":
		return e.switchLanguage(s, value, now)
	case StateSummary:
		if s.State != StateSummary || value != "yes" {
			return e.reprompt(s, t.get(msgStaleButton), now)
		}
		return e.accept(tr)
	}
	q := cur
	if q == nil || q.ID != question || !q.hasChoice(value) {
		return e.reprompt(s, t.get(msgStaleButton), now)
	}
	tr.cur = q
	return e.answer(tr, value)
}

func (q *question) hasChoice(value string) bool {
	for _, c := range q.choices {
		if c.value == value {
			return true
		}
	}
	return false
}

// stepFor returns the plan's step of question id.
func (e *Engine) stepFor(s *Session, id string) (step, bool) {
	for _, st := range e.plan(make([]step, 0, planCap), &s.Answers) {
		if st.q.ID == id {
			return st, true
		}
	}
	return step{}, false
}

// answer reads text as the answer to the question being asked, keeps every other fact
// the message gives, and moves on; an answer it cannot read is asked again.
func (e *Engine) answer(tr *turn, text string) []Reply {
	s := tr.s
	q, ok := tr.cur, tr.cur != nil
	if !ok { // cannot happen: settle puts every question state on its open question
		tr.add(e.where(s))
		return tr.out
	}
	v, problem := e.read(q, s, text, tr.now)
	e.findAll(s, text, tr.now, q)
	if problem != "" {
		s.Misses++
		tr.add(e.reask(s, q, problem))
		return tr.out
	}
	e.setAnswer(s, q, v)
	e.move(tr)
	return tr.out
}

// setAnswer stores v as the answer to q and drops the answers that no longer apply.
func (e *Engine) setAnswer(s *Session, q *question, v string) {
	q.set(&s.Answers, v)
	e.prune(&s.Answers)
}

// accept takes the customer's acceptance of the read-back and decides.
func (e *Engine) accept(tr *turn) []Reply {
	if _, open := open(e.plan(make([]step, 0, planCap), &tr.s.Answers)); open { // cannot happen: settle
		e.move(tr)
		return tr.out
	}
	if err := e.fire(tr, eventDecide); err != nil {
		tr.add(e.where(tr.s))
		return tr.out
	}
	if tr.s.Outcome == escalated {
		// The decision hands the claim to staff (a carrier claim); it has said so.
		d, _ := e.Decision(tr.s)
		tr.reason, tr.quiet = d.Reason, true
		if err := e.fire(tr, eventEscalate); err == nil {
			tr.s.Resume = StateDecided
		}
	}
	return tr.out
}

// Decision recomputes the decision a decided session was given, for staff to see.
func (e *Engine) Decision(s *Session) (policy.Decision, bool) {
	if s.Outcome == "" || s.DecidedAt == 0 {
		return policy.Decision{}, false
	}
	return e.policy.Decide(e.facts(s.Answers), time.Unix(s.DecidedAt, 0)), true
}

// facts turns answers into the policy's facts, each question feeding its own.
func (e *Engine) facts(a Answers) policy.Facts {
	f := policy.Facts{Received: a.Receipt != ReceiptPending, Exclusions: map[string]bool{}}
	if f.Received {
		d, err := time.ParseInLocation(time.DateOnly, a.Receipt, e.policy.Location)
		if err == nil {
			f.ReceiptDate = d
		}
	}
	for _, q := range e.rows {
		if v, ok := q.get(&a); ok && q.feed != nil {
			q.feed(&f, v)
		}
	}
	return f
}

// Repeat answers a message handled before whose replies may never have reached the
// customer, because the bot stopped between saving the session and sending them: after a
// note saying why, it states again what the conversation stands at (the current
// question, the read-back, the decision, or that staff will answer). It does not change
// s, so nothing needs saving.
func (e *Engine) Repeat(s *Session, now time.Time) []Reply {
	c := *s // reprompt moves a new session on; the copy keeps s as it is
	c.Answers.Exclusions = cloneMap(s.Answers.Exclusions)
	c.Answers.Shop = cloneMap(s.Answers.Shop)
	note := e.texts(&c).get(msgRepeat)
	// A decided session whose outcome is escalated was handed back by staff (see
	// Resume): the decision is theirs to state, and repeating it would call them again.
	if d, ok := e.Decision(&c); ok && c.State == StateDecided && d.Outcome != escalated {
		r := e.render(&c, d)
		r.Text = note + "\n\n" + r.Text
		return []Reply{r}
	}
	return e.reprompt(&c, note, now)
}

func cloneMap[V any](m map[string]V) map[string]V {
	if m == nil {
		return nil
	}
	c := make(map[string]V, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// reprompt prefixes note to what the session is waiting for, so a customer who said
// something the bot could not use always sees it.
func (e *Engine) reprompt(s *Session, note string, now time.Time) []Reply {
	if s.State == StateNew {
		tr := &turn{s: s, now: now, note: note}
		return e.start(tr, "")
	}
	r := e.where(s)
	r.Text = note + "\n\n" + r.Text
	return []Reply{r}
}

// where states what the session is waiting for: its question, the read-back, the
// after-decision offer, or that staff will answer.
func (e *Engine) where(s *Session) Reply {
	switch s.State {
	case StateEscalated:
		return Reply{Text: e.texts(s).get(msgWithStaff)}
	case StateDecided:
		return e.afterDecision(s)
	case StateSummary:
		return e.summary(s)
	case StateNew:
		return Reply{Text: e.texts(s).get(msgGreeting)}
	}
	if q, ok := e.asking(s); ok {
		r := e.ask(s, q)
		if s.Misses >= maxMisses {
			r = e.offerPerson(s, r)
		}
		return r
	}
	return e.summary(s)
}

// afterDecision answers messages after a decision: the way to start again or get a person.
func (e *Engine) afterDecision(s *Session) Reply {
	t := e.texts(s)
	return Reply{Text: t.get(msgAfterDecision), Buttons: t.afterButtons()}
}

func appendCapped(dst, src []string, limit int) []string {
	dst = append(dst, src...)
	if len(dst) > limit {
		dst = dst[len(dst)-limit:]
	}
	return dst
}
