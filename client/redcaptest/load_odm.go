package redcaptest

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LoadODM reads a REDCap CDISC ODM project export (a "project.xml", with or
// without data) into a Project named after the file's folder. A data
// dictionary download of the same design in that folder (dictionary.csv or
// metadata.csv) restores the exact choices text the ODM loses; see
// restoreChoiceText.
func LoadODM(path string) (*Project, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := ReadODM(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if base := filepath.Base(path); base == "project.xml" {
		p.Name = filepath.Base(filepath.Dir(path))
	} else {
		p.Name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	if restoreChoiceText(p, filepath.Dir(path)) {
		if err := p.Init(); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return p, nil
}

// odmItem is an ItemDef as read, before it becomes a dictionary row.
type odmItem struct {
	Field
	variable  string // redcap:Variable (checkbox items share it)
	codeList  string
	checkbox  string // CheckboxChoices
	hasType   bool   // has redcap:FieldType (plumbing items do not)
	rangeGE   string
	rangeLE   string
	comparing string
}

type odmReader struct {
	d       *xml.Decoder
	p       *Project
	stack   []string
	text    strings.Builder
	items   map[string]*odmItem
	order   []string            // ItemOIDs in form/group order
	groups  map[string][]string // ItemGroupOID → ItemOIDs
	formGrp [][2]string         // (form, ItemGroupOID) in order
	codes   map[string][]Choice // CodeList OID → choices
	cbCodes map[string]string   // CodeList OID → CheckboxChoices
	curItem *odmItem
	curCode string
	curCL   string
	curForm string
	curGrp  string
	curEvt  string // StudyEventDef unique name
	repeats []RepeatingForm
	dagVals map[string]bool

	// ClinicalData state
	rec      *Record
	ev       string
	evRepeat int
	form     string
	formRep  int
	cbCols   map[string][2]string // checkbox column → field, code
	store    *MemStore
	binItem  string
	binName  string
	binMIME  string
	inBinary bool
}

// ReadODM parses a REDCap ODM project export.
func ReadODM(r io.Reader) (*Project, error) {
	x := &odmReader{d: xml.NewDecoder(r), p: &Project{}, items: map[string]*odmItem{},
		groups: map[string][]string{}, codes: map[string][]Choice{}, cbCodes: map[string]string{}, dagVals: map[string]bool{},
		store: NewMemStore()}
	x.d.Strict = false
	if err := x.run(); err != nil {
		line, col := x.d.InputPos()
		return nil, fmt.Errorf("%d:%d: %w", line, col, err)
	}
	return x.p, nil
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
		return n
	}
	return def
}

func (x *odmReader) run() error {
	for {
		tok, err := x.d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			x.stack = append(x.stack, t.Name.Local)
			x.text.Reset()
			if err := x.start(t); err != nil {
				return err
			}
		case xml.CharData:
			x.text.Write(t)
		case xml.EndElement:
			if err := x.end(t.Name.Local, x.text.String()); err != nil {
				return err
			}
			x.text.Reset()
			x.stack = x.stack[:len(x.stack)-1]
		}
	}
	return x.finish()
}

func (x *odmReader) parent(n int) string {
	if len(x.stack) > n {
		return x.stack[len(x.stack)-1-n]
	}
	return ""
}

func (x *odmReader) start(se xml.StartElement) error {
	p := x.p
	switch se.Name.Local {
	case "DataAccessGroups":
		name := attr(se, "group_name")
		p.DAGs = append(p.DAGs, DAG{Name: name, UniqueName: UniqueDAGName(name), ID: len(p.DAGs) + 1})
	case "UserRoles":
		role := Role{UniqueName: attr(se, "unique_role_name"), Label: attr(se, "role_name"), Rights: map[string]string{}}
		for _, a := range se.Attr {
			role.Rights[a.Name.Local] = a.Value
		}
		p.Roles = append(p.Roles, role)
	case "Reports":
		rep := Report{ID: len(p.Reports) + 1, Title: attr(se, "title"), Logic: attr(se, "advanced_logic"),
			RemoveLineBreaks: attr(se, "remove_line_breaks_in_values") == "1"}
		for _, f := range strings.Split(attr(se, "redcap_reports_fields"), ",") {
			if f = strings.TrimSpace(f); f != "" {
				rep.Fields = append(rep.Fields, f)
			}
		}
		for _, e := range strings.Split(attr(se, "redcap_reports_filter_events"), ",") {
			if e = strings.TrimSpace(e); e != "" {
				rep.Events = append(rep.Events, e)
			}
		}
		p.Reports = append(p.Reports, rep)
	case "RepeatingInstrument":
		x.repeats = append(x.repeats, RepeatingForm{Event: attr(se, "UniqueEventName"),
			Form: attr(se, "RepeatInstrument"), CustomLabel: attr(se, "CustomLabel")})
	case "RepeatingEvent":
		x.repeats = append(x.repeats, RepeatingForm{Event: attr(se, "UniqueEventName")})
	case "Surveys":
		x.surveyForm(attr(se, "form_name"), attr(se, "title"))
	case "MetaDataVersion":
		// nothing: the record id is the first field
	case "StudyEventDef":
		ev := Event{Name: attr(se, "EventName"), ArmNum: atoiOr(attr(se, "ArmNum"), 1),
			UniqueName: attr(se, "UniqueEventName"), CustomLabel: attr(se, "CustomEventLabel"), ID: len(p.Events) + 1}
		ev.DayOffset, _ = strconv.ParseFloat(attr(se, "DayOffset"), 64)
		ev.OffsetMin, _ = strconv.ParseFloat(attr(se, "OffsetMin"), 64)
		ev.OffsetMax, _ = strconv.ParseFloat(attr(se, "OffsetMax"), 64)
		p.Events = append(p.Events, ev)
		x.curEvt = ev.UniqueName
		found := false
		for _, a := range p.Arms {
			if a.Num == ev.ArmNum {
				found = true
			}
		}
		if !found {
			p.Arms = append(p.Arms, Arm{Num: ev.ArmNum, Name: attr(se, "ArmName")})
		}
	case "FormRef":
		if x.curEvt != "" {
			e := p.Events[len(p.Events)-1]
			p.FormEventMapping = append(p.FormEventMapping, FormEvent{ArmNum: e.ArmNum, UniqueName: e.UniqueName,
				Form: strings.TrimPrefix(attr(se, "FormOID"), "Form.")})
		}
	case "FormDef":
		x.curForm = attr(se, "FormName")
		if x.curForm == "" {
			x.curForm = strings.TrimPrefix(attr(se, "OID"), "Form.")
		}
		x.addInstrument(x.curForm, attr(se, "Name"))
	case "ItemGroupRef":
		if x.parent(1) == "FormDef" {
			x.formGrp = append(x.formGrp, [2]string{x.curForm, attr(se, "ItemGroupOID")})
		}
	case "ItemGroupDef":
		x.curGrp = attr(se, "OID")
	case "ItemRef":
		if x.parent(1) == "ItemGroupDef" {
			x.groups[x.curGrp] = append(x.groups[x.curGrp], attr(se, "ItemOID"))
		}
	case "ItemDef":
		it := &odmItem{variable: attr(se, "Variable"), codeList: ""}
		it.FieldName = attr(se, "Variable")
		if it.FieldName == "" {
			it.FieldName = attr(se, "Name")
		}
		ft := attr(se, "FieldType")
		it.hasType = ft != ""
		it.FieldType = ft
		it.TextValidationTypeOrShowSliderNumber = legacyValidation(attr(se, "TextValidationType"))
		it.FieldNote = attr(se, "FieldNote")
		it.SectionHeader = attr(se, "SectionHeader")
		it.Identifier = attr(se, "Identifier")
		it.BranchingLogic = attr(se, "BranchingLogic")
		it.RequiredField = attr(se, "RequiredField")
		it.CustomAlignment = attr(se, "CustomAlignment")
		it.MatrixGroupName = attr(se, "MatrixGroupName")
		it.MatrixRanking = attr(se, "MatrixRanking")
		it.QuestionNumber = attr(se, "QuestionNumber")
		it.FieldAnnotation = attr(se, "FieldAnnotation")
		switch ft {
		case "calc":
			it.SelectChoicesOrCalculations = attr(se, "Calculation")
		case "slider":
			it.SelectChoicesOrCalculations = attr(se, "SliderLabels")
		case "sql":
			it.SelectChoicesOrCalculations = attr(se, "Calculation")
		}
		it.checkbox = attr(se, "CheckboxChoices")
		x.items[attr(se, "OID")] = it
		x.curItem = it
	case "CodeListRef":
		if x.curItem != nil {
			x.curItem.codeList = attr(se, "CodeListOID")
		}
	case "RangeCheck":
		if x.curItem != nil {
			x.curItem.comparing = attr(se, "Comparator")
		}
	case "CodeList":
		x.curCL = attr(se, "OID")
		x.codes[x.curCL] = nil
		if cb := attr(se, "CheckboxChoices"); cb != "" {
			x.cbCodes[x.curCL] = cb
		}
	case "CodeListItem":
		x.curCode = attr(se, "CodedValue")
	case "SubjectData":
		if x.cbCols == nil {
			if err := x.buildDesign(); err != nil {
				return err
			}
		}
		id := attr(se, "SubjectKey")
		if r, ok := x.store.Get(id); ok {
			x.rec = r
		} else {
			x.rec = &Record{ID: id}
			x.store.Put(x.rec)
		}
	case "StudyEventData":
		x.ev = attr(se, "UniqueEventName")
		if !p.Longitudinal() {
			x.ev = ""
		}
		x.evRepeat = atoiOr(attr(se, "StudyEventRepeatKey"), 1)
	case "FormData":
		x.form = strings.TrimPrefix(attr(se, "FormOID"), "Form.")
		x.formRep = atoiOr(attr(se, "FormRepeatKey"), 1)
	case "ItemData":
		return x.item(attr(se, "ItemOID"), attr(se, "Value"))
	case "ItemDataBase64Binary":
		x.binItem, x.binName, x.binMIME = attr(se, "ItemOID"), attr(se, "DocName"), attr(se, "MimeType")
	}
	return nil
}

func (x *odmReader) end(local, text string) error {
	p := x.p
	switch local {
	case "StudyName":
		p.Info.Title = strings.TrimSpace(text)
	case "RecordAutonumberingEnabled":
		p.Info.AutoNumbering = text == "1"
	case "CustomRecordLabel":
		p.Info.CustomRecordLabel = text
	case "SecondaryUniqueField":
		p.Info.SecondaryUniqueField = text
	case "SchedulingEnabled":
		p.Info.SchedulingEnabled = text == "1"
	case "SurveysEnabled":
		p.Info.SurveysEnabled = text == "1"
	case "RandomizationEnabled":
		p.Info.RandomizationEnabled = text == "1"
	case "DisplayTodayNowButton":
		p.Info.DisplayTodayNowButton = text == "1"
	case "Purpose":
		p.Info.Purpose = atoiOr(text, 0)
	case "PurposeOther":
		p.Info.PurposeOther = text
	case "ProjectNotes":
		p.Info.Notes = text
	case "MissingDataCodes":
		p.Info.MissingDataCodes = text
	case "PreventBranchingEraseValues":
		p.Info.BypassBranchingErase = text == "1"
	case "StudyEventDef":
		x.curEvt = ""
	case "ItemDef":
		x.curItem = nil
	case "TranslatedText":
		switch {
		case x.parent(1) == "Question" && x.curItem != nil:
			x.curItem.FieldLabel = text
		case x.parent(1) == "Decode" && x.curCL != "":
			x.codes[x.curCL] = append(x.codes[x.curCL], Choice{Code: x.curCode, Label: text})
		}
	case "CheckValue":
		if x.curItem != nil {
			switch x.curItem.comparing {
			case "GE":
				x.curItem.TextValidationMin = text
			case "LE":
				x.curItem.TextValidationMax = text
			}
		}
	case "CodeList":
		x.curCL = ""
	case "SubjectData":
		x.rec = nil
	case "ItemDataBase64Binary":
		return x.binary(text)
	}
	return nil
}

func (x *odmReader) addInstrument(name, label string) {
	for i := range x.p.Instruments {
		if x.p.Instruments[i].Name == name {
			if label != "" {
				x.p.Instruments[i].Label = label
			}
			return
		}
	}
	if label == "" {
		label = name
	}
	x.p.Instruments = append(x.p.Instruments, Instrument{Name: name, Label: label})
}

func (x *odmReader) surveyForm(form, title string) {
	for i := range x.p.Instruments {
		if x.p.Instruments[i].Name == form {
			x.p.Instruments[i].Survey = true
			return
		}
	}
	x.p.Instruments = append(x.p.Instruments, Instrument{Name: form, Label: form, Survey: true})
}

// buildDesign turns the collected definitions into the dictionary; it runs
// once, before the first record (or at the end for design-only files).
func (x *odmReader) buildDesign() error {
	p := x.p
	seen := map[string]bool{}
	for _, fg := range x.formGrp {
		form := fg[0]
		for _, oid := range x.groups[fg[1]] {
			it := x.items[oid]
			if it == nil || !it.hasType {
				continue // redcap_data_access_group, redcap_survey_identifier, timestamps
			}
			name := it.variable
			if name == "" {
				name = it.FieldName
			}
			if seen[name] || name == form+"_complete" {
				continue
			}
			seen[name] = true
			f := it.Field
			f.FieldName = name
			f.FormName = form
			switch f.FieldType {
			case "select":
				f.FieldType = "dropdown"
			case "textarea":
				f.FieldType = "notes"
			case "checkbox":
				f.SelectChoicesOrCalculations = it.checkbox
				if f.SelectChoicesOrCalculations == "" {
					f.SelectChoicesOrCalculations = x.cbCodes[it.codeList]
				}
			}
			if f.FieldType == "radio" || f.FieldType == "dropdown" {
				var parts []string
				for _, c := range x.codes[it.codeList] {
					parts = append(parts, c.Code+", "+c.Label)
				}
				f.SelectChoicesOrCalculations = strings.Join(parts, "|")
			}
			if f.FieldType == "text" && f.TextValidationTypeOrShowSliderNumber == "" {
				// keep
			}
			p.Metadata = append(p.Metadata, f)
		}
	}
	if len(p.Metadata) == 0 {
		return fmt.Errorf("no fields in the ODM metadata")
	}
	// In classic projects REDCap names the implicit event event_1_arm_1.
	for _, r := range x.repeats {
		if !p.Longitudinal() {
			r.Event = ""
		}
		p.Repeating = append(p.Repeating, r)
	}
	if err := p.Init(); err != nil {
		return err
	}
	x.cbCols = map[string][2]string{}
	for _, f := range p.Metadata {
		if f.FieldType != "checkbox" {
			continue
		}
		for _, c := range append(p.Choices(f.FieldName), p.MissingCodes()...) {
			x.cbCols[CheckboxColumn(f.FieldName, c.Code)] = [2]string{f.FieldName, c.Code}
		}
	}
	return nil
}

// rowKey maps the current StudyEventData/FormData to a row.
func (x *odmReader) rowKey() RowKey {
	switch {
	case x.p.RepeatingForm(x.ev, x.form):
		return RowKey{Event: x.ev, Instrument: x.form, Instance: x.formRep}
	case x.p.RepeatingEvent(x.ev):
		return RowKey{Event: x.ev, Instance: x.evRepeat}
	}
	return RowKey{Event: x.ev}
}

func (x *odmReader) item(oid, value string) error {
	if x.rec == nil {
		return nil
	}
	switch {
	case oid == "redcap_data_access_group":
		x.rec.DAG = value
		return nil
	case oid == "redcap_survey_identifier" || value == "":
		return nil
	}
	row := x.rec.Ensure(x.rowKey())
	if fc, ok := x.cbCols[oid]; ok {
		if value == "1" {
			row.SetChecked(fc[0], fc[1], true)
		}
		return nil
	}
	if strings.HasSuffix(oid, "_timestamp") && x.p.Field(oid) == nil {
		row.Values[oid] = value
		return nil
	}
	if x.p.Field(oid) == nil {
		return fmt.Errorf("record %q: ItemData %q is not a field of the project", x.rec.ID, oid)
	}
	row.Values[oid] = value
	return nil
}

func (x *odmReader) binary(text string) error {
	if x.rec == nil {
		return nil
	}
	data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil {
		return fmt.Errorf("record %q field %q: bad base64 file data: %v", x.rec.ID, x.binItem, err)
	}
	k := x.rowKey()
	row := x.rec.Ensure(k)
	row.Values[x.binItem] = x.binName
	x.p.nextDocID++
	inst := k.Instance
	if inst == 0 {
		inst = 1
	}
	x.p.Files[FileKey{Record: x.rec.ID, Field: x.binItem, Event: k.Event, Instance: inst}] =
		&StoredFile{Name: x.binName, MIME: x.binMIME, Data: data, DocID: x.p.nextDocID}
	return nil
}

func (x *odmReader) finish() error {
	if x.cbCols == nil {
		if err := x.buildDesign(); err != nil {
			return err
		}
	}
	x.p.Records = x.store
	for r := range x.store.All() {
		if r.DAG != "" && x.p.DAGByUnique(r.DAG) == nil {
			x.p.DAGs = append(x.p.DAGs, DAG{Name: r.DAG, UniqueName: r.DAG, ID: len(x.p.DAGs) + 1})
		}
	}
	return nil
}

// UniqueDAGName derives a DAG's unique name from its label as REDCap does:
// lower-cased, spaces to underscores, other characters outside [a-z0-9_]
// dropped, at most 18 characters.
func UniqueDAGName(label string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(label)) {
		switch {
		case r == ' ':
			b.WriteByte('_')
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		}
	}
	s := b.String()
	if len(s) > 18 {
		s = s[:18]
	}
	return s
}
