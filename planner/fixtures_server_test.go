package planner

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/internal/fixtures"
	"github.com/redcapql/rq/lang"
	"github.com/redcapql/rq/planner/fetch"
)

// serveProject serves proj and returns a client with planners (pushdown on
// and off) built from the server's own exports.
func serveProject(t *testing.T, proj *redcaptest.Project) (*client.Client, *Planner, *Planner) {
	t.Helper()
	srv := redcaptest.NewServer(t, proj)
	c, err := client.New(srv.URL, srv.Token(proj.Name), client.WithRateLimit(0))
	if err != nil {
		t.Fatal(err)
	}
	on, off := planners(t, c)
	return c, on, off
}

func quoted(s string) string { return (&lang.Literal{Kind: lang.String, Text: s}).String() }

// fieldQueries writes queries over one field using values seen in the data.
func fieldQueries(f *client.Field, seen []client.Value) []string {
	sel := "select record, " + f.Name + " from records where "
	out := []string{sel + f.Name + " is not null"}
	for _, v := range seen {
		switch f.Kind {
		case client.KindNumber:
			n := strconv.FormatFloat(v.Num, 'f', -1, 64)
			out = append(out, sel+f.Name+" > "+n, sel+f.Name+" <> "+n, sel+"not ("+f.Name+" < "+n+")", sel+f.Name+" = "+n)
			if len(f.Choices) == 0 {
				out = append(out, sel+f.Name+" between "+n+" and "+n+" + 10", sel+f.Name+" in ("+n+", -1)")
			}
		case client.KindText:
			s := v.Str
			if strings.ContainsAny(s, "\r\n") {
				continue
			}
			out = append(out, sel+f.Name+" = "+quoted(s), sel+f.Name+" <> "+quoted(s), sel+f.Name+" >= "+quoted(s))
			if len(f.Choices) == 0 {
				out = append(out, sel+f.Name+" not in ("+quoted(s)+", 'zz')")
			}
			if len(f.Choices) == 0 && len(s) > 2 {
				out = append(out, sel+"contains("+f.Name+", "+quoted(strings.ToUpper(s[1:3]))+")")
			}
		case client.KindDate, client.KindDatetime, client.KindTime:
			s := v.String()
			out = append(out, sel+f.Name+" >= "+quoted(s), sel+f.Name+" <> "+quoted(s), sel+f.Name+" < "+quoted(s))
		case client.KindCodeSet:
			for _, c := range v.Codes {
				out = append(out, sel+f.Name+" has "+quoted(c), sel+f.Name+" has any ("+quoted(c)+", "+quoted(f.Choices[0].Code)+")")
			}
		}
	}
	return out
}

// TestFixturesPushdownAgrees runs generated queries over every fixture
// project with a project.xml, with pushdown and without: same rows.
func TestFixturesPushdownAgrees(t *testing.T) {
	dir := fixtures.Path(t, "redcapr", "projects")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, e := range entries {
		xml := filepath.Join(dir, e.Name(), "project.xml")
		if _, err := os.Stat(xml); err != nil {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			proj, err := redcaptest.LoadODM(xml)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			c, pl, off := serveProject(t, proj)
			// The whole export once, replayed for every reference run.
			all := mustPlan(t, off, "select * from records", nil)
			full, err := c.ExportRecords(t.Context(), all.ExportParams())
			if err != nil {
				t.Fatal(err)
			}
			replay := func() fetch.RawRows { return &memRows{cols: full.Columns, rows: full.Rows} }
			// Values seen in the data, per field.
			rows := runPlan(t.Context(), all, replay())
			cols := rows.Columns()
			seen := map[string][]client.Value{}
			for rows.Next() {
				for i, v := range rows.Row() {
					if v.Kind != client.KindNull && len(seen[cols[i]]) < 2 {
						seen[cols[i]] = append(seen[cols[i]], v)
					}
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			var queries []string
			for _, form := range pl.cat.Dictionary().Forms() {
				queries = append(queries, "select * from records where form = "+quoted(form))
			}
			n := 0
			for _, f := range pl.cat.Dictionary().Fields() {
				if f.FieldType == "descriptive" || f.Name == pl.cat.RecordID() || n >= 60 {
					continue
				}
				n++
				queries = append(queries, fieldQueries(f, seen[f.Name])...)
			}
			// Combinations: or, not, and with form scoping.
			var conds []string
			for _, q := range queries {
				if _, c, ok := strings.Cut(q, " where "); ok && !strings.HasPrefix(c, "form") {
					conds = append(conds, c)
				}
			}
			forms := pl.cat.Dictionary().Forms()
			for i := 0; i+7 < len(conds) && i < 120; i += 3 {
				a, b := conds[i], conds[i+7]
				queries = append(queries,
					"select record, redcap_repeat_instance from records where ("+a+") or ("+b+")",
					"select record from records where not ("+a+") and "+b,
					"select record from records where not ("+a+" or "+b+")",
					"select count(*) from records where "+a+" and form = "+quoted(forms[i%len(forms)]))
			}
			for _, q := range queries {
				stmt, err := lang.Parse(q)
				if err != nil {
					t.Errorf("parse %s: %v", q, err)
					continue
				}
				p, err := pl.Plan(stmt, nil)
				if err != nil {
					t.Errorf("plan %s: %v", q, err)
					continue
				}
				got := collect(t, runPlan(t.Context(), p, fetchPlan(t, c, p)))
				ref := mustPlan(t, off, q, nil)
				want := collect(t, runPlan(t.Context(), ref, replay()))
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("%s\n%s\npushdown: %d rows, reference: %d rows", q, p.Explain(), len(got), len(want))
				}
				total++
			}
		})
	}
	t.Logf("%d queries agree", total)
}
