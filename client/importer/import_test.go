package importer_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/redcapql/rq/client/importer"
)

// validCSV writes n new records (ids from 5001), each with an enrollment
// row, a week 4 visit and two medication instances: 4 rows a record.
func validCSV(n int) (string, []string) {
	var b strings.Builder
	b.WriteString("record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,age,sex,site,dob,weight,race___1,race___2,sbp,med_name,med_dose\n")
	var ids []string
	for i := range n {
		id := fmt.Sprint(5001 + i)
		ids = append(ids, id)
		fmt.Fprintf(&b, "%s,enrollment_arm_1,,,%d,%d,bos,1970-01-%02d,%d.5,1,0,,,\n", id, 20+i%60, 1+i%3, 1+i%28, 50+i%100)
		fmt.Fprintf(&b, "%s,week_4_arm_1,,,,,,,,,,%d,,\n", id, 100+i%50)
		fmt.Fprintf(&b, "%s,enrollment_arm_1,medications,1,,,,,,,,,aspirin,%d\n", id, 10+i)
		fmt.Fprintf(&b, "%s,enrollment_arm_1,medications,2,,,,,,,,,ibuprofen,200\n", id)
	}
	return b.String(), ids
}

func TestImportInChunks(t *testing.T) {
	srv, c := demo(t, 10)
	p := newProxy(t, srv.URL, nil)
	pc := newClient(t, p.URL(), srv.Token(demoName))
	src, ids := validCSV(25)
	journal := filepath.Join(t.TempDir(), "j.json")
	var progress []int
	rep, err := load(t, pc).Import(context.Background(), strings.NewReader(src), importer.CSV,
		importer.Options{ChunkRecords: 10, JournalPath: journal, Progress: func(w, total int) { progress = append(progress, w, total) }})
	if err != nil {
		t.Fatalf("Import: %v\n%s", err, rep)
	}
	if rep.Rows != 100 || rep.Records != 25 || rep.Chunks != 3 || p.count() != 3 {
		t.Errorf("rows %d records %d chunks %d imports %d, want 100 25 3 3", rep.Rows, rep.Records, rep.Chunks, p.count())
	}
	if !slices.Equal(rep.Written, ids) || rep.NotWritten != nil || rep.Unknown != nil || rep.FailedChunk != 0 {
		t.Errorf("report:\n%s", rep)
	}
	if !slices.Equal(progress, []int{10, 25, 20, 25, 25, 25}) {
		t.Errorf("progress calls %v", progress)
	}
	rows := export(t, c, ids...)
	if len(rows) != 100 {
		t.Fatalf("server holds %d rows of the new records, want 100", len(rows))
	}
	r := rows["5003|enrollment_arm_1|medications|1"]
	if r["med_name"] != "aspirin" || r["med_dose"] != "12" {
		t.Errorf("stored medication row %v", r)
	}
	if r := rows["5025|enrollment_arm_1||"]; r["age"] != "44" || r["race___1"] != "1" || r["weight"] != "74.5" {
		t.Errorf("stored enrollment row %v", r)
	}
	fi, err := os.Stat(journal)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(journal)
	if !strings.Contains(string(b), `"complete": true`) {
		t.Errorf("journal not complete:\n%s", b)
	}
}

func TestDryRunSendsNothing(t *testing.T) {
	srv, _ := demo(t, 10)
	p := newProxy(t, srv.URL, nil)
	pc := newClient(t, p.URL(), srv.Token(demoName))
	im := load(t, pc)
	src, _ := validCSV(5)
	rep, err := im.Import(context.Background(), strings.NewReader(src), importer.CSV, importer.Options{DryRun: true})
	if err != nil || p.count() != 0 || rep.Records != 5 || rep.Written != nil {
		t.Fatalf("dry run: err %v, %d imports sent, report:\n%s", err, p.count(), rep)
	}
	if !strings.Contains(rep.String(), "dry run: the file is valid; nothing was sent") {
		t.Errorf("report text:\n%s", rep)
	}
	rep, err = im.Import(context.Background(), strings.NewReader(badCSV), importer.CSV, importer.Options{})
	var ps importer.Problems
	if !errors.As(err, &ps) || len(ps) != 19 || p.count() != 0 || rep.Chunks != 0 {
		t.Fatalf("invalid file: err %v, %d imports sent", err, p.count())
	}
}

// An import without Overwrite never blanks stored values; with it the
// file's blanks erase.
func TestImportNeverBlanksWithoutOverwrite(t *testing.T) {
	_, c := demo(t, 10)
	// a demo record of arm 1 with age, dob and sex
	var id string
	var before map[string]string
	for _, r := range export(t, c) {
		if r["redcap_event_name"] == "enrollment_arm_1" && r["age"] != "" && r["dob"] != "" && r["sex"] != "" && (id == "" || r["record_id"] < id) {
			id, before = r["record_id"], r
		}
	}
	if id == "" {
		t.Fatal("no demo record of arm 1 has age, dob and sex")
	}
	key := id + "|enrollment_arm_1||"
	im := load(t, c)
	src := "record_id,redcap_event_name,age,dob,sex,weight\n" + id + ",enrollment_arm_1,,,,99\n"
	if _, err := im.Import(context.Background(), strings.NewReader(src), importer.CSV, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	after := export(t, c, id)[key]
	for _, f := range []string{"age", "dob", "sex", "email", "race___1"} {
		if after[f] != before[f] {
			t.Errorf("%s changed from %q to %q without Overwrite", f, before[f], after[f])
		}
	}
	if after["weight"] != "99" {
		t.Errorf("weight = %q, want 99", after["weight"])
	}
	// JSON leaves keys out: even with Overwrite, a key not sent is kept.
	js := `[{"record_id":"` + id + `","redcap_event_name":"enrollment_arm_1","age":""}]`
	if _, err := im.Import(context.Background(), strings.NewReader(js), importer.JSON, importer.Options{Overwrite: true}); err != nil {
		t.Fatal(err)
	}
	after = export(t, c, id)[key]
	if after["age"] != "" || after["dob"] != before["dob"] || after["weight"] != "99" {
		t.Errorf("Overwrite: age %q (want blank), dob %q (want %q), weight %q", after["age"], after["dob"], before["dob"], after["weight"])
	}
}

// A chunk REDCap refuses for a reason only the server knows (a DAG name
// the dictionary cannot check) stops the import: earlier chunks are written
// and confirmed, that chunk and later ones are not.
func TestImportServerRefusesChunk(t *testing.T) {
	_, c := demo(t, 10)
	src, ids := validCSV(25)
	src = strings.Replace(src, "record_id,redcap_event_name,", "record_id,redcap_data_access_group,redcap_event_name,", 1)
	var lines []string
	for i, l := range strings.Split(src, "\n") {
		if i == 0 || l == "" {
			lines = append(lines, l)
			continue
		}
		id, rest, _ := strings.Cut(l, ",")
		dag := ""
		if id == "5014" && strings.HasPrefix(rest, "enrollment_arm_1,,") {
			dag = "no_such_dag"
		}
		lines = append(lines, id+","+dag+","+rest)
	}
	src = strings.Join(lines, "\n")
	journal := filepath.Join(t.TempDir(), "j.json")
	im := load(t, c)
	rep, err := im.Import(context.Background(), strings.NewReader(src), importer.CSV, importer.Options{ChunkRecords: 10, JournalPath: journal})
	var ce *importer.ChunkError
	if !errors.As(err, &ce) || ce.Chunk != 2 || ce.Unknown {
		t.Fatalf("err = %v, want a refused chunk 2", err)
	}
	if !slices.Equal(rep.Written, ids[:10]) || !slices.Equal(rep.NotWritten, ids[10:]) || rep.Unknown != nil || rep.FailedChunk != 2 {
		t.Fatalf("report:\n%s", rep)
	}
	if got := storedIDs(t, c, ids); !slices.Equal(got, ids[:10]) {
		t.Errorf("server holds %v, want exactly the first chunk", got)
	}
	// REDCap's refusal is listed with the file's line.
	var found bool
	for _, p := range rep.Problems {
		if p.Record == "5014" && p.Field == "redcap_data_access_group" && p.Value == "no_such_dag" && p.Line == 54 {
			found = true
		}
	}
	if !found {
		t.Errorf("REDCap's problem not in the report:\n%s", rep)
	}
	for _, s := range []string{"written: 10 records", "not written: 15 records: 5011, 5012", "chunk 2 of 3", "REDCap refused it"} {
		if !strings.Contains(rep.String(), s) {
			t.Errorf("report text lacks %q:\n%s", s, rep)
		}
	}
	// A new run over the unfinished journal is refused.
	_, err = im.Import(context.Background(), strings.NewReader(src), importer.CSV, importer.Options{ChunkRecords: 10, JournalPath: journal})
	if err == nil || !strings.Contains(err.Error(), "unfinished import") {
		t.Errorf("second run over an unfinished journal: %v", err)
	}
	// Resuming with a corrected file is refused: the journal is for the old one.
	fixed := strings.ReplaceAll(src, "no_such_dag", "site_a")
	_, err = im.Import(context.Background(), strings.NewReader(fixed), importer.CSV, importer.Options{ChunkRecords: 10, JournalPath: journal, Resume: true})
	if err == nil || !strings.Contains(err.Error(), "records file changed") {
		t.Errorf("resume with another file: %v", err)
	}
}

// The answers to imports are lost in three ways; each time the report is
// exact and Resume finishes the job.
func TestImportLostAnswersAndResume(t *testing.T) {
	tests := []struct {
		name        string
		fail        failure
		written     int // records confirmed after the first run
		notWritten  int
		unknown     int
		storedAfter int // records the server holds after the first run
	}{
		{"answer lost after the server stored the chunk", dropAfter, 25, 0, 0, 25},
		{"502 before the server saw the chunk", dropBefore, 10, 15, 0, 10},
		{"server gone: the check fails too", dropAndCrash, 10, 5, 10, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := demo(t, 10)
			broken := true
			p := newProxy(t, srv.URL, func(n int) failure {
				if n == 2 && broken {
					return tt.fail
				}
				return pass
			})
			pc := newClient(t, p.URL(), srv.Token(demoName))
			im := load(t, pc)
			src, ids := validCSV(25)
			journal := filepath.Join(t.TempDir(), "import.journal.json")
			o := importer.Options{ChunkRecords: 10, JournalPath: journal}
			rep, err := im.Import(context.Background(), strings.NewReader(src), importer.CSV, o)
			if len(rep.Written) != tt.written || len(rep.NotWritten) != tt.notWritten || len(rep.Unknown) != tt.unknown {
				t.Fatalf("written %d not %d unknown %d, want %d %d %d; err %v\n%s",
					len(rep.Written), len(rep.NotWritten), len(rep.Unknown), tt.written, tt.notWritten, tt.unknown, err, rep)
			}
			if (err == nil) != (tt.written == 25) {
				t.Fatalf("err = %v", err)
			}
			// The three lists partition the file's records, in order.
			all := append(append(append([]string(nil), rep.Written...), rep.Unknown...), rep.NotWritten...)
			if !slices.Equal(all, ids) {
				t.Errorf("written+unknown+not written = %v, want %v", all, ids)
			}
			if got := storedIDs(t, c, ids); len(got) != tt.storedAfter || !slices.Equal(got, rep.Written) {
				t.Errorf("server holds %v, report says written %v", got, rep.Written)
			}
			if tt.written == 25 {
				return
			}
			// Resume after the fault: only unwritten chunks are sent.
			p.mu.Lock()
			broken, p.down = false, false
			sent := p.imports
			p.mu.Unlock()
			o.Resume = true
			rep, err = im.Import(context.Background(), strings.NewReader(src), importer.CSV, o)
			if err != nil {
				t.Fatalf("resume: %v\n%s", err, rep)
			}
			if !slices.Equal(rep.Written, ids) || !slices.Equal(rep.Resumed, ids[:10]) || p.count()-sent != 2 {
				t.Errorf("resume: %d imports sent (want 2), report:\n%s", p.count()-sent, rep)
			}
			if rows := export(t, c, ids...); len(rows) != 100 {
				t.Errorf("server holds %d rows after resume, want 100", len(rows))
			}
			// Resuming a finished import sends nothing.
			sent = p.count()
			rep, err = im.Import(context.Background(), strings.NewReader(src), importer.CSV, o)
			if err != nil || p.count() != sent || len(rep.Written) != 25 {
				t.Errorf("resume of a finished import: err %v, %d sent", err, p.count()-sent)
			}
		})
	}
}

func TestResumeWithoutJournal(t *testing.T) {
	_, c := demo(t, 10)
	src, _ := validCSV(2)
	_, err := load(t, c).Import(context.Background(), strings.NewReader(src), importer.CSV,
		importer.Options{Resume: true, JournalPath: filepath.Join(t.TempDir(), "none.json")})
	if err == nil || !strings.Contains(err.Error(), "nothing to resume") {
		t.Fatalf("err = %v", err)
	}
}

func TestDefaultJournalPath(t *testing.T) {
	if got := importer.DefaultJournalPath("/data/visits.csv"); got != "/data/.visits.csv.rq-import.json" {
		t.Fatal(got)
	}
}

// JSON files are sent as JSON, each object with its own keys and values
// as written (numbers stay numbers).
func TestImportJSONChunks(t *testing.T) {
	_, c := demo(t, 10)
	src := `[
 {"record_id":"7001","redcap_event_name":"enrollment_arm_1","age":"33","sex":"2"},
 {"record_id":"7001","redcap_event_name":"enrollment_arm_1","redcap_repeat_instrument":"medications","redcap_repeat_instance":3,"med_dose":12.5},
 {"record_id":"7002","redcap_event_name":"week_4_arm_1","sbp":130},
 {"record_id":"7003","redcap_event_name":"enrollment_arm_2","site":"chi"}
]`
	rep, err := load(t, c).Import(context.Background(), strings.NewReader(src), importer.JSON, importer.Options{ChunkRecords: 2})
	if err != nil || rep.Chunks != 2 || !slices.Equal(rep.Written, []string{"7001", "7002", "7003"}) {
		t.Fatalf("err %v\n%s", err, rep)
	}
	rows := export(t, c, "7001", "7002", "7003")
	if rows["7001|enrollment_arm_1|medications|3"]["med_dose"] != "12.5" || rows["7002|week_4_arm_1||"]["sbp"] != "130" ||
		rows["7003|enrollment_arm_2||"]["site"] != "chi" || rows["7001|enrollment_arm_1||"]["age"] != "33" {
		t.Errorf("stored %v", rows)
	}
}
