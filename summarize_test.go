package rq_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
)

// TestSummarizeAgreesWithRawExport checks summarize records against figures
// computed here, with this test's own code, from the emulator's raw flat CSV
// export and its metadata, mapping, repeating setup and missing-data codes
// (fetched with plain HTTP, not rq's client).
func TestSummarizeAgreesWithRawExport(t *testing.T) {
	proj := redcaptest.Demo(redcaptest.DemoOptions{Records: 150, Seed: 7})
	srv := redcaptest.NewServer(t, proj)
	token := srv.Token(proj.Name)
	post := func(form url.Values) []byte {
		t.Helper()
		form.Set("token", token)
		resp, err := http.PostForm(srv.URL, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 1<<16)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		if resp.StatusCode != 200 {
			t.Fatalf("%v: %d %s", form.Get("content"), resp.StatusCode, b.String())
		}
		return []byte(b.String())
	}
	getJSON := func(content string, v any) {
		t.Helper()
		if err := json.Unmarshal(post(url.Values{"content": {content}, "format": {"json"}}), v); err != nil {
			t.Fatal(content, err)
		}
	}
	var meta []map[string]string
	getJSON("metadata", &meta)
	var fem []map[string]any
	getJSON("formEventMapping", &fem)
	var rep []map[string]any
	getJSON("repeatingFormsEvents", &rep)
	var info map[string]any
	getJSON("project", &info)
	var missing []string // codes in the project's order
	for _, part := range strings.Split(fmt.Sprint(info["missing_data_codes"]), "|") {
		if code, _, ok := strings.Cut(part, ","); ok {
			missing = append(missing, strings.TrimSpace(code))
		}
	}
	raw, err := csv.NewReader(strings.NewReader(string(post(url.Values{"content": {"record"},
		"format": {"csv"}, "type": {"flat"}, "rawOrLabel": {"raw"}})))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header, data := raw[0], raw[1:]
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	onEvent := map[string]bool{}
	for _, m := range fem {
		onEvent[fmt.Sprint(m["unique_event_name"])+"/"+fmt.Sprint(m["form"])] = true
	}
	repeating := map[string]bool{}
	for _, r := range rep {
		repeating[fmt.Sprint(r["event_name"])+"/"+fmt.Sprint(r["form_name"])] = true
	}
	isMissing := func(s string) bool { return slices.Contains(missing, s) }

	wants := map[string]*summaryWant{}
	var order []string
	for _, m := range meta {
		name, form, typ, val := m["field_name"], m["form_name"], m["field_type"], m["text_validation_type_or_show_slider_number"]
		if typ == "descriptive" {
			continue
		}
		var choices [][2]string
		switch typ {
		case "radio", "dropdown", "checkbox":
			for _, c := range strings.Split(m["select_choices_or_calculations"], "|") {
				code, label, _ := strings.Cut(c, ",")
				choices = append(choices, [2]string{strings.TrimSpace(code), strings.TrimSpace(label)})
			}
		case "yesno":
			choices = [][2]string{{"1", "Yes"}, {"0", "No"}}
		case "truefalse":
			choices = [][2]string{{"1", "True"}, {"0", "False"}}
		}
		w := &summaryWant{}
		wants[name] = w
		order = append(order, name)
		compute(w, name, form, typ, val, choices, header, data, col, isMissing, missing, func(row []string) bool {
			if name == header[0] {
				return true
			}
			ev, instr := row[col["redcap_event_name"]], row[col["redcap_repeat_instrument"]]
			if !onEvent[ev+"/"+form] {
				return false
			}
			if instr != "" {
				return instr == form
			}
			return !repeating[ev+"/"+form]
		})
	}

	c, err := client.New(srv.URL, token, client.WithRateLimit(0))
	if err != nil {
		t.Fatal(err)
	}
	p, err := rq.OpenClient(c)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := p.Query(context.Background(), "summarize records", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		got := map[string]string{}
		for i, c := range rows.Columns() {
			got[c] = rows.Value(i).String()
		}
		w := wants[got["field"]]
		if w == nil {
			continue // a form status field: not in the metadata
		}
		seen++
		for _, k := range []struct {
			col  string
			want string
		}{
			{"rows", strconv.Itoa(w.rows)}, {"n", strconv.Itoa(w.n)}, {"blank", strconv.Itoa(w.blank)},
			{"missing", strconv.Itoa(w.miss)}, {"missing_codes", w.codes}, {"invalid", strconv.Itoa(w.invalid)},
			{"distinct", strconv.Itoa(w.distinct)}, {"top", w.top}, {"min", w.min}, {"max", w.max},
			{"median", w.median},
		} {
			if k.want == "?" {
				continue // a median between two datetimes or times: not computed here
			}
			if got[k.col] != k.want {
				t.Errorf("%s: %s = %q, want %q", got["field"], k.col, got[k.col], k.want)
			}
		}
		if w.mean != "" {
			g, _ := strconv.ParseFloat(got["mean"], 64)
			x, _ := strconv.ParseFloat(w.mean, 64)
			if math.Abs(g-x) > 1e-3 {
				t.Errorf("%s: mean = %s, want %s", got["field"], got["mean"], w.mean)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen != len(order) {
		t.Errorf("summary rows for %d of %d fields", seen, len(order))
	}
}

// compute fills w for one field from the raw rows that hold its form.
func compute(w *summaryWant, name, form, typ, val string, choices [][2]string, header []string, data [][]string,
	col map[string]int, isMissing func(string) bool, missingOrder []string, holds func([]string) bool) {
	_ = form
	valid := func(s string) bool {
		switch {
		case typ == "calc", val == "number":
			_, err := strconv.ParseFloat(s, 64)
			return err == nil
		case val == "integer":
			return regexp.MustCompile(`^-?\d+$`).MatchString(s)
		case val == "date_ymd":
			_, err := time.Parse("2006-01-02", s)
			return err == nil
		case val == "datetime_ymd":
			_, err := time.Parse("2006-01-02 15:04", s)
			return err == nil
		case val == "time":
			_, err := time.Parse("15:04", s)
			return err == nil
		case choices != nil:
			for _, c := range choices {
				if c[0] == s {
					return true
				}
			}
			return false
		}
		return true
	}
	codes := map[string]int{}
	missingN := map[string]int{}
	distinct := map[string]bool{}
	var nums []float64
	var texts []string
	for _, row := range data {
		if !holds(row) {
			continue
		}
		w.rows++
		var v string
		if typ == "checkbox" {
			var ticked []string
			for _, c := range choices {
				if row[col[name+"___"+strings.ToLower(strings.ReplaceAll(c[0], "-", "_"))]] == "1" {
					ticked = append(ticked, c[0])
				}
			}
			miss := ""
			for _, m := range missingOrder {
				if i, ok := col[name+"___"+strings.ToLower(m)]; ok && row[i] == "1" {
					miss = m
				}
			}
			switch {
			case miss != "":
				w.miss++
				missingN[miss]++
			case len(ticked) == 0:
				w.blank++
			default:
				w.n++
				distinct[strings.Join(ticked, ",")] = true
				for _, c := range ticked {
					codes[c]++
				}
			}
			continue
		}
		v = row[col[name]]
		switch {
		case v == "":
			w.blank++
		case isMissing(v):
			w.miss++
			missingN[v]++
		case !valid(v):
			w.invalid++
		default:
			w.n++
			distinct[v] = true
			if choices != nil {
				codes[v]++
				continue
			}
			switch {
			case typ == "calc", val == "number", val == "integer":
				x, _ := strconv.ParseFloat(v, 64)
				nums = append(nums, x)
			case val == "date_ymd", val == "datetime_ymd", val == "time":
				texts = append(texts, v)
			}
		}
	}
	w.distinct = len(distinct)
	var parts []string
	for _, m := range missingOrder {
		if missingN[m] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", m, missingN[m]))
		}
	}
	w.codes = strings.Join(parts, ", ")
	if choices != nil {
		type cc struct {
			code, label string
			n, i        int
		}
		var all []cc
		for i, c := range choices {
			if codes[c[0]] > 0 {
				all = append(all, cc{c[0], c[1], codes[c[0]], i})
			}
		}
		sort := func(a, b cc) int {
			if a.n != b.n {
				return b.n - a.n
			}
			return a.i - b.i
		}
		slices.SortFunc(all, sort)
		var tops []string
		for i, x := range all {
			if i == 5 {
				tops = append(tops, "…")
				break
			}
			tops = append(tops, fmt.Sprintf("%s %s %d", x.code, x.label, x.n))
		}
		w.top = strings.Join(tops, ", ")
	}
	if len(nums) > 0 {
		slices.Sort(nums)
		f := func(x float64) string { return strconv.FormatFloat(math.Round(x*1e4)/1e4, 'f', -1, 64) }
		w.min, w.max = f(nums[0]), f(nums[len(nums)-1])
		sum := 0.0
		for _, x := range nums {
			sum += x
		}
		w.mean = f(sum / float64(len(nums)))
		m := nums[len(nums)/2]
		if len(nums)%2 == 0 {
			m = (nums[len(nums)/2-1] + m) / 2
		}
		w.median = f(m)
	}
	if len(texts) > 0 {
		// ISO dates, datetimes and times sort as text
		slices.Sort(texts)
		w.min, w.max = texts[0], texts[len(texts)-1]
		if len(texts)%2 == 1 || texts[len(texts)/2-1] == texts[len(texts)/2] {
			w.median = texts[len(texts)/2]
		} else {
			w.median = "?" // between two values: checked below for dates only
			if val == "date_ymd" {
				a, _ := time.Parse("2006-01-02", texts[len(texts)/2-1])
				b, _ := time.Parse("2006-01-02", texts[len(texts)/2])
				days := (float64(a.Unix()) + float64(b.Unix())) / 2 / 86400
				w.median = time.Unix(int64(math.Round(days))*86400, 0).UTC().Format("2006-01-02")
			}
		}
	}
}

// summaryWant is one field's figures as this test computes them.
type summaryWant struct {
	rows, n, blank, miss, invalid, distinct int
	codes, top, min, max, median, mean      string
}
