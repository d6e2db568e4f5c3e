package importer

import (
	"errors"
	"strconv"
	"testing"
)

// TestSummary: the report's text, as the command line (every id, its
// --resume flag) and String (ten ids, the error that stopped it) give it.
func TestSummary(t *testing.T) {
	var many []string
	for i := 1; i <= 12; i++ {
		many = append(many, strconv.Itoa(i))
	}
	lost := &ChunkError{Chunk: 2, Chunks: 2, Unknown: true, Err: errors.New("timeout")}
	tests := []struct {
		name       string
		r          Report
		summary    string // Summary(0, "--resume")
		stringText string // String()
	}{
		{"dry run", Report{DryRun: true, Rows: 1, Records: 1},
			"1 row, 1 record\ndry run: the file is valid; nothing was sent\n",
			"1 row, 1 record\ndry run: the file is valid; nothing was sent\n"},
		{"dry run that failed", Report{DryRun: true, Rows: 2, Records: 1, Err: errors.New("x")},
			"2 rows, 1 record\ndry run: 0 problems; nothing was sent\n",
			"2 rows, 1 record\ndry run: 0 problems; nothing was sent\n"},
		{"refused before sending", Report{Rows: 2, Records: 2, Err: errors.New("journal")},
			"2 rows, 2 records\nnothing was sent\n",
			"2 rows, 2 records\nnothing was sent\n"},
		{"refused before the first chunk", Report{Rows: 2, Records: 2, Chunks: 1, Err: errors.New("unfinished journal")},
			"2 rows, 2 records in 1 chunk\nnothing was sent\n",
			"2 rows, 2 records in 1 chunk\nnothing was sent\nstopped: unfinished journal\n"},
		{"written, then a lost answer", Report{Rows: 14, Records: 14, Chunks: 2, Written: many, Resumed: many[:2],
			Unknown: []string{"13", "14"}, FailedChunk: 2, Err: lost},
			"14 rows, 14 records in 2 chunks\nwritten: 12 records (2 by an earlier run): 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12\n" +
				"unknown (chunk 2 may or may not be stored; --resume sends it again, which is safe): 2 records: 13, 14\n",
			"14 rows, 14 records in 2 chunks\nwritten: 12 records (2 by an earlier run): 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 2 more\n" +
				"unknown (chunk 2 may or may not be stored; resuming sends it again, which is safe): 2 records: 13, 14\n" +
				"stopped: " + lost.Error() + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.r.Summary(0, "--resume"); got != tc.summary {
				t.Errorf("Summary:\n%s\nwant:\n%s", got, tc.summary)
			}
			if got := tc.r.String(); got != tc.stringText {
				t.Errorf("String:\n%s\nwant:\n%s", got, tc.stringText)
			}
		})
	}
}
