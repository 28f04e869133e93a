package dialog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/looplab/fsm"

	"github.com/returnsbot/returnsbot/policy"
)

// Dialog states. The question states are also the "awaiting" names of the contract, except
// StateConfirm, whose awaiting name is "confirm_" + the exclusion id.
const (
	StateNew           = "new"
	StateReceiptDate   = "receipt_date"
	StatePackaging     = "packaging"
	StateCarrierCheck  = "carrier_check"
	StateDefect        = "defect"
	StateDefectDetails = "defect_details"
	StateConfirm       = "confirm_exclusion"
	StateDecided       = "decided"
	StateEscalated     = "escalated"
)

// MaxTextLen is the longest message, in characters, the dialog reads; longer ones are
// refused with a request to shorten them rather than cut silently.
const MaxTextLen = 2000

// maxPhotos bounds the evidence kept per session.
const maxPhotos = 10

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

// Button is an answer offered to the customer. ID is "question:value" or "action:name".
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

// Engine runs the dialog for one policy. It is safe for concurrent use: every Step builds
// a state machine from the session it is given and keeps nothing between steps.
type Engine struct {
	policy *policy.Policy
	// machines recycles state machines: building one from the transition table is a
	// fifth of a step's CPU, restoring a recycled one to a session's state is nothing.
	machines sync.Pool

	// hints remembers which exclusions recent defect descriptions hint at: a step asks
	// several times (path, question, awaiting), and matching is most of a step's CPU.
	hintsMu sync.Mutex
	hints   map[string][]policy.Exclusion
}

// hintCacheSize bounds Engine.hints; past it the cache starts afresh.
const hintCacheSize = 4096

// hinted returns the exclusions a defect description hints at, plus those always asked.
func (e *Engine) hinted(details string) []policy.Exclusion {
	e.hintsMu.Lock()
	h, ok := e.hints[details]
	e.hintsMu.Unlock()
	if ok {
		return h
	}
	h = e.policy.Hinted(details)
	e.hintsMu.Lock()
	if e.hints == nil || len(e.hints) >= hintCacheSize {
		e.hints = make(map[string][]policy.Exclusion)
	}
	e.hints[details] = h
	e.hintsMu.Unlock()
	return h
}

// NewEngine returns an Engine that decides claims by p.
func NewEngine(p *policy.Policy) *Engine {
	e := &Engine{policy: p}
	e.machines.New = func() any { return fsm.NewFSM(StateNew, transitions(), fsm.Callbacks{}) }
	return e
}

// Policy returns the policy the engine decides by.
func (e *Engine) Policy() *policy.Policy { return e.policy }

// questions in the order they are asked; StateConfirm repeats once per exclusion.
var questions = []string{StateReceiptDate, StatePackaging, StateCarrierCheck, StateDefect, StateDefectDetails, StateConfirm}

// transitions is the dialog's state machine. Events are named after the state they lead to
// ("ask_packaging", "decide"), so the path the facts dictate picks the event, and the
// machine refuses any transition the design does not allow.
func transitions() fsm.Events {
	all := append([]string{StateNew, StateDecided}, questions...)
	return fsm.Events{
		{Name: "ask_" + StateReceiptDate, Src: append([]string{StateEscalated, StatePackaging}, all...), Dst: StateReceiptDate},
		{Name: "ask_" + StatePackaging, Src: []string{StateReceiptDate, StateCarrierCheck, StateDefect, StateDecided, StateEscalated}, Dst: StatePackaging},
		{Name: "ask_" + StateCarrierCheck, Src: []string{StatePackaging, StateDecided, StateEscalated}, Dst: StateCarrierCheck},
		{Name: "ask_" + StateDefect, Src: []string{StatePackaging, StateDefectDetails, StateDecided, StateEscalated}, Dst: StateDefect},
		{Name: "ask_" + StateDefectDetails, Src: []string{StateDefect, StateConfirm, StateDecided, StateEscalated}, Dst: StateDefectDetails},
		{Name: "ask_" + StateConfirm, Src: []string{StateDefectDetails, StateDecided, StateEscalated}, Dst: StateConfirm},
		{Name: "decide", Src: []string{StatePackaging, StateCarrierCheck, StateDefect, StateDefectDetails, StateConfirm, StateEscalated}, Dst: StateDecided},
		{Name: "escalate", Src: all, Dst: StateEscalated},
	}
}

// eventTo names the event that leads to state.
func eventTo(state string) string {
	switch state {
	case StateDecided:
		return "decide"
	case StateEscalated:
		return "escalate"
	}
	return "ask_" + state
}

// Step handles one input and returns the replies to send. It changes s in place; the
// caller stores s and sends the replies only once the store has accepted it.
func (e *Engine) Step(s *Session, in Input, now time.Time) []Reply {
	t := e.texts(s)
	if s.State == "" {
		s.State = StateNew
	}
	s.Updated = now.Unix()
	if len(in.Photos) > 0 {
		s.Answers.Photos = appendCapped(s.Answers.Photos, in.Photos, maxPhotos)
	}
	text := strings.TrimSpace(in.Text)
	switch {
	case in.Button != "":
		return e.button(s, in.Button, now)
	case utf8.RuneCountInString(text) > MaxTextLen:
		return e.reprompt(s, t.get(msgTooLong, utf8.RuneCountInString(text), MaxTextLen), now)
	case text == "" && len(in.Photos) > 0:
		if s.State == StateDefectDetails {
			return e.reprompt(s, t.get(msgPhotoNeedsWords), now)
		}
		if s.State == StateNew {
			return e.start(s, t.get(msgPhotoKept), now)
		}
		return e.reprompt(s, t.get(msgPhotoKept), now)
	case text == "" && in.Unsupported != "":
		return e.reprompt(s, t.get(msgUnsupported, in.Unsupported), now)
	case text == "":
		return e.reprompt(s, t.get(msgEmpty), now)
	}
	if cmd, ok := command(text); ok {
		return e.command(s, cmd, now)
	}
	if s.State == StateNew {
		return e.start(s, "", now)
	}
	if s.State == StateEscalated {
		return []Reply{{Text: t.get(msgWithStaff)}}
	}
	if s.State == StateDecided {
		if isDispute(text) {
			return e.escalate(s, policy.ReasonDisputed, now)
		}
		return []Reply{e.afterDecision(s)}
	}
	return e.answer(s, s.State, text, now)
}

// start greets a new customer and asks the first question.
func (e *Engine) start(s *Session, note string, now time.Time) []Reply {
	t := e.texts(s)
	greeting := t.get(msgGreeting)
	if note != "" {
		greeting = note + "\n\n" + greeting
	}
	s.Answers = Answers{Photos: s.Answers.Photos}
	s.Outcome, s.DecidedAt, s.Resume, s.Reason = "", 0, "", ""
	return append([]Reply{{Text: greeting}}, e.moveTo(s, StateReceiptDate, now)...)
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
		s.Answers = Answers{}
		return e.start(s, "", now)
	case "back":
		return e.back(s, now)
	case "staff":
		if s.State == StateDecided {
			return e.escalate(s, policy.ReasonDisputed, now)
		}
		return e.escalate(s, policy.ReasonAsked, now)
	case "help":
		return e.reprompt(s, t.get(msgHelp), now)
	default:
		return e.reprompt(s, t.get(msgUnknownCommand, cmd), now)
	}
}

// button handles a pressed button. A button of a question no longer asked is stale: it
// gets a kind word and the current question, and changes nothing.
func (e *Engine) button(s *Session, id string, now time.Time) []Reply {
	t := e.texts(s)
	question, value, ok := strings.Cut(id, ":")
	if !ok || value == "" {
		return e.reprompt(s, t.get(msgStaleButton), now)
	}
	if question == "action" {
		return e.command(s, value, now)
	}
	if question != e.awaiting(s) {
		return e.reprompt(s, t.get(msgStaleButton), now)
	}
	return e.answer(s, s.State, value, now)
}

// answer applies an answer to the question in state and moves on, or re-asks.
func (e *Engine) answer(s *Session, state, text string, now time.Time) []Reply {
	t := e.texts(s)
	a := &s.Answers
	switch state {
	case StateReceiptDate:
		switch strings.ToLower(text) {
		case "pickup":
			text = "not received yet"
		}
		r, err := ParseReceipt(text, now, e.policy.Location)
		switch {
		case errors.Is(err, ErrFutureDate):
			return e.reprompt(s, t.get(msgFutureDate, t.date(r.Date)), now)
		case errors.Is(err, ErrImpossibleDate):
			return e.reprompt(s, t.get(msgImpossibleDate), now)
		case errors.Is(err, ErrAncientDate):
			return e.reprompt(s, t.get(msgAncientDate, t.date(r.Date)), now)
		case err != nil:
			return e.reprompt(s, t.get(msgNoDate), now)
		case r.NotReceived:
			a.Receipt = ReceiptPending
		default:
			a.Receipt = r.Date.Format(time.DateOnly)
		}
	case StatePackaging:
		p, ok := parsePackaging(text)
		if !ok {
			return e.reprompt(s, t.get(msgPickOne), now)
		}
		a.Packaging = p
	case StateCarrierCheck, StateDefect, StateConfirm:
		yes, ok := parseYesNo(text)
		if !ok {
			return e.reprompt(s, t.get(msgYesNo), now)
		}
		switch state {
		case StateCarrierCheck:
			a.CarrierChecked = &yes
		case StateDefect:
			a.Defect = &yes
		default:
			ex, ok := e.pendingExclusion(s)
			if !ok { // cannot happen while the state machine holds; recover by moving on
				break
			}
			if a.Exclusions == nil {
				a.Exclusions = map[string]bool{}
			}
			a.Exclusions[ex.ID] = yes
		}
	case StateDefectDetails:
		if utf8.RuneCountInString(text) < 3 {
			return e.reprompt(s, t.get(msgMoreDetail), now)
		}
		a.Details = text
	}
	return e.moveTo(s, e.next(s.Answers), now)
}

// next returns the state the answers lead to: the first question not yet answered on the
// path they take, or StateDecided.
func (e *Engine) next(a Answers) string {
	path := e.path(a)
	return path[len(path)-1]
}

// path lists the states the answers lead through, ending with the first unanswered
// question or StateDecided. StateConfirm appears once per exclusion asked.
func (e *Engine) path(a Answers) []string {
	p := make([]string, 0, 8) // room for any path with up to three exclusion questions
	step := func(state string, answered bool) bool {
		p = append(p, state)
		return answered
	}
	if !step(StateReceiptDate, a.Receipt != "") || !step(StatePackaging, a.Packaging != "") {
		return p
	}
	bad := a.Packaging != policy.PackagingIntact
	switch {
	case bad && a.Receipt == ReceiptPending:
		return append(p, StateDecided)
	case bad:
		if !step(StateCarrierCheck, a.CarrierChecked != nil) {
			return p
		}
		return append(p, StateDecided)
	}
	if !step(StateDefect, a.Defect != nil) {
		return p
	}
	if !*a.Defect || a.Receipt == ReceiptPending {
		return append(p, StateDecided)
	}
	if !step(StateDefectDetails, a.Details != "") {
		return p
	}
	for _, ex := range e.hinted(a.Details) {
		yes, answered := a.Exclusions[ex.ID]
		if !step(StateConfirm, answered) {
			return p
		}
		if yes == ex.AppliesIf { // one exclusion that applies settles it
			break
		}
	}
	return append(p, StateDecided)
}

// pendingExclusion returns the exclusion the session is asking about in StateConfirm.
func (e *Engine) pendingExclusion(s *Session) (policy.Exclusion, bool) {
	for _, ex := range e.hinted(s.Answers.Details) {
		if _, answered := s.Answers.Exclusions[ex.ID]; !answered {
			return ex, true
		}
	}
	return policy.Exclusion{}, false
}

// back returns to the question before the current one and forgets its answer and later ones.
func (e *Engine) back(s *Session, now time.Time) []Reply {
	t := e.texts(s)
	if s.State == StateEscalated || s.State == StateNew {
		return e.reprompt(s, t.get(msgCannotGoBack), now)
	}
	path := e.path(s.Answers)
	if len(path) < 2 {
		return e.reprompt(s, t.get(msgCannotGoBack), now)
	}
	target := len(path) - 2
	e.forget(&s.Answers, path, target)
	return e.moveTo(s, e.next(s.Answers), now)
}

// forget clears the answers to path[from:], so they are asked again. Exclusion answers
// are cleared from the from-th confirmation on.
func (e *Engine) forget(a *Answers, path []string, from int) {
	confirms := 0
	for i, st := range path {
		if i < from {
			if st == StateConfirm {
				confirms++
			}
			continue
		}
		switch st {
		case StateReceiptDate:
			a.Receipt = ""
		case StatePackaging:
			a.Packaging = ""
		case StateCarrierCheck:
			a.CarrierChecked = nil
		case StateDefect:
			a.Defect = nil
		case StateDefectDetails:
			a.Details = ""
			a.Exclusions = nil
		case StateConfirm:
			hinted := e.hinted(a.Details)
			if confirms < len(hinted) {
				delete(a.Exclusions, hinted[confirms].ID)
			}
			confirms++
		}
	}
}

// moveTo fires the event leading to state and returns the replies the new state begins
// with: its question, or the decision.
func (e *Engine) moveTo(s *Session, state string, now time.Time) []Reply {
	e.transition(s, state)
	switch state {
	case StateDecided:
		return []Reply{e.decide(s, now)}
	case StateEscalated:
		return nil
	}
	return []Reply{e.question(s)}
}

// transition fires the state machine's event from the session's state to state.
func (e *Engine) transition(s *Session, state string) {
	if s.State == state {
		return
	}
	m := e.machines.Get().(*fsm.FSM)
	defer e.machines.Put(m)
	m.SetState(s.State) // the machine is restored from the session on every step
	if err := m.Event(context.Background(), eventTo(state)); err != nil {
		// A transition the design does not allow is a bug, not bad input.
		panic(fmt.Sprintf("dialog: %s -> %s: %v", s.State, state, err))
	}
	s.State = m.Current()
}

// escalate hands the conversation to staff, remembering where to resume.
func (e *Engine) escalate(s *Session, reason string, now time.Time) []Reply {
	t := e.texts(s)
	if s.State == StateEscalated {
		return []Reply{{Text: t.get(msgWithStaff)}}
	}
	resume := s.State
	if resume == StateNew {
		resume = StateReceiptDate
	}
	e.transition(s, StateEscalated)
	s.Resume, s.Reason = resume, reason
	s.Outcome, s.DecidedAt = policy.Escalated, now.Unix()
	d := &policy.Decision{Outcome: policy.Escalated, Reason: reason, Clauses: []policy.Clause{}}
	return []Reply{{Text: t.get(msgEscalated), Decision: d}}
}

// Resume hands an escalated conversation back to the bot at the step where it left off,
// re-asking that question. Staff handoff calls it.
func (e *Engine) Resume(s *Session, now time.Time) []Reply {
	if s.State != StateEscalated {
		return nil
	}
	target := s.Resume
	if target == "" || target == StateNew {
		target = StateReceiptDate
	}
	s.Resume, s.Reason = "", ""
	s.Outcome, s.DecidedAt = "", 0
	if target != StateDecided {
		return e.moveTo(s, e.next(s.Answers), now)
	}
	if d := e.policy.Decide(e.facts(s.Answers), now); d.Outcome == policy.Escalated {
		// The facts still call for a person (a carrier claim staff have dealt with):
		// deciding again would only escalate again, so offer a new claim instead.
		e.transition(s, StateDecided)
		s.Outcome, s.DecidedAt = d.Outcome, now.Unix()
		return []Reply{e.afterDecision(s)}
	}
	return e.moveTo(s, StateDecided, now)
}

// decide states the policy's decision on the answers.
func (e *Engine) decide(s *Session, now time.Time) Reply {
	d := e.policy.Decide(e.facts(s.Answers), now)
	if d.Outcome == policy.Escalated {
		e.transition(s, StateEscalated)
		s.Resume, s.Reason = StateDecided, d.Reason
	}
	s.Outcome, s.DecidedAt = d.Outcome, now.Unix()
	return e.render(s, d)
}

// Decision recomputes the decision a decided session was given, for staff to see.
func (e *Engine) Decision(s *Session) (policy.Decision, bool) {
	if s.Outcome == "" || s.DecidedAt == 0 {
		return policy.Decision{}, false
	}
	return e.policy.Decide(e.facts(s.Answers), time.Unix(s.DecidedAt, 0)), true
}

// facts turns answers into the policy's facts.
func (e *Engine) facts(a Answers) policy.Facts {
	f := policy.Facts{
		Received:      a.Receipt != ReceiptPending,
		Packaging:     a.Packaging,
		DefectDetails: a.Details,
		Exclusions:    map[string]bool{},
	}
	if f.Received {
		d, err := time.ParseInLocation(time.DateOnly, a.Receipt, e.policy.Location)
		if err == nil {
			f.ReceiptDate = d
		}
	}
	f.CarrierChecked = a.CarrierChecked != nil && *a.CarrierChecked
	f.Defect = a.Defect != nil && *a.Defect
	for _, ex := range e.policy.Exclusions {
		if yes, ok := a.Exclusions[ex.ID]; ok {
			f.Exclusions[ex.ID] = yes == ex.AppliesIf
		}
	}
	return f
}

// awaiting names the fact the session's current question asks for.
func (e *Engine) awaiting(s *Session) string {
	switch s.State {
	case StateConfirm:
		if ex, ok := e.pendingExclusion(s); ok {
			return "confirm_" + ex.ID
		}
		return ""
	case StateReceiptDate, StatePackaging, StateCarrierCheck, StateDefect, StateDefectDetails:
		return s.State
	}
	return ""
}

// Repeat answers a message handled before whose replies may never have reached the
// customer, because the bot stopped between saving the session and sending them: after a
// note saying why, it states again what the conversation stands at (the current
// question, the decision, or that staff will answer). It does not change s, so nothing
// needs saving.
func (e *Engine) Repeat(s *Session, now time.Time) []Reply {
	c := *s // reprompt moves a new session on; the copy keeps s as it is
	note := e.texts(&c).get(msgRepeat)
	// A decided session whose outcome is escalated was handed back by staff (see
	// Resume): the decision is theirs to state, and repeating it would call them again.
	if d, ok := e.Decision(&c); ok && c.State == StateDecided && d.Outcome != policy.Escalated {
		r := e.render(&c, d)
		r.Text = note + "\n\n" + r.Text
		return []Reply{r}
	}
	return e.reprompt(&c, note, now)
}

// reprompt prefixes note to the current question, so a customer who said something the bot
// could not use always sees what it is waiting for.
func (e *Engine) reprompt(s *Session, note string, now time.Time) []Reply {
	switch s.State {
	case StateNew:
		return e.start(s, note, now)
	case StateEscalated:
		return []Reply{{Text: note + "\n\n" + e.texts(s).get(msgWithStaff)}}
	case StateDecided:
		r := e.afterDecision(s)
		r.Text = note + "\n\n" + r.Text
		return []Reply{r}
	}
	q := e.question(s)
	q.Text = note + "\n\n" + q.Text
	return []Reply{q}
}

// afterDecision answers messages after a decision: the way to start again or get a person.
func (e *Engine) afterDecision(s *Session) Reply {
	t := e.texts(s)
	return Reply{Text: t.get(msgAfterDecision), Buttons: t.afterButtons()}
}

// question returns the prompt of the session's current question.
func (e *Engine) question(s *Session) Reply {
	t := e.texts(s)
	r := Reply{Awaiting: e.awaiting(s)}
	switch s.State {
	case StateReceiptDate:
		r.Text = t.get(msgAskReceipt)
		r.Buttons = []Button{
			{ID: "receipt_date:today", Label: t.get(lblToday)},
			{ID: "receipt_date:yesterday", Label: t.get(lblYesterday)},
			{ID: "receipt_date:pickup", Label: t.get(lblNotReceived)},
		}
	case StatePackaging:
		r.Text = t.get(msgAskPackaging)
		r.Buttons = []Button{
			{ID: "packaging:intact", Label: t.get(lblIntact)},
			{ID: "packaging:damaged", Label: t.get(lblDamaged)},
			{ID: "packaging:incomplete", Label: t.get(lblIncomplete)},
		}
	case StateCarrierCheck:
		r.Text, r.Buttons = t.get(msgAskCarrier), t.yesNo(r.Awaiting)
	case StateDefect:
		r.Text, r.Buttons = t.get(msgAskDefect), t.yesNo(r.Awaiting)
	case StateDefectDetails:
		r.Text = t.get(msgAskDetails)
	case StateConfirm:
		ex, _ := e.pendingExclusion(s)
		r.Text, r.Buttons = ex.Ask, t.yesNo(r.Awaiting)
		if hint := e.hintWord(s.Answers.Details, ex); hint != "" {
			r.Text = t.get(msgHintedBy, hint) + " " + ex.Ask
		}
	}
	return r
}

// hintWord returns the word of details that hinted at ex, for the question to quote.
func (e *Engine) hintWord(details string, ex policy.Exclusion) string {
	if ex.Always {
		return ""
	}
	for _, w := range strings.Fields(details) {
		clean := strings.Trim(w, ".,;:!?()\"'")
		if ex.HintedBy(clean) {
			return clean
		}
	}
	return ""
}

func appendCapped(dst, src []string, limit int) []string {
	dst = append(dst, src...)
	if len(dst) > limit {
		dst = dst[len(dst)-limit:]
	}
	return dst
}
