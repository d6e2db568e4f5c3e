package catalog

import (
	"context"
	"fmt"

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

// Instrument is one instrument (form) with its label.
type Instrument struct {
	Name  string
	Label string
}

// Design is the project's structure beyond the data dictionary, as plain
// data. Mirrors and Parquet files store it as JSON (its field names are the
// keys, so they must not change: a mirror's checksum covers them).
type Design struct {
	Longitudinal bool
	Events       []Event
	Arms         []Arm
	FEM          []FormEvent
	Repeating    []Repeating
	Instruments  []Instrument // optional: labels for \d
	DAGs         []string     // unique DAG names; optional (enables dag checks)
}

// Catalog is a project's structure: the data dictionary and the design,
// with the look-ups the planner and the shell need. It is built once (New,
// FromProject, Load) and never changes, so it is safe for concurrent use.
// Slices it returns are shared: do not modify them.
type Catalog struct {
	dict   *client.Dictionary
	design Design
	dagErr error

	events      map[string]Event
	arms        map[int]Arm
	forms       map[string]bool
	formEvents  map[string][]string
	repeatForm  map[string]bool // repeating instruments (in any event)
	repeatEvent map[string]bool // repeating events
	recordID    string
}

// New returns the catalog of a project with data dictionary dict and design.
func New(dict *client.Dictionary, design Design) *Catalog {
	c := &Catalog{dict: dict, design: design,
		events: map[string]Event{}, arms: map[int]Arm{}, forms: map[string]bool{},
		formEvents: map[string][]string{}, repeatForm: map[string]bool{}, repeatEvent: map[string]bool{}}
	for _, e := range design.Events {
		c.events[e.Name] = e
	}
	for _, a := range design.Arms {
		c.arms[a.Num] = a
	}
	for _, e := range design.Events {
		if _, ok := c.arms[e.Arm]; !ok {
			c.arms[e.Arm] = Arm{Num: e.Arm}
		}
	}
	for _, f := range dict.Forms() {
		c.forms[f] = true
	}
	for _, m := range design.FEM {
		c.formEvents[m.Form] = append(c.formEvents[m.Form], m.Event)
	}
	for _, r := range design.Repeating {
		if r.Form != "" {
			c.repeatForm[r.Form] = true
		} else if r.Event != "" {
			c.repeatEvent[r.Event] = true
		}
	}
	c.recordID = dict.RecordIDField()
	return c
}

// FromProject builds the catalog from the client's cached project structure
// (no request; DAGs, which need their own right, are left out: see Load).
func FromProject(proj *client.Project) (*Catalog, error) {
	dict, err := proj.Dictionary()
	if err != nil {
		return nil, fmt.Errorf("data dictionary: %w", err)
	}
	d := Design{Longitudinal: proj.IsLongitudinal()}
	for _, e := range proj.Events() {
		d.Events = append(d.Events, Event{Name: e.UniqueEventName, Label: e.EventName, Arm: e.ArmNum})
	}
	for _, a := range proj.Arms() {
		d.Arms = append(d.Arms, Arm{Num: a.Num, Name: a.Name})
	}
	for _, m := range proj.FormEventMapping() {
		d.FEM = append(d.FEM, FormEvent{Arm: m.ArmNum, Event: m.UniqueEventName, Form: m.Form})
	}
	for _, r := range proj.RepeatingFormsEvents() {
		d.Repeating = append(d.Repeating, Repeating{Event: r.EventName, Form: r.FormName})
	}
	for _, in := range proj.Instruments() {
		d.Instruments = append(d.Instruments, Instrument{Name: in.Name, Label: in.Label})
	}
	return New(dict, d), nil
}

// Load builds the catalog from the client: the cached project structure
// (loaded on first use) and the DAGs. A failed DAG export (no DAG right) is
// not an error: dag names are then not checked, and DAGError says why.
func Load(ctx context.Context, c *client.Client) (*Catalog, error) {
	proj, err := c.Project(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the project structure: %w", err)
	}
	cat, err := FromProject(proj)
	if err != nil {
		return nil, err
	}
	dags, err := c.ExportDAGs(ctx)
	if err != nil {
		cat.dagErr = err
		return cat, nil
	}
	for _, d := range dags {
		cat.design.DAGs = append(cat.design.DAGs, d.UniqueGroupName)
	}
	return cat, nil
}

// DAGError is why Load has no DAG names (nil when it has them or did not ask).
func (c *Catalog) DAGError() error { return c.dagErr }

// Dictionary returns the data dictionary.
func (c *Catalog) Dictionary() *client.Dictionary { return c.dict }

// Design returns the design as plain data (for storing it).
func (c *Catalog) Design() Design { return c.design }

// Longitudinal reports whether the project has events.
func (c *Catalog) Longitudinal() bool { return c.design.Longitudinal }

// Events returns the events in design order.
func (c *Catalog) Events() []Event { return c.design.Events }

// Event returns the event with a unique name.
func (c *Catalog) Event(name string) (Event, bool) {
	e, ok := c.events[name]
	return e, ok
}

// Arms returns the arms in design order.
func (c *Catalog) Arms() []Arm { return c.design.Arms }

// Arm returns the arm with a number (also one only events name).
func (c *Catalog) Arm(num int) (Arm, bool) {
	a, ok := c.arms[num]
	return a, ok
}

// FEM returns the form–event mapping.
func (c *Catalog) FEM() []FormEvent { return c.design.FEM }

// FormEvents returns the events a form is designated on, in mapping order
// (none when the project has no mapping).
func (c *Catalog) FormEvents(form string) []string { return c.formEvents[form] }

// Repeating returns the repeating setup.
func (c *Catalog) Repeating() []Repeating { return c.design.Repeating }

// RepeatingForm reports whether form repeats (in any event).
func (c *Catalog) RepeatingForm(form string) bool { return c.repeatForm[form] }

// RepeatingEvent reports whether an event repeats as a whole.
func (c *Catalog) RepeatingEvent(event string) bool { return c.repeatEvent[event] }

// Repeats reports whether any instrument or event repeats.
func (c *Catalog) Repeats() bool { return len(c.repeatForm) > 0 || len(c.repeatEvent) > 0 }

// IsForm reports whether the dictionary has a form of that name.
func (c *Catalog) IsForm(name string) bool { return c.forms[name] }

// Forms returns the form names in dictionary order.
func (c *Catalog) Forms() []string { return c.dict.Forms() }

// Instruments returns the instruments with their labels (empty when the
// design was stored without them).
func (c *Catalog) Instruments() []Instrument { return c.design.Instruments }

// DAGs returns the unique DAG names (none when unknown).
func (c *Catalog) DAGs() []string { return c.design.DAGs }

// RecordID returns the record id field's name.
func (c *Catalog) RecordID() string { return c.recordID }

// EventArm returns an event's arm number (0 for an unknown event).
func (c *Catalog) EventArm(event string) int { return c.events[event].Arm }
