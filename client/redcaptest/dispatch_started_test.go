package redcaptest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// An error met after a streamed answer has begun ends the body; it must not
// write a second header or an error body into the rows already sent.
func TestFailAfterStreamStarted(t *testing.T) {
	for _, tc := range []struct {
		name     string
		write    string
		wantCode int
		wantBody string
	}{
		{"before any output", "", http.StatusBadRequest, `{"error":"bad"}`},
		{"after output began", "record_id\n1\n", http.StatusOK, "record_id\n1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			c := &call{w: &startedWriter{ResponseWriter: rec}, ReturnFormat: "json"}
			if tc.write != "" {
				c.w.Write([]byte(tc.write))
			}
			c.fail(errorf(http.StatusBadRequest, "bad"))
			if rec.Code != tc.wantCode || rec.Body.String() != tc.wantBody {
				t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body.String(), tc.wantCode, tc.wantBody)
			}
		})
	}
}
