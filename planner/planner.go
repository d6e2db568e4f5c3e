package planner

import (
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/planner/catalog"
)

// Planner plans queries for one project. It is safe for concurrent use.
type Planner struct {
	cat *catalog.Catalog

	pushdown bool
	now      func() time.Time
}

// Option configures a Planner.
type Option func(*Planner)

// WithoutPushdown makes every plan export the whole project and evaluate
// every condition locally (for differential tests and debugging).
func WithoutPushdown() Option { return func(p *Planner) { p.pushdown = false } }

// WithClock sets the clock behind today() and now() (default time.Now).
func WithClock(now func() time.Time) Option { return func(p *Planner) { p.now = now } }

// New returns a planner for the project a catalog describes.
func New(cat *catalog.Catalog, opts ...Option) *Planner {
	p := &Planner{cat: cat, pushdown: true, now: time.Now}
	for _, o := range opts {
		o(p)
	}
	return p
}

// Catalog returns the project's catalog the planner checks against.
func (p *Planner) Catalog() *catalog.Catalog { return p.cat }

// Dictionary returns the planner's data dictionary.
func (p *Planner) Dictionary() *client.Dictionary { return p.cat.Dictionary() }
