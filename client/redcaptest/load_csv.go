package redcaptest

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// LoadCSVDir builds a project from a folder of CSV files: the data
// dictionary (dictionary.csv with the UI's headers, or metadata.csv with
// the API's), data.csv (a flat record export, optional), and for
// longitudinal projects arm.csv and event.csv. Without a form–event mapping
// file (formEventMapping.csv: arm_num, unique_event_name, form) a form is
// designated on every event where data.csv holds a value of it. Repeating
// instruments and events, and DAGs, are read off data.csv's plumbing
// columns. The project is named after the folder.
func LoadCSVDir(dir string) (*Project, error) {
	p := &Project{Name: filepath.Base(filepath.Clean(dir))}
	p.Info.Title = p.Name
	dictPath := ""
	for _, name := range []string{"metadata.csv", "dictionary.csv", "dictionay.csv"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			dictPath = filepath.Join(dir, name)
			break
		}
	}
	if dictPath == "" {
		if x := filepath.Join(dir, "project.xml"); fileExists(x) {
			// a folder holding a project XML and its server state
			q, err := LoadODM(x)
			if err != nil {
				return nil, err
			}
			q.Name = p.Name
			if err := LoadState(q, dir); err != nil {
				return nil, err
			}
			return q, nil
		}
		return nil, fmt.Errorf("%s: no data dictionary (metadata.csv or dictionary.csv)", dir)
	}
	meta, err := readDictionary(dictPath)
	if err != nil {
		return nil, err
	}
	p.Metadata = meta
	if err := loadArmsEvents(p, dir); err != nil {
		return nil, err
	}
	// Init before reading data, to know the fields; again after the data
	// revealed repeating forms and designations.
	if err := p.Init(); err != nil {
		return nil, fmt.Errorf("%s: %w", dictPath, err)
	}
	if err := loadDataCSV(p, filepath.Join(dir, "data.csv")); err != nil {
		return nil, err
	}
	if err := p.Init(); err != nil {
		return nil, err
	}
	if err := LoadState(p, dir); err != nil {
		return nil, err
	}
	return p, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// readCSVFile reads a whole CSV file; a missing file is (nil, nil).
func readCSVFile(path string) ([][]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3) // UTF-8 byte order mark
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var out [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, rec)
	}
}

// dictionary headers of the UI download, in metadata column order.
var uiDictionaryHeaders = []string{"Variable / Field Name", "Form Name", "Section Header", "Field Type",
	"Field Label", "Choices, Calculations, OR Slider Labels", "Field Note",
	"Text Validation Type OR Show Slider Number", "Text Validation Min", "Text Validation Max",
	"Identifier?", "Branching Logic (Show field only if...)", "Required Field?", "Custom Alignment",
	"Question Number (surveys only)", "Matrix Group Name", "Matrix Ranking?", "Field Annotation"}

func readDictionary(path string) ([]Field, error) {
	recs, err := readCSVFile(path)
	if err != nil {
		return nil, err
	}
	if len(recs) < 2 {
		return nil, fmt.Errorf("%s: no fields", path)
	}
	head := recs[0]
	idx := make([]int, len(MetadataColumns))
	for i := range MetadataColumns {
		idx[i] = -1
		for j, h := range head {
			h = strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")
			if h == MetadataColumns[i] || h == uiDictionaryHeaders[i] {
				idx[i] = j
			}
		}
	}
	if idx[0] < 0 || idx[1] < 0 || idx[3] < 0 {
		return nil, fmt.Errorf("%s:1: header lacks field name, form name or field type", path)
	}
	rNA := filepath.Base(path) == "metadata.csv" // written by R: NA means empty
	var out []Field
	for n, rec := range recs[1:] {
		v := make([]string, len(MetadataColumns))
		for i, j := range idx {
			if j >= 0 && j < len(rec) {
				v[i] = rec[j]
				if rNA && v[i] == "NA" {
					v[i] = ""
				}
			}
		}
		if v[0] == "" {
			return nil, fmt.Errorf("%s:%d: empty field name", path, n+2)
		}
		out = append(out, Field{FieldName: v[0], FormName: v[1], SectionHeader: v[2], FieldType: v[3],
			FieldLabel: v[4], SelectChoicesOrCalculations: v[5], FieldNote: v[6],
			TextValidationTypeOrShowSliderNumber: legacyValidation(v[7]), TextValidationMin: v[8],
			TextValidationMax: v[9], Identifier: v[10], BranchingLogic: v[11], RequiredField: v[12],
			CustomAlignment: v[13], QuestionNumber: v[14], MatrixGroupName: v[15], MatrixRanking: v[16],
			FieldAnnotation: v[17]})
	}
	return out, nil
}

func loadArmsEvents(p *Project, dir string) error {
	arms, err := readCSVFile(filepath.Join(dir, "arm.csv"))
	if err != nil {
		return err
	}
	for n, rec := range arms {
		if n == 0 || len(rec) < 2 {
			continue
		}
		num, err := strconv.Atoi(rec[0])
		if err != nil {
			return fmt.Errorf("%s:%d: arm_num %q is not a number", filepath.Join(dir, "arm.csv"), n+1, rec[0])
		}
		p.Arms = append(p.Arms, Arm{Num: num, Name: rec[1]})
	}
	events, err := readCSVFile(filepath.Join(dir, "event.csv"))
	if err != nil {
		return err
	}
	if len(events) > 0 {
		h := events[0]
		col := func(name string) int { return indexOfString(h, name) }
		en, an, un, cl, id := col("event_name"), col("arm_num"), col("unique_event_name"), col("custom_event_label"), col("event_id")
		if en < 0 || an < 0 || un < 0 {
			return fmt.Errorf("%s:1: header needs event_name, arm_num, unique_event_name", filepath.Join(dir, "event.csv"))
		}
		for n, rec := range events[1:] {
			get := func(i int) string {
				if i >= 0 && i < len(rec) {
					return rec[i]
				}
				return ""
			}
			arm, err := strconv.Atoi(get(an))
			if err != nil {
				return fmt.Errorf("%s:%d: arm_num %q is not a number", filepath.Join(dir, "event.csv"), n+2, get(an))
			}
			e := Event{Name: get(en), ArmNum: arm, UniqueName: get(un), CustomLabel: get(cl), ID: len(p.Events) + 1}
			if x, err := strconv.Atoi(get(id)); err == nil {
				e.ID = x
			}
			p.Events = append(p.Events, e)
			if !hasArm(p, arm) {
				p.Arms = append(p.Arms, Arm{Num: arm, Name: "Arm " + strconv.Itoa(arm)})
			}
		}
	}
	fem, err := readCSVFile(filepath.Join(dir, "formEventMapping.csv"))
	if err != nil {
		return err
	}
	for n, rec := range fem {
		if n == 0 || len(rec) < 3 {
			continue
		}
		arm, _ := strconv.Atoi(rec[0])
		p.FormEventMapping = append(p.FormEventMapping, FormEvent{ArmNum: arm, UniqueName: rec[1], Form: rec[2]})
	}
	return nil
}

func hasArm(p *Project, n int) bool {
	for _, a := range p.Arms {
		if a.Num == n {
			return true
		}
	}
	return false
}

func indexOfString(list []string, s string) int {
	for i, x := range list {
		if strings.TrimPrefix(x, "\ufeff") == s {
			return i
		}
	}
	return -1
}

// loadDataCSV reads a flat record export into the project.
func loadDataCSV(p *Project, path string) error {
	recs, err := readCSVFile(path)
	if err != nil || len(recs) == 0 {
		return err
	}
	head := recs[0]
	cb := map[string][2]string{}
	for _, f := range p.Metadata {
		if f.FieldType == "checkbox" {
			for _, c := range append(p.Choices(f.FieldName), p.MissingCodes()...) {
				cb[CheckboxColumn(f.FieldName, c.Code)] = [2]string{f.FieldName, c.Code}
			}
		}
	}
	idCol := indexOfString(head, p.RecordIDField())
	if idCol < 0 {
		return fmt.Errorf("%s:1: no column for the record id field %q", path, p.RecordIDField())
	}
	for j, h := range head {
		if h == "" || j == idCol || strings.HasPrefix(h, "redcap_") || strings.HasSuffix(h, "_timestamp") {
			continue
		}
		if _, ok := cb[h]; !ok && p.Field(h) == nil {
			return fmt.Errorf("%s:1: column %q is not a field of the dictionary", path, h)
		}
	}
	evCol, riCol, rnCol, dagCol := indexOfString(head, "redcap_event_name"), indexOfString(head, "redcap_repeat_instrument"),
		indexOfString(head, "redcap_repeat_instance"), indexOfString(head, "redcap_data_access_group")
	store := NewMemStore()
	designated := map[[2]string]bool{}
	repeating := map[[2]string]bool{}
	dags := map[string]bool{}
	for n, rec := range recs[1:] {
		line := n + 2
		get := func(i int) string {
			if i >= 0 && i < len(rec) {
				return rec[i]
			}
			return ""
		}
		id := get(idCol)
		if id == "" {
			return fmt.Errorf("%s:%d: empty record id", path, line)
		}
		r, ok := store.Get(id)
		if !ok {
			r = &Record{ID: id}
			store.Put(r)
		}
		key := RowKey{Event: get(evCol), Instrument: get(riCol)}
		if s := get(rnCol); s != "" {
			inst, err := strconv.Atoi(s)
			if err != nil || inst < 1 {
				return fmt.Errorf("%s:%d: record %q: redcap_repeat_instance %q is not a positive integer", path, line, id, s)
			}
			key.Instance = inst
			repeating[[2]string{key.Event, key.Instrument}] = true
		}
		if d := get(dagCol); d != "" {
			r.DAG = d
			dags[d] = true
		}
		row := r.Ensure(key)
		for j, h := range head {
			v := get(j)
			if v == "" || h == "" || j == idCol || strings.HasPrefix(h, "redcap_") {
				continue // the record id is stored with every event's data
			}
			if fc, ok := cb[h]; ok {
				if v == "1" || v == "TRUE" {
					row.SetChecked(fc[0], fc[1], true)
				}
				designated[[2]string{key.Event, p.FormOf(fc[0])}] = true
				continue
			}
			f := p.Field(h)
			if f != nil && f.FieldType != "text" && f.FieldType != "notes" {
				switch v { // data written by R
				case "TRUE":
					v = "1"
				case "FALSE":
					v = "0"
				}
			}
			row.Values[h] = v
			designated[[2]string{key.Event, p.formOfAny(h)}] = true
		}
	}
	for r := range store.All() {
		kept := r.Rows[:0]
		for _, row := range r.Rows {
			if len(row.Values) > 0 {
				kept = append(kept, row)
			}
		}
		r.Rows = kept
	}
	p.Records = store
	var reps [][2]string
	for k := range repeating {
		reps = append(reps, k)
	}
	sort.Slice(reps, func(i, j int) bool {
		if reps[i][0] != reps[j][0] {
			return reps[i][0] < reps[j][0]
		}
		return p.formIndex(reps[i][1]) < p.formIndex(reps[j][1])
	})
	for _, k := range reps {
		p.Repeating = append(p.Repeating, RepeatingForm{Event: k[0], Form: k[1]})
	}
	var dagNames []string
	for d := range dags {
		dagNames = append(dagNames, d)
	}
	sort.Strings(dagNames)
	for _, d := range dagNames {
		if p.DAGByUnique(d) == nil {
			p.DAGs = append(p.DAGs, DAG{Name: d, UniqueName: d, ID: len(p.DAGs) + 1})
		}
	}
	if p.Longitudinal() && len(p.FormEventMapping) == 0 {
		for _, e := range p.Events {
			for _, in := range p.Instruments {
				if designated[[2]string{e.UniqueName, in.Name}] {
					p.FormEventMapping = append(p.FormEventMapping, FormEvent{ArmNum: e.ArmNum, UniqueName: e.UniqueName, Form: in.Name})
				}
			}
		}
	}
	return nil
}
