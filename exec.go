package rq

import (
	"context"
	"fmt"
	"maps"

	"github.com/redcapql/rq/lang"
)

// Exec runs every statement of a .rq file in order. name is the file name
// used in error positions. params are the caller's values; a declared
// parameter the caller does not give takes its default, and one without a
// default is an error naming it (before anything runs). fn receives each
// statement's rows and must read them before returning; Exec closes them.
// Exec stops at the first error, from a statement or from fn.
func (p *Project) Exec(ctx context.Context, name, src string, params map[string]string, fn func(stmt *lang.Select, rows *Rows) error) error {
	file, err := lang.ParseFile(name, src)
	if err != nil {
		return err
	}
	vals, err := FileParams(file, params)
	if err != nil {
		return err
	}
	for _, stmt := range file.Statements {
		rows, err := p.QueryStmt(ctx, stmt, vals)
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

// FileParams merges a file's parameter defaults under the given values and
// checks that every declared parameter has a value.
func FileParams(file *lang.File, given map[string]string) (map[string]string, error) {
	out := maps.Clone(given)
	if out == nil {
		out = map[string]string{}
	}
	var missing lang.ErrorList
	for _, d := range file.Params {
		if _, ok := out[d.Name]; ok {
			continue
		}
		if d.Default == nil {
			missing = append(missing, &lang.Error{Pos: d.Position,
				Msg:  fmt.Sprintf("parameter $%s has no value and no default", d.Name),
				Hint: fmt.Sprintf("give it with -p %s=value", d.Name)})
			continue
		}
		v, err := defaultText(d.Default)
		if err != nil {
			return nil, err
		}
		out[d.Name] = v
	}
	if len(missing) > 0 {
		return nil, missing
	}
	return out, nil
}

// defaultText is a default's value as a parameter's text.
func defaultText(e lang.Expr) (string, error) {
	switch x := e.(type) {
	case *lang.Literal:
		return x.Text, nil
	case *lang.Unary:
		if l, ok := x.X.(*lang.Literal); ok && x.Op == lang.Neg {
			return "-" + l.Text, nil
		}
	}
	return "", &lang.Error{Pos: e.Pos(), Msg: fmt.Sprintf("parameter default %s is not a literal", e)}
}
