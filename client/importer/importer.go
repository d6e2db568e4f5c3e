package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/redcapql/rq/client"
)

// Importer checks and imports records files for one project. It is safe
// for concurrent use once built; each Import call is independent.
type Importer struct {
	c    *client.Client
	dict *client.Dictionary
	st   *structure

	dateFormat      string
	allowOutOfRange bool
	latin1          bool // WithEncoding("latin1")
}

// Option configures an Importer.
type Option func(*Importer) error

// WithProject gives the project's structure (events, form–event mapping,
// repeating instruments and events). New without it loads the structure
// from the client when it is first needed.
func WithProject(p *client.Project) Option {
	return func(im *Importer) error {
		if p == nil {
			return errors.New("importer.WithProject: nil project")
		}
		im.st = newStructure(p)
		return nil
	}
}

// WithDateFormat says how dates and datetimes are written in the file:
// "YMD" (default, 2024-03-31), "MDY" (03/31/2024) or "DMY" (31/03/2024).
// It is passed on to REDCap as dateFormat.
func WithDateFormat(f string) Option {
	return func(im *Importer) error {
		switch f = strings.ToUpper(strings.TrimSpace(f)); f {
		case "", "YMD", "MDY", "DMY":
			im.dateFormat = f
			return nil
		}
		return fmt.Errorf("importer.WithDateFormat: %q is not YMD, MDY or DMY", f)
	}
}

// AllowOutOfRange makes values outside a field's validation min/max
// warnings instead of problems that stop the import (REDCap itself
// accepts them).
func AllowOutOfRange() Option {
	return func(im *Importer) error {
		im.allowOutOfRange = true
		return nil
	}
}

// New returns an Importer that checks files against dict and imports them
// through c. c may be nil for validation only, given WithProject. dict may
// be nil: it is then the project's dictionary, loaded through c.
func New(c *client.Client, dict *client.Dictionary, opts ...Option) (*Importer, error) {
	im := &Importer{c: c, dict: dict}
	for _, o := range opts {
		if err := o(im); err != nil {
			return nil, err
		}
	}
	if c == nil && (im.st == nil || dict == nil) {
		return nil, errors.New("importer.New: without a client, give the dictionary and WithProject")
	}
	return im, nil
}

// Load returns an Importer for c's project, loading its dictionary and
// structure (c.Project) now.
func Load(ctx context.Context, c *client.Client, opts ...Option) (*Importer, error) {
	if c == nil {
		return nil, errors.New("importer.Load: nil client")
	}
	p, err := c.Project(ctx)
	if err != nil {
		return nil, err
	}
	dict, err := p.Dictionary()
	if err != nil {
		return nil, err
	}
	return New(c, dict, append([]Option{WithProject(p)}, opts...)...)
}

// ready loads what New left to load.
func (im *Importer) ready(ctx context.Context) error {
	if im.st != nil && im.dict != nil {
		return nil
	}
	p, err := im.c.Project(ctx)
	if err != nil {
		return err
	}
	if im.dict == nil {
		if im.dict, err = p.Dictionary(); err != nil {
			return err
		}
	}
	if im.st == nil {
		im.st = newStructure(p)
	}
	return nil
}

// structure is what validation needs of the project design.
type structure struct {
	longitudinal bool
	events       map[string]bool
	designated   map[string]map[string]bool // event -> form -> collected there
	repeatForm   map[string]map[string]bool // event ("" in classic projects) -> repeating form
	repeatEvent  map[string]bool            // events that repeat as a whole
}

func newStructure(p *client.Project) *structure {
	s := &structure{
		longitudinal: p.IsLongitudinal(),
		events:       map[string]bool{},
		designated:   map[string]map[string]bool{},
		repeatForm:   map[string]map[string]bool{},
		repeatEvent:  map[string]bool{},
	}
	for _, e := range p.Events() {
		s.events[e.UniqueEventName] = true
	}
	for _, m := range p.FormEventMapping() {
		if s.designated[m.UniqueEventName] == nil {
			s.designated[m.UniqueEventName] = map[string]bool{}
		}
		s.designated[m.UniqueEventName][m.Form] = true
	}
	for _, r := range p.RepeatingFormsEvents() {
		ev := r.EventName
		if !s.longitudinal {
			ev = ""
		}
		if r.FormName == "" {
			s.repeatEvent[ev] = true
			continue
		}
		if s.repeatForm[ev] == nil {
			s.repeatForm[ev] = map[string]bool{}
		}
		s.repeatForm[ev][r.FormName] = true
	}
	return s
}

func (s *structure) isRepeatingForm(event, form string) bool { return s.repeatForm[event][form] }
