package repl

import (
	"context"
	"slices"
	"strings"

	"github.com/redcapql/rq/internal/render"
)

// describePlus is \d+ form: the form's fields as \d shows them, then the
// summarize statement's rows for the form's fields.
func (s *Shell) describePlus(ctx context.Context, form string) (string, error) {
	cat, err := s.catalog(ctx)
	if err != nil {
		return "", err
	}
	if !slices.Contains(cat.Forms(), form) || !isName(form) {
		return "", errorf(`\d+: no form named %q`, form)
	}
	head, err := s.describe(ctx, []string{form})
	if err != nil {
		return "", err
	}
	p, err := s.project()
	if err != nil {
		return "", &Error{Err: err}
	}
	rows, err := p.Query(ctx, "summarize records where form = '"+form+"'", nil)
	if err != nil {
		return "", s.fail(ctx, err, "")
	}
	defer rows.Close()
	out := &render.Slice{Cols: rows.Columns()}
	for rows.Next() {
		r := rows.Row()
		if r[1].Str == form { // the form column: the form's own fields
			out.Vals = append(out.Vals, slices.Clone(r))
		}
	}
	if err := rows.Err(); err != nil {
		return "", s.fail(ctx, err, "")
	}
	var b strings.Builder
	b.WriteString(head)
	b.WriteString("\nSummary\n")
	if _, err := render.Write(&b, render.Table, out, render.Options{Width: s.width()}); err != nil {
		return "", &Error{Err: err}
	}
	return b.String(), nil
}
