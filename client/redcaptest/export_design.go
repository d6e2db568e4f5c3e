package redcaptest

import (
	"net/http"
	"strconv"
	"strings"
)

// Read exports of the project design: metadata, field names, instruments,
// project info, arms, events, form–event mapping, repeating setup.

func init() {
	register("metadata", "export", exportMetadata)
	register("exportFieldNames", "export", exportFieldNames)
	register("instrument", "export", loggedExport(exportInstruments, "Export instruments (API)"))
	register("project", "export", loggedExport(exportProjectInfo, "Export project information (API)"))
	register("arm", "export", exportArms)
	register("event", "export", exportEvents)
	register("formEventMapping", "export", exportFormEventMapping)
	register("repeatingFormsEvents", "export", exportRepeating)
}

// readLocked runs fn with the project read-locked.
// loggedExport writes what, under Manage/Design, to the log after a
// successful export, as REDCap logs these API reads (the fixtures'
// log-read capture lists "Export DAGs (API)", "Export project information
// (API)", "Export instruments (API)" and "Export Logging (API)"; other
// design reads are not logged here, as no capture shows their wording).
func loggedExport(h func(c *call) error, what string) func(c *call) error {
	return func(c *call) error {
		if err := h(c); err != nil {
			return err
		}
		if c.Project != nil {
			c.Project.Mu.Lock()
			logDesign(c, what)
			c.Project.Mu.Unlock()
		}
		return nil
	}
}

func readLocked(c *call, fn func(p *Project) error) error {
	c.Project.Mu.RLock()
	defer c.Project.Mu.RUnlock()
	return fn(c.Project)
}

func exportMetadata(c *call) error {
	return readLocked(c, func(p *Project) error {
		fields := stripChars(c.List("fields"), `'"`)
		forms := stripChars(c.List("forms"), `'"`)
		if err := checkListParam("fields", fields, p.isDictField); err != nil {
			return err
		}
		if err := checkListParam("forms", forms, func(f string) bool { return p.FormFields(f) != nil }); err != nil {
			return err
		}
		want := map[string]bool{}
		for _, f := range fields {
			want[f] = true
		}
		wantForm := map[string]bool{}
		for _, f := range forms {
			wantForm[f] = true
		}
		t := c.newTable(MetadataColumns)
		for i := range p.Metadata {
			f := &p.Metadata[i]
			if (len(fields) > 0 || len(forms) > 0) && !want[f.FieldName] && !wantForm[f.FormName] {
				continue
			}
			if err := t.Row(f.Values()); err != nil {
				return nil
			}
		}
		return t.Close()
	})
}

func exportFieldNames(c *call) error {
	return readLocked(c, func(p *Project) error {
		only := c.Param("field")
		if only != "" && p.Field(only) == nil {
			return errorf(http.StatusBadRequest, `The following values in the parameter "field" are not valid: %s`, quoteList([]string{only}))
		}
		t := c.newTable([]string{"original_field_name", "choice_value", "export_field_name"})
		missing := p.MissingCodes()
		emit := func(name, code, export string) bool { return t.Row([]string{name, code, export}) == nil }
		prevForm := ""
		status := func(form string) bool {
			name := form + "_complete"
			if only == "" || only == name {
				return emit(name, "", name)
			}
			return true
		}
		for i := range p.Metadata {
			f := &p.Metadata[i]
			if prevForm != "" && f.FormName != prevForm && !status(prevForm) {
				return nil
			}
			prevForm = f.FormName
			if (only != "" && only != f.FieldName) || f.FieldType == "descriptive" || f.FieldType == "file" {
				continue
			}
			if f.FieldType == "checkbox" {
				for _, o := range p.checkboxOptions(f, missing) {
					if !emit(f.FieldName, o.Code, CheckboxColumn(f.FieldName, o.Code)) {
						return nil
					}
				}
				continue
			}
			if !emit(f.FieldName, "", f.FieldName) {
				return nil
			}
		}
		if prevForm != "" && !status(prevForm) {
			return nil
		}
		return t.Close()
	})
}

func exportInstruments(c *call) error {
	return readLocked(c, func(p *Project) error {
		t := c.newTable([]string{"instrument_name", "instrument_label"})
		for _, in := range p.Instruments {
			if t.Row([]string{in.Name, in.Label}) != nil {
				return nil
			}
		}
		return t.Close()
	})
}

func b01(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// ProjectInfoColumns are the project info export's columns, in order.
var ProjectInfoColumns = []string{"project_id", "project_title", "creation_time", "production_time",
	"in_production", "project_language", "purpose", "purpose_other", "project_notes", "custom_record_label",
	"secondary_unique_field", "is_longitudinal", "has_repeating_instruments_or_events", "surveys_enabled",
	"scheduling_enabled", "record_autonumbering_enabled", "randomization_enabled", "ddp_enabled",
	"project_irb_number", "project_grant_number", "project_pi_firstname", "project_pi_lastname",
	"project_pi_email", "display_today_now_button", "missing_data_codes", "external_modules", "bypass_branching_erase_field_prompt"}

// infoValues renders the project info row.
func (p *Project) infoValues() []string {
	in := p.Info
	lang := in.Language
	if lang == "" {
		lang = "English"
	}
	created := in.CreationTime
	if created == "" && !p.Created.IsZero() {
		created = p.Created.Format("2006-01-02 15:04:05")
	}
	return []string{strconv.Itoa(in.ProjectID), in.Title, created, in.ProductionTime, b01(in.InProduction),
		lang, strconv.Itoa(in.Purpose), in.PurposeOther, in.Notes, in.CustomRecordLabel, in.SecondaryUniqueField,
		b01(p.Longitudinal()), b01(p.HasRepeating()), b01(in.SurveysEnabled), b01(in.SchedulingEnabled),
		b01(in.AutoNumbering), b01(in.RandomizationEnabled), b01(in.DDPEnabled), in.IRBNumber, in.GrantNumber,
		in.PIFirstName, in.PILastName, in.PIEmail, b01(in.DisplayTodayNowButton), in.MissingDataCodes, in.ExternalModules,
		b01(in.BypassBranchingErase)}
}

func exportProjectInfo(c *call) error {
	if c.Project == nil {
		return errorf(http.StatusForbidden, msgNoPermission)
	}
	return readLocked(c, func(p *Project) error {
		vals := p.infoValues()
		if c.Format == "json" {
			// REDCap answers one JSON object, numbers for the id and flags.
			c.w.Header().Set("Content-Type", contentType("json"))
			c.w.WriteHeader(http.StatusOK)
			var b strings.Builder
			b.WriteByte('{')
			for i, col := range ProjectInfoColumns {
				if i > 0 {
					b.WriteByte(',')
				}
				writeJSONString(&b, col)
				b.WriteByte(':')
				if isIntColumn(col) && vals[i] != "" {
					b.WriteString(vals[i])
				} else {
					writeJSONString(&b, vals[i])
				}
			}
			b.WriteByte('}')
			_, err := c.w.Write([]byte(b.String()))
			return err
		}
		t := c.newTable(ProjectInfoColumns)
		t.Row(vals)
		return t.Close()
	})
}

func isIntColumn(col string) bool {
	switch col {
	case "project_id", "in_production", "purpose", "is_longitudinal", "has_repeating_instruments_or_events",
		"surveys_enabled", "scheduling_enabled", "record_autonumbering_enabled", "randomization_enabled",
		"ddp_enabled", "display_today_now_button", "bypass_branching_erase_field_prompt":
		return true
	}
	return false
}

// armFilter parses the arms parameter (nil = all arms).
func armFilter(c *call) map[int]bool {
	arms := c.List("arms")
	if len(arms) == 0 {
		return nil
	}
	m := map[int]bool{}
	for _, a := range arms {
		if n, err := strconv.Atoi(a); err == nil {
			m[n] = true
		}
	}
	return m
}

func exportArms(c *call) error {
	return readLocked(c, func(p *Project) error {
		if !p.Longitudinal() {
			return errorf(http.StatusBadRequest, "You cannot export arms for classic projects")
		}
		want := armFilter(c)
		t := c.newTable([]string{"arm_num", "name"})
		t.guard = true
		t.numeric = []bool{true, false}
		// An arm without events is not listed: PyCap's integration test
		// against a real REDCap (test_long_project.py, test_arms_import)
		// notes "REDCap will not return an Arm unless it has an event
		// associated with it" and adds an event before it looks.
		hasEvents := map[int]bool{}
		for _, e := range p.Events {
			hasEvents[e.ArmNum] = true
		}
		for _, a := range p.Arms {
			if (want == nil || want[a.Num]) && hasEvents[a.Num] {
				t.Row([]string{strconv.Itoa(a.Num), a.Name})
			}
		}
		return t.Close()
	})
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func exportEvents(c *call) error {
	return readLocked(c, func(p *Project) error {
		if !p.Longitudinal() {
			return errorf(http.StatusBadRequest, "You cannot export events for classic projects")
		}
		want := armFilter(c)
		cols := []string{"event_name", "arm_num", "unique_event_name", "custom_event_label", "event_id"}
		if p.Info.SchedulingEnabled {
			cols = []string{"event_name", "arm_num", "day_offset", "offset_min", "offset_max",
				"unique_event_name", "custom_event_label", "event_id"}
		}
		t := c.newTable(cols)
		t.numeric = make([]bool, len(cols))
		for i, col := range cols {
			t.numeric[i] = col == "arm_num" || col == "event_id" || strings.HasPrefix(col, "day_") || strings.HasPrefix(col, "offset_")
		}
		for _, e := range p.Events {
			if want != nil && !want[e.ArmNum] {
				continue
			}
			row := []string{e.Name, strconv.Itoa(e.ArmNum), e.UniqueName, e.CustomLabel, strconv.Itoa(e.ID)}
			if p.Info.SchedulingEnabled {
				row = []string{e.Name, strconv.Itoa(e.ArmNum), fmtNum(e.DayOffset), fmtNum(e.OffsetMin),
					fmtNum(e.OffsetMax), e.UniqueName, e.CustomLabel, strconv.Itoa(e.ID)}
			}
			t.Row(row)
		}
		return t.Close()
	})
}

func exportFormEventMapping(c *call) error {
	return readLocked(c, func(p *Project) error {
		if !p.Longitudinal() {
			return errorf(http.StatusBadRequest, "You cannot export form/event mappings for classic projects")
		}
		want := armFilter(c)
		t := c.newTable([]string{"arm_num", "unique_event_name", "form"})
		t.numeric = []bool{true, false, false}
		for _, e := range p.Events {
			if want != nil && !want[e.ArmNum] {
				continue
			}
			for _, fe := range p.FormEventMapping {
				if fe.UniqueName == e.UniqueName {
					t.Row([]string{strconv.Itoa(e.ArmNum), e.UniqueName, fe.Form})
				}
			}
		}
		return t.Close()
	})
}

func exportRepeating(c *call) error {
	return readLocked(c, func(p *Project) error {
		if !p.HasRepeating() {
			return errorf(http.StatusBadRequest, "You cannot export repeating instruments and events because the project does not have any.")
		}
		cols := []string{"form_name", "custom_form_label"}
		if p.Longitudinal() {
			cols = []string{"event_name", "form_name", "custom_form_label"}
		}
		t := c.newTable(cols)
		for _, r := range p.Repeating {
			row := []string{r.Form, r.CustomLabel}
			if p.Longitudinal() {
				row = []string{r.Event, r.Form, r.CustomLabel}
			}
			t.Row(row)
		}
		return t.Close()
	})
}
