package planner

import (
	"time"

	"github.com/redcapql/rq/client"
)

// Event is one event of a longitudinal project.
type Event struct {
	Name  string // unique event name, e.g. enrollment_arm_1
	Label string // event label, e.g. Enrollment
	Arm   int    // arm number
}

// Arm is one arm of a longitudinal project.
type Arm struct {
	Num  int
	Name string
}

// FormEvent is one instrument–event mapping (fem).
type FormEvent struct {
	Arm   int
	Event string
	Form  string
}

// Repeating is one repeating setup row: a repeating instrument (Form set) or,
// with Form blank, a repeating event.
type Repeating struct {
	Event string // "" in classic projects
	Form  string // "" for a repeating event
}

// ProjectInfo is the project structure the planner checks names against:
// everything but the data dictionary.
type ProjectInfo struct {
	Longitudinal bool
	Events       []Event
	Arms         []Arm
	FEM          []FormEvent
	Repeating    []Repeating
	Instruments  []Instrument // optional: labels for the instruments source
	DAGs         []string     // unique DAG names; optional (enables dag checks)
}

// Instrument is one instrument (form) with its label.
type Instrument struct {
	Name  string
	Label string
}

// Planner plans queries for one project. It is safe for concurrent use.
type Planner struct {
	dict *client.Dictionary
	proj ProjectInfo

	pushdown bool
	now      func() time.Time

	events       map[string]Event
	arms         map[int]Arm
	forms        map[string]bool
	repeatForm   map[string]bool // repeating instruments (in any event)
	repeatEvent  map[string]bool // repeating events
	repeats      bool            // any repeating instrument or event
	keyColumns   []string
	recordIDName string
}

// Option configures a Planner.
type Option func(*Planner)

// WithoutPushdown makes every plan export the whole project and evaluate
// every condition locally (for differential tests and debugging).
func WithoutPushdown() Option { return func(p *Planner) { p.pushdown = false } }

// WithClock sets the clock behind today() and now() (default time.Now).
func WithClock(now func() time.Time) Option { return func(p *Planner) { p.now = now } }

// New returns a planner for a project with data dictionary dict and structure proj.
func New(dict *client.Dictionary, proj ProjectInfo, opts ...Option) *Planner {
	p := &Planner{dict: dict, proj: proj, pushdown: true, now: time.Now,
		events: map[string]Event{}, arms: map[int]Arm{}, forms: map[string]bool{},
		repeatForm: map[string]bool{}, repeatEvent: map[string]bool{}}
	for _, o := range opts {
		o(p)
	}
	for _, e := range proj.Events {
		p.events[e.Name] = e
	}
	for _, a := range proj.Arms {
		p.arms[a.Num] = a
	}
	for _, e := range proj.Events {
		if _, ok := p.arms[e.Arm]; !ok {
			p.arms[e.Arm] = Arm{Num: e.Arm}
		}
	}
	for _, f := range dict.Forms() {
		p.forms[f] = true
	}
	for _, r := range proj.Repeating {
		if r.Form != "" {
			p.repeatForm[r.Form] = true
		} else if r.Event != "" {
			p.repeatEvent[r.Event] = true
		}
	}
	p.repeats = len(p.repeatForm) > 0 || len(p.repeatEvent) > 0
	p.recordIDName = dict.RecordIDField()
	return p
}

// Dictionary returns the planner's data dictionary.
func (p *Planner) Dictionary() *client.Dictionary { return p.dict }

// Project returns the planner's project structure.
func (p *Planner) Project() ProjectInfo { return p.proj }

// formEvents returns the events a form is designated on (all events when the
// project has no mapping).
func (p *Planner) formEvents(form string) []string {
	var out []string
	for _, m := range p.proj.FEM {
		if m.Form == form {
			out = append(out, m.Event)
		}
	}
	return out
}
