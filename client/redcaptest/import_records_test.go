package redcaptest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/redcapql/rq/internal/fixtures"
)

func TestImportRecordsErrors(t *testing.T) {
	srv := NewServer(t, longProject("long"), tinyProject("tiny"))
	tok := srv.Token("long")
	hdr := "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,"
	tests := []struct {
		name, data string
		want       string // the whole error message
	}{
		{"integer", hdr + "age\n1,enrol_arm_1,,,abc\n",
			`"1","age","abc","` + msgNotInteger + `"`},
		{"date and email on one row, choice on another", hdr + "dob,email\n1,enrol_arm_1,,,2020-13-01,bad\n2,enrol_arm_1,,,2020-01-01,a@b.co\n",
			lines(`"1","dob","2020-13-01","`+msgBadFormat+`"`, `"1","email","bad","`+msgBadEmail+`"`)},
		{"choice code", hdr + "sex\n1,enrol_arm_1,,,3\n", `"1","sex","3","The value is not a valid category for sex"`},
		{"yesno", hdr + "smoker\n1,enrol_arm_1,,,yes\n", `"1","smoker","yes","` + msgBadYesNo + `"`},
		{"checkbox", hdr + "race___oth\n1,enrol_arm_1,,,2\n", `"1","race___oth","2","` + msgBadCheckbox + `"`},
		{"form status", hdr + "enrol_complete\n1,enrol_arm_1,,,3\n", `"1","enrol_complete","3","` + msgBadStatus + `"`},
		{"unknown fields", hdr + "age,nope,race\n1,enrol_arm_1,,,3,x,1\n",
			"The following fields were not found in the project as real data fields: nope, race"},
		{"bad events", hdr + "age\n1,week_9,,,3\n2,week_9,,,3\n3,week_10,,,x\n",
			"The following values of redcap_event_name are invalid: week_9, week_10"},
		{"form not designated", hdr + "sbp\n1,enrol_arm_1,,,120\n",
			`"1","sbp","120","This field ('sbp') exists on an instrument that is not designated for the event named 'Enrolment (Arm 1: Drug)'. You are not allowed to import data for this field into this event."`},
		{"not a repeating instrument", hdr + "sbp\n1,visit_arm_1,visit,1,120\n",
			`"1","redcap_repeat_instrument","visit","The instrument 'visit' is not a repeating instrument on the event 'visit_arm_1'"`},
		{"bad instance", hdr + "med_name\n1,enrol_arm_1,meds,0,aspirin\n",
			`"1","redcap_repeat_instance","0","redcap_repeat_instance must be a positive integer or 'new'"`},
		{"repeating field without instance", hdr + "med_name\n1,enrol_arm_1,,,aspirin\n",
			`"1","med_name","aspirin","This field is on the repeating instrument 'meds': give redcap_repeat_instrument and redcap_repeat_instance"`},
		{"blank record id", hdr + "age\n,enrol_arm_1,,,3\n",
			`"","record_id","","The record ID cannot be blank"`},
		{"record id characters", hdr + "age\n\"a,b\",enrol_arm_1,,,3\n",
			`"a,b","record_id","a,b","Record names may only contain letters, numbers, spaces, hyphens, underscores, periods and @, and must start with a letter or number"`},
		{"no record id column", "age\n3\n",
			"The record ID field (record_id) is missing from the data: the first column must be the record ID field"},
		{"bad DAG", hdr + "redcap_data_access_group,age\n1,enrol_arm_1,,,site_z,3\n",
			`"1","redcap_data_access_group","site_z","The value is not a valid unique group name of a Data Access Group in this project"`},
		{"quote in value", hdr + "age\n1,enrol_arm_1,,,\"4\"\"\"\n",
			`"1","age","4""","` + msgNotInteger + `"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, body := api(t, srv, tok, "content", "record", "action", "import", "format", "csv", "returnFormat", "json", "data", tc.data)
			want := `{"error":` + jsonString(tc.want) + `}`
			if st != 400 || body != want {
				t.Errorf("got %d %s\nwant 400 %s", st, body, want)
			}
		})
	}
	// Nothing was written by any of the failed calls, even the rows that passed.
	if n := srv.Project("long").Records.Len(); n != 0 {
		t.Errorf("failed imports stored %d records", n)
	}
	if n := len(srv.Project("long").Log); n != 0 {
		t.Errorf("failed imports logged %d entries", n)
	}
	// A classic project refuses an event name.
	st, body := api(t, srv, srv.Token("tiny"), "content", "record", "format", "csv", "returnFormat", "csv",
		"data", "record_id,redcap_event_name,age\n1,x,3\n")
	if st != 400 || body != `ERROR: "1","redcap_event_name","x","This is not a longitudinal project, so redcap_event_name must be blank"` {
		t.Errorf("classic event: %d %q", st, body)
	}
}

func TestImportRecordsFormats(t *testing.T) {
	tests := []struct {
		name                    string
		format, typ, dateFormat string
		data                    string
	}{
		{"csv flat", "csv", "", "", "record_id,redcap_event_name,dob,race___1,race____1,race___oth,age\n7,enrol_arm_1,1980-02-03,1,1,0,UNK\n"},
		{"json flat", "json", "flat", "", `[{"record_id":"7","redcap_event_name":"enrol_arm_1","dob":"1980-02-03","race___1":"1","race____1":1,"race___oth":"0","age":"UNK"}]`},
		{"xml flat", "xml", "", "", `<?xml version="1.0" encoding="UTF-8" ?><records><item><record_id>7</record_id><redcap_event_name>enrol_arm_1</redcap_event_name><dob>1980-02-03</dob><race___1>1</race___1><race____1>1</race____1><race___oth>0</race___oth><age>UNK</age></item></records>`},
		{"csv eav MDY", "csv", "eav", "MDY", "record,redcap_event_name,field_name,value\n7,enrol_arm_1,dob,2/3/1980\n7,enrol_arm_1,race___1,1\n7,enrol_arm_1,race____1,1\n7,enrol_arm_1,age,UNK\n"},
		{"json eav DMY", "json", "eav", "DMY", `[{"record":"7","redcap_event_name":"enrol_arm_1","field_name":"dob","value":"03/02/1980"},{"record":"7","redcap_event_name":"enrol_arm_1","field_name":"race___1","value":"1"},{"record":"7","redcap_event_name":"enrol_arm_1","field_name":"race____1","value":"1"},{"record":"7","redcap_event_name":"enrol_arm_1","field_name":"age","value":"UNK"}]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := NewServer(t, longProject("long"))
			st, body := api(t, srv, srv.Token("long"), "content", "record", "action", "import", "format", tc.format,
				"type", tc.typ, "dateFormat", tc.dateFormat, "data", tc.data, "returnFormat", "json")
			if st != 200 || body != `{"count":1}` {
				t.Fatalf("got %d %s", st, body)
			}
			p := srv.Project("long")
			k := RowKey{Event: "enrol_arm_1"}
			if got := cell(p, "7", k, "dob"); got != "1980-02-03" {
				t.Errorf("dob = %q", got)
			}
			if got := cell(p, "7", k, "race"); got != "1,-1" {
				t.Errorf("race = %q, want codes 1,-1", got)
			}
			if got := cell(p, "7", k, "age"); got != "UNK" {
				t.Errorf("age = %q, want the missing code", got)
			}
			if got := cell(p, "7", k, "enrol_complete"); got != "0" {
				t.Errorf("enrol_complete = %q, want 0 for a form that received data", got)
			}
			if got := cell(p, "7", k, "record_id"); got != "7" {
				t.Errorf("record_id = %q", got)
			}
		})
	}
}

func TestImportRecordsOverwriteAndReturnContent(t *testing.T) {
	srv := NewServer(t, longProject("long"))
	tok := srv.Token("long")
	p := srv.Project("long")
	imp := func(kv ...string) (int, string) {
		return api(t, srv, tok, append([]string{"content", "record", "action", "import", "format", "csv"}, kv...)...)
	}
	st, body := imp("data", "record_id,redcap_event_name,age,email,race___2\n1,enrol_arm_1,40,a@b.org,1\n2,enrol_arm_1,50,,\n2,visit_arm_1,,,\n", "returnContent", "ids")
	if st != 200 || body != "id\n1\n2\n" {
		t.Fatalf("ids: %d %q", st, body)
	}
	k := RowKey{Event: "enrol_arm_1"}
	// normal: blanks are ignored.
	if st, body = imp("data", "record_id,redcap_event_name,age,email,race___2\n1,enrol_arm_1,41,,\n"); st != 200 || body != "1" {
		t.Fatalf("normal: %d %q", st, body)
	}
	if cell(p, "1", k, "age") != "41" || cell(p, "1", k, "email") != "a@b.org" || cell(p, "1", k, "race") != "2" {
		t.Errorf("normal import changed blanks: age %q email %q race %q", cell(p, "1", k, "age"), cell(p, "1", k, "email"), cell(p, "1", k, "race"))
	}
	// overwrite: blanks erase, the checkbox too.
	if st, body = imp("data", "record_id,redcap_event_name,age,email,race___2\n1,enrol_arm_1,,,\n", "overwriteBehavior", "overwrite", "returnContent", "nothing"); st != 200 || body != "" {
		t.Fatalf("overwrite: %d %q", st, body)
	}
	if cell(p, "1", k, "age") != "" || cell(p, "1", k, "email") != "" || cell(p, "1", k, "race") != "" {
		t.Errorf("overwrite kept values: age %q email %q race %q", cell(p, "1", k, "age"), cell(p, "1", k, "email"), cell(p, "1", k, "race"))
	}
	// XML count answer.
	if st, body = imp("data", "record_id,redcap_event_name,age\n3,enrol_arm_1,1\n", "returnFormat", "xml"); st != 200 || body != `<?xml version="1.0" encoding="UTF-8" ?><count>1</count>` {
		t.Errorf("xml count: %d %q", st, body)
	}
	// forceAutoNumber without record auto-numbering: ignored, ids kept.
	if st, body = imp("data", "record_id,redcap_event_name,age\nkeep,enrol_arm_1,5\n", "forceAutoNumber", "true", "returnContent", "auto_ids", "returnFormat", "json"); st != 200 || body != `["keep,keep"]` || !hasRecord(p, "keep") {
		t.Fatalf("forceAutoNumber without auto-numbering: %d %q", st, body)
	}
	api(t, srv, tok, "content", "record", "action", "delete", "records[0]", "keep")
	p.Mu.Lock()
	p.Info.AutoNumbering = true
	p.Mu.Unlock()
	// forceAutoNumber: ids follow the highest numeric id; rows sharing a
	// submitted id share the new id.
	st, body = imp("data", "record_id,redcap_event_name,age,sbp\nx,enrol_arm_1,5,\nx,visit_arm_1,,120\ny,enrol_arm_1,6,\n",
		"forceAutoNumber", "true", "returnContent", "auto_ids", "returnFormat", "json")
	if st != 200 || body != `["4,x","5,y"]` {
		t.Fatalf("auto_ids: %d %q", st, body)
	}
	if cell(p, "4", RowKey{Event: "visit_arm_1"}, "sbp") != "120" || cell(p, "5", k, "age") != "6" || hasRecord(p, "x") {
		t.Errorf("forceAutoNumber wrote the wrong records")
	}
	if st, body = imp("data", "record_id,age\n1,2\n", "returnContent", "auto_ids", "returnFormat", "json"); st != 400 || !strings.Contains(body, "auto_ids") {
		t.Errorf("auto_ids without forceAutoNumber: %d %q", st, body)
	}
	// Out-of-range values are only a warning in REDCap: they are stored.
	if st, _ = imp("data", "record_id,redcap_event_name,age\n6,enrol_arm_1,150\n"); st != 200 || cell(p, "6", k, "age") != "150" {
		t.Errorf("out of range: %d %q", st, cell(p, "6", k, "age"))
	}
	// Calc and file columns are ignored (the calc keeps its computed 1+1);
	// survey columns too.
	if st, body = imp("data", "record_id,redcap_event_name,redcap_survey_identifier,enrol_timestamp,bmi,consent_file\n6,enrol_arm_1,,2020-01-01 00:00:00,99,x.pdf\n"); st != 200 || cell(p, "6", k, "bmi") != "2" || cell(p, "6", k, "consent_file") != "" {
		t.Errorf("ignored columns: %d %q bmi %q file %q", st, body, cell(p, "6", k, "bmi"), cell(p, "6", k, "consent_file"))
	}
}

func TestImportRepeatingAndDAG(t *testing.T) {
	srv := NewServer(t, longProject("long"))
	tok := srv.Token("long")
	p := srv.Project("long")
	data := "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,redcap_data_access_group,med_name,med_dose\n" +
		"1,enrol_arm_1,,,site_a,,\n" +
		"1,enrol_arm_1,meds,1,,aspirin,1.5\n" +
		"1,enrol_arm_1,meds,new,,ibuprofen,\n" +
		"1,enrol_arm_1,meds,new,,paracetamol,\n"
	st, body := api(t, srv, tok, "content", "record", "format", "csv", "data", data)
	if st != 200 || body != "1" {
		t.Fatalf("%d %q", st, body)
	}
	for inst, want := range map[int]string{1: "aspirin", 2: "ibuprofen", 3: "paracetamol"} {
		if got := cell(p, "1", RowKey{Event: "enrol_arm_1", Instrument: "meds", Instance: inst}, "med_name"); got != want {
			t.Errorf("instance %d: %q, want %q", inst, got, want)
		}
	}
	rec, _ := p.Records.Get("1")
	if rec.DAG != "site_a" {
		t.Errorf("DAG %q", rec.DAG)
	}
	// Every write is in the change log.
	if n := len(p.Log); n != 1 || p.Log[0].Kind != LogRecordCreate || p.Log[0].Record != "1" || !strings.Contains(p.Log[0].Details, "med_name = 'aspirin'") {
		t.Errorf("log: %+v", p.Log)
	}
	api(t, srv, tok, "content", "record", "format", "json", "data", `[{"record_id":"1","redcap_event_name":"visit_arm_1","sbp":"120"}]`)
	if n := len(p.Log); n != 2 || p.Log[1].Kind != LogRecordUpdate || p.Log[1].Action != "Update record (API) 1" {
		t.Errorf("log after update: %+v", p.Log)
	}
}

// TestImportFixturePayloads imports the phpcap import payloads, real files
// that REDCap accepts, into projects with matching dictionaries.
func TestImportPHPCapPayload(t *testing.T) {
	p := tinyProject("demog")
	p.Metadata = nil
	for _, f := range strings.Split("record_id,first_name,last_name,address,telephone,email,dob,ethnicity,race,sex,height,weight,comments", ",") {
		fld := Field{FieldName: f, FormName: "demographics", FieldType: "text"}
		switch f {
		case "email":
			fld.TextValidationTypeOrShowSliderNumber = "email"
		case "dob":
			fld.TextValidationTypeOrShowSliderNumber = "date_ymd"
		case "ethnicity", "race", "sex":
			fld.FieldType, fld.SelectChoicesOrCalculations = "radio", "0, a | 1, b | 2, c | 3, d | 4, e | 5, f"
		case "height", "weight":
			fld.TextValidationTypeOrShowSliderNumber = "number"
		case "comments":
			fld.FieldType = "notes"
		}
		p.Metadata = append(p.Metadata, fld)
	}
	srv := NewServer(t, p)
	data := "record_id,first_name,last_name,address,telephone,email,dob,ethnicity,race,sex,height,weight,comments,demographics_complete\n" +
		`1101,Joe,Schmidt,"72133 Joelle Grove Suite 055 Hayesburgh, AZ 84047-5437",(753) 406-4137,joe.schmidt@mailinator.com,1945-07-15,0,4,1,191,88,,2` + "\n"
	st, body := api(t, srv, srv.Token("demog"), "content", "record", "format", "csv", "returnContent", "ids", "returnFormat", "json", "data", data)
	if st != 200 || body != `["1101"]` {
		t.Fatalf("%d %q", st, body)
	}
	if got := cell(p, "1101", RowKey{}, "address"); got != "72133 Joelle Grove Suite 055 Hayesburgh, AZ 84047-5437" {
		t.Errorf("address %q", got)
	}
	if got := cell(p, "1101", RowKey{}, "demographics_complete"); got != "2" {
		t.Errorf("status %q", got)
	}
}

// TestImportThenExport reads imported data back through the record export:
// REDCap's layout, and dateRangeBegin/End driven by the import's log entries.
func TestImportThenExport(t *testing.T) {
	srv := NewServer(t, longProject("long"))
	seedLong(t, srv)
	tok := srv.Token("long")
	st, body := api(t, srv, tok, "content", "record", "format", "csv", "fields", "record_id,age,sbp,med_name")
	want := "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,age,sbp,med_name\n" +
		"1,enrol_arm_1,,,30,,\n1,enrol_arm_1,meds,1,,,aspirin\n1,enrol_arm_1,meds,2,,,ibuprofen\n1,visit_arm_1,,,,120,\n" +
		"2,enrol_arm_1,,,40,,\n2,enrol_arm_2,,,41,,\n10,enrol_arm_2,,,50,,\n"
	if st != 200 || body != want {
		t.Errorf("export after import: %d\n%s\nwant\n%s", st, body, want)
	}
	if st, body = api(t, srv, tok, "content", "record", "format", "csv", "fields", "record_id", "dateRangeEnd", "2000-01-01"); st != 200 || body != "" {
		t.Errorf("dateRangeEnd before the import: %d %q", st, body)
	}
	if st, body = api(t, srv, tok, "content", "record", "format", "csv", "fields", "record_id", "dateRangeBegin", "2000-01-01", "events", "enrol_arm_2"); st != 200 || body != "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance\n2,enrol_arm_2,,\n10,enrol_arm_2,,\n" {
		t.Errorf("dateRangeBegin before the import: %d %q", st, body)
	}
}

// TestImportODM imports the ClinicalData of a project XML export into an
// empty project of the same design: the records come out the same.
func TestImportODM(t *testing.T) {
	src := NewServer(t, longProject("long"))
	seedLong(t, src)
	api(t, src, src.Token("long"), "content", "record", "format", "csv", "data",
		"record_id,redcap_event_name,redcap_data_access_group,race___oth,race____1,dob\n2,enrol_arm_1,site_b,1,1,1999-12-31\n")
	_, odm := api(t, src, src.Token("long"), "content", "project_xml", "exportDataAccessGroups", "true")
	dst := NewServer(t, longProject("long"))
	st, body := api(t, dst, dst.Token("long"), "content", "record", "format", "odm", "returnFormat", "json", "returnContent", "ids", "data", odm)
	if st != 200 || body != `["1","2","10"]` {
		t.Fatalf("odm import: %d %s", st, body)
	}
	diffLines(t, "records", recordDump(dst.Project("long")), recordDump(src.Project("long")))
	if st, body = api(t, dst, dst.Token("long"), "content", "record", "format", "odm", "returnFormat", "json", "data", "<ODM><ClinicalData><ItemData"); st != 400 || !strings.Contains(body, "ODM data could not be parsed") {
		t.Errorf("bad odm: %d %s", st, body)
	}
}

func TestImportSecondaryUniqueField(t *testing.T) {
	p := longProject("long")
	p.Info.SecondaryUniqueField = "email"
	srv := NewServer(t, p)
	tok := srv.Token("long")
	if st, body := api(t, srv, tok, "content", "record", "format", "csv", "data", "record_id,redcap_event_name,email\n1,enrol_arm_1,a@b.org\n"); st != 200 {
		t.Fatalf("%d %s", st, body)
	}
	// The same record may keep its value; another record may not take it.
	if st, body := api(t, srv, tok, "content", "record", "format", "csv", "data", "record_id,redcap_event_name,email\n1,enrol_arm_1,a@b.org\n"); st != 200 {
		t.Errorf("same record: %d %s", st, body)
	}
	st, body := api(t, srv, tok, "content", "record", "format", "csv", "returnFormat", "csv", "data", "record_id,redcap_event_name,email\n2,enrol_arm_1,a@b.org\n3,enrol_arm_1,c@d.org\n4,enrol_arm_1,c@d.org\n")
	want := "ERROR: " + lines(
		`"2","email","a@b.org","The value is not unique: the secondary unique field 'email' already holds it in record '1'"`,
		`"4","email","c@d.org","The value is not unique: the secondary unique field 'email' already holds it in record '3'"`)
	if st != 400 || body != want {
		t.Errorf("duplicates: %d %q", st, body)
	}
}

// TestImportDefaultEvent: without redcap_event_name, REDCap writes to the
// project's first event.
func TestImportDefaultEvent(t *testing.T) {
	srv := NewServer(t, longProject("long"))
	if st, body := api(t, srv, srv.Token("long"), "content", "record", "format", "json", "data", `[{"record_id":"1","age":"33"}]`); st != 200 || body != `{"count":1}` {
		t.Fatalf("%d %s", st, body)
	}
	if got := cell(srv.Project("long"), "1", RowKey{Event: "enrol_arm_1"}, "age"); got != "33" {
		t.Errorf("age on the first event = %q", got)
	}
}

// TestImportConcurrent runs imports, deletes, exports and log reads from
// several clients at once (run with -race): every import lands exactly once.
func TestImportConcurrent(t *testing.T) {
	srv := NewServer(t, longProject("long"))
	tok := srv.Token("long")
	const clients, each = 6, 10
	done := make(chan error, clients)
	for g := 0; g < clients; g++ {
		go func(g int) {
			for i := 0; i < each; i++ {
				id := strconv.Itoa(g*1000 + i)
				f := url.Values{"token": {tok}, "content": {"record"}, "format": {"csv"},
					"data": {"record_id,redcap_event_name,age\n" + id + ",enrol_arm_1," + strconv.Itoa(i) + "\n"}}
				resp, err := http.PostForm(srv.URL, f)
				if err != nil {
					done <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					done <- fmt.Errorf("import %s: %d", id, resp.StatusCode)
					return
				}
				for _, extra := range []url.Values{
					{"token": {tok}, "content": {"record"}, "format": {"json"}},
					{"token": {tok}, "content": {"log"}, "format": {"json"}},
					{"token": {tok}, "content": {"project_xml"}},
				} {
					if resp, err := http.PostForm(srv.URL, extra); err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				}
			}
			done <- nil
		}(g)
	}
	for g := 0; g < clients; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	p := srv.Project("long")
	p.Mu.RLock()
	defer p.Mu.RUnlock()
	if n := p.Records.Len(); n != clients*each {
		t.Errorf("%d records, want %d", n, clients*each)
	}
	if n := len(p.Log); n < clients*each {
		t.Errorf("%d log entries, want at least %d", n, clients*each)
	}
}

// TestImportPHPCapFixtures imports phpcap's real import payloads into the
// phpcap projects they were written for (loaded from their project XML),
// set up the way phpcap's tests set them up, and reads the values back.
func TestImportPHPCapFixtures(t *testing.T) {
	dir := fixtures.Dir(t)
	tests := []struct {
		project, data, dateFormat string
		setup                     []string // an API call made first (e.g. the repeating setup)
		count                     string
		check                     map[string]string // "record|event|instrument|instance|field" → value
	}{
		{"PHPCapBasicDemography", "basic-demography-import.csv", "", nil, "1",
			map[string]string{"1101|||0|dob": "1945-07-15", "1101|||0|demographics_complete": "2"}},
		{"PHPCapLongitudinalData", "longitudinal-data-import.csv", "MDY", nil, "2",
			map[string]string{"1101|enrollment_arm_2||0|dob": "1982-04-12", "1101|enrollment_arm_2||0|gym": "2",
				"1101|first_visit_arm_2||0|prealbumin": "44.16145643"}},
		{"PHPCapLongitudinalData", "longitudinal-data-import-2.csv", "MDY", nil, "2", nil},
		{"PHPCapRepeatingForms", "repeating-forms-import.csv", "MDY",
			[]string{"content", "repeatingFormsEvents", "format", "json", "data", `[{"event_name":"","form_name":"weight","custom_form_label":""}]`}, "4",
			map[string]string{"1001|||0|birth_date": "1924-10-20", "1001||weight|3|weight_date": "2022-03-14", "1001||weight|3|weight_time": "09:50"}},
	}
	for _, tc := range tests {
		t.Run(tc.data, func(t *testing.T) {
			p, err := LoadODM(filepath.Join(dir, "phpcap/projects", tc.project+".REDCap.xml"))
			if err != nil {
				t.Fatal(err)
			}
			srv := NewServer(t, p)
			tok := srv.Token(p.Name)
			if tc.setup != nil {
				if st, body := api(t, srv, tok, tc.setup...); st != 200 {
					t.Fatalf("setup: %d %s", st, body)
				}
			}
			data, err := os.ReadFile(filepath.Join(dir, "phpcap/data", tc.data))
			if err != nil {
				t.Fatal(err)
			}
			st, body := api(t, srv, tok, "content", "record", "format", "csv", "returnFormat", "csv", "dateFormat", tc.dateFormat, "data", string(data))
			if st != 200 || body != tc.count {
				t.Fatalf("import: %d %.500s", st, body)
			}
			for k, want := range tc.check {
				f := strings.Split(k, "|")
				inst, _ := strconv.Atoi(f[3])
				if got := cell(p, f[0], RowKey{Event: f[1], Instrument: f[2], Instance: inst}, f[4]); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

// TestImportCSVDelimiter: csvDelimiter applies to imported CSV as to
// exported CSV, so an export re-imports unchanged.
func TestImportCSVDelimiter(t *testing.T) {
	srv := NewServer(t, tinyProject("tiny"))
	tok := srv.Token("tiny")
	for i, d := range []struct{ param, sep string }{{";", ";"}, {"tab", "\t"}, {"|", "|"}, {"^", "^"}} {
		id := "r" + strconv.Itoa(i)
		data := "record_id" + d.sep + "age\n" + id + d.sep + "7\n"
		if st, body := api(t, srv, tok, "content", "record", "format", "csv", "csvDelimiter", d.param, "returnFormat", "json", "data", data); st != 200 || body != `{"count":1}` {
			t.Errorf("%q: %d %s", d.param, st, body)
		}
		st, body := api(t, srv, tok, "content", "record", "format", "csv", "csvDelimiter", d.param, "records[0]", id, "fields[0]", "record_id", "fields[1]", "age")
		if st != 200 || !strings.Contains(body, d.sep+"7\n") {
			t.Errorf("%q export: %d %q", d.param, st, body)
		}
	}
}
