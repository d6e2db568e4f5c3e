package redcaptest

import (
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// exportDemo posts a record export and returns the CSV rows (header first).
func exportDemo(t *testing.T, srv *Server, p *Project, params url.Values) [][]string {
	t.Helper()
	form := url.Values{"token": {srv.Token(p.Name)}, "content": {"record"}, "format": {"csv"}, "returnFormat": {"json"}}
	for k, v := range params {
		form[k] = v
	}
	resp, err := http.PostForm(srv.URL, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("export %v: %d %s", params, resp.StatusCode, b)
	}
	if len(b) == 0 {
		return nil
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatalf("export %v: %v", params, err)
	}
	return rows
}

func exportBody(t *testing.T, opts DemoOptions, params url.Values) string {
	t.Helper()
	p := Demo(opts)
	srv := NewServer(t, p)
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.WriteAll(exportDemo(t, srv, p, params))
	return b.String()
}

func TestDemoDeterministic(t *testing.T) {
	all := url.Values{"exportDataAccessGroups": {"true"}}
	a := exportBody(t, DemoOptions{Records: 300, Seed: 7}, all)
	b := exportBody(t, DemoOptions{Records: 300, Seed: 7}, all)
	if a != b {
		t.Fatal("same seed, different exports")
	}
	if len(a) < 300*100 {
		t.Fatalf("export of 300 records is only %d bytes", len(a))
	}
	if c := exportBody(t, DemoOptions{Records: 300, Seed: 8}, all); c == a {
		t.Fatal("seeds 7 and 8 gave the same export")
	}
	// A record does not depend on how many records the project has.
	small := Demo(DemoOptions{Records: 20, Seed: 7})
	big := Demo(DemoOptions{Records: 5000, Seed: 7})
	r1, _ := small.Records.Get("17")
	r2, _ := big.Records.Get("17")
	if dumpRecord(r1) != dumpRecord(r2) {
		t.Fatalf("record 17 differs with the project size:\n%s\n%s", dumpRecord(r1), dumpRecord(r2))
	}
}

func dumpRecord(r *Record) string {
	var b strings.Builder
	b.WriteString(r.ID + " " + r.DAG + "\n")
	for _, row := range r.Rows {
		b.WriteString(row.Event + "/" + row.Instrument + "/" + strconv.Itoa(row.Instance) + ":")
		for _, f := range demoMetadata() {
			b.WriteString(" " + row.Values[f.FieldName])
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestDemoSize(t *testing.T) {
	for _, tt := range []struct{ ask, want int }{{0, 100}, {1, 10}, {10, 10}, {1000, 1000}, {1_000_000, 1_000_000}} {
		p := Demo(DemoOptions{Records: tt.ask})
		if got := p.Records.Len(); got != tt.want {
			t.Errorf("Demo(%d): %d records, want %d", tt.ask, got, tt.want)
		}
		n := 0
		last := ""
		for r := range p.Records.All() {
			if n > 0 && CompareIDs(last, r.ID) >= 0 {
				t.Fatalf("Demo(%d): %q after %q", tt.ask, r.ID, last)
			}
			last = r.ID
			if n++; n == 2000 {
				break
			}
		}
		if n != min(tt.want, 2000) {
			t.Errorf("Demo(%d): All yielded %d", tt.ask, n)
		}
		if _, ok := p.Records.Get(strconv.Itoa(tt.want)); !ok {
			t.Errorf("Demo(%d): no record %d", tt.ask, tt.want)
		}
		for _, id := range []string{"0", "-1", "01", "1.0", "x", strconv.Itoa(tt.want + 1)} {
			if _, ok := p.Records.Get(id); ok {
				t.Errorf("Demo(%d): Get(%q) found a record", tt.ask, id)
			}
		}
	}
}

func TestDemoMillionIsLazy(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	p := Demo(DemoOptions{Records: 1_000_000, Seed: 1})
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 4<<20 {
		t.Fatalf("Demo(1,000,000) holds %d bytes, want under 4 MiB", grew)
	}
	r, ok := p.Records.Get("999999")
	if !ok || len(r.Rows) == 0 {
		t.Fatal("record 999999 missing or empty")
	}
	runtime.KeepAlive(p)
}

func TestDemoDesign(t *testing.T) {
	p := Demo(DemoOptions{Records: 10})
	if p.Info.Title != "rq demo study" || !p.Longitudinal() || !p.HasRepeating() {
		t.Fatalf("title %q longitudinal %v repeating %v", p.Info.Title, p.Longitudinal(), p.HasRepeating())
	}
	var evs []string
	for _, e := range p.Events {
		evs = append(evs, e.UniqueName+"="+e.Name+"/"+strconv.Itoa(e.ArmNum))
	}
	if got := strings.Join(evs, " "); got != "enrollment_arm_1=Enrollment/1 week_4_arm_1=Week 4/1 week_12_arm_1=Week 12/1 enrollment_arm_2=Enrollment/2 week_4_arm_2=Week 4/2" {
		t.Errorf("events %s", got)
	}
	if p.Arms[0].Name != "Treatment" || p.Arms[1].Name != "Control" {
		t.Errorf("arms %v", p.Arms)
	}
	for form, events := range map[string]string{
		"enrollment": "enrollment_arm_1 enrollment_arm_2", "baseline": "enrollment_arm_1 enrollment_arm_2",
		"medications": "enrollment_arm_1 enrollment_arm_2", "visit": "week_4_arm_1 week_12_arm_1 week_4_arm_2",
	} {
		var got []string
		for _, e := range p.Events {
			if p.Designated(form, e.UniqueName) {
				got = append(got, e.UniqueName)
			}
		}
		if strings.Join(got, " ") != events {
			t.Errorf("%s designated on %v, want %s", form, got, events)
		}
	}
	if !p.RepeatingForm("enrollment_arm_1", "medications") || !p.RepeatingForm("enrollment_arm_2", "medications") {
		t.Error("medications does not repeat")
	}
	var fields []string
	for _, f := range p.Metadata {
		fields = append(fields, f.FormName+"."+f.FieldName)
	}
	want := "enrollment.record_id enrollment.dob enrollment.sex enrollment.site enrollment.consent_dt enrollment.email " +
		"baseline.age baseline.weight baseline.height baseline.bmi baseline.score baseline.race baseline.smoker baseline.notes baseline.consent_file " +
		"visit.visit_date visit.sbp visit.dbp visit.adverse_event visit.visit_time medications.med_name medications.med_dose medications.med_start"
	if got := strings.Join(fields, " "); got != want {
		t.Errorf("fields\n%s\nwant\n%s", got, want)
	}
	if p.Field("email").Identifier != "y" || p.Field("consent_dt").TextValidationTypeOrShowSliderNumber != "datetime_ymd" {
		t.Error("email identifier or consent_dt validation wrong")
	}
	if len(p.DAGs) != 2 || p.DAGs[0].UniqueName != "site_a" || p.DAGs[1].Name != "Site B" {
		t.Errorf("DAGs %v", p.DAGs)
	}
	if p.Info.MissingDataCodes != "NA, Not applicable | UNK, Unknown" {
		t.Errorf("missing codes %q", p.Info.MissingDataCodes)
	}
}

// TestDemoData checks the promised variety over 2000 records.
func TestDemoData(t *testing.T) {
	p := Demo(DemoOptions{Records: 2000, Seed: 11})
	count := map[string]int{}
	scored, high := 0, 0
	for rec := range p.Records.All() {
		count["dag="+rec.DAG]++
		meds := 0
		for _, row := range rec.Rows {
			count["event="+row.Event]++
			if row.Instrument == "medications" {
				meds++
			}
			v := row.Values
			if row.Event == "enrollment_arm_1" || row.Event == "enrollment_arm_2" {
				if row.Instrument != "" {
					continue
				}
				if a, err := strconv.Atoi(v["age"]); err == nil {
					if a < 18 || a > 90 {
						t.Fatalf("record %s: age %d", rec.ID, a)
					}
				} else {
					count["age="+v["age"]]++
				}
				if s, err := strconv.ParseFloat(v["score"], 64); err == nil {
					scored++
					if s > 5 {
						high++
					}
				} else {
					count["score="+v["score"]]++
				}
				if _, err := strconv.ParseFloat(v["weight"], 64); err != nil {
					count["weight="+v["weight"]]++
				}
				for _, c := range row.Checked("race") {
					count["race="+c]++
				}
				if v["consent_file"] != "" {
					count["file"]++
				}
				count["sex="+v["sex"]]++
			}
		}
		count["meds="+strconv.Itoa(meds)]++
	}
	for _, k := range []string{"dag=", "dag=site_a", "dag=site_b", "event=enrollment_arm_1", "event=enrollment_arm_2",
		"event=week_4_arm_1", "event=week_12_arm_1", "event=week_4_arm_2", "age=", "age=UNK", "score=", "score=UNK",
		"weight=", "weight=abc", "weight=NA", "race=1", "race=2", "race=3", "race=-1", "race=oth", "race=NA", "file",
		"sex=1", "sex=2", "sex=3", "sex=", "meds=0", "meds=1", "meds=2", "meds=3"} {
		if count[k] == 0 {
			t.Errorf("no %s in 2000 records", k)
		}
	}
	if count["dag="] > count["dag=site_a"]/2 {
		t.Errorf("%d records without DAG, want most in one", count["dag="])
	}
	if share := float64(high) / float64(scored); share < 0.42 || share > 0.58 {
		t.Errorf("%.2f of scored records have score > 5, want about half", share)
	}
}

func TestDemoSmallShowsEveryCase(t *testing.T) {
	p := Demo(DemoOptions{Records: 10, Seed: 99})
	get := func(id, field string) string {
		r, _ := p.Records.Get(id)
		for _, row := range r.Rows {
			if row.Instrument == "" && strings.HasPrefix(row.Event, "enrollment") {
				return row.Values[field]
			}
		}
		return "?"
	}
	for _, c := range []struct{ id, field, want string }{
		{"3", "weight", "abc"}, {"4", "age", "UNK"}, {"5", "score", "UNK"}, {"6", "age", ""},
		{"7", "weight", "NA"}, {"8", "score", ""}, {"9", "race", "NA"}, {"1", "consent_file", "consent_1.pdf"},
	} {
		if got := get(c.id, c.field); got != c.want {
			t.Errorf("record %s %s = %q, want %q", c.id, c.field, got, c.want)
		}
	}
	r2, _ := p.Records.Get("2")
	meds := 0
	for _, row := range r2.Rows {
		if row.Instrument == "medications" {
			meds++
		}
	}
	if meds != 3 {
		t.Errorf("record 2 has %d medications, want 3", meds)
	}
	if f := p.Files[FileKey{Record: "1", Field: "consent_file", Event: "enrollment_arm_1", Instance: 1}]; f == nil {
		if f = p.Files[FileKey{Record: "1", Field: "consent_file", Event: "enrollment_arm_2", Instance: 1}]; f == nil {
			t.Error("record 1's consent file is not stored")
		}
	}
}

// TestDemoHeadlineQuery: `select age, score from records where score > 5
// and form = 'baseline'` pushes down as forms=baseline and filterLogic
// [score] > 5; the demo must answer it with rows, about half the records.
func TestDemoHeadlineQuery(t *testing.T) {
	p := Demo(DemoOptions{Records: 400, Seed: 1})
	srv := NewServer(t, p)
	rows := exportDemo(t, srv, p, url.Values{"forms[0]": {"baseline"}, "fields[0]": {"record_id"}, "filterLogic": {"[score] > 5"}})
	if len(rows) < 2 {
		t.Fatal("no rows match [score] > 5")
	}
	head := rows[0]
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, need := range []string{"record_id", "redcap_event_name", "age", "score"} {
		if _, ok := col[need]; !ok {
			t.Fatalf("no column %s in %v", need, head)
		}
	}
	ids := map[string]bool{}
	for _, r := range rows[1:] {
		s, err := strconv.ParseFloat(r[col["score"]], 64)
		if err != nil || s <= 5 {
			t.Fatalf("row %v: score %q does not pass [score] > 5", r, r[col["score"]])
		}
		if ev := r[col["redcap_event_name"]]; !strings.HasPrefix(ev, "enrollment_arm_") {
			t.Fatalf("row %v on event %s", r, ev)
		}
		ids[r[col["record_id"]]] = true
	}
	if n := len(ids); n < 400*40/100 || n > 400*60/100 {
		t.Errorf("%d of 400 records have score > 5, want about half", n)
	}
	// The complement: blank and missing scores match <> 5 (NaN) but not <= 5.
	low := exportDemo(t, srv, p, url.Values{"fields[0]": {"record_id"}, "filterLogic": {"[score] <= 5"}})
	all := exportDemo(t, srv, p, url.Values{"fields[0]": {"record_id"}, "filterLogic": {"[score] <> ''"}})
	if len(low)-1+len(ids) != len(all)-1-countUNK(p) {
		t.Errorf("score > 5 (%d) + score <= 5 (%d) != scored rows (%d - %d UNK)", len(ids), len(low)-1, len(all)-1, countUNK(p))
	}
}

func countUNK(p *Project) int {
	n := 0
	for rec := range p.Records.All() {
		for _, row := range rec.Rows {
			if row.Instrument == "" && row.Values["score"] == "UNK" {
				n++
			}
		}
	}
	return n
}

func TestDemoDates(t *testing.T) {
	for _, c := range []struct {
		days int
		want string
	}{{0, "1970-01-01"}, {-1, "1969-12-31"}, {19358, "2023-01-01"}, {11016, "2000-02-29"}, {-25567, "1900-01-01"}} {
		if got := dateString(c.days); got != c.want {
			t.Errorf("dateString(%d) = %s, want %s", c.days, got, c.want)
		}
		y, m, d := civil(c.days)
		if back := daysFrom(y, m, d); back != c.days {
			t.Errorf("daysFrom(civil(%d)) = %d", c.days, back)
		}
	}
	if got := minutesString(19358*1440 + 13*60 + 5); got != "2023-01-01 13:05" {
		t.Errorf("minutesString = %s", got)
	}
	if got := tenths(725, false) + " " + tenths(70, true) + " " + tenths(70, false) + " " + tenths(5, true); got != "72.5 7 7.0 0.5" {
		t.Errorf("tenths: %s", got)
	}
}
