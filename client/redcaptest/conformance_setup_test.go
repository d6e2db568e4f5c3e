package redcaptest

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Setup steps of the write tests, replayed from their INDEX description.
// REDCapR's clean_start_* helpers wipe the project through a server-side
// plugin (not the API: here the test empties the record store) and then
// seed it through the API; the later steps read the records, change them
// as the entry's "change" says, and write them back with
// overwriteBehavior=overwrite.

// replaySetup runs the entry's setup steps; it reports what it could not do.
func replaySetup(fixturesDir string, srv *Server, p *Project, adminToken, dagToken string, e indexEntry) error {
	for _, pc := range e.PrecedingCalls {
		step := pc.Step
		switch {
		case strings.Contains(step, "clean_start_simple"):
			wipe(p)
			if err := seedCSV(srv.URL, adminToken, filepath.Join(fixturesDir, "redcapr/projects/simple/data.csv"),
				[]string{"age", "bmi", "mugshot"}); err != nil {
				return err
			}
			for r := range p.Records.All() {
				if err := uploadFile(srv.URL, adminToken, r.ID, "mugshot", "mugshot-"+r.ID+".jpg"); err != nil {
					return err
				}
			}
		case strings.Contains(step, "clean_start_dag_write"):
			// No wipe here: the expected files (INDEX: "last_name already
			// holds 'last name 1/2' ... the server state left by an earlier
			// run") show the seeding landing on the previous state, which is
			// what project.xml holds.
			if err := seedCSV(srv.URL, adminToken, filepath.Join(fixturesDir, "redcapr/projects/dag/data.csv"),
				[]string{"last_name"}); err != nil {
				return err
			}
		case step != "":
			// other steps (delete-test seeding) are already reflected in project.xml
		}
		if len(pc.APIParams) == 0 || !hasPlaceholder(pc.APIParams) || pc.Change == "" {
			continue
		}
		tok := adminToken
		if s, _ := pc.Arguments["token"].(string); strings.Contains(s, "DAG") {
			tok = dagToken
		}
		if err := readChangeWrite(srv.URL, tok, pc.Change); err != nil {
			return err
		}
	}
	return nil
}

func wipe(p *Project) {
	p.Mu.Lock()
	p.Records = NewMemStore()
	p.Files = map[FileKey]*StoredFile{}
	p.Mu.Unlock()
}

// seedCSV imports a flat CSV, without the dropped columns, with R's
// logicals written as 1/0 (REDCapR's clean_start does so).
func seedCSV(u, token, path string, dropCols []string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return err
	}
	drop := map[int]bool{}
	for i, h := range recs[0] {
		for _, d := range dropCols {
			if h == d {
				drop[i] = true
			}
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	for _, rec := range recs {
		var out []string
		for i, v := range rec {
			if drop[i] {
				continue
			}
			switch v {
			case "TRUE":
				v = "1"
			case "FALSE":
				v = "0"
			}
			out = append(out, v)
		}
		w.Write(out)
	}
	w.Flush()
	return importCSV(u, token, buf.String())
}

func importCSV(u, token, data string) error {
	st, body := postForm(u, token, map[string]string{"content": "record", "format": "csv", "type": "flat",
		"data": data, "overwriteBehavior": "overwrite", "returnContent": "ids", "returnFormat": "csv"})
	if st != 200 {
		return fmt.Errorf("import: HTTP %d: %s", st, clip(body))
	}
	return nil
}

func uploadFile(u, token, record, field, name string) error {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"token": token, "content": "file", "action": "import", "record": record, "field": field} {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte("\xff\xd8\xff not really a jpeg"))
	mw.Close()
	resp, err := http.Post(u, mw.FormDataContentType(), &buf)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("file import: HTTP %d: %s", resp.StatusCode, clip(string(b)))
	}
	return nil
}

var (
	changeSet   = regexp.MustCompile(`^(\w+) = (.*)$`)
	changeQuote = regexp.MustCompile(`^'(.*)'$`)
)

// readChangeWrite reads the records (raw CSV, as REDCapR's read before the
// write), applies the described change to every row and writes them back.
func readChangeWrite(u, token, change string) error {
	st, body := postForm(u, token, map[string]string{"content": "record", "format": "csv", "type": "flat"})
	if st != 200 {
		return fmt.Errorf("read before write: HTTP %d", st)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		return err
	}
	head := recs[0]
	for _, part := range strings.Split(change, "; ") {
		m := changeSet.FindStringSubmatch(part)
		if m == nil {
			return fmt.Errorf("change %q not understood", part)
		}
		col := indexOf(head, m[1])
		if col < 0 {
			return fmt.Errorf("change %q: no column %s", part, m[1])
		}
		expr := m[2]
		for i := 1; i < len(recs); i++ {
			n := strconv.Itoa(i)
			var v string
			switch {
			case expr == "1000 + row number":
				v = strconv.Itoa(1000 + i)
			case strings.HasPrefix(expr, "NA"):
				v = ""
			case strings.HasSuffix(expr, "with NNNN the row number repeated 4 times"), expr == "'(405) 321-NNNN'":
				v = "(405) 321-" + strings.Repeat(n, 4)
			case expr == "'last name N'":
				v = "last name " + n
			case changeQuote.MatchString(expr):
				v = changeQuote.FindStringSubmatch(expr)[1]
			default:
				if _, err := strconv.Atoi(expr); err != nil {
					return fmt.Errorf("change %q not understood", part)
				}
				v = expr
			}
			recs[i][col] = v
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.WriteAll(recs)
	return importCSV(u, token, buf.String())
}
