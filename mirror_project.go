package rq

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/redcapql/rq/mirror"
	"github.com/redcapql/rq/planner"
	"github.com/redcapql/rq/planner/catalog"
	"github.com/redcapql/rq/planner/exec"
)

// OpenMirror opens a mirror written by 'rq mirror DIR' (package mirror) for
// offline queries: the same language, planner and typing as online, with
// the project's structure and records as of the last sync. What the planner
// would push to REDCap becomes pruning: a record list reads only the parts
// holding those records, a field list only those columns. Only the records
// source is offline; other sources (users, logging, ...) need the server.
func OpenMirror(dir string, opts ...Option) (*Project, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if len(cfg.clientOpts) > 0 {
		return nil, fmt.Errorf("rq.OpenMirror: WithClientOptions does not apply to a mirror")
	}
	m, err := mirror.Open(dir)
	if err != nil {
		return nil, err
	}
	return &Project{cfg: cfg, mirror: m}, nil
}

// Mirror returns the mirror a Project reads, nil for a live project.
func (p *Project) Mirror() *mirror.Mirror { return p.mirror }

// mirrorPlanner is Planner for a mirror: the structure saved by the sync.
func (p *Project) mirrorPlanner() *planner.Planner {
	opts := append([]planner.Option(nil), p.cfg.plannerOpts...)
	if !p.cfg.pushdown {
		opts = append(opts, planner.WithoutPushdown())
	}
	return planner.New(catalog.New(p.mirror.Dictionary(), p.mirror.Info()), opts...)
}

// mirrorRows reads what plan would fetch from the mirror.
func (p *Project) mirrorRows(plan *planner.Plan) (exec.RawRows, error) {
	if plan.Source != "records" {
		return nil, fmt.Errorf("%s is not in the mirror (offline, only records can be queried)", plan.Source)
	}
	return p.mirror.Rows(p.mirror.Select(plan.Export)), nil
}

// mirrorExplain is what explain says of a mirror read: the source, the
// files and the columns read (nil for a live project).
func (p *Project) mirrorExplain(plan *planner.Plan) *mirror.Explain {
	if p.mirror == nil {
		return nil
	}
	if plan.Source != "records" || plan.Empty {
		return p.mirror.Explain(nil)
	}
	return p.mirror.Explain(p.mirror.Select(plan.Export))
}

// explainDoc is explain --json's document: for a mirror, the plan's with a
// "mirror" object naming the source and the files read.
func (p *Project) explainDoc(plan *planner.Plan, o planner.ExplainOptions) (string, []byte, error) {
	m := p.mirrorExplain(plan)
	if m == nil {
		return plan.ExplainWith(o), plan.ExplainJSONWith(o), nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // as planner.ExplainJSON: filterLogic is full of < and >
	enc.SetIndent("", "  ")
	doc := struct {
		Mirror *mirror.Explain `json:"mirror"`
		planner.ExplainOutput
	}{m, plan.DescribeWith(o)}
	if err := enc.Encode(doc); err != nil {
		return "", nil, err
	}
	return m.Text() + plan.ExplainWith(o), bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
