package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redcapql/rq/client"
)

// TestResumingRows: a body cut short is asked for again and resumed after
// the rows delivered, each row once; a body whose first rows changed
// meanwhile fails the export; a cut that keeps happening gives up.
func TestResumingRows(t *testing.T) {
	resumeDelay = func(int) time.Duration { return 0 }
	whole := `[{"id":"1","a":"x"},{"id":"2","a":"y"},{"id":"3","a":"z"}]`
	cut := whole[:strings.Index(whole, `{"id":"3"`)+5] // inside the third row
	changed := `[{"id":"1","a":"x"},{"id":"2","a":"CHANGED"},{"id":"3","a":"z"}]`
	tests := []struct {
		name    string
		bodies  []string
		want    string // ids and values read, one "id=a" per row
		wantErr string
	}{
		{"whole", []string{whole}, "1=x 2=y 3=z", ""},
		{"cut then whole", []string{cut, whole}, "1=x 2=y 3=z", ""},
		{"cut before any row", []string{`[{"id":"1"`, whole}, "1=x 2=y 3=z", ""},
		{"cut twice", []string{cut, cut, whole}, "1=x 2=y 3=z", ""},
		{"changed", []string{cut, changed}, "1=x 2=y", "no longer starts with the same rows"},
		{"always cut", []string{cut, cut, cut, cut, whole}, "1=x 2=y", "the body ends in the middle of record 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			open := func() (*client.RecordStream, error) {
				b := tt.bodies[calls]
				calls++
				return client.NewRecordStream(strings.NewReader(b), "json", "")
			}
			var notices []string
			r, err := newResumingRows(context.Background(), open, func(s string) { notices = append(notices, s) })
			var got []string
			if err == nil {
				for r.Next() {
					got = append(got, r.Row()[0]+"="+r.Row()[1])
				}
				err = r.Err()
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("rows %q, want %q", strings.Join(got, " "), tt.want)
			}
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
			if len(notices) != min(calls-1, resumeAttempts-1) {
				t.Errorf("%d notices for %d calls: %q", len(notices), calls, notices)
			}
		})
	}
}
