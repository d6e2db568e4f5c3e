package redcaptest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

const (
	fuzzToken = "0123456789ABCDEF0123456789ABCDEF"
	fuzzSuper = "FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210"
)

// fuzzServer is a server over a seeded longProject with a fixed token (the
// seed corpus names it) and a super token; requests go straight to its
// handler through httptest.NewRecorder.
func fuzzServer(tb testing.TB) *Server {
	p := longProject("long")
	p.Token = fuzzToken
	p.Info.SurveysEnabled = true
	p.Users = []User{{Username: "alice", DAG: "site_a", Token: aliceToken}}
	srv, err := Start("", Options{SuperToken: fuzzSuper}, p)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Close)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/api/", strings.NewReader("token="+fuzzToken+"&content=record&format=csv&data="+
		"record_id%2Credcap_event_name%2Credcap_repeat_instrument%2Credcap_repeat_instance%2Cage%2Cmed_name%0A1%2Cenrol_arm_1%2C%2C%2C30%2C%0A1%2Cenrol_arm_1%2Cmeds%2C1%2C%2Casp%0A"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	srv.http.Handler.ServeHTTP(rec, req)
	if rec.Code != 200 {
		tb.Fatalf("seeding the fuzz server: %d %s", rec.Code, rec.Body)
	}
	return srv
}

// FuzzRequest sends arbitrary bodies (form-encoded or multipart, per the
// content type) to the API handler: it must never panic, must answer with
// one of REDCap's status codes, and a 500 must be REDCap's out-of-memory
// answer, never an unexpected handler error.
func FuzzRequest(f *testing.F) {
	form := "application/x-www-form-urlencoded"
	for _, s := range []string{
		"token=" + fuzzToken + "&content=version",
		"token=" + fuzzToken + "&content=record&format=json&returnFormat=json&data=%5B%7B%22record_id%22%3A%222%22%2C%22redcap_event_name%22%3A%22enrol_arm_1%22%2C%22age%22%3A%22x%22%7D%5D",
		"token=" + fuzzToken + "&content=record&format=csv&type=eav&data=record%2Credcap_event_name%2Cfield_name%2Cvalue%0A3%2Cenrol_arm_1%2Crace___oth%2C1%0A",
		"token=" + fuzzToken + "&content=record&format=xml&overwriteBehavior=overwrite&returnContent=ids&data=%3Crecords%3E%3Citem%3E%3Crecord_id%3E4%3C%2Frecord_id%3E%3Credcap_event_name%3Eenrol_arm_1%3C%2Fredcap_event_name%3E%3C%2Fitem%3E%3C%2Frecords%3E",
		"token=" + fuzzToken + "&content=record&format=csv&forceAutoNumber=1&returnContent=auto_ids&dateFormat=MDY&data=record_id%2Credcap_event_name%2Cdob%0Ax%2Cenrol_arm_1%2C2%2F30%2F2000%0A",
		"token=" + fuzzToken + "&content=record&action=delete&records=1",
		"token=" + fuzzToken + "&content=record&action=delete&records[0]=1&arm=1&instrument=meds&event=enrol_arm_1&repeat_instance=1",
		"token=" + fuzzToken + "&content=record&action=rename&record=1&new_record_name=9",
		"token=" + fuzzToken + "&content=record&action=randomize&record=1",
		"token=" + fuzzToken + "&content=generateNextRecordName",
		"token=" + fuzzToken + "&content=metadata&format=csv&data=field_name%2Cform_name%2Cfield_type%0Arecord_id%2Cf%2Ctext%0A",
		"token=" + fuzzToken + "&content=arm&action=import&override=1&format=json&data=%5B%7B%22arm_num%22%3A%221%22%2C%22name%22%3A%22A%22%7D%5D",
		"token=" + fuzzToken + "&content=event&action=import&format=json&data=%5B%7B%22event_name%22%3A%22E%22%2C%22arm_num%22%3A%221%22%7D%5D",
		"token=" + fuzzToken + "&content=event&action=delete&events[0]=visit_arm_1",
		"token=" + fuzzToken + "&content=formEventMapping&format=json&data=%5B%7B%22arm_num%22%3A%221%22%2C%22unique_event_name%22%3A%22enrol_arm_1%22%2C%22form%22%3A%22visit%22%7D%5D",
		"token=" + fuzzToken + "&content=repeatingFormsEvents&format=json&data=%5B%7B%22event_name%22%3A%22enrol_arm_1%22%2C%22form_name%22%3A%22%22%7D%5D",
		"token=" + fuzzToken + "&content=project_settings&format=json&data=%7B%22project_title%22%3A%22T%22%7D",
		"token=" + fuzzToken + "&content=project_xml&returnMetadataOnly=false&exportDataAccessGroups=true&exportSurveyFields=true",
		"token=" + fuzzSuper + "&content=project&format=json&data=%5B%7B%22project_title%22%3A%22N%22%2C%22purpose%22%3A%220%22%7D%5D",
		"token=" + fuzzToken + "&content=file&action=export&record=1&field=consent_file&event=enrol_arm_1",
		"token=" + fuzzToken + "&content=fileRepository&action=list&folder_id=99&format=csv&returnFormat=csv",
		"token=" + fuzzToken + "&content=fileRepository&action=createFolder&name=x&format=json",
		"token=" + fuzzToken + "&content=pdf&record=1&instrument=enrol",
		"token=" + fuzzToken + "&content=user&format=json&data=%5B%7B%22username%22%3A%22bob%22%2C%22forms%22%3A%22enrol%3A1%22%7D%5D",
		"token=" + fuzzToken + "&content=userRole&action=import&format=json&data=%5B%7B%22role_label%22%3A%22R%22%7D%5D",
		"token=" + fuzzToken + "&content=userRoleMapping&format=json",
		"token=" + fuzzToken + "&content=dag&action=import&format=csv&data=data_access_group_name%0ANorth%0A",
		"token=" + aliceToken + "&content=dag&action=switch&dag=site_b",
		"token=" + fuzzToken + "&content=userDagMapping&format=csv&data=username%2Credcap_data_access_group%0Aalice%2Csite_b%0A",
		"token=" + fuzzToken + "&content=log&format=json&logtype=record&beginTime=2000-01-01%2000%3A00&endTime=2100-01-01%2024%3A00",
		"token=" + fuzzToken + "&content=surveyLink&record=1&instrument=enrol&event=enrol_arm_1",
		"token=" + fuzzToken + "&content=participantList&instrument=enrol&event=enrol_arm_1&format=csv",
	} {
		f.Add(form, s)
	}
	f.Add("multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n"+fuzzToken+
		"\r\n--XX\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\nfile\r\n--XX\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\nimport\r\n"+
		"--XX\r\nContent-Disposition: form-data; name=\"record\"\r\n\r\n1\r\n--XX\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nconsent_file\r\n"+
		"--XX\r\nContent-Disposition: form-data; name=\"event\"\r\n\r\nenrol_arm_1\r\n"+
		"--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XX--\r\n")
	srv := fuzzServer(f)
	allowed := map[int]bool{200: true, 400: true, 403: true, 429: true, 500: true, 501: true}
	f.Fuzz(func(t *testing.T, ct, body string) {
		req := httptest.NewRequest("POST", "/api/", strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		rec := httptest.NewRecorder()
		srv.http.Handler.ServeHTTP(rec, req)
		if !allowed[rec.Code] {
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		if rec.Code == http.StatusInternalServerError && !strings.Contains(rec.Body.String(), msgOutOfMemory) {
			t.Fatalf("unexpected 500 %q for %q", rec.Body.String(), body)
		}
		if rec.Code != 200 && rec.Header().Get("Content-Type") == "" {
			t.Fatalf("error answer %d without a Content-Type for %q", rec.Code, body)
		}
		if rec.Code == 400 && strings.Contains(rec.Header().Get("Content-Type"), "json") {
			if b := rec.Body.String(); !strings.HasPrefix(b, `{"error":`) || !utf8.ValidString(b) && utf8.ValidString(body) {
				t.Fatalf("JSON error body %q for %q", b, body)
			}
		}
	})
}
