package redcaptest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// REDCapR's experimental redcap_read_oneshot_eav reads the server's EAV CSV
// and pivots it client-side. pivotEAV repeats that construction on the
// emulator's answers, following REDCapR's documented steps:
//   - the columns kept are the metadata fields (for the requested forms) in
//     dictionary order, a checkbox expanded to field___<id> where the ids come
//     from REDCapR's pattern `(\d+),.+?(\||$)` → `\1` on the choices, split
//     on spaces (so "1, a|2, b" yields the single id "12"), followed by the
//     export field names ending in _complete;
//   - an EAV checkbox row becomes field___<code> = TRUE; every expanded
//     checkbox column of every record not set that way is FALSE;
//   - one row per record, in numeric record order; absent values are NA.
var redcaprChoiceIDs = regexp.MustCompile(`(\d+),.+?(\||$)`)

func pivotEAV(u, token string, params map[string]string, eavBody string) ([]string, [][]*string, error) {
	metaParams := map[string]string{"content": "metadata", "format": "json"}
	for i, f := range strings.Split(params["forms"], ",") {
		if f != "" {
			metaParams[fmt.Sprintf("forms[%d]", i)] = f
		}
	}
	st, body := postForm(u, token, metaParams)
	if st != 200 {
		return nil, nil, fmt.Errorf("metadata: HTTP %d", st)
	}
	var meta []map[string]string
	if err := json.Unmarshal([]byte(body), &meta); err != nil {
		return nil, nil, err
	}
	st, body = postForm(u, token, map[string]string{"content": "exportFieldNames", "format": "csv"})
	if st != 200 {
		return nil, nil, fmt.Errorf("exportFieldNames: HTTP %d", st)
	}
	_, varRows, _ := parseCSVFrame(body, []string{""})

	ftype := map[string]string{}
	var keep []string
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			keep = append(keep, n)
		}
	}
	var checkboxCols []string
	for _, m := range meta {
		ftype[m["field_name"]] = m["field_type"]
		if m["field_type"] != "checkbox" {
			add(m["field_name"])
			continue
		}
		ids := redcaprChoiceIDs.ReplaceAllString(m["select_choices_or_calculations"], "$1")
		for _, id := range strings.Split(ids, " ") {
			name := m["field_name"] + "___" + id
			add(name)
			checkboxCols = append(checkboxCols, name)
		}
	}
	completeRE := regexp.MustCompile(`^\w+?_complete$`)
	for _, r := range varRows {
		if r[2] != nil && completeRE.MatchString(*r[2]) {
			add(*r[2])
		}
	}

	cols, rows, err := parseCSVFrame(eavBody, []string{"", "NA"})
	if err != nil {
		return nil, nil, err
	}
	ri, fi, vi := indexOf(cols, "record"), indexOf(cols, "field_name"), indexOf(cols, "value")
	if ri < 0 || fi < 0 || vi < 0 {
		return nil, nil, fmt.Errorf("EAV answer without record/field_name/value columns: %v", cols)
	}
	wide := map[string]map[string]*string{}
	var records []string
	for _, r := range rows {
		if r[ri] == nil || r[fi] == nil {
			continue
		}
		rec, field := *r[ri], *r[fi]
		if wide[rec] == nil {
			wide[rec] = map[string]*string{}
			records = append(records, rec)
		}
		if ftype[field] == "checkbox" && r[vi] != nil {
			t := "TRUE"
			wide[rec][field+"___"+*r[vi]] = &t
			continue
		}
		wide[rec][field] = r[vi]
	}
	for _, rec := range records {
		for _, c := range checkboxCols {
			if wide[rec][c] == nil {
				f := "FALSE"
				wide[rec][c] = &f
			}
		}
	}
	sort.SliceStable(records, func(i, j int) bool {
		a, errA := strconv.ParseFloat(records[i], 64)
		b, errB := strconv.ParseFloat(records[j], 64)
		if errA == nil && errB == nil {
			return a < b
		}
		return records[i] < records[j]
	})
	present := map[string]bool{}
	for _, rec := range records {
		for k := range wide[rec] {
			present[k] = true
		}
	}
	var outCols []string
	for _, k := range keep {
		if present[k] {
			outCols = append(outCols, k)
		}
	}
	var out [][]*string
	for _, rec := range records {
		row := make([]*string, len(outCols))
		for i, c := range outCols {
			row[i] = wide[rec][c]
		}
		out = append(out, row)
	}
	return outCols, out, nil
}
