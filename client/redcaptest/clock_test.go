package redcaptest

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestClockDateRangeAndLog moves the server's clock: imports and deletes
// take their time from it, dateRangeBegin/End select the records changed
// in a window, and the log reports creates, updates and deletes.
func TestClockDateRangeAndLog(t *testing.T) {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.Local)
	clock := NewManualClock(start)
	p := tinyProject("clock")
	p.Clock = clock.Now
	p.Created = start
	srv := NewServer(t, p)
	tok := srv.Token("clock")
	call := func(form url.Values) string {
		t.Helper()
		form.Set("token", tok)
		form.Set("format", "csv")
		code, body, _ := post(t, srv.URL, form)
		if code != 200 {
			t.Fatalf("%v: %d %s", form, code, body)
		}
		return body
	}
	imp := func(csv string) {
		call(url.Values{"content": {"record"}, "action": {"import"}, "data": {csv}})
	}
	imp("record_id,age\n1,30\n2,40\n")
	clock.Advance(time.Hour) // 10:00
	imp("record_id,age\n2,41\n3,50\n")
	clock.Advance(time.Hour) // 11:00
	call(url.Values{"content": {"record"}, "action": {"delete"}, "records[0]": {"1"}})

	export := func(begin, end string) string {
		return call(url.Values{"content": {"record"}, "action": {"export"}, "type": {"flat"}, "fields": {"record_id"},
			"dateRangeBegin": {begin}, "dateRangeEnd": {end}})
	}
	for _, tc := range []struct{ begin, end, want string }{
		{"", "", "record_id\n2\n3\n"},
		{"2026-03-01 09:30:00", "", "record_id\n2\n3\n"},
		{"2026-03-01 10:30:00", "", ""},
		{"", "2026-03-01 09:30:00", "record_id\n2\n"}, // 2 changed at 09:00 (1 is gone)
		{"2026-03-01 09:59:59", "2026-03-01 10:00:01", "record_id\n2\n3\n"},
	} {
		if got := export(tc.begin, tc.end); strings.TrimSpace(got) != strings.TrimSpace(tc.want) {
			t.Errorf("begin %q end %q: got %q, want %q", tc.begin, tc.end, got, tc.want)
		}
	}
	log := call(url.Values{"content": {"log"}, "logtype": {"record"}, "beginTime": {"2026-03-01 09:00"}})
	for _, want := range []string{"2026-03-01 11:00", "Delete record (API) 1", "2026-03-01 10:00", "Update record (API) 2", "Create record (API) 3"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	del := call(url.Values{"content": {"log"}, "logtype": {"record_delete"}, "beginTime": {"2026-03-01 10:30"}})
	if !strings.Contains(del, "Delete record (API) 1") || strings.Contains(del, "Update") {
		t.Errorf("record_delete log:\n%s", del)
	}
}
