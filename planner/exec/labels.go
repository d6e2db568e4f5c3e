package exec

import (
	"strings"

	"github.com/redcapql/rq/client"
)

// LabelFields finds, for each column named after a choice field (radio,
// dropdown, yesno, truefalse, checkbox), the field: the columns labels
// apply to (rq.WithLabels). Nil when no column is one.
func LabelFields(d *client.Dictionary, cols []string) []*client.Field {
	var out []*client.Field
	found := false
	for _, c := range cols {
		f, ok := d.Field(c)
		if !ok || len(f.Choices) == 0 {
			f = nil
		}
		found = found || f != nil
		out = append(out, f)
	}
	if !found {
		return nil
	}
	return out
}

// ApplyLabels swaps choice codes for labels in the columns of fields (as
// LabelFields returns them), in a copy of row.
func ApplyLabels(row []client.Value, fields []*client.Field) []client.Value {
	out := make([]client.Value, len(row))
	copy(out, row)
	for i, f := range fields {
		if f == nil || i >= len(out) {
			continue
		}
		v := out[i]
		switch v.Kind {
		case client.KindNull:
		case client.KindCodeSet:
			labels := make([]string, 0, len(v.Codes))
			for _, c := range v.Codes {
				if l, ok := f.ChoiceLabel(c); ok {
					labels = append(labels, l)
				} else {
					labels = append(labels, c)
				}
			}
			out[i] = client.Value{Kind: client.KindText, Str: strings.Join(labels, ", ")}
		default:
			if l, ok := f.ChoiceLabel(v.String()); ok {
				out[i] = client.Value{Kind: client.KindText, Str: l}
			}
		}
	}
	return out
}
