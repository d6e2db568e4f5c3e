package client

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/redcapql/rq/internal/fixtures"
)

// fixtureDict is one data dictionary found in the shared fixtures.
type fixtureDict struct {
	project string // redcapr project folder, or the XML/CSV file's base name
	source  string // path relative to the fixtures folder
	d       *Dictionary
}

// conformance tallies what the fixtures test checked.
type conformance struct {
	dicts, fields, choices, checkboxCols    int
	odmCheckboxCols, dataCheckboxCols       int
	expectedCheckboxCols, values, odmValues int
	expectedColumns, comparedFields         int
	valueErrors                             []string
}

// TestFixtureDictionaries builds a Dictionary from every data dictionary in
// the shared fixtures (dictionary.csv, metadata.csv, phpcap's metadata export
// and the metadata in every project XML), then checks it against REDCap's own
// output: every checkbox item of each project XML, every column of each
// project's data exports and of REDCapR's expected raw exports must be a
// column the dictionary computes, every exported value must parse for its
// field's kind, and the dictionary read from a project XML must agree field
// by field with the project's CSV dictionaries.
func TestFixtureDictionaries(t *testing.T) {
	root := fixtures.Dir(t)
	var c conformance
	dicts := loadFixtureDicts(t, root, &c)
	byProject := map[string][]fixtureDict{}
	for _, fd := range dicts {
		byProject[fd.project] = append(byProject[fd.project], fd)
	}

	// The project XML's dictionary against the CSV dictionaries of the same project.
	for _, ds := range byProject {
		for _, x := range ds {
			if !strings.HasSuffix(x.source, "/project.xml") {
				continue
			}
			for _, other := range ds {
				if other.source != x.source && strings.HasSuffix(other.source, ".csv") {
					compareDicts(t, x, other, &c)
				}
			}
		}
	}

	// REDCap's own checkbox column names and values in the project XMLs.
	for _, fd := range dicts {
		if strings.HasSuffix(fd.source, ".xml") {
			checkODMItems(t, root, fd, &c)
		}
	}

	// Record exports and import payloads, checked against each project's dictionaries.
	dataFiles := map[string][]string{}
	for _, p := range globRel(t, root, "redcapr/projects/*/data*.csv") {
		proj := strings.Split(p, "/")[2]
		dataFiles[proj] = append(dataFiles[proj], p)
	}
	dataFiles["PHPCapLongitudinalData.REDCap"] = globRel(t, root, "phpcap/data/longitudinal-data-import*.csv")
	dataFiles["longitudinal-metadata"] = dataFiles["PHPCapLongitudinalData.REDCap"]
	dataFiles["PHPCapBasicDemography.REDCap"] = globRel(t, root, "phpcap/data/basic-demography-import*.csv")
	dataFiles["PHPCapRepeatingForms.REDCap"] = globRel(t, root, "phpcap/data/repeating-forms-import.csv")
	for proj, files := range dataFiles {
		ds := byProject[proj]
		if len(ds) == 0 {
			t.Errorf("data files of %s but no dictionary", proj)
		}
		for _, fd := range ds {
			for _, file := range files {
				checkDataFile(t, root, file, fd, &c)
			}
		}
	}

	// Columns of REDCapR's expected raw-header exports.
	checkExpected(t, root, byProject, &c)

	t.Logf("dictionaries: %d parsed (%d fields, %d choices, %d checkbox columns); checkbox columns matched: %d project-XML items, %d data-file columns, %d expected-export columns (and %d other expected-export columns); %d fields agree between CSV and XML dictionaries; values parsed: %d data-file, %d project-XML; %d values reported as not fitting (known causes)",
		c.dicts, c.fields, c.choices, c.checkboxCols, c.odmCheckboxCols, c.dataCheckboxCols, c.expectedCheckboxCols, c.expectedColumns, c.comparedFields, c.values, c.odmValues, len(c.valueErrors))
	if c.dicts < 31 || c.odmCheckboxCols == 0 || c.dataCheckboxCols == 0 || c.expectedCheckboxCols == 0 {
		t.Errorf("fixtures checked too little: %+v", c)
	}
}

// dictDrift lists fields whose design changed between a project's CSV
// dictionary and its project XML: "csv-file field".
var dictDrift = map[string]bool{
	// age is a calc field in some copies of the REDCapR demo design, text in others.
	"redcapr/projects/simple/metadata.csv age":                         true,
	"redcapr/projects/metadata-write/dictionary.csv age":               true,
	"redcapr/projects/repeating-instruments-sparse/dictionary.csv age": true,
}

// compareDicts checks that the fields both dictionaries hold agree.
func compareDicts(t *testing.T, x, y fixtureDict, c *conformance) {
	for _, fy := range y.d.Fields() {
		fx, ok := x.d.Field(fy.Name)
		if !ok {
			t.Errorf("%s lacks field %s of %s", x.source, fy.Name, y.source)
			continue
		}
		a := fmt.Sprintf("%s %s %s %s %v %q %q %q", fx.Form, fx.FieldType, fx.Validation, fx.Kind, fx.Identifier, fx.Columns(), fx.Choices, fx.Label)
		b := fmt.Sprintf("%s %s %s %s %v %q %q %q", fy.Form, fy.FieldType, fy.Validation, fy.Kind, fy.Identifier, fy.Columns(), fy.Choices, fy.Label)
		if a != b {
			if !dictDrift[y.source+" "+fy.Name] {
				t.Errorf("%s and %s disagree on field %s:\n %s\n %s", x.source, y.source, fy.Name, a, b)
			}
			continue
		}
		c.comparedFields++
	}
}

func globRel(t *testing.T, root, pattern string) []string {
	t.Helper()
	ms, err := filepath.Glob(filepath.Join(root, pattern))
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		ms[i], _ = filepath.Rel(root, m)
		ms[i] = filepath.ToSlash(ms[i])
	}
	sort.Strings(ms)
	return ms
}

func loadFixtureDicts(t *testing.T, root string, c *conformance) []fixtureDict {
	var out []fixtureDict
	add := func(project, source string, meta []MetadataField, missing string) {
		d, err := NewDictionary(meta, missing)
		if err != nil {
			t.Errorf("%s: %v", source, err)
			return
		}
		for _, w := range d.Warnings() {
			t.Errorf("%s: %s", source, w)
		}
		c.dicts++
		for _, f := range d.Fields() {
			if f.Synthetic {
				continue
			}
			c.fields++
			c.choices += len(f.Choices)
			if f.Kind == KindCodeSet {
				c.checkboxCols += len(f.Columns())
			}
		}
		out = append(out, fixtureDict{project, source, d})
	}
	csvs := append(globRel(t, root, "redcapr/projects/*/dictiona*.csv"), globRel(t, root, "redcapr/projects/*/metadata.csv")...)
	csvs = append(csvs, "phpcap/data/longitudinal-metadata.csv")
	for _, p := range csvs {
		meta := readMetaFile(t, filepath.Join(root, p))
		if strings.HasSuffix(p, "/metadata.csv") && strings.HasPrefix(p, "redcapr/") {
			// Written by R from an API read: empty cells are the text NA.
			for i := range meta {
				for j := range MetadataColumns {
					if s := meta[i].column(j); *s == "NA" {
						*s = ""
					}
				}
			}
		}
		project := strings.TrimSuffix(filepath.Base(p), ".csv")
		if strings.HasPrefix(p, "redcapr/") {
			project = strings.Split(p, "/")[2]
		}
		add(project, p, meta, "")
	}
	xmls := append(globRel(t, root, "redcapr/projects/*/project*.xml"), globRel(t, root, "pycap/*.xml")...)
	xmls = append(xmls, globRel(t, root, "phpcap/projects/*.xml")...)
	for _, p := range xmls {
		f, err := os.Open(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		meta, missing, err := ReadODMMetadata(f)
		f.Close()
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		project := strings.TrimSuffix(filepath.Base(p), ".xml")
		if strings.HasPrefix(p, "redcapr/") {
			project = strings.Split(p, "/")[2]
		}
		add(project, p, meta, missing)
	}
	return out
}

func readMetaFile(t *testing.T, path string) []MetadataField {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	meta, err := ReadMetadataCSV(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return meta
}

// checkODMItems checks the checkbox item OIDs REDCap wrote (race___1, ...)
// and parses every ItemData value of the project XML.
func checkODMItems(t *testing.T, root string, fd fixtureDict, c *conformance) {
	f, err := os.Open(filepath.Join(root, fd.source))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	record := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s: %v", fd.source, err)
		}
		e, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		attr := func(name string) string {
			for _, a := range e.Attr {
				if a.Name.Local == name {
					return a.Value
				}
			}
			return ""
		}
		switch e.Name.Local {
		case "ItemDef":
			if attr("FieldType") != "checkbox" {
				continue
			}
			oid, v := attr("OID"), attr("Variable")
			f, code, ok := fd.d.ExportColumn(oid)
			if !ok || f.Name != v || code == "" {
				t.Errorf("%s: REDCap's checkbox item %s (field %s) is not a checkbox column of the dictionary", fd.source, oid, v)
				continue
			}
			c.odmCheckboxCols++
		case "SubjectData":
			record = attr("SubjectKey")
		case "ItemData":
			oid, raw := attr("ItemOID"), attr("Value")
			if strings.HasPrefix(oid, "redcap_") {
				continue
			}
			f, code, ok := fd.d.ExportColumn(oid)
			if !ok {
				t.Errorf("%s: record %s: item %s is not a column of the dictionary", fd.source, record, oid)
				continue
			}
			c.odmValues++
			if code != "" {
				if raw != "0" && raw != "1" {
					t.Errorf("%s: record %q, column %s: checkbox value %q", fd.source, record, oid, raw)
				}
				continue
			}
			if _, err := f.Parse(raw); err != nil {
				ve := err.(*ValueError)
				ve.Record = record
				c.report(t, fd.source, fd.source, ve)
			}
		}
	}
}

// checkDataFile checks a flat record CSV's header against fd and parses its rows.
func checkDataFile(t *testing.T, root, file string, fd fixtureDict, c *conformance) {
	f, err := os.Open(filepath.Join(root, file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err == io.EOF {
		return // empty export: no rows, no header
	}
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	skip := 0
	if header[0] == "" { // written by R (russian/data.csv): row names first, blanks as NA
		skip = 1
	}
	header = header[skip:]
	var missing []string
	for _, col := range header {
		if fd.d.IsPlumbingColumn(col) {
			continue
		}
		_, code, ok := fd.d.ExportColumn(col)
		if !ok {
			missing = append(missing, col)
		} else if code != "" {
			c.dataCheckboxCols++
		}
	}
	if len(missing) > 0 {
		known := knownColumnGaps[fd.source+" "+file]
		if known == "" || strings.Join(missing, ",") != known {
			t.Errorf("%s: columns of %s not in the dictionary: %s", fd.source, file, strings.Join(missing, ","))
		}
		return
	}
	p, err := fd.d.NewRowParser(header)
	if err != nil {
		t.Errorf("%s: %s: %v", fd.source, file, err)
		return
	}
	var vals []Value
	for {
		row, err := r.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if skip == 1 {
			for i, v := range row {
				if v == "NA" {
					row[i] = ""
				}
			}
		}
		c.values += len(p.Fields())
		if vals, err = p.Parse(row[skip:], vals); err != nil {
			var ves ValueErrors
			if !errors.As(err, &ves) {
				t.Errorf("%s: %v", file, err)
				continue
			}
			for _, ve := range ves {
				c.report(t, file, fd.source, ve)
			}
		}
	}
}

// report records a value that does not fit its field: a failure unless
// knownBadValue explains it.
func (c *conformance) report(t *testing.T, file, dict string, ve *ValueError) {
	why := knownBadValue(file, ve)
	if why == "" {
		t.Errorf("%s (dictionary %s): %v", file, dict, ve)
		return
	}
	c.valueErrors = append(c.valueErrors, file+": "+ve.Error())
	if testing.Verbose() {
		t.Logf("%s: %v (%s)", file, ve, why)
	}
}

// knownBadValue explains the fixture values that do not fit their fields
// for a known reason, and returns "" for any other.
func knownBadValue(file string, ve *ValueError) string {
	switch {
	case strings.Contains(file, "potentially-problematic-values") && strings.HasSuffix(ve.Field, "_before_validation"):
		return "text entered before the field got its validation, the project's point"
	case strings.HasPrefix(file, "phpcap/data/") && strings.HasPrefix(ve.Reason, "not a date") && strings.Contains(ve.Value, "/"):
		return "an import payload with M/D/Y dates (imported with dateFormat=MDY), not an export"
	case file == "redcapr/projects/simple/data.csv" && ve.Field == "sex" && (ve.Value == "TRUE" || ve.Value == "FALSE"):
		return "written by R, which turned the 0/1 codes into logicals"
	}
	return ""
}

// knownColumnGaps lists data files whose columns a dictionary of the same
// project lacks for a documented reason ("dictionary data-file" -> columns).
var knownColumnGaps = map[string]string{}

// staleExpected lists expected files made from an older dictionary of their project.
var staleExpected = map[string]bool{
	// INDEX.json: "Its columns (last_name, bmi_dot, ...) do not match any
	// current project files, so it reflects an earlier dictionary."
	"projects/decimal-comma/redcapr-specific/default-mismatched.json": true,
}

// checkExpected checks the columns of REDCapR's expected raw-header exports.
func checkExpected(t *testing.T, root string, byProject map[string][]fixtureDict, c *conformance) {
	var index []struct {
		Expected  string            `json:"expected"`
		Project   string            `json:"project"`
		APIParams map[string]string `json:"api_params"`
	}
	b, err := os.ReadFile(filepath.Join(root, "redcapr/expected/INDEX.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &index); err != nil {
		t.Fatal(err)
	}
	for _, e := range index {
		// Label headers are not column names; EAV results were pivoted by
		// REDCapR itself (it merges checkbox columns into "race___123456").
		if e.APIParams["rawOrLabelHeaders"] == "label" || e.APIParams["content"] == "metadata" || e.APIParams["type"] == "eav" {
			continue
		}
		ds := byProject[e.Project]
		if len(ds) == 0 {
			continue
		}
		var out struct {
			Columns []string `json:"columns"`
		}
		b, err := os.ReadFile(filepath.Join(root, "redcapr/expected", e.Expected))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &out); err != nil {
			continue // not a data frame
		}
		for _, col := range out.Columns {
			if !strings.Contains(col, "___") {
				// Other columns of record exports must be fields or
				// plumbing of the project's XML dictionary (the others may be older).
				ct := e.APIParams["content"]
				if ct != "record" && ct != "report" && !strings.HasPrefix(ct, "(several") || staleExpected[e.Expected] {
					continue
				}
				for _, fd := range ds {
					if !strings.HasSuffix(fd.source, "/project.xml") {
						continue
					}
					if _, _, ok := fd.d.ExportColumn(col); ok || fd.d.IsPlumbingColumn(col) {
						c.expectedColumns++
					} else {
						t.Errorf("%s: column %s of %s is not a column of the dictionary", fd.source, col, e.Expected)
					}
				}
				continue
			}
			for _, fd := range ds {
				f, code, ok := fd.d.ExportColumn(col)
				if !ok || code == "" || f.Kind != KindCodeSet {
					t.Errorf("%s: checkbox column %s of %s is not a checkbox column of the dictionary", fd.source, col, e.Expected)
					continue
				}
				c.expectedCheckboxCols++
			}
		}
	}
}
