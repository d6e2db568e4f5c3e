package exec_test

import (
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/planner"
	"github.com/redcapql/rq/planner/catalog"
	"github.com/redcapql/rq/planner/exec"
	"github.com/redcapql/rq/planner/fetch"
)

// numberPlanner is a one-form classic project: id, and x a number.
func numberPlanner(t *testing.T) *planner.Planner {
	t.Helper()
	d, err := client.NewDictionary([]client.MetadataField{
		{FieldName: "id", FormName: "f", FieldType: "text"},
		{FieldName: "x", FormName: "f", FieldType: "text", TextValidationTypeOrShowSliderNumber: "number"},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	return planner.New(catalog.New(d, catalog.Design{}))
}

func numberRows() exec.RawRows {
	return fetch.NewTableRows([]string{"id", "x", "f_complete"}, [][]string{
		{"1", "5", "0"}, {"2", "abc", "0"}, {"3", "0.5", "0"}, {"4", "9", "0"}, {"5", "", "0"},
	})
}

// Pipeline runs a plan's Program over raw rows: typing (an invalid value is
// null and counted), the residual, order by and limit, with its figures in
// PipelineStats and, for explain analyze, PipelineStats.Explained.
func TestPipeline(t *testing.T) {
	pl := numberPlanner(t)
	for _, tc := range []struct {
		query                    string
		want                     string
		read, kept, out, invalid int64
	}{
		{"select id, x from records where x > 1 order by x desc limit 1", "4|9", 5, 2, 1, 1},
		{"select id from records where x is null", "2;5", 5, 2, 2, 1},
		{"select count(*), sum(x) from records where x < 6", "2|5.5", 5, 2, 1, 1},
		{"select id from records limit 2 offset 1", "2;3", 3, 3, 2, 0}, // x is not read: not typed
	} {
		p := plan(t, pl, tc.query)
		rows := exec.Pipeline(t.Context(), p, numberRows())
		var got []string
		for rows.Next() {
			var cells []string
			for _, v := range rows.Row() {
				cells = append(cells, v.String())
			}
			got = append(got, strings.Join(cells, "|"))
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		rows.Close()
		st := rows.Stats()
		if g := strings.Join(got, ";"); g != tc.want {
			t.Errorf("%s: got %q, want %q", tc.query, g, tc.want)
		}
		if st.RowsRead != tc.read || st.RowsKept != tc.kept || st.RowsOut != tc.out || st.Invalid != tc.invalid {
			t.Errorf("%s: stats read %d kept %d out %d invalid %d, want %d %d %d %d", tc.query,
				st.RowsRead, st.RowsKept, st.RowsOut, st.Invalid, tc.read, tc.kept, tc.out, tc.invalid)
		}
		if e := st.Explained(); e.RowsRead != st.RowsRead || e.RowsKept != st.RowsKept || e.RowsOut != st.RowsOut || e.Invalid != st.Invalid {
			t.Errorf("%s: explained %+v, stats %+v", tc.query, e, st)
		}
	}
}

// TypeRows types every raw row as Pipeline does, for code that evaluates a
// Program's functions itself: Program.Keep is the residual Pipeline applies.
func TestTypeRows(t *testing.T) {
	p := plan(t, numberPlanner(t), "select id from records where x > 1")
	rows, st, err := exec.TypeRows(p, numberRows())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || st.RowsRead != 5 || st.Invalid != 1 || len(st.Examples) != 1 || !strings.Contains(st.Examples[0], "abc") {
		t.Fatalf("typed %d rows, stats %+v", len(rows), st)
	}
	prog := p.Program()
	env := prog.NewEnv()
	var kept []string
	for _, r := range rows {
		env.SetRow(r)
		if prog.Keep(env) {
			kept = append(kept, r.Rec)
		}
	}
	if strings.Join(kept, ",") != "1,4" {
		t.Errorf("kept %v, want 1,4", kept)
	}
	if _, _, err := exec.TypeRows(p, fetch.NewTableRows([]string{"x"}, [][]string{{"1"}})); err == nil {
		t.Error("an export without the record id column typed without error")
	}
}
