package redcaptest

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// content=project_xml: the project as CDISC ODM 1.3.1 with REDCap's
// redcap: extensions, in the layout REDCap writes (GlobalVariables,
// MetaDataVersion with one item group per form plus a Form Status group,
// ClinicalData by subject, event and form). LoadODM/ReadODM read it back.

func init() {
	register("project_xml", "export", handleProjectXML)
}

var odmOIDRE = regexp.MustCompile(`[^A-Za-z0-9]+`)

func handleProjectXML(c *call) error {
	p := c.Project
	p.Mu.RLock()
	defer p.Mu.RUnlock()
	x := &odmWriter{p: p, dag: c.DAG(), metaOnly: c.Bool("returnMetadataOnly"),
		dags: c.Bool("exportDataAccessGroups") && c.DAG() == "", survey: c.Bool("exportSurveyFields"),
		files: c.Bool("exportFiles")}
	if ids := c.List("records"); len(ids) > 0 {
		x.records = map[string]bool{}
		for _, id := range ids {
			x.records[strings.ReplaceAll(id, "'", "")] = true
		}
	}
	if list := c.List("fields"); len(list) > 0 {
		unquote := strings.NewReplacer("'", "", `"`, "")
		fs := make([]string, len(list))
		for i, f := range list {
			fs[i] = unquote.Replace(f)
		}
		if err := checkListParam("fields", fs, func(f string) bool { return p.Field(f) != nil }); err != nil {
			return err
		}
		x.fields = map[string]bool{p.RecordIDField(): true}
		for _, f := range fs {
			x.fields[f] = true
		}
	}
	if err := x.applyExportRights(c); err != nil {
		return err
	}
	if evs := c.List("events"); len(evs) > 0 {
		if !p.Longitudinal() {
			return errorf(http.StatusBadRequest, "You cannot export events for classic projects")
		}
		if err := checkListParam("events", evs, func(e string) bool { return p.Event(e) != nil }); err != nil {
			return err
		}
		x.events = map[string]bool{}
		for _, e := range evs {
			x.events[e] = true
		}
	}
	if strings.TrimSpace(c.Param("filterLogic")) != "" && !x.metaOnly {
		// The record export's own filter decides, row by row, as in REDCap.
		rx, err := parseRecordExport(c, p)
		if err != nil {
			return err
		}
		// Keyed by record and row key, not by *Row: a generated store (the
		// demo) builds fresh records on every pass over it.
		x.pass = map[passKey]bool{}
		for rec := range p.Records.All() {
			if err := rx.eachRow(rec, func(row *Row) bool { x.pass[passKey{rec.ID, row.RowKey}] = true; return true }); err != nil {
				return err
			}
		}
	}
	c.w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	c.w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(c.w, 64<<10)
	x.w = bw
	x.write(time.Now())
	bw.Flush()
	return nil
}

// passKey names a row across passes over a store: record, event, repeat
// instrument and instance.
type passKey struct {
	record string
	RowKey
}

type odmWriter struct {
	p        *Project
	w        *bufio.Writer
	dag      string
	metaOnly bool
	dags     bool
	survey   bool
	records  map[string]bool
	fields   map[string]bool
	events   map[string]bool
	pass     map[passKey]bool // rows passing filterLogic (nil: no filter)
	files    bool             // exportFiles: file contents as ItemDataBase64Binary
	// deny holds the fields (and form statuses) the caller's data export
	// rights hide, denyForm the instruments with "No Access"; hashSalt,
	// when set, hashes record names (export_rights.go).
	deny     map[string]bool
	denyForm map[string]bool
	hashSalt string
}

// recordName is a record's name as the caller may see it.
func (x *odmWriter) recordName(id string) string {
	if x.hashSalt == "" {
		return id
	}
	return hashRecordName(x.hashSalt, id)
}

// applyExportRights fills deny, denyForm and hashSalt from the caller's
// data export rights (export_rights.go).
func (x *odmWriter) applyExportRights(c *call) error {
	if x.metaOnly {
		return nil
	}
	var err error
	x.deny, x.denyForm, x.hashSalt, err = exportDenied(c, x.p)
	return err
}

func (x *odmWriter) printf(format string, args ...any) { fmt.Fprintf(x.w, format, args...) }

func odmAttr(s string) string { return mXMLEscape(s) }

func odmBit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// groupOID is the OID of a form's data item group (REDCap names it after
// the form's first field).
func (x *odmWriter) groupOID(form string) string {
	if fs := x.p.FormFields(form); len(fs) > 0 {
		return form + "." + fs[0]
	}
	return form + ".fields"
}

func (x *odmWriter) write(now time.Time) {
	p := x.p
	oid := "Project." + odmOIDRE.ReplaceAllString(p.Info.Title, "")
	mdv := "Metadata." + odmOIDRE.ReplaceAllString(p.Info.Title, "") + "_" + now.Format("2006-01-02_1504")
	ts := now.Format("2006-01-02T15:04:05")
	x.printf(`<?xml version="1.0" encoding="UTF-8" ?>` + "\n")
	x.printf(`<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:redcap="https://projectredcap.org" xsi:schemaLocation="http://www.cdisc.org/ns/odm/v1.3 schema/odm/ODM1-3-1.xsd" ODMVersion="1.3.1" FileOID="000-00-0000" FileType="Snapshot" Description="%s" AsOfDateTime="%s" CreationDateTime="%s" SourceSystem="REDCap" SourceSystemVersion="%s">`+"\n",
		odmAttr(p.Info.Title), ts, ts, Version)
	x.printf("<Study OID=\"%s\">\n<GlobalVariables>\n", odmAttr(oid))
	x.printf("\t<StudyName>%s</StudyName>\n", odmAttr(p.Info.Title))
	x.printf("\t<StudyDescription>This file contains the metadata, events, and data for REDCap project \"%s\".</StudyDescription>\n", odmAttr(p.Info.Title))
	x.printf("\t<ProtocolName>%s</ProtocolName>\n", odmAttr(p.Info.Title))
	for _, kv := range [][2]string{
		{"RecordAutonumberingEnabled", odmBit(p.Info.AutoNumbering)},
		{"CustomRecordLabel", p.Info.CustomRecordLabel},
		{"SecondaryUniqueField", p.Info.SecondaryUniqueField},
		{"SchedulingEnabled", odmBit(p.Info.SchedulingEnabled)},
		{"SurveysEnabled", odmBit(p.Info.SurveysEnabled)},
		{"RandomizationEnabled", odmBit(p.Info.RandomizationEnabled)},
		{"DisplayTodayNowButton", odmBit(p.Info.DisplayTodayNowButton)},
		{"PreventBranchingEraseValues", odmBit(p.Info.BypassBranchingErase)},
		{"Purpose", strconv.Itoa(p.Info.Purpose)},
		{"PurposeOther", p.Info.PurposeOther},
		{"ProjectNotes", p.Info.Notes},
		{"MissingDataCodes", p.Info.MissingDataCodes},
	} {
		x.printf("\t<redcap:%s>%s</redcap:%s>\n", kv[0], odmAttr(kv[1]), kv[0])
	}
	if len(p.Repeating) > 0 {
		x.printf("\t<redcap:RepeatingInstrumentsAndEvents>\n")
		var inst, evs []RepeatingForm
		for _, r := range p.Repeating {
			if r.Form != "" {
				inst = append(inst, r)
			} else {
				evs = append(evs, r)
			}
		}
		uniq := func(ev string) string {
			if ev == "" && !p.Longitudinal() {
				return "event_1_arm_1"
			}
			return ev
		}
		if len(inst) > 0 {
			x.printf("\t\t<redcap:RepeatingInstruments>\n")
			for _, r := range inst {
				x.printf("\t\t\t<redcap:RepeatingInstrument redcap:UniqueEventName=\"%s\" redcap:RepeatInstrument=\"%s\" redcap:CustomLabel=\"%s\"/>\n", odmAttr(uniq(r.Event)), odmAttr(r.Form), odmAttr(r.CustomLabel))
			}
			x.printf("\t\t</redcap:RepeatingInstruments>\n")
		}
		if len(evs) > 0 {
			x.printf("\t\t<redcap:RepeatingEvents>\n")
			for _, r := range evs {
				x.printf("\t\t\t<redcap:RepeatingEvent redcap:UniqueEventName=\"%s\"/>\n", odmAttr(uniq(r.Event)))
			}
			x.printf("\t\t</redcap:RepeatingEvents>\n")
		}
		x.printf("\t</redcap:RepeatingInstrumentsAndEvents>\n")
	}
	if len(p.DAGs) > 0 {
		x.printf("\t<redcap:DataAccessGroupsGroup>\n")
		for _, d := range p.DAGs {
			x.printf("\t\t<redcap:DataAccessGroups group_name=\"%s\"/>\n", odmAttr(d.Name))
		}
		x.printf("\t</redcap:DataAccessGroupsGroup>\n")
	}
	var surveys []Instrument
	for _, in := range p.Instruments {
		if in.Survey {
			surveys = append(surveys, in)
		}
	}
	if len(surveys) > 0 {
		x.printf("\t<redcap:SurveysGroup>\n")
		for _, in := range surveys {
			x.printf("\t\t<redcap:Surveys form_name=\"%s\" title=\"%s\"/>\n", odmAttr(in.Name), odmAttr(in.Label))
		}
		x.printf("\t</redcap:SurveysGroup>\n")
	}
	if len(p.Roles) > 0 {
		x.printf("\t<redcap:UserRolesGroup>\n")
		for _, r := range p.Roles {
			x.printf("\t\t<redcap:UserRoles role_name=\"%s\" unique_role_name=\"%s\"", odmAttr(r.Label), odmAttr(r.UniqueName))
			keys := make([]string, 0, len(r.Rights))
			for k := range r.Rights {
				if k != "role_name" && k != "unique_role_name" {
					keys = append(keys, k)
				}
			}
			slices.Sort(keys)
			for _, k := range keys {
				x.printf(" %s=\"%s\"", k, odmAttr(r.Rights[k]))
			}
			x.printf("/>\n")
		}
		x.printf("\t</redcap:UserRolesGroup>\n")
	}
	if len(p.Reports) > 0 {
		x.printf("\t<redcap:ReportsGroup>\n")
		for _, r := range p.Reports {
			x.printf("\t\t<redcap:Reports title=\"%s\" advanced_logic=\"%s\" redcap_reports_fields=\"%s\" redcap_reports_filter_events=\"%s\"/>\n",
				odmAttr(r.Title), odmAttr(r.Logic), odmAttr(strings.Join(r.Fields, ",")), odmAttr(strings.Join(r.Events, ",")))
		}
		x.printf("\t</redcap:ReportsGroup>\n")
	}
	x.printf("</GlobalVariables>\n")
	x.printf("<MetaDataVersion OID=\"%s\" Name=\"%s\" redcap:RecordIdField=\"%s\">\n", odmAttr(mdv), odmAttr(p.Info.Title), odmAttr(p.RecordIDField()))
	x.writeProtocol()
	x.writeForms()
	x.writeItems()
	x.printf("</MetaDataVersion>\n</Study>\n")
	if !x.metaOnly {
		x.printf("<ClinicalData StudyOID=\"%s\" MetaDataVersionOID=\"%s\">\n", odmAttr(oid), odmAttr(mdv))
		x.writeData()
		x.printf("</ClinicalData>\n")
	}
	x.printf("</ODM>")
}

func (x *odmWriter) armName(n int) string {
	for _, r := range x.p.Arms {
		if r.Num == n {
			return r.Name
		}
	}
	return ""
}

func (x *odmWriter) writeProtocol() {
	p := x.p
	if !p.Longitudinal() {
		return
	}
	x.printf("\t<Protocol>\n")
	for i, e := range p.Events {
		x.printf("\t\t<StudyEventRef StudyEventOID=\"Event.%s\" OrderNumber=\"%d\" Mandatory=\"No\"/>\n", odmAttr(e.UniqueName), i+1)
	}
	x.printf("\t</Protocol>\n")
	for _, e := range p.Events {
		rep := "No"
		if p.RepeatingEvent(e.UniqueName) {
			rep = "Yes"
		}
		x.printf("\t<StudyEventDef OID=\"Event.%s\" Name=\"%s (Arm %d: %s)\" Type=\"Common\" Repeating=\"%s\" redcap:EventName=\"%s\" redcap:CustomEventLabel=\"%s\" redcap:UniqueEventName=\"%s\" redcap:ArmNum=\"%d\" redcap:ArmName=\"%s\" redcap:DayOffset=\"%s\" redcap:OffsetMin=\"%s\" redcap:OffsetMax=\"%s\">\n",
			odmAttr(e.UniqueName), odmAttr(e.Name), e.ArmNum, odmAttr(x.armName(e.ArmNum)), rep, odmAttr(e.Name), odmAttr(e.CustomLabel), odmAttr(e.UniqueName), e.ArmNum, odmAttr(x.armName(e.ArmNum)),
			fnum(e.DayOffset), fnum(e.OffsetMin), fnum(e.OffsetMax))
		var forms []string
		for _, fe := range p.FormEventMapping {
			if fe.UniqueName == e.UniqueName && !slices.Contains(forms, fe.Form) {
				forms = append(forms, fe.Form)
			}
		}
		for i, f := range forms {
			x.printf("\t\t<FormRef FormOID=\"Form.%s\" OrderNumber=\"%d\" Mandatory=\"No\" redcap:FormName=\"%s\"/>\n", odmAttr(f), i+1, odmAttr(f))
		}
		x.printf("\t</StudyEventDef>\n")
	}
}

func fnum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// forms returns the instruments in dictionary order (the order of their
// fields), which is the order REDCap writes FormDefs in.
func (x *odmWriter) forms() []Instrument {
	var out []Instrument
	seen := map[string]bool{}
	for _, f := range x.p.Metadata {
		if seen[f.FormName] {
			continue
		}
		seen[f.FormName] = true
		in := Instrument{Name: f.FormName, Label: f.FormName}
		for _, i := range x.p.Instruments {
			if i.Name == f.FormName {
				in = i
			}
		}
		out = append(out, in)
	}
	return out
}

func (x *odmWriter) writeForms() {
	p := x.p
	for _, in := range x.forms() {
		rep := "No"
		for _, r := range p.Repeating {
			if r.Form == in.Name {
				rep = "Yes"
			}
		}
		x.printf("\t<FormDef OID=\"Form.%s\" Name=\"%s\" Repeating=\"%s\" redcap:FormName=\"%s\">\n", odmAttr(in.Name), odmAttr(in.Label), rep, odmAttr(in.Name))
		x.printf("\t\t<ItemGroupRef ItemGroupOID=\"%s\" Mandatory=\"No\"/>\n", odmAttr(x.groupOID(in.Name)))
		x.printf("\t\t<ItemGroupRef ItemGroupOID=\"%s.%s_complete\" Mandatory=\"No\"/>\n", odmAttr(in.Name), odmAttr(in.Name))
		x.printf("\t</FormDef>\n")
	}
	for i, in := range x.forms() {
		x.printf("\t<ItemGroupDef OID=\"%s\" Name=\"%s\" Repeating=\"No\">\n", odmAttr(x.groupOID(in.Name)), odmAttr(in.Label))
		for _, name := range p.FormFields(in.Name) {
			f := p.Field(name)
			if f.FieldType == "checkbox" {
				for _, ch := range x.checkboxCodes(name) {
					x.printf("\t\t<ItemRef ItemOID=\"%s\" Mandatory=\"No\" redcap:Variable=\"%s\"/>\n", odmAttr(CheckboxColumn(name, ch)), odmAttr(name))
				}
				continue
			}
			x.printf("\t\t<ItemRef ItemOID=\"%s\" Mandatory=\"No\" redcap:Variable=\"%s\"/>\n", odmAttr(name), odmAttr(name))
			if i == 0 && name == p.RecordIDField() {
				if x.dags {
					x.printf("\t\t<ItemRef ItemOID=\"redcap_data_access_group\" Mandatory=\"No\" redcap:Variable=\"redcap_data_access_group\"/>\n")
				}
				if x.survey {
					x.printf("\t\t<ItemRef ItemOID=\"redcap_survey_identifier\" Mandatory=\"No\" redcap:Variable=\"redcap_survey_identifier\"/>\n")
				}
			}
		}
		if x.survey && in.Survey {
			x.printf("\t\t<ItemRef ItemOID=\"%s_timestamp\" Mandatory=\"No\" redcap:Variable=\"%s_timestamp\"/>\n", odmAttr(in.Name), odmAttr(in.Name))
		}
		x.printf("\t</ItemGroupDef>\n")
		x.printf("\t<ItemGroupDef OID=\"%s.%s_complete\" Name=\"Form Status\" Repeating=\"No\">\n", odmAttr(in.Name), odmAttr(in.Name))
		x.printf("\t\t<ItemRef ItemOID=\"%s_complete\" Mandatory=\"No\" redcap:Variable=\"%s_complete\"/>\n", odmAttr(in.Name), odmAttr(in.Name))
		x.printf("\t</ItemGroupDef>\n")
	}
}

// checkboxCodes are the option codes of a checkbox, missing codes included
// unless the field carries @NOMISSING.
func (x *odmWriter) checkboxCodes(field string) []string {
	var out []string
	for _, c := range x.p.Choices(field) {
		out = append(out, c.Code)
	}
	if f := x.p.Field(field); f != nil && !strings.Contains(f.FieldAnnotation, "@NOMISSING") {
		for _, c := range x.p.MissingCodes() {
			if !slices.Contains(out, c.Code) {
				out = append(out, c.Code)
			}
		}
	}
	return out
}

func odmDataType(f *Field) string {
	switch f.FieldType {
	case "checkbox":
		return "boolean"
	case "calc", "slider":
		return "float"
	case "text":
		v := legacyValidation(f.TextValidationTypeOrShowSliderNumber)
		switch {
		case v == "integer":
			return "integer"
		case strings.HasPrefix(v, "number"):
			return "float"
		case strings.HasPrefix(v, "datetime"):
			return "datetime"
		case strings.HasPrefix(v, "date"):
			return "date"
		case strings.HasPrefix(v, "time"):
			return "time"
		}
	}
	return "text"
}

func odmFieldType(t string) string {
	switch t {
	case "dropdown":
		return "select"
	case "notes":
		return "textarea"
	}
	return t
}

func (x *odmWriter) writeItems() {
	p := x.p
	var codeLists []string // field names needing a CodeList, in order
	item := func(oid string, f *Field) {
		x.printf("\t<ItemDef OID=\"%s\" Name=\"%s\" DataType=\"%s\" Length=\"999\" redcap:Variable=\"%s\" redcap:FieldType=\"%s\"",
			odmAttr(oid), odmAttr(oid), odmDataType(f), odmAttr(f.FieldName), odmFieldType(f.FieldType))
		for _, kv := range [][2]string{
			{"TextValidationType", f.TextValidationTypeOrShowSliderNumber}, {"FieldNote", f.FieldNote},
			{"SectionHeader", f.SectionHeader}, {"Identifier", f.Identifier}, {"BranchingLogic", f.BranchingLogic},
			{"RequiredField", f.RequiredField}, {"CustomAlignment", f.CustomAlignment}, {"QuestionNumber", f.QuestionNumber},
			{"MatrixGroupName", f.MatrixGroupName}, {"MatrixRanking", f.MatrixRanking}, {"FieldAnnotation", f.FieldAnnotation},
		} {
			if kv[1] != "" {
				x.printf(" redcap:%s=\"%s\"", kv[0], odmAttr(kv[1]))
			}
		}
		switch f.FieldType {
		case "calc", "sql":
			x.printf(" redcap:Calculation=\"%s\"", odmAttr(f.SelectChoicesOrCalculations))
		case "slider":
			x.printf(" redcap:SliderLabels=\"%s\"", odmAttr(f.SelectChoicesOrCalculations))
		case "checkbox":
			x.printf(" redcap:CheckboxChoices=\"%s\"", odmAttr(f.SelectChoicesOrCalculations))
		}
		x.printf(">\n\t\t<Question><TranslatedText>%s</TranslatedText></Question>\n", odmAttr(f.FieldLabel))
		switch f.FieldType {
		case "radio", "dropdown", "yesno", "truefalse", "checkbox":
			x.printf("\t\t<CodeListRef CodeListOID=\"%s.choices\"/>\n", odmAttr(oid))
			codeLists = append(codeLists, oid)
		}
		if f.FieldType == "text" {
			for _, rc := range [][2]string{{"GE", f.TextValidationMin}, {"LE", f.TextValidationMax}} {
				if rc[1] != "" {
					x.printf("\t\t<RangeCheck Comparator=\"%s\" SoftHard=\"Soft\">\n\t\t\t<CheckValue>%s</CheckValue>\n\t\t</RangeCheck>\n", rc[0], odmAttr(rc[1]))
				}
			}
		}
		x.printf("\t</ItemDef>\n")
	}
	plumbing := func(name, label string) {
		x.printf("\t<ItemDef OID=\"%s\" Name=\"%s\" DataType=\"text\" Length=\"999\" redcap:Variable=\"%s\">\n\t\t<Question><TranslatedText>%s</TranslatedText></Question>\n\t</ItemDef>\n",
			name, name, name, odmAttr(label))
	}
	for i, in := range x.forms() {
		for _, name := range p.FormFields(in.Name) {
			f := p.Field(name)
			if f.FieldType == "checkbox" {
				for _, code := range x.checkboxCodes(name) {
					item(CheckboxColumn(name, code), f)
				}
				continue
			}
			item(name, f)
			if i == 0 && name == p.RecordIDField() {
				if x.dags {
					plumbing("redcap_data_access_group", "Data Access Group")
				}
				if x.survey {
					plumbing("redcap_survey_identifier", "Survey Identifier")
				}
			}
		}
		if x.survey && in.Survey {
			plumbing(in.Name+"_timestamp", "Survey Timestamp")
		}
		st := p.Field(in.Name + "_complete")
		if st == nil {
			st = &Field{FieldName: in.Name + "_complete", FormName: in.Name, FieldType: "dropdown",
				FieldLabel: "Complete?", SelectChoicesOrCalculations: "0, Incomplete | 1, Unverified | 2, Complete"}
		}
		sf := *st
		sf.FieldType, sf.SectionHeader = "dropdown", "Form Status"
		item(in.Name+"_complete", &sf)
	}
	for _, oid := range codeLists {
		field := oid
		if i := strings.Index(oid, "___"); i > 0 {
			field = oid[:i]
		}
		f := p.Field(field)
		var choices []Choice
		switch f.FieldType {
		case "checkbox":
			choices = []Choice{{"1", "Checked"}, {"0", "Unchecked"}}
		case "yesno":
			choices = []Choice{{"1", "Yes"}, {"0", "No"}}
		case "truefalse":
			choices = []Choice{{"1", "True"}, {"0", "False"}}
		default:
			choices = ParseChoices(f.SelectChoicesOrCalculations)
		}
		extra := ""
		if f.FieldType == "checkbox" {
			extra = fmt.Sprintf(" redcap:CheckboxChoices=\"%s\"", odmAttr(f.SelectChoicesOrCalculations))
		}
		dt := "text"
		if f.FieldType == "checkbox" {
			dt = "boolean"
		}
		x.printf("\t<CodeList OID=\"%s.choices\" Name=\"%s\" DataType=\"%s\" redcap:Variable=\"%s\"%s>\n", odmAttr(oid), odmAttr(oid), dt, odmAttr(field), extra)
		for _, ch := range choices {
			x.printf("\t\t<CodeListItem CodedValue=\"%s\"><Decode><TranslatedText>%s</TranslatedText></Decode></CodeListItem>\n", odmAttr(ch.Code), odmAttr(ch.Label))
		}
		x.printf("\t</CodeList>\n")
	}
}

// writeData writes ClinicalData: per record, per row (event order, then
// instance), the forms holding data.
func (x *odmWriter) writeData() {
	p := x.p
	evOrder := map[string]int{}
	for i, e := range p.Events {
		evOrder[e.UniqueName] = i
	}
	idField := p.RecordIDField()
	for rec := range p.Records.All() {
		if x.records != nil && !x.records[rec.ID] {
			continue
		}
		if x.dag != "" && rec.DAG != x.dag {
			continue
		}
		rows := slices.Clone(rec.Rows)
		slices.SortStableFunc(rows, func(r1, r2 *Row) int {
			if d := evOrder[r1.Event] - evOrder[r2.Event]; d != 0 {
				return d
			}
			if r1.Instrument != r2.Instrument {
				return strings.Compare(r1.Instrument, r2.Instrument)
			}
			return r1.Instance - r2.Instance
		})
		started := false
		curEvent, curEvRep := "\x00", -1
		dagDone := false
		for _, row := range rows {
			if x.events != nil && !x.events[row.Event] {
				continue
			}
			if x.pass != nil && !x.pass[passKey{rec.ID, row.RowKey}] {
				continue
			}
			forms := p.EventForms(row.Event)
			var out []string
			for _, form := range forms {
				switch {
				case row.Instrument != "" && form != row.Instrument:
					continue
				case row.Instrument == "" && p.RepeatingForm(row.Event, form):
					continue
				}
				if !x.formHasData(row, form) || x.denyForm[form] {
					continue
				}
				out = append(out, form)
			}
			if len(out) == 0 {
				continue
			}
			if !started {
				x.printf("\t<SubjectData SubjectKey=\"%s\" redcap:RecordIdField=\"%s\">\n", odmAttr(x.recordName(rec.ID)), odmAttr(idField))
				started = true
			}
			evRep := 1
			if p.RepeatingEvent(row.Event) {
				evRep = max(row.Instance, 1)
			}
			if p.Longitudinal() && (row.Event != curEvent || evRep != curEvRep) {
				if curEvent != "\x00" {
					x.printf("\t\t</StudyEventData>\n")
				}
				x.printf("\t\t<StudyEventData StudyEventOID=\"Event.%s\" StudyEventRepeatKey=\"%d\" redcap:UniqueEventName=\"%s\">\n", odmAttr(row.Event), evRep, odmAttr(row.Event))
				curEvent, curEvRep = row.Event, evRep
			}
			formRep := 1
			if row.Instrument != "" {
				formRep = max(row.Instance, 1)
			}
			for fi, form := range out {
				x.printf("\t\t\t<FormData FormOID=\"Form.%s\" FormRepeatKey=\"%d\">\n", odmAttr(form), formRep)
				x.printf("\t\t\t\t<ItemGroupData ItemGroupOID=\"%s\" ItemGroupRepeatKey=\"1\">\n", odmAttr(x.groupOID(form)))
				if fi == 0 && p.FormOf(idField) != form {
					x.itemData(idField, x.recordName(rec.ID))
				}
				for _, name := range p.FormFields(form) {
					if x.fields != nil && !x.fields[name] || x.deny[name] {
						continue
					}
					f := p.Field(name)
					switch {
					case name == idField:
						x.itemData(name, x.recordName(rec.ID))
						if x.dags && !dagDone && rec.DAG != "" {
							x.itemData("redcap_data_access_group", rec.DAG)
							dagDone = true
						}
					case f.FieldType == "checkbox":
						for _, code := range x.checkboxCodes(name) {
							x.itemData(CheckboxColumn(name, code), odmBit(row.IsChecked(name, code)))
						}
					case f.FieldType == "descriptive":
					case f.FieldType == "file" && x.files && row.Values[name] != "":
						inst := max(row.Instance, 1)
						if sf := p.Files[FileKey{Record: rec.ID, Field: name, Event: row.Event, Instance: inst}]; sf != nil {
							x.printf("\t\t\t\t\t<ItemDataBase64Binary ItemOID=\"%s\" redcap:DocName=\"%s\" redcap:MimeType=\"%s\"><![CDATA[%s]]></ItemDataBase64Binary>\n",
								odmAttr(name), odmAttr(sf.Name), odmAttr(sf.MIME), base64.StdEncoding.EncodeToString(sf.Data))
						} else {
							x.itemData(name, row.Values[name])
						}
					default:
						if v := row.Values[name]; v != "" {
							x.itemData(name, v)
						}
					}
				}
				if x.survey {
					if v := row.Values[form+"_timestamp"]; v != "" {
						x.itemData(form+"_timestamp", v)
					}
				}
				x.printf("\t\t\t\t</ItemGroupData>\n")
				if v := row.Values[form+"_complete"]; v != "" && (x.fields == nil || x.fields[form+"_complete"]) && !x.deny[form+"_complete"] {
					x.printf("\t\t\t\t<ItemGroupData ItemGroupOID=\"%s.%s_complete\" ItemGroupRepeatKey=\"1\">\n", odmAttr(form), odmAttr(form))
					x.itemData(form+"_complete", v)
					x.printf("\t\t\t\t</ItemGroupData>\n")
				}
				x.printf("\t\t\t</FormData>\n")
			}
		}
		if started {
			if p.Longitudinal() && curEvent != "\x00" {
				x.printf("\t\t</StudyEventData>\n")
			}
			x.printf("\t</SubjectData>\n")
		}
	}
}

func (x *odmWriter) itemData(oid, v string) {
	x.printf("\t\t\t\t\t<ItemData ItemOID=\"%s\" Value=\"%s\"/>\n", odmAttr(oid), odmAttr(v))
}

// formHasData reports whether a row holds a value of the form (its status included).
func (x *odmWriter) formHasData(row *Row, form string) bool {
	if row.Values[form+"_complete"] != "" {
		return true
	}
	for _, name := range x.p.FormFields(form) {
		if name != x.p.RecordIDField() && row.Values[name] != "" {
			return true
		}
	}
	return false
}
