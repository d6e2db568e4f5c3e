package rq

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/mirror"
	"github.com/redcapql/rq/planner"
	"github.com/redcapql/rq/planner/catalog"
	"github.com/redcapql/rq/planner/exec"
	"github.com/redcapql/rq/planner/fetch"
)

// Project is an open REDCap project that runs rq queries. It is safe for
// concurrent use. The project's structure (data dictionary, events, arms,
// mappings, repeating setup) is loaded on first use and cached.
type Project struct {
	c   *client.Client
	cfg config

	mu sync.Mutex
	pl *planner.Planner

	mirror *mirror.Mirror // offline: records from a mirror (OpenMirror), c is nil
}

// Progress reports how far a query's record export has come.
type Progress = fetch.Progress

// Option configures a Project; pass options to Open or OpenClient.
type Option func(*config) error

type config struct {
	clientOpts    []client.Option
	concurrency   int
	cellsPerBatch int
	maxIDs        int
	progress      func(Progress)
	pushdown      bool
	labels        bool
	plannerOpts   []planner.Option
}

// WithClientOptions passes options to client.New (Open only).
func WithClientOptions(opts ...client.Option) Option {
	return func(c *config) error {
		c.clientOpts = append(c.clientOpts, opts...)
		return nil
	}
}

// DefaultConcurrency is how many record exports a query has in flight at
// once unless WithConcurrency says otherwise.
const DefaultConcurrency = fetch.DefaultConcurrency

// WithConcurrency caps the record batches fetched at once (default
// DefaultConcurrency).
// The client's request-rate cap applies as well.
func WithConcurrency(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("rq.WithConcurrency: %d is below 1", n)
		}
		c.concurrency = n
		return nil
	}
}

// WithCellsPerBatch bounds one call of a large record export in cells,
// records × columns × rows per record (default fetch.DefaultCellsPerBatch,
// 250,000; calls that come back fast grow to twice that, and an
// out-of-memory answer halves it).
func WithCellsPerBatch(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("rq.WithCellsPerBatch: %d is below 1", n)
		}
		c.cellsPerBatch = n
		return nil
	}
}

// WithMaxIDsPerBatch caps the record ids sent in one export (default
// fetch.DefaultMaxIDsPerBatch). Long lists go comma-joined as one POST
// variable; ids that hold a comma go 500 at a time, under PHP's limit.
func WithMaxIDsPerBatch(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("rq.WithMaxIDsPerBatch: %d is below 1", n)
		}
		c.maxIDs = n
		return nil
	}
}

// WithProgress sets a callback told about each call of a record export
// (never called concurrently), for progress bars.
func WithProgress(fn func(Progress)) Option {
	return func(c *config) error {
		c.progress = fn
		return nil
	}
}

// WithPushdown turns pushdown on (the default) or off. Off, every query
// exports the whole project and evaluates everything locally: slow, but a
// check on the planner.
func WithPushdown(on bool) Option {
	return func(c *config) error {
		c.pushdown = on
		return nil
	}
}

// WithLabels makes result columns named after a choice field (radio,
// dropdown, yesno, truefalse, checkbox) hold choice labels instead of codes.
func WithLabels(on bool) Option {
	return func(c *config) error {
		c.labels = on
		return nil
	}
}

// WithClock sets the clock behind today() and now() (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("rq.WithClock: nil clock")
		}
		c.plannerOpts = append(c.plannerOpts, planner.WithClock(now))
		return nil
	}
}

// Open connects to the REDCap API at url with a project token. Nothing is
// requested until the first query.
func Open(url, token string, opts ...Option) (*Project, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	c, err := client.New(url, token, cfg.clientOpts...)
	if err != nil {
		return nil, err
	}
	return &Project{c: c, cfg: cfg}, nil
}

// OpenClient is Open over an existing client.
func OpenClient(c *client.Client, opts ...Option) (*Project, error) {
	if c == nil {
		return nil, errors.New("rq.OpenClient: nil client")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if len(cfg.clientOpts) > 0 {
		return nil, errors.New("rq.OpenClient: WithClientOptions applies to Open only")
	}
	return &Project{c: c, cfg: cfg}, nil
}

func newConfig(opts []Option) (config, error) {
	cfg := config{pushdown: true}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return config{}, err
		}
	}
	return cfg, nil
}

// Client returns the project's API client.
func (p *Project) Client() *client.Client { return p.c }

// Planner returns the project's planner, loading the project structure on
// first use.
func (p *Project) Planner(ctx context.Context) (*planner.Planner, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pl != nil {
		return p.pl, nil
	}
	if p.mirror != nil {
		p.pl = p.mirrorPlanner()
		return p.pl, nil
	}
	cat, err := catalog.Load(ctx, p.c) // a DAG export refused leaves dag names unchecked
	if err != nil {
		return nil, err
	}
	opts := append([]planner.Option(nil), p.cfg.plannerOpts...)
	if !p.cfg.pushdown {
		opts = append(opts, planner.WithoutPushdown())
	}
	p.pl = planner.New(cat, opts...)
	return p.pl, nil
}

// Catalog returns the project's catalog (its structure and sources),
// loading it on first use: what the shell completes and describes from.
func (p *Project) Catalog(ctx context.Context) (*catalog.Catalog, error) {
	pl, err := p.Planner(ctx)
	if err != nil {
		return nil, err
	}
	return pl.Catalog(), nil
}

// Reload drops the cached project structure, here and in the client: the
// next query loads it again (after the project's design changed).
func (p *Project) Reload() {
	p.mu.Lock()
	p.pl = nil
	p.mu.Unlock()
	if p.c != nil {
		p.c.ForgetProject()
	}
}

// tuning is the engine's batch tuning, passed to execution and to explain
// (the calls it shows depend on it); never written into a plan.
func (p *Project) tuning() planner.Tuning {
	return planner.Tuning{Concurrency: p.cfg.concurrency, CellsPerBatch: p.cfg.cellsPerBatch, MaxIDsPerBatch: p.cfg.maxIDs}
}

// execOptions is how the project runs plans: the engine's tuning, progress,
// labels, and for a mirror the records read from it.
func (p *Project) execOptions() exec.Options {
	o := exec.Options{Tuning: p.tuning(), Progress: p.cfg.progress, Labels: p.cfg.labels}
	if p.mirror != nil {
		o.Records = p.mirrorRows
	}
	return o
}
