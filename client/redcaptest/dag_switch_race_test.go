package redcaptest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestDAGSwitchConcurrent switches a user's DAG back and forth while the same
// user exports records, the log, file repository listings and project XML
// (run with -race): every answer is complete and shows one DAG's records
// only, never a mix, and the switches land.
func TestDAGSwitchConcurrent(t *testing.T) {
	p := Demo(DemoOptions{Records: 60, Seed: 5})
	tok := NewToken(16)
	p.Users = []User{{Username: "switcher", DAG: "site_a", Token: tok,
		Rights: map[string]string{"api_export": "1", "api_import": "1", "data_access_groups": "1", "logging": "1", "file_repository": "1", "user_rights": "1"}}}
	srv := NewServer(t, p)
	var wg sync.WaitGroup
	errs := make(chan error, 256)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			d := []string{"site_a", "site_b"}[i%2]
			if st, body := postForm(srv.URL, tok, map[string]string{"content": "dag", "action": "switch", "dag": d, "returnFormat": "json"}); st != 200 || body != "1" {
				errs <- fmt.Errorf("switch to %s: %d %s", d, st, body)
			}
		}
	}()
	reads := []map[string]string{
		{"content": "record", "format": "csv", "fields": "record_id,age", "exportDataAccessGroups": "true"},
		{"content": "record", "format": "csv", "fields": "record_id,score", "filterLogic": "[score] > 0 or [user-dag-name] <> ''"},
		{"content": "log", "format": "json"},
		{"content": "fileRepository", "action": "list", "format": "json"},
		{"content": "project_xml", "format": "xml"},
		{"content": "user", "format": "json"},
		{"content": "generateNextRecordName"},
		// DAG management is refused to a user in a DAG (checked before any lock)
		{"content": "dag", "action": "import", "format": "csv", "data": "data_access_group_name,unique_group_name\nSite C,site_c\n", "want": "403"},
		{"content": "pdf", "allRecords": "1"},
	}
	for g, params := range reads {
		wg.Add(1)
		go func(g int, params map[string]string) {
			defer wg.Done()
			for i := 0; i < 4; i++ {
				want := 200
				if params["want"] == "403" {
					want = 403
				}
				params["returnFormat"] = "json"
				st, body := postForm(srv.URL, tok, params)
				if st != want {
					errs <- fmt.Errorf("%s: %d %.120s", params["content"], st, body)
					continue
				}
				if params["content"] != "record" {
					continue
				}
				// All rows' records belong to one DAG.
				dags := map[string]bool{}
				for _, line := range strings.Split(strings.TrimSpace(body), "\n")[1:] {
					id, _, _ := strings.Cut(line, ",")
					if rec, ok := p.Records.Get(id); ok {
						dags[rec.DAG] = true
					}
				}
				if len(dags) > 1 {
					errs <- fmt.Errorf("record export %d/%d mixes DAGs %v", g, i, dags)
				}
			}
		}(g, params)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if d := srv.Project(p.Name).Users[0].DAG; d != "site_b" {
		t.Errorf("after 20 switches the user is in %q, want site_b", d)
	}
}
