package rq_test

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/internal/fixtures"
	"github.com/redcapql/rq/internal/querygen"
	"github.com/redcapql/rq/internal/refeval"
	"github.com/redcapql/rq/lang"
)

var (
	diffQueries = flag.Int("diff.n", 0, "differential test: queries per project (0: the default mix, at least 500 in all)")
	diffSeed    = flag.Uint64("diff.seed", 1, "differential test: generator seed")
	diffVerbose = flag.Bool("diff.v", false, "differential test: print every query")
)

// diffProject is one project the differential test runs queries over.
type diffProject struct {
	name    string
	load    func(t *testing.T) *redcaptest.Project
	queries int
}

func diffProjects() []diffProject {
	fixture := func(path ...string) func(t *testing.T) *redcaptest.Project {
		return func(t *testing.T) *redcaptest.Project {
			p, err := redcaptest.LoadODM(fixtures.Path(t, path...))
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
	}
	return []diffProject{
		// longitudinal, 2 arms, repeating instrument, checkboxes, DAGs,
		// blanks, missing codes and invalid values
		{"demo", func(*testing.T) *redcaptest.Project {
			return redcaptest.Demo(redcaptest.DemoOptions{Records: 120, Seed: 7})
		}, 340},
		// a real longitudinal project: 12 events, 2 arms, checkboxes
		{"longitudinal", fixture("redcapr", "projects", "longitudinal", "project.xml"), 50},
		// classic projects
		{"classic clinical-trial-1", fixture("redcapr", "projects", "clinical-trial-1", "project.xml"), 50},
		{"classic simple", fixture("redcapr", "projects", "simple", "project.xml"), 40},
		{"classic blank-for-gray-status", fixture("redcapr", "projects", "blank-for-gray-status", "project.xml"), 40},
		{"classic repeating-instruments", fixture("redcapr", "projects", "repeating-instruments", "project.xml"), 40},
		// record ids that are not numbers (DAG prefixes, text): REDCap's natural order
		{"classic dag", fixture("redcapr", "projects", "dag", "project.xml"), 20},
		{"classic nonnumeric-record-id", fixture("redcapr", "projects", "nonnumeric-record-id", "project.xml"), 20},
		// every validation type; odd values; UTF-8 text
		{"classic validation-types-1", fixture("redcapr", "projects", "validation-types-1", "project.xml"), 30},
		{"classic potentially-problematic-values", fixture("redcapr", "projects", "potentially-problematic-values", "project.xml"), 20},
		{"classic russian", fixture("redcapr", "projects", "russian", "project.xml"), 20},
	}
}

// diffResult is a query's output as canonical text rows.
type diffResult struct {
	cols []string
	rows []string
}

// canonRow renders an engine row as the oracle renders its own rows.
func canonRow(vals []client.Value) string {
	conv := make([]refeval.Value, len(vals))
	for i, v := range vals {
		conv[i] = asOracle(v)
	}
	return oracleRow(conv)
}

// oracleKinds maps the engine's kinds to the oracle's; a boolean is the
// number 1 or 0, as the oracle's conditions give.
var oracleKinds = map[client.Kind]refeval.Kind{
	client.KindNull: refeval.KindNull, client.KindText: refeval.KindText, client.KindNumber: refeval.KindNumber,
	client.KindDate: refeval.KindDate, client.KindDatetime: refeval.KindDatetime, client.KindTime: refeval.KindTime,
	client.KindCodeSet: refeval.KindCodeSet, client.KindBool: refeval.KindNumber,
}

// asOracle converts an engine value to the oracle's type, to compare them.
func asOracle(v client.Value) refeval.Value {
	return refeval.Value{Kind: oracleKinds[v.Kind], Num: v.Num, Str: v.Str, Time: v.Time, Codes: v.Codes, Missing: v.Missing}
}

func collect(rows *rq.Rows, err error) (*diffResult, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	res := &diffResult{cols: rows.Columns()}
	for rows.Next() {
		res.rows = append(res.rows, canonRow(rows.Row()))
	}
	return res, rows.Err()
}

// TestDifferential runs generated queries three ways — planned with
// pushdown (in small parallel batches), planned without pushdown, and the
// naive reference evaluator — and requires them to agree.
func TestDifferential(t *testing.T) {
	if testing.Short() {
		t.Log("differential: -short runs 60 queries")
	}
	ctx := context.Background()
	total, agreed, nonEmpty, rows := 0, 0, 0, 0
	var failures []string
	for i, dp := range diffProjects() {
		proj := dp.load(t)
		c := serveClient(t, proj, redcaptest.Faults{})
		pushOn := open(t, c, rq.WithCellsPerBatch(3000), rq.WithConcurrency(3))
		pushOff := open(t, c, rq.WithPushdown(false))
		db, err := refeval.Load(ctx, c)
		if err != nil {
			t.Fatalf("%s: %v", dp.name, err)
		}
		cp, _ := c.Project(ctx)
		var fem [][2]string
		for _, m := range cp.FormEventMapping() {
			fem = append(fem, [2]string{m.UniqueEventName, m.Form})
		}
		gen := querygen.New(db, *diffSeed+uint64(i)*7919, fem)
		n := dp.queries
		if *diffQueries > 0 {
			n = *diffQueries
		}
		if testing.Short() {
			n = 15
		}
		for range n {
			src, params := gen.Query()
			total++
			msg, n := diffOne(ctx, db, pushOn, pushOff, src, params)
			if msg != "" {
				failures = append(failures, fmt.Sprintf("[%s] %s\n  params: %v\n  %s", dp.name, src, params, msg))
				continue
			}
			if *diffVerbose {
				t.Logf("[%s] ok: %s %v", dp.name, src, params)
			}
			agreed++
			rows += n
			if n > 0 {
				nonEmpty++
			}
		}
	}
	for i, f := range failures {
		if i == 25 {
			t.Errorf("... and %d more disagreements", len(failures)-25)
			break
		}
		t.Error(f)
	}
	if len(failures) > 0 {
		t.Errorf("differential: %d of %d queries disagree", len(failures), total)
		return
	}
	if !testing.Short() && total < 500 {
		t.Errorf("differential: only %d queries; want at least 500", total)
	}
	// guard against a vacuous run: most queries must return rows
	if nonEmpty*3 < agreed {
		t.Errorf("differential: only %d of %d queries return rows; the generator is too selective", nonEmpty, agreed)
	}
	fmt.Printf("differential: %d queries agree (%d return rows, %d rows in all)\n", agreed, nonEmpty, rows)
}

// diffOne runs one query three ways and describes any disagreement; n is
// the number of rows they agree on.
func diffOne(ctx context.Context, db *refeval.DB, pushOn, pushOff *rq.Project, src string, params map[string]string) (msg string, n int) {
	stmt, err := lang.Parse(src)
	if err != nil {
		return "generator wrote a query that does not parse: " + err.Error(), 0
	}
	want, err := db.Run(stmt, params)
	if err != nil {
		return "reference: " + err.Error(), 0
	}
	ref := &diffResult{cols: want.Cols}
	for _, r := range want.Rows {
		ref.rows = append(ref.rows, oracleRow(r))
	}
	on, onErr := collect(pushOn.Query(ctx, src, params))
	off, offErr := collect(pushOff.Query(ctx, src, params))
	switch {
	case onErr != nil && offErr != nil:
		return fmt.Sprintf("planner rejects or fails a valid query:\n  pushdown on:  %s\n  pushdown off: %s", errText(onErr, src), errText(offErr, src)), 0
	case onErr != nil:
		return "pushdown on fails: " + errText(onErr, src), 0
	case offErr != nil:
		return "pushdown off fails: " + errText(offErr, src), 0
	}
	inOrder := refeval.Ordered(stmt)
	var msgs []string
	if len(on.cols) != len(ref.cols) || !slices.Equal(on.cols, off.cols) {
		msgs = append(msgs, fmt.Sprintf("columns: pushdown on %v, off %v, reference %v", on.cols, off.cols, ref.cols))
	}
	if d := refeval.DiffRows(ref.rows, on.rows, inOrder); d != "" {
		msgs = append(msgs, "pushdown on vs reference: "+d)
	}
	if d := refeval.DiffRows(ref.rows, off.rows, inOrder); d != "" {
		msgs = append(msgs, "pushdown off vs reference: "+d)
	}
	return strings.Join(msgs, "\n  "), len(ref.rows)
}

// oracleRow renders an oracle row.
func oracleRow(vals []refeval.Value) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = v.Canon()
	}
	return strings.Join(parts, " | ")
}

func errText(err error, src string) string {
	return strings.TrimSpace(lang.Render(err, src))
}

// TestDifferentialCatchesTypingBugs shows the differential test can fail:
// the same generated queries, checked against an oracle built from a
// deliberately mistyped copy of the raw export, must disagree with the
// engine, while the oracle built from the export as it is agrees.
func TestDifferentialCatchesTypingBugs(t *testing.T) {
	ctx := context.Background()
	c := serveClient(t, redcaptest.Demo(redcaptest.DemoOptions{Records: 60, Seed: 7}), redcaptest.Faults{})
	p := open(t, c)
	retype := func(field, fieldType, validation string) func(*refeval.Raw) {
		return func(raw *refeval.Raw) {
			for i := range raw.Meta {
				if raw.Meta[i].FieldName == field {
					raw.Meta[i].FieldType, raw.Meta[i].TextValidationTypeOrShowSliderNumber = fieldType, validation
				}
			}
		}
	}
	tests := []struct {
		name   string
		mutate func(*refeval.Raw)
		want   bool // whether the oracle must disagree
	}{
		{"the export as it is", func(*refeval.Raw) {}, false},
		{"an integer field read as text", retype("age", "text", ""), true},
		{"a date field read as text", retype("dob", "text", ""), true},
		{"a radio field read as free text", retype("sex", "text", ""), true},
		{"missing-data codes not applied", func(raw *refeval.Raw) { raw.MissingCodes = "" }, true},
	}
	base, err := refeval.Fetch(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	truth, err := refeval.New(base) // the queries come from the true schema
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := *base
			raw.Meta = slices.Clone(base.Meta)
			tc.mutate(&raw)
			db, err := refeval.New(&raw)
			if err != nil {
				t.Fatal(err)
			}
			gen := querygen.New(truth, 11, nil)
			disagree := 0
			for range 80 {
				src, params := gen.Query()
				// one engine in both seats: the oracle is under test here
				if msg, _ := diffOne(ctx, db, p, p, src, params); msg != "" {
					disagree++
				}
			}
			if got := disagree > 0; got != tc.want {
				t.Errorf("%d of 80 queries disagree with the engine; want disagreement: %v", disagree, tc.want)
			}
			t.Logf("%d of 80 queries disagree", disagree)
		})
	}
}
