package redcaptest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentClients runs exports and imports against one project at the
// same time (run with -race): every export must be a complete, well-formed
// answer and every import must land.
func TestConcurrentClients(t *testing.T) {
	p := Demo(DemoOptions{Records: 200, Seed: 3})
	srv := NewServer(t, p)
	tok := srv.Token(p.Name)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				st, body := postForm(srv.URL, tok, map[string]string{"content": "record", "format": "json",
					"fields": "record_id,age,race,sex,smoker", "rawOrLabel": "label", "filterLogic": "[age] > 30 or [sex] = '1'"})
				if st != 200 || !strings.HasPrefix(body, "[") || !strings.HasSuffix(body, "]") {
					errs <- fmt.Errorf("export %d/%d: %d %.80s", g, i, st, body)
				}
			}
		}(g)
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				id := fmt.Sprintf("new-%d-%d", g, i)
				data := "record_id,redcap_event_name,age\n" + id + ",enrollment_arm_1,44\n"
				st, body := postForm(srv.URL, tok, map[string]string{"content": "record", "format": "csv", "data": data, "returnFormat": "json"})
				if st != 200 {
					errs <- fmt.Errorf("import %s: %d %s", id, st, body)
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := p.Records.Len(); n != 220 {
		t.Errorf("%d records after 20 imports into 200, want 220", n)
	}
}
