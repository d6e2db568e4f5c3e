package client_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
)

// captured is one request as the fake server saw it.
type captured struct {
	rawQuery, body, contentType, userAgent string
	form                                   url.Values
}

func capture(t *testing.T, reply string) (*fakeServer, *[]captured) {
	var got []captured
	fs := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		v, _ := url.ParseQuery(string(b))
		got = append(got, captured{r.URL.RawQuery, string(b), r.Header.Get("Content-Type"), r.Header.Get("User-Agent"), v})
		io.WriteString(w, reply)
	})
	return fs, &got
}

func TestWireArraysAndReturnFormat(t *testing.T) {
	fs, got := capture(t, "record_id\n1\n")
	c := newClient(t, fs.URL, client.WithUserAgent("rq-test/9"))
	_, err := c.ExportRecords(context.Background(), client.ExportRecordsParams{
		Records: []string{"1", "a,b", "3"}, Fields: []string{"record_id", "age"}, Events: []string{"e1"},
		FilterLogic: "[age] > 5 & [x] = 'a b'", ExportDataAccessGroups: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := (*got)[0]
	want := map[string]string{
		"token": testToken, "content": "record", "action": "export", "format": "csv", "type": "flat",
		"records[0]": "1", "records[1]": "a,b", "records[2]": "3",
		"fields[0]": "record_id", "fields[1]": "age", "events[0]": "e1",
		"filterLogic": "[age] > 5 & [x] = 'a b'", "exportDataAccessGroups": "true",
		"rawOrLabel": "raw", "rawOrLabelHeaders": "raw", "returnFormat": "json",
	}
	for k, v := range want {
		if r.form.Get(k) != v || len(r.form[k]) != 1 {
			t.Errorf("%s = %q, want %q", k, r.form[k], v)
		}
	}
	if len(r.form) != len(want) {
		t.Errorf("unexpected keys: %v", r.form)
	}
	if r.form.Has("records") || r.form.Has("records[]") {
		t.Errorf("records not in key[i] form: %v", r.body)
	}
	if r.rawQuery != "" || strings.Contains(r.rawQuery, testToken) {
		t.Errorf("URL carries a query: %q", r.rawQuery)
	}
	if r.contentType != "application/x-www-form-urlencoded" || r.userAgent != "rq-test/9" {
		t.Errorf("Content-Type %q, User-Agent %q", r.contentType, r.userAgent)
	}
}

func TestEmptyRecordsListNeverSent(t *testing.T) {
	fs, got := capture(t, "record_id\n1\n2\n")
	c := newClient(t, fs.URL)
	recs, err := c.ExportRecords(context.Background(), client.ExportRecordsParams{Records: []string{}})
	if err != nil || len(recs.Rows) != 0 || len(*got) != 0 {
		t.Fatalf("rows %v, err %v, requests %d", recs, err, len(*got))
	}
	rs, err := c.ExportRecordsStream(context.Background(), client.ExportRecordsParams{Records: []string{}})
	if err != nil || rs.Next() || rs.Err() != nil || len(*got) != 0 {
		t.Fatalf("stream: err %v, requests %d", err, len(*got))
	}
	// nil Records means all records: a request is made.
	recs, err = c.ExportRecords(context.Background(), client.ExportRecordsParams{})
	if err != nil || len(recs.Rows) != 2 || len(*got) != 1 {
		t.Fatalf("rows %v, err %v, requests %d", recs, err, len(*got))
	}
}

func TestGuardsBeforeRequest(t *testing.T) {
	fs, got := capture(t, "{}")
	c := newClient(t, fs.URL)
	ctx := context.Background()
	calls := map[string]func() error{
		"DeleteRecords without ids": func() error { _, err := c.DeleteRecords(ctx, client.DeleteRecordsParams{}); return err },
		"record with quote": func() error {
			_, err := c.ExportRecords(ctx, client.ExportRecordsParams{Records: []string{"O'Brien"}})
			return err
		},
		"bad date range": func() error {
			_, err := c.ExportRecords(ctx, client.ExportRecordsParams{DateRangeBegin: "01/02/2024"})
			return err
		},
		"bad delimiter": func() error {
			_, err := c.ExportRecords(ctx, client.ExportRecordsParams{CSVDelimiter: "#"})
			return err
		},
		"stream xml": func() error {
			_, err := c.ExportRecordsStream(ctx, client.ExportRecordsParams{Format: "xml"})
			return err
		},
		"import without data": func() error { _, err := c.ImportRecords(ctx, client.ImportRecordsParams{}); return err },
		"rename without name": func() error { return c.RenameRecord(ctx, client.RenameRecordParams{Record: "1"}) },
		"create project with project token": func() error {
			_, err := c.CreateProject(ctx, client.CreateProjectParams{Settings: client.ProjectSettings{"project_title": "x", "purpose": 0}})
			return err
		},
	}
	for name, call := range calls {
		if err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if len(*got) != 0 {
		t.Fatalf("%d requests sent", len(*got))
	}
}

func TestDeleteRecordsArrayForm(t *testing.T) {
	fs, got := capture(t, `{"count": 2}`)
	n, err := newClient(t, fs.URL).DeleteRecords(context.Background(), client.DeleteRecordsParams{Records: []string{"1", "2"}, Arm: "1"})
	if err != nil || n != 2 {
		t.Fatalf("n=%d err=%v", n, err)
	}
	f := (*got)[0].form
	if f.Get("records[0]") != "1" || f.Get("records[1]") != "2" || f.Get("action") != "delete" || f.Get("arm") != "1" {
		t.Fatalf("form %v", f)
	}
}

func TestRecordsCSVRoundTrip(t *testing.T) {
	in := &client.Records{Columns: []string{"record_id", "notes"}, Rows: [][]string{{"1", "a, \"b\"\nc"}, {"2", ""}}}
	b, err := in.CSV()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := client.NewRecordStream(strings.NewReader(string(b)), "csv", "")
	if err != nil {
		t.Fatal(err)
	}
	out := &client.Records{Columns: rs.Columns()}
	for rs.Next() {
		out.Rows = append(out.Rows, append([]string(nil), rs.Row()...))
	}
	if rs.Err() != nil || !reflect.DeepEqual(in, out) {
		t.Fatalf("got %v, %v", out, rs.Err())
	}
}
