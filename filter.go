package rq

import (
	"context"
	"errors"
	"fmt"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

// Filter is PyCap's Project.filter at full scale: it finds the records with
// at least one row matching cond, then
//
//   - with no outputFields, returns their ids: one column, the record-id
//     field, one row per record, in REDCap's record order;
//   - with outputFields, returns every row of those records with the
//     record-id field followed by outputFields (the id is added when not
//     given, as PyCap does).
//
// cond is a condition in rq syntax (a string, as after "where") or an
// expression built with the lang package (lang.Field("score").Gt(5)).
func (p *Project) Filter(ctx context.Context, cond any, outputFields ...string) (*Rows, error) {
	where, err := filterCond(cond)
	if err != nil {
		return nil, err
	}
	pl, err := p.Planner(ctx)
	if err != nil {
		return nil, err
	}
	id := pl.Dictionary().RecordIDField()
	rows, err := p.QueryStmt(ctx, lang.SelectFields("records", []string{id}, where), nil)
	if err != nil {
		return nil, err
	}
	var ids []string
	seen := map[string]bool{}
	for rows.Next() {
		v := rows.Value(0).String()
		if !seen[v] {
			seen[v] = true
			ids = append(ids, v)
		}
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	if len(outputFields) == 0 {
		vals := make([][]client.Value, len(ids))
		for i, v := range ids {
			vals[i] = []client.Value{{Kind: client.KindText, Str: v}}
		}
		return &Rows{out: newValueRows([]string{id}, vals), plan: rows.plan}, nil
	}
	fields := []string{id}
	for _, f := range outputFields {
		if f != id {
			fields = append(fields, f)
		}
	}
	in := make([]any, len(ids))
	for i, v := range ids {
		in[i] = v
	}
	out := lang.SelectFields("records", fields, lang.Field("record").In(in...).Expr)
	return p.QueryStmt(ctx, out, nil)
}

// filterCond turns Filter's cond into an expression.
func filterCond(cond any) (lang.Expr, error) {
	switch c := cond.(type) {
	case nil:
		return nil, errors.New("rq.Filter: no condition")
	case string:
		return lang.ParseExpr(c) // errors at the condition's own line:col
	case lang.Cond:
		return c.Expr, nil
	case lang.Operand:
		return c.Expr, nil
	case lang.Expr:
		return c, nil
	}
	return nil, fmt.Errorf("rq.Filter: condition of type %T; want a string or a lang.Expr", cond)
}
