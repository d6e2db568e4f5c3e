package client_test

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/redcapql/rq/client"
)

var fakeProject = map[string]string{
	"project":               `{"project_id":"7","project_title":"t","is_longitudinal":1,"has_repeating_instruments_or_events":"1","missing_data_codes":"NA, Not applicable"}`,
	"metadata":              `[{"field_name":"record_id","form_name":"enrollment","field_type":"text","field_label":"ID"},{"field_name":"age","form_name":"enrollment","field_type":"text","field_label":"Age","text_validation_type_or_show_slider_number":"integer"},{"field_name":"consent_file","form_name":"enrollment","field_type":"file","field_label":"Consent"}]`,
	"instrument":            `[{"instrument_name":"enrollment","instrument_label":"Enrollment"}]`,
	"arm":                   `[{"arm_num":1,"name":"Treatment"},{"arm_num":"2","name":"Control"}]`,
	"event":                 `[{"event_name":"Enrollment","arm_num":"1","unique_event_name":"enrollment_arm_1","event_id":41}]`,
	"formEventMapping":      `[{"arm_num":1,"unique_event_name":"enrollment_arm_1","form":"enrollment"}]`,
	"repeatingFormsEvents":  `[{"event_name":"enrollment_arm_1","form_name":"enrollment","custom_form_label":""}]`,
	"file/export":           "%PDF-1.4 fake",
	"file/import":           "",
	"file/delete":           "",
	"fileRepository/import": "",
}

func TestProjectCachedAndConcurrent(t *testing.T) {
	rt, url := newRouter(t, fakeProject)
	c := newClient(t, url)
	ctx := context.Background()
	var wg sync.WaitGroup
	ps := make([]*client.Project, 8)
	for i := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := c.Project(ctx)
			if err != nil {
				t.Error(err)
			}
			ps[i] = p
		}()
	}
	wg.Wait()
	for _, p := range ps[1:] {
		if p != ps[0] {
			t.Fatal("Project loaded more than once")
		}
	}
	if n := len(rt.contents()); n != 7 {
		t.Fatalf("%d requests to load the project, want 7: %v", n, rt.contents())
	}
	p := ps[0]
	names, labels := p.NamesLabels()
	checks := []struct {
		name      string
		got, want any
	}{
		{"DefField", p.DefField(), "record_id"},
		{"Forms", p.Forms(), []string{"enrollment"}},
		{"FieldNames", names, []string{"record_id", "age", "consent_file"}},
		{"FieldLabels", labels, []string{"ID", "Age", "Consent"}},
		{"ArmNums", p.ArmNums(), []int{1, 2}},
		{"ArmNames", p.ArmNames(), []string{"Treatment", "Control"}},
		{"Events", len(p.Events()), 1},
		{"EventID", p.Events()[0].EventID, 41},
		{"IsLongitudinal", p.IsLongitudinal(), true},
		{"HasRepeating", p.HasRepeating(), true},
		{"FilterMetadata", p.FilterMetadata("field_type"), []string{"text", "text", "file"}},
		{"FilterMetadata unknown", p.FilterMetadata("nope"), []string(nil)},
		{"Info", p.Info().ProjectID, 7},
		{"Missing codes", p.Info().MissingDataCodes, "NA, Not applicable"},
	}
	for _, ck := range checks {
		if !reflect.DeepEqual(ck.got, ck.want) {
			t.Errorf("%s = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
	if typ, ok := p.MetadataType("consent_file"); !ok || typ != "file" {
		t.Errorf("MetadataType = %q %v", typ, ok)
	}
	if _, ok := p.MetadataType("nope"); ok {
		t.Error("MetadataType of unknown field")
	}
	d, err := p.Dictionary()
	if err != nil || d.RecordIDField() != "record_id" {
		t.Fatalf("Dictionary: %v", err)
	}
	if f, ok := d.Field("age"); !ok || f.Kind != client.KindNumber {
		t.Errorf("age field %+v", f)
	}
	c.ForgetProject()
	if _, err := c.Project(ctx); err != nil || len(rt.contents()) != 14 {
		t.Fatalf("reload: %v, %d requests", err, len(rt.contents()))
	}
}

func TestProjectLoadErrorNotCached(t *testing.T) {
	answers := map[string]string{"project": `{"is_longitudinal":0}`}
	rt, url := newRouter(t, answers)
	c := newClient(t, url)
	if _, err := c.Project(context.Background()); err == nil {
		t.Fatal("no error without metadata")
	}
	rt.mu.Lock()
	rt.answers["metadata"] = fakeProject["metadata"]
	rt.answers["instrument"] = fakeProject["instrument"]
	rt.mu.Unlock()
	p, err := c.Project(context.Background())
	if err != nil || p.IsLongitudinal() || len(p.Events()) != 0 {
		t.Fatalf("p=%v err=%v", p, err)
	}
}

func TestFileMethodsGuardFieldType(t *testing.T) {
	rt, url := newRouter(t, fakeProject)
	c := newClient(t, url)
	ctx := context.Background()
	if _, err := c.Project(ctx); err != nil {
		t.Fatal(err)
	}
	before := len(rt.contents())
	for _, field := range []string{"age", "nosuch"} {
		p := client.FileParams{Record: "1", Field: field}
		errs := []error{
			func() error { _, err := c.ExportFile(ctx, p); return err }(),
			c.ImportFile(ctx, client.ImportFileParams{FileParams: p, Name: "a.txt", Content: strings.NewReader("x")}),
			c.DeleteFile(ctx, p),
		}
		for _, err := range errs {
			if err == nil || !strings.Contains(err.Error(), field) {
				t.Errorf("field %s: err = %v", field, err)
			}
		}
	}
	if n := len(rt.contents()); n != before {
		t.Fatalf("guarded calls sent %d requests", n-before)
	}
	// A file field goes through, the upload as multipart with a "file" part.
	p := client.FileParams{Record: "1", Field: "consent_file", Event: "enrollment_arm_1", RepeatInstance: 2}
	if err := c.ImportFile(ctx, client.ImportFileParams{FileParams: p, Name: "consent.txt", Content: strings.NewReader("signed")}); err != nil {
		t.Fatal(err)
	}
	rt.mu.Lock()
	last := rt.forms[len(rt.forms)-1]
	files := append([]string(nil), rt.files...)
	rt.mu.Unlock()
	if last.Get("token") != testToken || last.Get("returnFormat") != "json" || last.Get("repeat_instance") != "2" || last.Get("event") != "enrollment_arm_1" {
		t.Errorf("multipart form %v", last)
	}
	if len(files) != 1 || files[0] != "consent.txt:signed" {
		t.Errorf("uploaded %v", files)
	}
	d, err := c.ExportFile(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.ReadAll()
	if err != nil || string(b) != "%PDF-1.4 fake" || d.Name != "x.pdf" || d.ContentType != "application/pdf" {
		t.Fatalf("download %q %q %q %v", b, d.Name, d.ContentType, err)
	}
	if err := c.DeleteFile(ctx, p); err != nil {
		t.Fatal(err)
	}
}
