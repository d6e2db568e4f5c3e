package client_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
)

const aliceToken = "A11CE000000000000000000000000001"

// emu serves a fresh 30-record demo project (with randomisation set up on
// "sex" and one saved report) and returns a client for it.
func emu(t *testing.T, opts ...client.Option) (*redcaptest.Server, *client.Client) {
	t.Helper()
	p := redcaptest.Demo(redcaptest.DemoOptions{Records: 30, Seed: 7})
	p.Info.RandomizationEnabled = true
	for i := range p.Metadata {
		if p.Metadata[i].FieldName == "sex" {
			p.Metadata[i].FieldAnnotation = "@RANDOMIZE"
		}
	}
	p.Reports = append(p.Reports, redcaptest.Report{ID: 11, Title: "ages", Fields: []string{"record_id", "age", "score"}})
	p.Info.SurveysEnabled = true
	for i := range p.Instruments {
		p.Instruments[i].Survey = p.Instruments[i].Name == "baseline"
	}
	p.Users = append(p.Users,
		redcaptest.User{Username: "alice", Email: "alice@example.org", FirstName: "Alice", LastName: "A", Token: aliceToken},
		redcaptest.User{Username: "bob", Email: "bob@example.org", DAG: "site_b"})
	srv := redcaptest.NewServer(t, p)
	base := []client.Option{client.WithRateLimit(0), client.WithLogger(slog.New(slog.DiscardHandler)), client.WithRetry(fastRetry)}
	c, err := client.New(srv.URL, srv.Token("rq demo study"), append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// must(call())(t) fails the test when call returned an error.
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func TestEmulatorDesignExports(t *testing.T) {
	_, c := emu(t)
	ctx := context.Background()
	if v := must(c.ExportVersion(ctx))(t); !strings.Contains(v, ".") {
		t.Errorf("version %q", v)
	}
	info := must(c.ExportProjectInfo(ctx))(t)
	if info.ProjectTitle != "rq demo study" || !info.IsLongitudinal || !info.HasRepeatingInstrumentsOrEvents ||
		info.MissingDataCodes != "NA, Not applicable | UNK, Unknown" || info.ProjectID == 0 {
		t.Errorf("project info %+v", info)
	}
	meta := must(c.ExportMetadata(ctx, client.ExportMetadataParams{}))(t)
	if len(meta) < 20 || meta[0].FieldName != "record_id" {
		t.Fatalf("metadata: %d fields, first %+v", len(meta), meta[0])
	}
	some := must(c.ExportMetadata(ctx, client.ExportMetadataParams{Forms: []string{"visit"}}))(t)
	for _, m := range some {
		if m.FormName != "visit" {
			t.Errorf("forms filter let %s/%s through", m.FormName, m.FieldName)
		}
	}
	rc := must(c.ExportMetadataStream(ctx, client.ExportMetadataParams{Fields: []string{"age"}}, "csv"))(t)
	b, _ := io.ReadAll(rc)
	rc.Close()
	if !strings.HasPrefix(string(b), "field_name,form_name") || !strings.Contains(string(b), "age,baseline") {
		t.Errorf("metadata csv %q", b)
	}
	names := must(c.ExportFieldNames(ctx, client.ExportFieldNamesParams{Field: "race"}))(t)
	var cols []string
	for _, n := range names {
		cols = append(cols, n.ExportFieldName)
	}
	if !slices.Contains(cols, "race____1") || !slices.Contains(cols, "race___oth") {
		t.Errorf("race export names %v", cols)
	}
	ins := must(c.ExportInstruments(ctx))(t)
	if len(ins) != 4 || ins[3] != (client.Instrument{Name: "medications", Label: "Medications"}) {
		t.Errorf("instruments %v", ins)
	}
	arms := must(c.ExportArms(ctx, client.ExportArmsParams{}))(t)
	if len(arms) != 2 || arms[1] != (client.Arm{Num: 2, Name: "Control"}) {
		t.Errorf("arms %v", arms)
	}
	ev := must(c.ExportEvents(ctx, client.ExportEventsParams{Arms: []int{2}}))(t)
	if len(ev) != 2 || ev[0].UniqueEventName != "enrollment_arm_2" || ev[0].ArmNum != 2 {
		t.Errorf("events of arm 2 %+v", ev)
	}
	fem := must(c.ExportFormEventMapping(ctx, client.ExportFormEventMappingParams{}))(t)
	if len(fem) != 9 {
		t.Errorf("form-event mapping %v", fem)
	}
	rep := must(c.ExportRepeatingFormsEvents(ctx))(t)
	if len(rep) != 2 || rep[0].FormName != "medications" || rep[0].EventName != "enrollment_arm_1" {
		t.Errorf("repeating %v", rep)
	}
	x := must(c.ExportProjectXML(ctx, client.ExportProjectXMLParams{ReturnMetadataOnly: true}))(t)
	b, _ = io.ReadAll(x)
	x.Close()
	if !strings.Contains(string(b), "<ODM") || !strings.Contains(string(b), "rq demo study") {
		t.Errorf("project xml %.200q", b)
	}
}

func TestEmulatorProject(t *testing.T) {
	_, c := emu(t)
	p := must(c.Project(context.Background()))(t)
	if p.DefField() != "record_id" || !p.IsLongitudinal() || !p.HasRepeating() ||
		!slices.Equal(p.ArmNames(), []string{"Treatment", "Control"}) || len(p.Events()) != 5 ||
		!slices.Equal(p.Forms(), []string{"enrollment", "baseline", "visit", "medications"}) {
		t.Errorf("project %v %v %v", p.DefField(), p.ArmNames(), p.Forms())
	}
	d, err := p.Dictionary()
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := d.Field("race"); !ok || f.Kind != client.KindCodeSet {
		t.Errorf("race %+v", f)
	}
	if len(d.MissingCodes()) != 2 {
		t.Errorf("missing codes %v", d.MissingCodes())
	}
}

func TestEmulatorRecordExports(t *testing.T) {
	_, c := emu(t)
	ctx := context.Background()
	all := map[string]*client.Records{}
	for _, format := range []string{"csv", "json"} {
		rs := must(c.ExportRecordsStream(ctx, client.ExportRecordsParams{Format: format}))(t)
		recs := &client.Records{Columns: rs.Columns()}
		for rs.Next() {
			recs.Rows = append(recs.Rows, slices.Clone(rs.Row()))
		}
		if rs.Err() != nil || rs.Close() != nil {
			t.Fatal(rs.Err())
		}
		if rs.BytesRead() == 0 {
			t.Error("BytesRead = 0")
		}
		all[format] = recs
	}
	csvR, jsonR := all["csv"], all["json"]
	if !slices.Equal(csvR.Columns, jsonR.Columns) || len(csvR.Rows) != len(jsonR.Rows) || len(csvR.Rows) < 30 {
		t.Fatalf("csv %d×%v, json %d×%v", len(csvR.Rows), csvR.Columns, len(jsonR.Rows), jsonR.Columns)
	}
	for i := range csvR.Rows {
		if !slices.Equal(csvR.Rows[i], jsonR.Rows[i]) {
			t.Fatalf("row %d: csv %q json %q", i, csvR.Rows[i], jsonR.Rows[i])
		}
	}
	if want := []string{"record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance"}; !slices.Equal(csvR.Columns[:4], want) {
		t.Errorf("plumbing columns %v", csvR.Columns[:4])
	}
	// Selection pushed into the request.
	sel := must(c.ExportRecords(ctx, client.ExportRecordsParams{
		Records: []string{"3", "1"}, Fields: []string{"record_id", "age", "score"}, Events: []string{"enrollment_arm_1", "enrollment_arm_2"},
		FilterLogic: "[age] <> ''", ExportDataAccessGroups: true,
	}))(t)
	if !slices.Equal(sel.Columns, []string{"record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance", "redcap_data_access_group", "age", "score"}) {
		t.Errorf("selected columns %v", sel.Columns)
	}
	for _, r := range sel.Rows {
		if r[0] != "1" && r[0] != "3" || r[sel.Index("age")] == "" {
			t.Errorf("row %q escaped the selection", r)
		}
	}
	// EAV and labels.
	eav := must(c.ExportRecords(ctx, client.ExportRecordsParams{Type: "eav", Records: []string{"1"}, Format: "json"}))(t)
	if eav.Index("field_name") < 0 || eav.Index("value") < 0 || len(eav.Rows) == 0 {
		t.Errorf("eav columns %v", eav.Columns)
	}
	lab := must(c.ExportRecords(ctx, client.ExportRecordsParams{RawOrLabel: "label", Fields: []string{"record_id", "sex"}, Records: []string{"1"}}))(t)
	for _, r := range lab.Rows {
		if v := r[lab.Index("sex")]; v != "" && v != "Female" && v != "Male" && v != "Other" && v != "Not applicable" && v != "Unknown" && !strings.Contains(v, "NA") {
			t.Errorf("label export sex = %q", v)
		}
	}
	// No records match: an empty CSV body means no columns and no rows.
	none := must(c.ExportRecords(ctx, client.ExportRecordsParams{Records: []string{"no-such-record"}}))(t)
	if len(none.Rows) != 0 {
		t.Errorf("rows for an unknown record: %v", none.Rows)
	}
	// Raw bodies in every format.
	for _, f := range []string{"csv", "json", "xml", "odm"} {
		rc := must(c.ExportRecordsRaw(ctx, client.ExportRecordsParams{Format: f, Records: []string{"2"}}))(t)
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || len(b) == 0 {
			t.Errorf("raw %s: %v (%d bytes)", f, err, len(b))
		}
	}
	// REDCap's errors come back typed.
	_, err := c.ExportRecords(ctx, client.ExportRecordsParams{Fields: []string{"nosuch"}})
	var e *client.Error
	if !errors.As(err, &e) || e.Status != 400 || !strings.Contains(e.Message, "nosuch") {
		t.Errorf("unknown field: %v", err)
	}
	bad, err := client.New(c.URL(), "0123456789ABCDEF0123456789ABCDEF", client.WithRateLimit(0))
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.ExportVersion(ctx)
	if !errors.As(err, &e) || e.Status != 403 {
		t.Errorf("bad token: %v", err)
	}
}

func TestEmulatorReport(t *testing.T) {
	_, c := emu(t)
	ctx := context.Background()
	for _, f := range []string{"csv", "json"} {
		r := must(c.ExportReport(ctx, client.ExportReportParams{ReportID: "11", Format: f}))(t)
		if r.Index("age") < 0 || r.Index("score") < 0 || len(r.Rows) == 0 {
			t.Errorf("report %s: %v, %d rows", f, r.Columns, len(r.Rows))
		}
	}
	if _, err := c.ExportReport(ctx, client.ExportReportParams{ReportID: "999"}); err == nil {
		t.Error("unknown report: no error")
	}
}

func TestEmulatorRecordWrites(t *testing.T) {
	_, c := emu(t)
	ctx := context.Background()
	next := must(c.GenerateNextRecordName(ctx))(t)
	if next != "31" {
		t.Errorf("next record name %q", next)
	}
	res := must(c.ImportRecords(ctx, client.ImportRecordsParams{
		Records: &client.Records{Columns: []string{"record_id", "redcap_event_name", "age", "score"},
			Rows: [][]string{{"31", "enrollment_arm_1", "44", "7.5"}, {"32", "enrollment_arm_1", "45", ""}}},
		ReturnContent: "ids",
	}))(t)
	if !slices.Equal(res.IDs, []string{"31", "32"}) {
		t.Errorf("import ids %v", res.IDs)
	}
	res = must(c.ImportRecords(ctx, client.ImportRecordsParams{Format: "json",
		Data: []byte(`[{"record_id":"33","redcap_event_name":"enrollment_arm_1","age":"50"}]`)}))(t)
	if res.Count != 1 {
		t.Errorf("count %d", res.Count)
	}
	res = must(c.ImportRecords(ctx, client.ImportRecordsParams{ForceAutoNumber: true, ReturnContent: "auto_ids",
		Data: []byte("record_id,redcap_event_name,age\nnew1,enrollment_arm_1,60\n")}))(t)
	if len(res.AutoIDs) != 1 || res.AutoIDs[0].Original != "new1" || res.AutoIDs[0].New == "" {
		t.Errorf("auto ids %+v", res.AutoIDs)
	}
	_, err := c.ImportRecords(ctx, client.ImportRecordsParams{
		Data: []byte("record_id,redcap_event_name,age,dob\n40,enrollment_arm_1,abc,2020-13-45\n")})
	var e *client.Error
	if !errors.As(err, &e) || e.Status != 400 || len(e.Problems) != 2 {
		t.Fatalf("validation errors: %v (%+v)", err, e)
	}
	if p := e.Problems[0]; p.Record != "40" || p.Field != "age" || p.Value != "abc" || p.Message == "" {
		t.Errorf("problem %+v", p)
	}
	if err := c.RenameRecord(ctx, client.RenameRecordParams{Record: "32", NewName: "32b"}); err != nil {
		t.Fatal(err)
	}
	got := must(c.ExportRecords(ctx, client.ExportRecordsParams{Records: []string{"32b", "32"}, Fields: []string{"record_id"}}))(t)
	if len(got.Rows) != 1 || got.Rows[0][0] != "32b" {
		t.Errorf("after rename %v", got.Rows)
	}
	n := must(c.DeleteRecords(ctx, client.DeleteRecordsParams{Records: []string{"31", "32b"}}))(t)
	if n != 2 {
		t.Errorf("deleted %d", n)
	}
	if _, err := c.DeleteRecords(ctx, client.DeleteRecordsParams{Records: []string{"31"}}); !errors.As(err, &e) || e.Status != 400 {
		t.Errorf("deleting a missing record: %v", err)
	}
	r := must(c.Randomize(ctx, client.RandomizeParams{Record: "33", RandomizationID: "1"}))(t)
	if r.TargetField != "sex" || r.Target == "" || r.Record != "33" {
		t.Errorf("randomize %+v", r)
	}
}

func TestEmulatorDesignWrites(t *testing.T) {
	_, c := emu(t)
	ctx := context.Background()
	meta := must(c.ExportMetadata(ctx, client.ExportMetadataParams{}))(t)
	last := 0
	for i, m := range meta {
		if m.FormName == "visit" {
			last = i
		}
	}
	meta = slices.Insert(meta, last+1, client.MetadataField{FieldName: "extra_note", FormName: "visit", FieldType: "notes", FieldLabel: "Extra"})
	if n := must(c.ImportMetadata(ctx, meta))(t); n != len(meta) {
		t.Errorf("metadata import count %d, want %d", n, len(meta))
	}
	if n := must(c.ImportArms(ctx, client.ImportArmsParams{Arms: []client.Arm{{Num: 3, Name: "Extra"}}}))(t); n != 1 {
		t.Errorf("arms import %d", n)
	}
	if n := must(c.ImportEvents(ctx, client.ImportEventsParams{Events: []client.Event{{EventName: "Extra visit", ArmNum: 3}}}))(t); n != 1 {
		t.Errorf("events import %d", n)
	}
	ev := must(c.ExportEvents(ctx, client.ExportEventsParams{Arms: []int{3}}))(t)
	if len(ev) != 1 {
		t.Fatalf("arm 3 events %v", ev)
	}
	// A mapping import replaces the whole project's mapping (as in REDCap):
	// send the current mapping plus the new row.
	fem := must(c.ExportFormEventMapping(ctx, client.ExportFormEventMappingParams{}))(t)
	fem = append(fem, client.FormEventMapping{ArmNum: 3, UniqueEventName: ev[0].UniqueEventName, Form: "visit"})
	if n := must(c.ImportFormEventMapping(ctx, fem))(t); n != len(fem) {
		t.Errorf("FEM import %d, want %d", n, len(fem))
	}
	rep := must(c.ExportRepeatingFormsEvents(ctx))(t)
	if _, err := c.ImportRepeatingFormsEvents(ctx, rep); err != nil {
		t.Error(err)
	}
	if n := must(c.DeleteEvents(ctx, []string{ev[0].UniqueEventName}))(t); n != 1 {
		t.Errorf("events delete %d", n)
	}
	if n := must(c.DeleteArms(ctx, []int{3}))(t); n != 1 {
		t.Errorf("arms delete %d", n)
	}
	if _, err := c.ImportProjectSettings(ctx, client.ProjectSettings{"project_notes": "changed by the client test"}); err != nil {
		t.Error(err)
	}
	// Design writes drop the cached Project: no ForgetProject needed.
	if info := must(c.Project(ctx))(t).Info(); info.ProjectNotes != "changed by the client test" {
		t.Errorf("notes %q", info.ProjectNotes)
	}
}

func TestEmulatorCreateProject(t *testing.T) {
	super := strings.Repeat("AB", 32)
	srv, err := redcaptest.Start("127.0.0.1:0", redcaptest.Options{SuperToken: super})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := client.New(srv.URL, super, client.WithRateLimit(0))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tok := must(c.CreateProject(ctx, client.CreateProjectParams{Settings: client.ProjectSettings{"project_title": "made by rq", "purpose": 0}}))(t)
	if tok.IsZero() || tok.IsSuper() {
		t.Fatalf("token %v", tok)
	}
	pc, err := client.NewWithToken(srv.URL, tok, client.WithRateLimit(0))
	if err != nil {
		t.Fatal(err)
	}
	if info := must(pc.ExportProjectInfo(ctx))(t); info.ProjectTitle != "made by rq" {
		t.Errorf("new project %+v", info)
	}
}

func TestEmulatorFiles(t *testing.T) {
	_, c := emu(t)
	ctx := context.Background()
	recs := must(c.ExportRecords(ctx, client.ExportRecordsParams{Records: []string{"1"}, Fields: []string{"record_id", "consent_file"}}))(t)
	var p client.FileParams
	for _, r := range recs.Rows {
		if r[recs.Index("consent_file")] != "" {
			p = client.FileParams{Record: "1", Field: "consent_file", Event: r[recs.Index("redcap_event_name")]}
		}
	}
	if p.Event == "" {
		t.Fatalf("record 1 has no consent file: %v", recs.Rows)
	}
	d := must(c.ExportFile(ctx, p))(t)
	b := must(d.ReadAll())(t)
	if !strings.Contains(string(b), "Consent form of record 1") || d.Name == "" {
		t.Errorf("file %q name %q type %q", b, d.Name, d.ContentType)
	}
	if err := c.ImportFile(ctx, client.ImportFileParams{FileParams: p, Name: "new.txt", Content: strings.NewReader("replaced")}); err != nil {
		t.Fatal(err)
	}
	d = must(c.ExportFile(ctx, p))(t)
	if b := must(d.ReadAll())(t); string(b) != "replaced" || d.Name != "new.txt" {
		t.Errorf("after import %q %q", b, d.Name)
	}
	if err := c.DeleteFile(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExportFile(ctx, p); err == nil {
		t.Error("export after delete: no error")
	}
	if _, err := c.ExportFile(ctx, client.FileParams{Record: "1", Field: "age", Event: p.Event}); err == nil || !strings.Contains(err.Error(), "not a file field") {
		t.Errorf("non-file field: %v", err)
	}
	pdf := must(c.ExportPDF(ctx, client.ExportPDFParams{Record: "1", Event: p.Event, Instrument: "enrollment"}))(t)
	if b := must(pdf.ReadAll())(t); !strings.HasPrefix(string(b), "%PDF") {
		t.Errorf("pdf %.20q", b)
	}
}

func TestEmulatorFileRepository(t *testing.T) {
	_, c := emu(t)
	ctx := context.Background()
	folder := must(c.CreateRepositoryFolder(ctx, client.CreateFolderParams{Name: "exports"}))(t)
	if err := c.ImportRepositoryFile(ctx, client.ImportRepositoryFileParams{FolderID: folder, Name: "a.csv", Content: strings.NewReader("x,y\n")}); err != nil {
		t.Fatal(err)
	}
	items := must(c.ListFileRepository(ctx, folder))(t)
	if len(items) != 1 || items[0].Name != "a.csv" || items[0].DocID == 0 {
		t.Fatalf("list %+v", items)
	}
	top := must(c.ListFileRepository(ctx, 0))(t)
	found := false
	for _, it := range top {
		found = found || it.FolderID == folder
	}
	if !found {
		t.Errorf("folder %d not listed at the top: %+v", folder, top)
	}
	d := must(c.ExportRepositoryFile(ctx, items[0].DocID))(t)
	if b := must(d.ReadAll())(t); string(b) != "x,y\n" {
		t.Errorf("repository file %q", b)
	}
	if err := c.DeleteRepositoryFile(ctx, items[0].DocID); err != nil {
		t.Fatal(err)
	}
	if items := must(c.ListFileRepository(ctx, folder))(t); len(items) != 0 {
		t.Errorf("after delete %+v", items)
	}
}

func TestEmulatorGuards(t *testing.T) {
	_, c := emu(t)
	ctx := context.Background()
	recs := must(c.ExportRecords(ctx, client.ExportRecordsParams{Records: []string{}}))(t)
	if len(recs.Rows) != 0 {
		t.Errorf("empty records list exported %d rows", len(recs.Rows))
	}
	// Names are checked against the cached dictionary once it is loaded.
	bad := []client.ExportRecordsParams{
		{Fields: []string{"redcap_event_name"}},
		{Fields: []string{"nosuch"}},
		{Forms: []string{"nosuch"}},
		{Events: []string{"week_9_arm_1"}},
	}
	must(c.Project(ctx))(t)
	for _, p := range bad {
		_, err := c.ExportRecords(ctx, p)
		var e *client.Error
		if err == nil || errors.As(err, &e) || !strings.HasPrefix(err.Error(), "client: ExportRecords") {
			t.Errorf("%+v: err = %v, want a local error", p, err)
		}
	}
	ok := must(c.ExportRecords(ctx, client.ExportRecordsParams{Fields: []string{"record_id", "race", "baseline_complete"}, Events: []string{"enrollment_arm_1"}}))(t)
	if ok.Index("race___2") < 0 || ok.Index("baseline_complete") < 0 {
		t.Errorf("columns %v", ok.Columns)
	}
}

func TestEmulatorUsersAndRoles(t *testing.T) {
	_, c := emu(t)
	ctx := context.Background()
	users := must(c.ExportUsers(ctx))(t)
	var bob *client.User
	for i := range users {
		if users[i].Username == "bob" {
			bob = &users[i]
		}
	}
	if bob == nil || bob.Email != "bob@example.org" || bob.DataAccessGroup != "site_b" || len(bob.Rights) < 5 {
		t.Fatalf("users %+v", users)
	}
	carol := *bob
	carol.Username, carol.Email = "carol", "carol@example.org"
	if n := must(c.ImportUsers(ctx, []client.User{carol}))(t); n != 1 {
		t.Errorf("import users %d", n)
	}
	if n := must(c.ImportUserRoles(ctx, []client.UserRole{{RoleLabel: "Monitor"}}))(t); n != 1 {
		t.Errorf("import roles %d", n)
	}
	roles := must(c.ExportUserRoles(ctx))(t)
	if len(roles) != 1 || roles[0].RoleLabel != "Monitor" || roles[0].UniqueRoleName == "" {
		t.Fatalf("roles %+v", roles)
	}
	if n := must(c.ImportUserRoleMapping(ctx, []client.UserRoleMapping{{Username: "carol", UniqueRoleName: roles[0].UniqueRoleName}}))(t); n != 1 {
		t.Errorf("role mapping import %d", n)
	}
	found := false
	for _, m := range must(c.ExportUserRoleMapping(ctx))(t) {
		found = found || m == client.UserRoleMapping{Username: "carol", UniqueRoleName: roles[0].UniqueRoleName}
	}
	if !found {
		t.Error("carol's role not exported")
	}
	if n := must(c.DeleteUsers(ctx, []string{"carol"}))(t); n != 1 {
		t.Errorf("delete users %d", n)
	}
	if n := must(c.DeleteUserRoles(ctx, []string{roles[0].UniqueRoleName}))(t); n != 1 {
		t.Errorf("delete roles %d", n)
	}
	if _, err := c.DeleteUsers(ctx, []string{"nobody"}); err == nil {
		t.Error("deleting an unknown user: no error")
	}
}

func TestEmulatorDAGs(t *testing.T) {
	srv, c := emu(t)
	ctx := context.Background()
	dags := must(c.ExportDAGs(ctx))(t)
	if len(dags) != 2 || dags[0].UniqueGroupName != "site_a" || dags[0].Name != "Site A" || dags[0].ID == 0 {
		t.Fatalf("dags %+v", dags)
	}
	if n := must(c.ImportDAGs(ctx, []client.DAG{{Name: "Site C"}}))(t); n != 1 {
		t.Errorf("import dags %d", n)
	}
	if n := must(c.ImportUserDAGMapping(ctx, []client.UserDAGMapping{{Username: "bob", DataAccessGroup: "site_c"}}))(t); n != 1 {
		t.Errorf("user-DAG import %d", n)
	}
	found := false
	for _, m := range must(c.ExportUserDAGMapping(ctx))(t) {
		found = found || m == client.UserDAGMapping{Username: "bob", DataAccessGroup: "site_c"}
	}
	if !found {
		t.Error("bob not in site_c")
	}
	alice, err := client.New(srv.URL, aliceToken, client.WithRateLimit(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := alice.SwitchDAG(ctx, "site_a"); err != nil {
		t.Fatal(err)
	}
	if err := alice.SwitchDAG(ctx, "nosuch"); err == nil {
		t.Error("switch to an unknown DAG: no error")
	}
	if n := must(c.DeleteDAGs(ctx, []string{"site_c"}))(t); n != 1 {
		t.Errorf("delete dags %d", n)
	}
}

func TestEmulatorLogging(t *testing.T) {
	_, c := emu(t)
	ctx := context.Background()
	must(c.ImportRecords(ctx, client.ImportRecordsParams{Data: []byte("record_id,redcap_event_name,age\n1,enrollment_arm_1,77\n")}))(t)
	must(c.DeleteRecords(ctx, client.DeleteRecordsParams{Records: []string{"2"}}))(t)
	all := must(c.ExportLogging(ctx, client.ExportLoggingParams{}))(t)
	if len(all) < 2 {
		t.Fatalf("log %+v", all)
	}
	del := must(c.ExportLogging(ctx, client.ExportLoggingParams{LogType: "record_delete"}))(t)
	if len(del) != 1 || del[0].Record != "2" && !strings.Contains(del[0].Action, "2") {
		t.Errorf("record_delete log %+v", del)
	}
	one := must(c.ExportLogging(ctx, client.ExportLoggingParams{Record: "1", BeginTime: "2000-01-01 00:00"}))(t)
	for _, e := range one {
		if e.Record != "1" && !strings.Contains(e.Action, "1") {
			t.Errorf("entry of another record %+v", e)
		}
	}
	if _, err := c.ExportLogging(ctx, client.ExportLoggingParams{LogType: "bogus"}); err == nil {
		t.Error("bad logtype accepted")
	}
}

func TestEmulatorSurveys(t *testing.T) {
	_, c := emu(t)
	ctx := context.Background()
	sp := client.SurveyParams{Record: "1", Instrument: "baseline"}
	recs := must(c.ExportRecords(ctx, client.ExportRecordsParams{Records: []string{"1"}, Fields: []string{"record_id"}}))(t)
	sp.Event = recs.Rows[0][1]
	link := must(c.ExportSurveyLink(ctx, sp))(t)
	if !strings.HasPrefix(link, "http") {
		t.Errorf("survey link %q", link)
	}
	if q := must(c.ExportSurveyQueueLink(ctx, "1"))(t); !strings.HasPrefix(q, "http") {
		t.Errorf("queue link %q", q)
	}
	if code := must(c.ExportSurveyReturnCode(ctx, sp))(t); code == "" {
		t.Error("empty return code")
	}
	if code := must(c.ExportSurveyAccessCode(ctx, sp))(t); code == "" {
		t.Error("empty access code")
	}
	parts := must(c.ExportSurveyParticipants(ctx, client.SurveyParticipantsParams{Instrument: "baseline", Event: sp.Event}))(t)
	if len(parts) == 0 || parts[0].SurveyLink == "" && parts[0].SurveyAccessCode == "" {
		t.Errorf("participants %+v", parts)
	}
	_, err := c.ExportSurveyLink(ctx, client.SurveyParams{Record: "1", Instrument: "visit", Event: sp.Event})
	var e *client.Error
	if !errors.As(err, &e) || e.Status != 400 {
		t.Errorf("non-survey instrument: %v", err)
	}
}
