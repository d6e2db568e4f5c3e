package redcaptest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redcapql/rq/internal/fixtures"
)

// choiceProject is a small classic project whose radio and dropdown choices
// are stored with " | " separators, which its ODM export cannot keep.
func choiceProject() *Project {
	return &Project{Name: "choices", Info: ProjectInfo{Title: "choices"}, Metadata: []Field{
		{FieldName: "record_id", FormName: "f", FieldType: "text", FieldLabel: "ID"},
		{FieldName: "sex", FormName: "f", FieldType: "radio", FieldLabel: "Sex", SelectChoicesOrCalculations: "0, Female | 1, Male"},
		{FieldName: "site", FormName: "f", FieldType: "dropdown", FieldLabel: "Site", SelectChoicesOrCalculations: "nyc, New York | bos, Boston"},
		{FieldName: "race", FormName: "f", FieldType: "checkbox", FieldLabel: "Race", SelectChoicesOrCalculations: "1, White|2, Black"},
	}}
}

const choiceDictHeader = `"Variable / Field Name","Form Name","Section Header","Field Type","Field Label","Choices, Calculations, OR Slider Labels","Field Note","Text Validation Type OR Show Slider Number","Text Validation Min","Text Validation Max",Identifier?,"Branching Logic (Show field only if...)","Required Field?","Custom Alignment","Question Number (surveys only)","Matrix Group Name","Matrix Ranking?","Field Annotation"`

// TestLoadODMRestoresChoiceText writes a project's ODM export next to a data
// dictionary download and checks which choices strings LoadODM takes from
// the download: only radio/dropdown text of a download describing the same
// design, for fields whose choices parse the same.
func TestLoadODMRestoresChoiceText(t *testing.T) {
	srv := NewServer(t, choiceProject())
	st, xmlBody := api(t, srv, srv.Token("choices"), "content", "project_xml", "format", "xml")
	if st != 200 {
		t.Fatalf("project_xml: %d %s", st, xmlBody)
	}
	row := func(name, typ, label, choices string) string {
		return name + ",f,," + typ + "," + label + `,"` + choices + `",,,,,,,,,,,,`
	}
	same := []string{
		row("record_id", "text", "ID", ""),
		row("sex", "radio", "Sex", "0, Female | 1, Male"),
		row("site", "dropdown", "Site", "nyc, New York | bos, Boston"),
		row("race", "checkbox", "Race", "1, White|2, Black"),
	}
	with := func(i int, r string) []string {
		out := append([]string(nil), same...)
		out[i] = r
		return out
	}
	noSpace := map[string]string{"sex": "0, Female|1, Male", "site": "nyc, New York|bos, Boston", "race": "1, White|2, Black"}
	restored := map[string]string{"sex": "0, Female | 1, Male", "site": "nyc, New York | bos, Boston", "race": "1, White|2, Black"}
	tests := []struct {
		name string
		file string // "" for no download
		rows []string
		want map[string]string
	}{
		{"no download", "", nil, noSpace},
		{"same design", "dictionary.csv", same, restored},
		{"misspelt name", "dictionay.csv", same, restored},
		{"metadata.csv", "metadata.csv", nil, restored},
		{"other codes", "dictionary.csv", with(1, row("sex", "radio", "Sex", "1, Female | 2, Male")),
			map[string]string{"sex": "0, Female|1, Male", "site": "nyc, New York | bos, Boston", "race": "1, White|2, Black"}},
		{"other code order", "dictionary.csv", with(2, row("site", "dropdown", "Site", "bos, Boston | nyc, New York")),
			map[string]string{"sex": "0, Female | 1, Male", "site": "nyc, New York|bos, Boston", "race": "1, White|2, Black"}},
		{"field missing: another version", "dictionary.csv", same[:3], noSpace},
		{"other type: another version", "dictionary.csv", with(1, row("sex", "dropdown", "Sex", "0, Female | 1, Male")), noSpace},
		{"other label: another version", "dictionary.csv", with(2, row("site", "dropdown", "Site name", "nyc, New York | bos, Boston")), noSpace},
		{"not a dictionary", "metadata.csv-garbage", nil, noSpace},
		{"checkbox text differs: another version", "dictionary.csv", with(3, row("race", "checkbox", "Race", "1, White | 2, Black")), noSpace},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "project.xml"), []byte(xmlBody), 0o644); err != nil {
				t.Fatal(err)
			}
			var content string
			switch {
			case tc.file == "metadata.csv":
				content = strings.Join(MetadataColumns, ",") + "\n" +
					`"record_id","f",NA,"text","ID",NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA` + "\n" +
					`"sex","f",NA,"radio","Sex","0, Female | 1, Male",NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA` + "\n" +
					`"site","f",NA,"dropdown","Site","nyc, New York | bos, Boston",NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA` + "\n" +
					`"race","f",NA,"checkbox","Race","1, White|2, Black",NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA` + "\n"
			case tc.file == "metadata.csv-garbage":
				tc.file, content = "metadata.csv", "a,b\n\"unterminated\n"
			case tc.file != "":
				content = choiceDictHeader + "\n" + strings.Join(tc.rows, "\n") + "\n"
			}
			if tc.file != "" {
				if err := os.WriteFile(filepath.Join(dir, tc.file), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			p, err := LoadODM(filepath.Join(dir, "project.xml"))
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range tc.want {
				if got := p.Field(name).SelectChoicesOrCalculations; got != want {
					t.Errorf("%s: choices %q, want %q", name, got, want)
				}
			}
			// The metadata export serves the restored text.
			srv2 := NewServer(t, p)
			_, meta := api(t, srv2, srv2.Token(p.Name), "content", "metadata", "format", "csv", "fields[0]", "sex")
			if !strings.Contains(meta, `"`+tc.want["sex"]+`"`) {
				t.Errorf("metadata export lacks %q:\n%s", tc.want["sex"], meta)
			}
		})
	}
}

// TestLoadODMChoiceTextFixtures checks the rule on REDCapR's projects: a
// download of the current design restores the spacing the REDCap server
// returns (potentially-problematic-dictionary), a stale one is ignored
// (simple's dictionary.csv predates its interpreter_needed field; the server
// stores its choices without spaces).
func TestLoadODMChoiceTextFixtures(t *testing.T) {
	tests := []struct{ project, field, want string }{
		{"potentially-problematic-dictionary", "v1", "0, No | 1, Yes | 3, I should find out"},
		{"simple", "ethnicity", "0, Unknown / Not Reported|1, NOT Hispanic or Latino|2, Hispanic or Latino"},
		{"simple", "race", "1, American Indian/Alaska Native|2, Asian|3, Native Hawaiian or Other Pacific Islander|4, Black or African American|5, White|6, Unknown / Not Reported"},
		{"longitudinal", "vbw6", "0, AM | 1, PM"},
	}
	for _, tc := range tests {
		p, err := LoadODM(fixtures.Path(t, "redcapr", "projects", tc.project, "project.xml"))
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Field(tc.field).SelectChoicesOrCalculations; got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.project, tc.field, got, tc.want)
		}
	}
}
