package redcaptest

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Design writes: metadata, arms, events, form–event mapping, repeating
// instruments and events, project settings. Like REDCap, the dictionary,
// arms and events change only in Development status; every change is
// validated as a whole before anything is replaced.

func init() {
	register("metadata", "import", handleMetadataImport)
	register("arm", "import", handleArmImport)
	register("arm", "delete", handleArmDelete)
	register("event", "import", handleEventImport)
	register("event", "delete", handleEventDelete)
	register("formEventMapping", "import", handleFEMImport)
	register("repeatingFormsEvents", "import", handleRepeatingImport)
	register("project_settings", "import", handleProjectSettingsImport)
}

var (
	fieldNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	fieldTypes  = map[string]bool{"text": true, "notes": true, "calc": true, "dropdown": true, "radio": true,
		"checkbox": true, "yesno": true, "truefalse": true, "file": true, "slider": true, "descriptive": true,
		"sql": true}
	knownValidations = map[string]bool{"": true, "integer": true, "number": true, "date_ymd": true, "date_mdy": true,
		"date_dmy": true, "datetime_ymd": true, "datetime_mdy": true, "datetime_dmy": true,
		"datetime_seconds_ymd": true, "datetime_seconds_mdy": true, "datetime_seconds_dmy": true,
		"time": true, "time_hh_mm_ss": true, "time_mm_ss": true, "email": true, "phone": true, "zipcode": true,
		"alpha_only": true, "ssn": true, "mrn_10d": true, "mrn_generic": true, "vmrn": true,
		"number_1dp": true, "number_2dp": true, "number_3dp": true, "number_4dp": true,
		"number_comma_decimal": true, "number_1dp_comma_decimal": true, "number_2dp_comma_decimal": true,
		"number_3dp_comma_decimal": true, "number_4dp_comma_decimal": true,
		"phone_australia": true, "phone_uk": true, "phone_france": true, "postalcode_australia": true,
		"postalcode_canada": true, "postalcode_french": true, "postalcode_germany": true, "postalcode_uk": true,
		"autocomplete": true, "signature": true, "int": true, "float": true, "date": true, "datetime": true,
		"datetime_seconds": true}
)

// designRows parses the data parameter of a design import.
func designRows(c *call) ([]*importRow, error) {
	if !c.Has("data") || strings.TrimSpace(c.Param("data")) == "" {
		return nil, errorf(http.StatusBadRequest, "The parameter 'data' is missing or empty")
	}
	rows, err := parseImportRows(c.Param("data"), c.Format)
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "%s", err.Error())
	}
	if len(rows) == 0 {
		return nil, errorf(http.StatusBadRequest, "The data contains no rows")
	}
	return rows, nil
}

func col(r *importRow, name string) string {
	v, _ := r.get(name)
	return strings.TrimSpace(v)
}

// formLabel is REDCap's default label of a new form: underscores to spaces,
// first letter upper-cased.
func formLabel(name string) string {
	s := strings.ReplaceAll(name, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func handleMetadataImport(c *call) error {
	if err := mNeedDesign(c, "import the data dictionary"); err != nil {
		return err
	}
	rows, err := designRows(c)
	if err != nil {
		return err
	}
	var fields []Field
	var probs []string
	seen := map[string]bool{}
	formDone := map[string]bool{}
	lastForm := ""
	for i, r := range rows {
		f := Field{FieldName: col(r, "field_name"), FormName: col(r, "form_name"), SectionHeader: col(r, "section_header"),
			FieldType: col(r, "field_type"), FieldLabel: col(r, "field_label"),
			SelectChoicesOrCalculations: col(r, "select_choices_or_calculations"), FieldNote: col(r, "field_note"),
			TextValidationTypeOrShowSliderNumber: col(r, "text_validation_type_or_show_slider_number"),
			TextValidationMin:                    col(r, "text_validation_min"), TextValidationMax: col(r, "text_validation_max"),
			Identifier: col(r, "identifier"), BranchingLogic: col(r, "branching_logic"), RequiredField: col(r, "required_field"),
			CustomAlignment: col(r, "custom_alignment"), QuestionNumber: col(r, "question_number"),
			MatrixGroupName: col(r, "matrix_group_name"), MatrixRanking: col(r, "matrix_ranking"),
			FieldAnnotation: col(r, "field_annotation")}
		switch f.FieldType {
		case "select":
			f.FieldType = "dropdown"
		case "textarea":
			f.FieldType = "notes"
		}
		where := fmt.Sprintf("row %d (%s)", i+1, f.FieldName)
		switch {
		case f.FieldName == "":
			probs = append(probs, fmt.Sprintf("row %d: the variable name (field_name) is missing", i+1))
		case !fieldNameRE.MatchString(f.FieldName) || len(f.FieldName) > 100:
			probs = append(probs, where+": the variable name may only contain lower-case letters, numbers and underscores and must begin with a letter")
		case strings.Contains(f.FieldName, "___"):
			probs = append(probs, where+": the variable name may not contain three underscores in a row")
		case seen[f.FieldName]:
			probs = append(probs, where+": the variable name is used more than once")
		}
		seen[f.FieldName] = true
		if !fieldNameRE.MatchString(f.FormName) {
			probs = append(probs, where+": the form name (form_name) must contain only lower-case letters, numbers and underscores and begin with a letter")
		} else if f.FormName != lastForm {
			if formDone[f.FormName] {
				probs = append(probs, where+": the fields of form '"+f.FormName+"' are not all together")
			}
			formDone[lastForm] = true
			lastForm = f.FormName
		}
		if f.FieldName == f.FormName+"_complete" {
			probs = append(probs, where+": the variable name is reserved for the form status field")
		}
		if !fieldTypes[f.FieldType] {
			probs = append(probs, where+": the field type '"+f.FieldType+"' is not valid")
		}
		switch f.FieldType {
		case "radio", "dropdown", "checkbox":
			ch := ParseChoices(f.SelectChoicesOrCalculations)
			if len(ch) == 0 {
				probs = append(probs, where+": a "+f.FieldType+" field needs choices (select_choices_or_calculations)")
			}
			codes := map[string]bool{}
			for _, x := range ch {
				if f.FieldType == "checkbox" && strings.Contains(x.Code, ",") {
					probs = append(probs, where+": checkbox codes may not contain commas")
				}
				if codes[x.Code] {
					probs = append(probs, where+": the choice code '"+x.Code+"' is used more than once")
				}
				codes[x.Code] = true
			}
		case "calc":
			if f.SelectChoicesOrCalculations == "" {
				probs = append(probs, where+": a calc field needs a calculation (select_choices_or_calculations)")
			}
		}
		if f.FieldType == "text" && !knownValidations[f.TextValidationTypeOrShowSliderNumber] {
			probs = append(probs, where+": the validation type '"+f.TextValidationTypeOrShowSliderNumber+"' is not valid")
		}
		for _, yn := range []struct{ name, v string }{{"identifier", f.Identifier}, {"required_field", f.RequiredField}, {"matrix_ranking", f.MatrixRanking}} {
			if yn.v != "" && yn.v != "y" {
				probs = append(probs, where+": "+yn.name+" must be 'y' or blank")
			}
		}
		fields = append(fields, f)
	}
	if len(fields) > 0 && fields[0].FieldType != "text" {
		probs = append(probs, "the first field ("+fields[0].FieldName+") is the record ID field and must be a text field")
	}
	if len(probs) > 0 {
		return errorf(http.StatusBadRequest, "There were errors in the data dictionary:\n%s", strings.Join(probs, "\n"))
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	old := p.Metadata
	oldInstr := p.Instruments
	p.Metadata = fields
	// Keep the labels and survey settings of forms that remain, in the new order.
	var instr []Instrument
	have := map[string]bool{}
	for _, f := range fields {
		if have[f.FormName] {
			continue
		}
		have[f.FormName] = true
		in := Instrument{Name: f.FormName, Label: formLabel(f.FormName)}
		for _, o := range oldInstr {
			if o.Name == f.FormName {
				in = o
			}
		}
		instr = append(instr, in)
	}
	p.Instruments = instr
	p.FormEventMapping = slices.DeleteFunc(p.FormEventMapping, func(fe FormEvent) bool { return !have[fe.Form] })
	p.Repeating = slices.DeleteFunc(p.Repeating, func(r RepeatingForm) bool { return r.Form != "" && !have[r.Form] })
	if err := p.Init(); err != nil {
		p.Metadata, p.Instruments = old, oldInstr
		p.Init()
		return errorf(http.StatusBadRequest, "%s", err.Error())
	}
	logDesign(c, "Upload data dictionary (API)")
	return mWrite(c, "text", []byte(strconv.Itoa(len(fields))))
}

func handleArmImport(c *call) error {
	if err := mNeedDesign(c, "import arms"); err != nil {
		return err
	}
	rows, err := designRows(c)
	if err != nil {
		return err
	}
	var arms []Arm
	seen := map[int]bool{}
	for i, r := range rows {
		n, err := strconv.Atoi(col(r, "arm_num"))
		if err != nil || n < 1 {
			return errorf(http.StatusBadRequest, "Row %d: the arm number (arm_num) '%s' must be a positive integer", i+1, col(r, "arm_num"))
		}
		name := col(r, "name")
		if name == "" {
			return errorf(http.StatusBadRequest, "Row %d: the arm name (name) is missing", i+1)
		}
		if seen[n] {
			return errorf(http.StatusBadRequest, "Row %d: arm %d appears more than once", i+1, n)
		}
		seen[n] = true
		arms = append(arms, Arm{Num: n, Name: name})
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	if c.Bool("override") {
		// Arms missing from the data go, with their events and data.
		var gone []int
		for _, a := range p.Arms {
			if !seen[a.Num] {
				gone = append(gone, a.Num)
			}
		}
		p.removeArms(gone)
		p.Arms = nil
	}
	for _, a := range arms {
		i := slices.IndexFunc(p.Arms, func(x Arm) bool { return x.Num == a.Num })
		if i >= 0 {
			p.Arms[i].Name = a.Name
		} else {
			p.Arms = append(p.Arms, a)
		}
	}
	slices.SortFunc(p.Arms, func(a, b Arm) int { return a.Num - b.Num })
	logDesign(c, "Import arms (API)")
	return mWrite(c, "text", []byte(strconv.Itoa(len(arms))))
}

// removeArms deletes arms, their events, designations, repeating settings
// and the data recorded on those events. The caller holds p.Mu.
func (p *Project) removeArms(nums []int) {
	if len(nums) == 0 {
		return
	}
	var evs []string
	for _, e := range p.Events {
		if slices.Contains(nums, e.ArmNum) {
			evs = append(evs, e.UniqueName)
		}
	}
	p.removeEvents(evs)
	p.Arms = slices.DeleteFunc(p.Arms, func(a Arm) bool { return slices.Contains(nums, a.Num) })
}

// removeEvents deletes events with their designations, repeating settings
// and data. The caller holds p.Mu.
func (p *Project) removeEvents(evs []string) {
	if len(evs) == 0 {
		return
	}
	gone := map[string]bool{}
	for _, e := range evs {
		gone[e] = true
	}
	p.Events = slices.DeleteFunc(p.Events, func(e Event) bool { return gone[e.UniqueName] })
	p.FormEventMapping = slices.DeleteFunc(p.FormEventMapping, func(fe FormEvent) bool { return gone[fe.UniqueName] })
	p.Repeating = slices.DeleteFunc(p.Repeating, func(r RepeatingForm) bool { return gone[r.Event] })
	var touched []string
	for rec := range p.Records.All() {
		if slices.ContainsFunc(rec.Rows, func(r *Row) bool { return gone[r.Event] }) {
			touched = append(touched, rec.ID)
		}
	}
	if len(touched) > 0 {
		store := p.Writable()
		for _, id := range touched {
			r := store.Edit(id)
			r.Rows = slices.DeleteFunc(r.Rows, func(row *Row) bool { return gone[row.Event] })
			if len(r.Rows) == 0 {
				store.Delete(id)
			}
		}
		for k := range p.Files {
			if gone[k.Event] {
				delete(p.Files, k)
			}
		}
		now := time.Now()
		for _, id := range touched {
			p.AppendLog(LogEntry{Time: now, User: "api_user", Action: "Delete event data " + id, Kind: LogRecordDelete, Record: id})
		}
	}
	p.Init()
}

func handleArmDelete(c *call) error {
	if err := mNeedDesign(c, "delete arms"); err != nil {
		return err
	}
	list, err := arrayParam(c, "arms")
	if err != nil {
		return err
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	var nums []int
	for _, s := range list {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || !slices.ContainsFunc(p.Arms, func(a Arm) bool { return a.Num == n }) {
			return errorf(http.StatusBadRequest, "The arm number '%s' does not exist in this project", s)
		}
		if !slices.Contains(nums, n) {
			nums = append(nums, n)
		}
	}
	p.removeArms(nums)
	logDesign(c, "Delete arms (API)")
	return mWrite(c, "text", []byte(strconv.Itoa(len(nums))))
}

// uniqueEventName derives REDCap's unique event name: the label lower-cased,
// runs of other characters turned into "_", cut to 18 characters, plus
// "_arm_N"; a numeric suffix keeps it unique.
func uniqueEventName(p *Project, label string, arm int, taken map[string]bool) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(strings.TrimSpace(label)) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			under = false
		} else if !under && b.Len() > 0 {
			b.WriteByte('_')
			under = true
		}
	}
	base := strings.TrimRight(b.String(), "_")
	if len(base) > 18 {
		base = strings.TrimRight(base[:18], "_")
	}
	if base == "" {
		base = "event"
	}
	name := fmt.Sprintf("%s_arm_%d", base, arm)
	for suffix := 'b'; taken[name] || p.Event(name) != nil; suffix++ {
		name = fmt.Sprintf("%s_arm_%d%c", base, arm, suffix)
	}
	return name
}

var uniqueEventRE = regexp.MustCompile(`^[a-z0-9_]+$`)

func handleEventImport(c *call) error {
	if err := mNeedDesign(c, "import events"); err != nil {
		return err
	}
	rows, err := designRows(c)
	if err != nil {
		return err
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	override := c.Bool("override")
	var evs []Event
	taken := map[string]bool{}
	maxID := 0
	for _, e := range p.Events {
		maxID = max(maxID, e.ID)
	}
	for i, r := range rows {
		name := col(r, "event_name")
		if name == "" {
			return errorf(http.StatusBadRequest, "Row %d: the event name (event_name) is missing", i+1)
		}
		arm, err := strconv.Atoi(col(r, "arm_num"))
		if err != nil || !slices.ContainsFunc(p.Arms, func(a Arm) bool { return a.Num == arm }) {
			return errorf(http.StatusBadRequest, "Row %d: the arm number '%s' does not exist in this project: import the arm first", i+1, col(r, "arm_num"))
		}
		e := Event{Name: name, ArmNum: arm, UniqueName: col(r, "unique_event_name"), CustomLabel: col(r, "custom_event_label")}
		for _, f := range []struct {
			name string
			dst  *float64
		}{{"days_offset", &e.DayOffset}, {"offset_min", &e.OffsetMin}, {"offset_max", &e.OffsetMax}} {
			if s := col(r, f.name); s != "" {
				v, err := strconv.ParseFloat(s, 64)
				if err != nil {
					return errorf(http.StatusBadRequest, "Row %d: %s '%s' is not a number", i+1, f.name, s)
				}
				*f.dst = v
			}
		}
		if old := p.Event(e.UniqueName); e.UniqueName != "" && old == nil && override {
			// override=1 replaces every event: a unique name from an earlier
			// export (PyCap restores a project's events so) is taken as given.
			if !uniqueEventRE.MatchString(e.UniqueName) {
				return errorf(http.StatusBadRequest, "Row %d: the unique event name '%s' is not valid (lower-case letters, digits and underscores)", i+1, e.UniqueName)
			}
			maxID++
			e.ID = maxID
		} else if e.UniqueName != "" {
			if old == nil {
				return errorf(http.StatusBadRequest, "Row %d: the unique event name '%s' does not exist: leave unique_event_name blank to create an event", i+1, e.UniqueName)
			}
			if old.ArmNum != arm {
				return errorf(http.StatusBadRequest, "Row %d: the event '%s' belongs to arm %d, not arm %d", i+1, e.UniqueName, old.ArmNum, arm)
			}
			e.ID = old.ID
		} else {
			e.UniqueName = uniqueEventName(p, name, arm, taken)
			maxID++
			e.ID = maxID
		}
		if taken[e.UniqueName] {
			return errorf(http.StatusBadRequest, "Row %d: the event '%s' appears more than once", i+1, e.UniqueName)
		}
		taken[e.UniqueName] = true
		evs = append(evs, e)
	}
	if override {
		var gone []string
		for _, e := range p.Events {
			if !taken[e.UniqueName] {
				gone = append(gone, e.UniqueName)
			}
		}
		p.removeEvents(gone)
	}
	for _, e := range evs {
		if i := slices.IndexFunc(p.Events, func(x Event) bool { return x.UniqueName == e.UniqueName }); i >= 0 {
			p.Events[i] = e
		} else {
			p.Events = append(p.Events, e)
		}
	}
	slices.SortStableFunc(p.Events, func(a, b Event) int { return a.ArmNum - b.ArmNum })
	p.Init()
	logDesign(c, "Import events (API)")
	return mWrite(c, "text", []byte(strconv.Itoa(len(evs))))
}

func handleEventDelete(c *call) error {
	if err := mNeedDesign(c, "delete events"); err != nil {
		return err
	}
	list, err := arrayParam(c, "events")
	if err != nil {
		return err
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	if !p.Longitudinal() {
		return errorf(http.StatusBadRequest, "You cannot delete events for classic projects")
	}
	evs, err := distinctExisting(list, "event", func(e string) bool { return p.Event(e) != nil })
	if err != nil {
		return err
	}
	p.removeEvents(evs)
	logDesign(c, "Delete events (API)")
	return mWrite(c, "text", []byte(strconv.Itoa(len(evs))))
}

func handleFEMImport(c *call) error {
	if err := mNeedDesignRight(c); err != nil {
		return err
	}
	rows, err := designRows(c)
	if err != nil {
		return err
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	if !p.Longitudinal() {
		return errorf(http.StatusBadRequest, "You cannot import form/event mappings for classic projects")
	}
	var fem []FormEvent
	dup := map[[2]string]bool{}
	for i, r := range rows {
		arm, err := strconv.Atoi(col(r, "arm_num"))
		if err != nil {
			return errorf(http.StatusBadRequest, "Row %d: the arm number '%s' is not valid", i+1, col(r, "arm_num"))
		}
		ev, form := col(r, "unique_event_name"), col(r, "form")
		e := p.Event(ev)
		switch {
		case e == nil:
			return errorf(http.StatusBadRequest, "Row %d: the event '%s' does not exist in this project", i+1, ev)
		case e.ArmNum != arm:
			return errorf(http.StatusBadRequest, "Row %d: the event '%s' does not belong to arm %d", i+1, ev, arm)
		case p.FormFields(form) == nil:
			return errorf(http.StatusBadRequest, "Row %d: the instrument '%s' does not exist in this project", i+1, form)
		}
		if dup[[2]string{ev, form}] {
			continue
		}
		dup[[2]string{ev, form}] = true
		fem = append(fem, FormEvent{ArmNum: arm, UniqueName: ev, Form: form})
	}
	// The import replaces the mapping of the whole project, arms the data
	// does not name included: PyCap's integration test against a real
	// REDCap (tests/integration/test_long_project.py, test_fem_import)
	// imports one arm-1 row into a 2-arm project with 44 mappings and then
	// exports exactly that one row.
	p.FormEventMapping = fem
	order := map[string]int{}
	for i, e := range p.Events {
		order[e.UniqueName] = i
	}
	forder := map[string]int{}
	for i, in := range p.Instruments {
		forder[in.Name] = i
	}
	slices.SortStableFunc(p.FormEventMapping, func(a, b FormEvent) int {
		if d := order[a.UniqueName] - order[b.UniqueName]; d != 0 {
			return d
		}
		return forder[a.Form] - forder[b.Form]
	})
	logDesign(c, "Import instrument-event mappings (API)")
	return mWrite(c, "text", []byte(strconv.Itoa(len(fem))))
}

func handleRepeatingImport(c *call) error {
	if err := mNeedDesignRight(c); err != nil {
		return err
	}
	rows, err := designRows(c)
	if err != nil {
		return err
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	var reps []RepeatingForm
	seen := map[[2]string]bool{}
	for i, r := range rows {
		ev, form := col(r, "event_name"), col(r, "form_name")
		if p.Longitudinal() {
			if p.Event(ev) == nil {
				return errorf(http.StatusBadRequest, "Row %d: the event '%s' does not exist in this project", i+1, ev)
			}
		} else if ev != "" {
			return errorf(http.StatusBadRequest, "Row %d: event_name must be blank in a classic project", i+1)
		}
		if form == "" && !p.Longitudinal() {
			return errorf(http.StatusBadRequest, "Row %d: the instrument name (form_name) is missing", i+1)
		}
		if form != "" {
			if p.FormFields(form) == nil {
				return errorf(http.StatusBadRequest, "Row %d: the instrument '%s' does not exist in this project", i+1, form)
			}
			if ev != "" && !p.Designated(form, ev) {
				return errorf(http.StatusBadRequest, "Row %d: the instrument '%s' is not designated for the event '%s'", i+1, form, ev)
			}
		}
		if seen[[2]string{ev, form}] {
			return errorf(http.StatusBadRequest, "Row %d: the event/instrument pair appears more than once", i+1)
		}
		seen[[2]string{ev, form}] = true
		reps = append(reps, RepeatingForm{Event: ev, Form: form, CustomLabel: col(r, "custom_form_label")})
	}
	for _, r := range reps {
		if r.Form != "" && seen[[2]string{r.Event, ""}] {
			return errorf(http.StatusBadRequest, "The event '%s' repeats as a whole, so its instrument '%s' cannot also repeat on it", r.Event, r.Form)
		}
	}
	p.Repeating = reps
	logDesign(c, "Set up repeating instruments and events (API)")
	return mWrite(c, "text", []byte(strconv.Itoa(len(reps))))
}

func handleProjectSettingsImport(c *call) error {
	if err := mNeedDesignRight(c); err != nil {
		return err
	}
	rows, err := designRows(c)
	if err != nil {
		return err
	}
	if len(rows) != 1 {
		return errorf(http.StatusBadRequest, "The data must hold exactly one set of project settings")
	}
	r := rows[0]
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	info := p.Info
	n := 0
	bit := func(name, v string) (bool, error) {
		switch v {
		case "0":
			return false, nil
		case "1":
			return true, nil
		}
		return false, errorf(http.StatusBadRequest, "The value '%s' of %s must be 0 or 1", v, name)
	}
	for _, name := range r.cols {
		v := col(r, name)
		var err error
		switch name {
		case "project_title":
			if v == "" {
				return errorf(http.StatusBadRequest, "The project title cannot be blank")
			}
			info.Title = v
		case "project_language":
			info.Language = v
		case "purpose":
			x, e := strconv.Atoi(v)
			if e != nil || x < 0 || x > 4 {
				return errorf(http.StatusBadRequest, "The purpose '%s' must be 0, 1, 2, 3 or 4", v)
			}
			info.Purpose = x
		case "purpose_other":
			info.PurposeOther = v
		case "project_notes":
			info.Notes = v
		case "custom_record_label":
			info.CustomRecordLabel = v
		case "secondary_unique_field":
			if v != "" && p.Field(v) == nil {
				return errorf(http.StatusBadRequest, "The secondary unique field '%s' is not a field of this project", v)
			}
			info.SecondaryUniqueField = v
		case "surveys_enabled":
			info.SurveysEnabled, err = bit(name, v)
		case "scheduling_enabled":
			info.SchedulingEnabled, err = bit(name, v)
		case "record_autonumbering_enabled":
			info.AutoNumbering, err = bit(name, v)
		case "randomization_enabled":
			info.RandomizationEnabled, err = bit(name, v)
		case "project_irb_number":
			info.IRBNumber = v
		case "project_grant_number":
			info.GrantNumber = v
		case "project_pi_firstname":
			info.PIFirstName = v
		case "project_pi_lastname":
			info.PILastName = v
		case "display_today_now_button":
			info.DisplayTodayNowButton, err = bit(name, v)
		case "missing_data_codes":
			info.MissingDataCodes = v
		case "bypass_branching_erase_field_prompt":
			info.BypassBranchingErase, err = bit(name, v)
		default:
			continue // read-only or unknown attributes are ignored, as REDCap does
		}
		if err != nil {
			return err
		}
		n++
	}
	p.Info = info
	p.choiceCache = map[string][]Choice{}
	logDesign(c, "Modify project settings (API)")
	return mWrite(c, "text", []byte(strconv.Itoa(n)))
}
