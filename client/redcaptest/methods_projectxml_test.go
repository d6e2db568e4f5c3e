package redcaptest

import (
	"fmt"
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/redcapql/rq/internal/fixtures"
)

// recordDump renders a project's records canonically: one line per
// non-blank stored value (record, DAG, row key, field, value), sorted.
func recordDump(p *Project) []string {
	var out []string
	for rec := range p.Records.All() {
		out = append(out, fmt.Sprintf("%s dag=%s", rec.ID, rec.DAG))
		for _, row := range rec.Rows {
			for k, v := range row.Values {
				if v == "" || k == p.RecordIDField() {
					continue
				}
				if f := p.Field(k); f != nil && f.FieldType == "checkbox" {
					codes := strings.Split(v, ",")
					slices.Sort(codes)
					v = strings.Join(codes, ",")
				}
				out = append(out, fmt.Sprintf("%s|%s|%s|%d|%s=%s", rec.ID, row.Event, row.Instrument, row.Instance, k, v))
			}
		}
	}
	slices.Sort(out)
	return out
}

// designDump renders the design canonically (choices parsed, so spacing
// around "|" does not matter).
func designDump(p *Project) []string {
	var out []string
	for _, f := range p.Metadata {
		v := f.Values()
		v[5] = fmt.Sprint(ParseChoices(f.SelectChoicesOrCalculations))
		if f.FieldType == "calc" || f.FieldType == "sql" || f.FieldType == "slider" {
			v[5] = f.SelectChoicesOrCalculations
		}
		v[7] = legacyValidation(v[7])
		out = append(out, "field "+strings.Join(v, "|"))
	}
	for _, in := range p.Instruments {
		out = append(out, fmt.Sprintf("instrument %s|%s|%v", in.Name, in.Label, in.Survey))
	}
	for _, a := range p.Arms {
		out = append(out, fmt.Sprintf("arm %d|%s", a.Num, a.Name))
	}
	for _, e := range p.Events {
		out = append(out, fmt.Sprintf("event %s|%s|%d|%s|%g", e.UniqueName, e.Name, e.ArmNum, e.CustomLabel, e.DayOffset))
	}
	for _, fe := range p.FormEventMapping {
		out = append(out, fmt.Sprintf("fem %d|%s|%s", fe.ArmNum, fe.UniqueName, fe.Form))
	}
	for _, r := range p.Repeating {
		out = append(out, fmt.Sprintf("repeat %s|%s|%s", r.Event, r.Form, r.CustomLabel))
	}
	for _, d := range p.DAGs {
		out = append(out, fmt.Sprintf("dag %s|%s", d.UniqueName, d.Name))
	}
	out = append(out, "missing "+p.Info.MissingDataCodes, "title "+p.Info.Title)
	return out
}

func diffLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	g, w := map[string]bool{}, map[string]bool{}
	for _, s := range got {
		g[s] = true
	}
	for _, s := range want {
		w[s] = true
	}
	n := 0
	for _, s := range want {
		if !g[s] && n < 10 {
			t.Errorf("%s: missing %q", what, s)
			n++
		}
	}
	for _, s := range got {
		if !w[s] && n < 20 {
			t.Errorf("%s: unexpected %q", what, s)
			n++
		}
	}
	if n == 0 {
		t.Errorf("%s: same lines, different order or count (%d vs %d)", what, len(got), len(want))
	}
}

func TestProjectXMLRoundTrip(t *testing.T) {
	p := longProject("long")
	p.Metadata[2].FieldNote = "a note with \"quotes\" & <angles>\nand a new line"
	srv := NewServer(t, p)
	seedLong(t, srv)
	tok := srv.Token("long")
	st, body := api(t, srv, tok, "content", "record", "format", "csv", "data",
		"record_id,redcap_event_name,redcap_data_access_group,race___oth,race____1,race___na,sex,email\n2,enrol_arm_1,site_b,1,1,1,2,x@y.org\n")
	if st != 200 {
		t.Fatalf("seed: %d %s", st, body)
	}
	st, body = api(t, srv, tok, "content", "project_xml", "exportDataAccessGroups", "true")
	if st != 200 || !strings.HasPrefix(body, `<?xml version="1.0" encoding="UTF-8" ?>`) || !strings.Contains(body, `ODMVersion="1.3.1"`) {
		t.Fatalf("export: %d %.200s", st, body)
	}
	back, err := ReadODM(strings.NewReader(body))
	if err != nil {
		t.Fatalf("ReadODM of our export: %v", err)
	}
	diffLines(t, "design", designDump(back), designDump(p))
	diffLines(t, "records", recordDump(back), recordDump(p))

	// exportFiles: uploaded files travel inside the XML.
	if st, body := upload(t, srv, tok, "c.txt", []byte("consent text"), "content", "file", "action", "import", "record", "2", "field", "consent_file", "event", "enrol_arm_1"); st != 200 {
		t.Fatalf("upload: %d %s", st, body)
	}
	_, body = api(t, srv, tok, "content", "project_xml", "exportFiles", "true")
	if back, err = ReadODM(strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	if f := back.Files[FileKey{Record: "2", Field: "consent_file", Event: "enrol_arm_1", Instance: 1}]; f == nil || string(f.Data) != "consent text" || f.Name != "c.txt" || f.MIME != "text/plain" {
		t.Errorf("exportFiles: file not carried: %+v", f)
	}
	// returnMetadataOnly: the design without ClinicalData.
	_, body = api(t, srv, tok, "content", "project_xml", "returnMetadataOnly", "true")
	if strings.Contains(body, "<ClinicalData") {
		t.Error("returnMetadataOnly exported data")
	}
	// Filters.
	_, body = api(t, srv, tok, "content", "project_xml", "records[0]", "2", "events[0]", "enrol_arm_2", "fields[0]", "age")
	back, err = ReadODM(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if got := recordDump(back); !reflect.DeepEqual(got, []string{"2 dag=", "2|enrol_arm_2||0|age=41"}) {
		t.Errorf("filtered export: %q", got)
	}
	// filterLogic is row-level, as in the record export.
	_, body = api(t, srv, tok, "content", "project_xml", "filterLogic", "[age] >= 40")
	if back, err = ReadODM(strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	// (bmi is the calc 1+1, computed when the records were imported.)
	if got := recordDump(back); !reflect.DeepEqual(got, []string{"10 dag=", "10|enrol_arm_2||0|age=50", "10|enrol_arm_2||0|bmi=2", "10|enrol_arm_2||0|enrol_complete=0",
		"2 dag=", "2|enrol_arm_1||0|age=40", "2|enrol_arm_1||0|bmi=2", "2|enrol_arm_1||0|consent_file=c.txt", "2|enrol_arm_1||0|email=x@y.org", "2|enrol_arm_1||0|enrol_complete=0", "2|enrol_arm_1||0|race=-1,NA,oth", "2|enrol_arm_1||0|sex=2",
		"2|enrol_arm_2||0|age=41", "2|enrol_arm_2||0|bmi=2", "2|enrol_arm_2||0|enrol_complete=0"}) {
		t.Errorf("filterLogic export: %q", got)
	}
	if st, body = api(t, srv, tok, "content", "project_xml", "fields", "nope", "returnFormat", "json"); st != 400 || body != `{"error":"The following values in the parameter \"fields\" are not valid: 'nope'"}` {
		t.Errorf("bad field: %d %s", st, body)
	}
	// Without exportDataAccessGroups the DAG is not in the file; survey fields only on request.
	_, body = api(t, srv, tok, "content", "project_xml")
	if strings.Contains(body, "redcap_data_access_group") || strings.Contains(body, "enrol_timestamp") {
		t.Error("plumbing items exported without being asked for")
	}
	_, body = api(t, srv, tok, "content", "project_xml", "exportSurveyFields", "true")
	if !strings.Contains(body, `ItemOID="enrol_timestamp"`) || strings.Contains(body, `ItemOID="visit_timestamp"`) {
		t.Error("exportSurveyFields: timestamp items wrong")
	}
}

// TestProjectXMLFixtures exports fixture projects loaded with LoadODM and
// reads the export back: design and records must survive unchanged.
func TestProjectXMLFixtures(t *testing.T) {
	dir := fixtures.Dir(t)
	for _, rel := range []string{
		"redcapr/projects/simple/project.xml",
		"redcapr/projects/longitudinal/project.xml",
		"redcapr/projects/repeating-instruments/project.xml",
		"redcapr/projects/dag/project.xml",
		"pycap/test_long_project.xml",
		"pycap/doctest_project.xml",
	} {
		t.Run(rel, func(t *testing.T) {
			p, err := LoadODM(filepath.Join(dir, rel))
			if err != nil {
				t.Fatalf("LoadODM: %v", err)
			}
			srv := NewServer(t, p)
			st, body := api(t, srv, srv.Token(p.Name), "content", "project_xml", "exportDataAccessGroups", "true", "exportSurveyFields", "true")
			if st != 200 {
				t.Fatalf("export: %d %.300s", st, body)
			}
			back, err := ReadODM(strings.NewReader(body))
			if err != nil {
				t.Fatalf("ReadODM of our export: %v", err)
			}
			diffLines(t, "design", designDump(back), designDump(p))
			diffLines(t, "records", recordDump(back), recordDump(p))
		})
	}
}

func TestCreateProject(t *testing.T) {
	super := strings.Repeat("AB", 32)
	srv, err := Start("", Options{SuperToken: super}, tinyProject("tiny"))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	// A project token cannot create projects.
	if st, _ := api(t, srv, srv.Token("tiny"), "content", "project", "format", "json", "data", `[{"project_title":"x","purpose":"0"}]`); st != 403 {
		t.Errorf("project token: %d", st)
	}
	if st, body := api(t, srv, super, "content", "project", "format", "json", "returnFormat", "json", "data", `[{"project_title":"x","purpose":"9"}]`); st != 400 || !strings.Contains(body, "purpose") {
		t.Errorf("bad purpose: %d %s", st, body)
	}
	// Plain new longitudinal project.
	st, tok := api(t, srv, super, "content", "project", "format", "json", "data", `[{"project_title":"Fresh","purpose":"0","is_longitudinal":"1"}]`)
	if st != 200 || len(tok) != 32 || strings.ToUpper(tok) != tok {
		t.Fatalf("create: %d %q", st, tok)
	}
	if st, body := api(t, srv, tok, "content", "record", "format", "csv", "data", "record_id,redcap_event_name\n1,event_1_arm_1\n"); st != 200 || body != "1" {
		t.Errorf("import into the new project: %d %s", st, body)
	}
	// From a project XML: the design and data come along.
	p := longProject("long")
	src := NewServer(t, p)
	seedLong(t, src)
	_, odm := api(t, src, src.Token("long"), "content", "project_xml")
	st, tok2 := api(t, srv, super, "content", "project", "format", "json", "data", `[{"project_title":"Copy","purpose":"2"}]`, "odm", odm)
	if st != 200 || len(tok2) != 32 {
		t.Fatalf("create from odm: %d %q", st, tok2)
	}
	cp := srv.Project("Copy")
	if cp == nil || cp.Info.Title != "Copy" || cp.Records.Len() != 3 || !cp.Longitudinal() {
		t.Fatalf("copy: %+v", cp)
	}
	if st, body := api(t, srv, tok2, "content", "generateNextRecordName"); st != 200 || body != "11" {
		t.Errorf("new project serves methods: %d %s", st, body)
	}
	if st, body := api(t, srv, super, "content", "project", "format", "json", "returnFormat", "json", "data", `[{"project_title":"Bad","purpose":"0"}]`, "odm", "<ODM><oops"); st != 400 || !strings.Contains(body, "not a valid REDCap project XML") {
		t.Errorf("bad odm: %d %s", st, body)
	}
}

// TestProjectXMLFilterLogicGeneratedStore checks filterLogic on a project
// whose store builds fresh records on every pass (the demo): the rows the
// project XML keeps are those the record export passes.
func TestProjectXMLFilterLogicGeneratedStore(t *testing.T) {
	p := Demo(DemoOptions{Records: 40, Seed: 3})
	srv := NewServer(t, p)
	const logic = "[score] > 5"
	st, body := api(t, srv, srv.Token(p.Name), "content", "project_xml", "filterLogic", logic)
	if st != 200 {
		t.Fatalf("project_xml: %d %.200s", st, body)
	}
	back, err := ReadODM(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for rec := range back.Records.All() {
		for _, row := range rec.Rows {
			got[rec.ID+"|"+row.Event] = true
		}
	}
	want := map[string]bool{}
	for _, r := range exportDemo(t, srv, p, url.Values{"fields[0]": {"record_id"}, "fields[1]": {"score"}, "filterLogic": {logic}})[1:] {
		want[r[0]+"|"+r[1]] = true
	}
	if len(want) == 0 {
		t.Fatal("record export: no row passes " + logic)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("project XML rows %v, record export rows %v", got, want)
	}
}
