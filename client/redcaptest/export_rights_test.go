package redcaptest

import (
	"regexp"
	"strings"
	"testing"
)

// rightsProject is longProject with email tagged as an identifier (and the
// record id too when idIdentifier) and three users whose data export
// rights differ by instrument.
func rightsProject(idIdentifier bool) *Project {
	p := longProject("long")
	for i := range p.Metadata {
		if p.Metadata[i].FieldName == "email" || idIdentifier && i == 0 {
			p.Metadata[i].Identifier = "y"
		}
	}
	user := func(name, token, export string) User {
		return User{Username: name, Token: token, Rights: map[string]string{"api_export": "1", "forms_export": export}}
	}
	p.Users = []User{
		user("deid", "DE1D0000000000000000000000000000", "enrol:2,visit:1,meds:0"),
		user("noids", "0001D500000000000000000000000000", "enrol:3,visit:1,meds:1"),
		user("none", "00000000000000000000000000000000", "enrol:0,visit:0,meds:0"),
	}
	return p
}

// TestFormExportRights: a user's data export rights per instrument shape
// record exports (flat and EAV), reports' base export, project XML and
// PDFs: "No Access" forms are left out, de-identified forms lose
// identifiers, free text and dates, "remove identifiers" forms lose the
// identifiers; no access anywhere is refused, and so is a request whose
// every field is removed.
func TestFormExportRights(t *testing.T) {
	srv := NewServer(t, rightsProject(false))
	seedLong(t, srv)
	tok := srv.Token("long")
	api(t, srv, tok, "content", "record", "format", "csv", "data", "record_id,redcap_event_name,dob,email,sex\n1,enrol_arm_1,1990-01-02,a@b.org,1\n")
	header := func(token string, kv ...string) (int, string) {
		st, body := api(t, srv, token, append([]string{"content", "record", "format", "csv", "returnFormat", "json"}, kv...)...)
		h, _, _ := strings.Cut(body, "\n")
		return st, h
	}
	cases := []struct {
		name, token string
		kv          []string
		status      int
		has, hasNot []string
	}{
		{"owner: everything", tok, nil, 200, []string{"dob", "email", "med_name", "meds_complete"}, nil},
		{"de-identified enrol, no access meds", "DE1D0000000000000000000000000000", nil, 200,
			[]string{"record_id", "sex", "race___1", "age", "enrol_complete", "visit_date", "sbp"}, []string{"dob", "email", "med_name", "med_dose", "meds_complete"}},
		{"identifiers removed", "0001D500000000000000000000000000", nil, 200,
			[]string{"dob", "sex", "med_name", "meds_complete"}, []string{"email"}},
		{"only removed fields requested", "0001D500000000000000000000000000", []string{"fields", "email"}, 400, nil, nil},
		{"only a no-access form requested", "DE1D0000000000000000000000000000", []string{"forms", "meds"}, 400, nil, nil},
		{"no access anywhere", "00000000000000000000000000000000", nil, 403, nil, nil},
	}
	for _, tc := range cases {
		st, h := header(tc.token, tc.kv...)
		if st != tc.status {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, st, tc.status, h)
			continue
		}
		cols := map[string]bool{}
		for _, c := range strings.Split(h, ",") {
			cols[c] = true
		}
		for _, c := range tc.has {
			if !cols[c] {
				t.Errorf("%s: column %s missing from %s", tc.name, c, h)
			}
		}
		for _, c := range tc.hasNot {
			if cols[c] {
				t.Errorf("%s: column %s present in %s", tc.name, c, h)
			}
		}
	}
	// EAV, project XML and PDF follow the same rights (the owner sees what
	// the others do not).
	if _, body := api(t, srv, tok, "content", "project_xml"); !strings.Contains(body, `ItemOID="email" Value="a@b.org"`) || !strings.Contains(body, "aspirin") {
		t.Errorf("owner's project xml lacks data: %.2000s", body)
	}
	if _, body := api(t, srv, tok, "content", "pdf", "record", "1", "event", "enrol_arm_1"); !strings.Contains(body, "a@b.org") || !strings.Contains(body, "aspirin") {
		t.Errorf("owner's pdf lacks data")
	}
	if _, body := api(t, srv, "0001D500000000000000000000000000", "content", "record", "format", "csv", "type", "eav"); strings.Contains(body, "email") || !strings.Contains(body, "dob") {
		t.Errorf("eav: %s", body)
	}
	if _, body := api(t, srv, "DE1D0000000000000000000000000000", "content", "project_xml"); strings.Contains(body, `ItemOID="email" Value`) ||
		strings.Contains(body, `ItemOID="med_name"`) && strings.Contains(body, "aspirin") || !strings.Contains(body, `ItemOID="sex" Value="1"`) {
		t.Errorf("project xml keeps hidden data or lost visible: %.2000s", body)
	}
	if _, body := api(t, srv, "DE1D0000000000000000000000000000", "content", "pdf", "record", "1", "event", "enrol_arm_1"); strings.Contains(body, "a@b.org") || strings.Contains(body, "aspirin") || !strings.Contains(body, "Female") {
		t.Errorf("pdf keeps hidden data: %.3000s", body)
	}
}

// TestHashedRecordNames: when the record id is tagged as an identifier, a
// user whose rights remove identifiers on its form gets 32-character hex
// record names, the same for a record across rows; the owner gets names.
func TestHashedRecordNames(t *testing.T) {
	srv := NewServer(t, rightsProject(true))
	seedLong(t, srv)
	_, body := api(t, srv, "0001D500000000000000000000000000", "content", "record", "format", "csv", "fields", "record_id,age", "events", "enrol_arm_1")
	lines := strings.Split(strings.TrimSpace(body), "\n")
	hex32 := regexp.MustCompile(`^[0-9a-f]{32},`)
	if len(lines) != 3 || lines[0] != "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,age" {
		t.Fatalf("export: %q", body)
	}
	for _, l := range lines[1:] {
		if !hex32.MatchString(l) {
			t.Errorf("record name not hashed: %q", l)
		}
	}
	_, again := api(t, srv, "0001D500000000000000000000000000", "content", "record", "format", "csv", "fields", "record_id,age", "events", "enrol_arm_1")
	if again != body || lines[1][:32] == lines[2][:32] {
		t.Errorf("hashes not stable per record or not distinct: %q %q", body, again)
	}
	if _, own := api(t, srv, srv.Token("long"), "content", "record", "format", "csv", "fields", "record_id,age", "events", "enrol_arm_1"); !strings.Contains(own, "\n1,enrol_arm_1") {
		t.Errorf("owner sees hashes: %q", own)
	}
}

// TestLegacyDataExportRight: a users.csv data_export level (REDCap's
// project-wide right before per-instrument rights) applies to every
// instrument; a bad level is refused with the row named.
func TestLegacyDataExportRight(t *testing.T) {
	p := rightsProject(false)
	p.Init()
	users, err := ParseUsersCSV(p, "username,token,api_export,data_export\nlegacy,1E6AC000000000000000000000000000,1,2\n")
	if err != nil {
		t.Fatal(err)
	}
	p.Users = users
	srv := NewServer(t, p)
	seedLong(t, srv)
	_, body := api(t, srv, "1E6AC000000000000000000000000000", "content", "record", "format", "csv")
	h, _, _ := strings.Cut(body, "\n")
	if strings.Contains(h, "email") || strings.Contains(h, "dob") || strings.Contains(h, "med_name") || !strings.Contains(h, "med_dose") || !strings.Contains(h, "sbp") {
		t.Errorf("de-identified everywhere: %s", h)
	}
	if _, err := ParseUsersCSV(p, "username,data_export\nx,7\n"); err == nil || !strings.Contains(err.Error(), "row 1 (x): the value '7' of data_export") {
		t.Errorf("bad level: %v", err)
	}
}

// TestFileExportRights: a file export follows the Export File method's
// note about export rights: "No Access" on the field's form fails, and so
// do de-identified and identifier-removing rights when the field is tagged
// as an identifier; other files come.
func TestFileExportRights(t *testing.T) {
	p := rightsProject(false)
	for i := range p.Metadata {
		if p.Metadata[i].FieldName == "signature" {
			p.Metadata[i].FieldType, p.Metadata[i].TextValidationTypeOrShowSliderNumber, p.Metadata[i].Identifier = "file", "", "y"
		}
	}
	p.Metadata = append(p.Metadata, Field{FieldName: "med_scan", FormName: "meds", FieldType: "file"})
	srv := NewServer(t, p)
	seedLong(t, srv)
	tok := srv.Token("long")
	for _, up := range [][]string{{"consent_file", ""}, {"signature", ""}, {"med_scan", "1"}} {
		kv := []string{"content", "file", "action", "import", "record", "1", "field", up[0], "event", "enrol_arm_1"}
		if up[1] != "" {
			kv = append(kv, "repeat_instance", up[1])
		}
		if st, body := upload(t, srv, tok, up[0]+".pdf", []byte("%PDF"), kv...); st != 200 {
			t.Fatalf("upload %s: %d %s", up[0], st, body)
		}
	}
	cases := []struct {
		token, field string
		status       int
	}{
		{tok, "signature", 200},
		{"0001D500000000000000000000000000", "consent_file", 200}, // identifiers removed, not tagged
		{"0001D500000000000000000000000000", "signature", 403},    // tagged identifier
		{"DE1D0000000000000000000000000000", "signature", 403},    // de-identified, tagged
		{"DE1D0000000000000000000000000000", "med_scan", 403},     // meds: No Access
		{"0001D500000000000000000000000000", "med_scan", 200},
	}
	for _, tc := range cases {
		kv := []string{"content", "file", "action", "export", "record", "1", "field", tc.field, "event", "enrol_arm_1", "returnFormat", "json"}
		if tc.field == "med_scan" {
			kv = append(kv, "repeat_instance", "1")
		}
		if st, body := api(t, srv, tc.token, kv...); st != tc.status {
			t.Errorf("%s by %.8s: %d %s, want %d", tc.field, tc.token, st, body, tc.status)
		}
	}
}
