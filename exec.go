package rq

import (
	"context"
	"errors"

	"github.com/redcapql/rq/lang"
	"github.com/redcapql/rq/planner"
)

// Exec runs every statement of a .rq file in order. name is the file name
// used in error positions. params are the caller's values for this file; a
// declared parameter the caller does not give takes its default, and a
// given one that the file neither uses nor declares is an error (a
// misspelt name), unless the IgnoreUnusedParams option is passed.
//
// Nothing runs until the whole file is checked: its parameters first (see
// FileParams; no request is made when they are wrong), then every statement
// against the project's structure, the errors of all statements reported
// together. fn receives each statement's rows and must read them before
// returning; Exec closes them. Exec stops at the first error, from a
// statement or from fn.
func (p *Project) Exec(ctx context.Context, name, src string, params map[string]string, fn func(stmt *lang.Select, rows *Rows) error, opts ...ExecOption) error {
	var cfg execConfig
	for _, o := range opts {
		o(&cfg)
	}
	file, err := lang.ParseFile(name, src)
	if err != nil {
		return err
	}
	vals, err := file.Resolve(params, !cfg.ignoreUnused)
	if err != nil {
		return err
	}
	if len(file.Statements) == 0 {
		return nil
	}
	pl, err := p.Planner(ctx)
	if err != nil {
		return err
	}
	plans := make([]*planner.Plan, len(file.Statements))
	var errs lang.ErrorList
	for i, stmt := range file.Statements {
		plan, err := pl.Plan(stmt, vals)
		var le *lang.Error
		var ll lang.ErrorList
		switch {
		case err == nil:
			plans[i] = plan
		case errors.As(err, &ll):
			errs = append(errs, ll...)
		case errors.As(err, &le):
			errs = append(errs, le)
		default:
			return err
		}
	}
	if len(errs) > 0 {
		return errs
	}
	for i, stmt := range file.Statements {
		rows, err := p.runPlan(ctx, plans[i])
		if err != nil {
			return err
		}
		err = fn(stmt, rows)
		cerr := rows.Close()
		if err == nil {
			err = rows.Err()
		}
		if err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ExecOption configures Exec.
type ExecOption func(*execConfig)

type execConfig struct {
	ignoreUnused bool
}

// IgnoreUnusedParams makes Exec take its params as a session's variables
// (the REPL's \set): those the file neither uses nor declares are ignored
// instead of being an error.
func IgnoreUnusedParams() ExecOption {
	return func(c *execConfig) { c.ignoreUnused = true }
}

// FileParams checks a file's parameters against the given values and
// returns the values its statements run with: the given ones over the
// declared defaults. It reports, all together, every given parameter that
// the file neither uses nor declares (with a "did you mean" hint), every
// parameter a statement uses that is neither given nor declared with a
// default (at its first use, pointing back at a declaration without a
// default) and every parameter declared twice. It makes no request: check a
// file with it before connecting.
func FileParams(file *lang.File, given map[string]string) (map[string]string, error) {
	return file.Resolve(given, true)
}
