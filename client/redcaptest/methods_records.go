package redcaptest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Record writes: import, delete, rename, randomize, generateNextRecordName.

func init() {
	register("record", "import", handleRecordImport)
	register("record", "delete", handleRecordDelete)
	register("record", "rename", handleRecordRename)
	register("record", "randomize", handleRandomize)
	register("generateNextRecordName", "export", handleNextRecordName)
}

// csvDelimiter reads the csvDelimiter parameter (tab ; | ^ or the
// default comma), which the record import honours as the export does.
func csvDelimiter(c *call) rune {
	switch d := c.Param("csvDelimiter"); d {
	case "tab":
		return '\t'
	case ";", "|", "^":
		return rune(d[0])
	}
	return ','
}

func handleRecordImport(c *call) error {
	if err := mNeedImport(c); err != nil {
		return err
	}
	typ := strings.ToLower(c.Param("type"))
	if typ != "eav" {
		typ = "flat"
	}
	ob := strings.ToLower(c.Param("overwriteBehavior"))
	df := strings.ToUpper(c.Param("dateFormat"))
	switch df {
	case "MDY", "DMY":
	default:
		df = "YMD"
	}
	rc := strings.ToLower(c.Param("returnContent"))
	if rc == "" {
		rc = "count"
	}
	force := c.Bool("forceAutoNumber")
	switch rc {
	case "count", "ids", "nothing":
	case "auto_ids":
		if !force {
			return errorf(http.StatusBadRequest, "The returnContent value 'auto_ids' can only be used when forceAutoNumber is set to true")
		}
	default:
		return errorf(http.StatusBadRequest, "The value of the parameter \"returnContent\" is not valid")
	}
	if !c.Has("data") || strings.TrimSpace(c.Param("data")) == "" {
		return errorf(http.StatusBadRequest, "The parameter 'data' is missing or empty")
	}
	p := c.Project
	p.Mu.Lock()
	res, err := p.importRecords(c.Param("data"), importOptions{
		// REDCap's docs make forceAutoNumber a feature of projects with
		// record auto-numbering: elsewhere the flag is ignored and the
		// submitted ids are kept (auto_ids then pairs each id with itself).
		Format: c.Format, Type: typ, Overwrite: ob == "overwrite", ForceAuto: force && p.Info.AutoNumbering,
		DateFormat: df, User: c.User, Now: p.now(), Delim: csvDelimiter(c), MaxValue: c.srv.opts.maxValue(),
	})
	p.Mu.Unlock()
	if err == nil && force && res.AutoIDs == nil {
		for _, id := range res.IDs {
			res.AutoIDs = append(res.AutoIDs, [2]string{id, id})
		}
	}
	if err != nil {
		return errorf(http.StatusBadRequest, "%s", err.Error())
	}
	switch rc {
	case "nothing":
		return mEmpty(c)
	case "ids":
		body, f := formatImportIDs(res.IDs, c.ReturnFormat)
		return mWrite(c, f, []byte(body))
	case "auto_ids":
		pairs := make([]string, len(res.AutoIDs))
		for i, a := range res.AutoIDs {
			pairs[i] = a[0] + "," + a[1]
		}
		body, f := formatImportIDs(pairs, c.ReturnFormat)
		return mWrite(c, f, []byte(body))
	}
	return mCount(c, len(res.IDs))
}

// formatImportIDs renders returnContent=ids / auto_ids in the return format
// and returns the body and its format.
func formatImportIDs(ids []string, format string) (string, string) {
	switch format {
	case "json":
		var b strings.Builder
		b.WriteByte('[')
		for i, id := range ids {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(mJSON(id))
		}
		b.WriteByte(']')
		return b.String(), "json"
	case "csv":
		return "id\n" + strings.Join(ids, "\n") + "\n", "csv"
	default:
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8" ?><ids>`)
		for _, id := range ids {
			b.WriteString("<id>" + mXMLEscape(id) + "</id>")
		}
		b.WriteString("</ids>")
		return b.String(), "xml"
	}
}

// visibleRecord returns a record the caller may see (users in a DAG see
// only their DAG's records).
func visibleRecord(c *call, id string) (*Record, bool) {
	rec, ok := c.Project.Records.Get(id)
	if !ok {
		return nil, false
	}
	if d := c.DAG(); d != "" && rec.DAG != d {
		return nil, false
	}
	return rec, true
}

// armEvents returns the unique names of an arm's events.
func armEvents(p *Project, arm int) map[string]bool {
	out := map[string]bool{}
	for _, e := range p.Events {
		if e.ArmNum == arm {
			out[e.UniqueName] = true
		}
	}
	return out
}

func parseArm(c *call) (int, error) {
	s := strings.TrimSpace(c.Param("arm"))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errorf(http.StatusBadRequest, "The arm number '%s' is not valid", s)
	}
	if !c.Project.Longitudinal() {
		return 0, nil // classic projects have a single implicit arm
	}
	for _, a := range c.Project.Arms {
		if a.Num == n {
			return n, nil
		}
	}
	return 0, errorf(http.StatusBadRequest, "The arm number '%d' does not exist in this project", n)
}

func handleRecordDelete(c *call) error {
	if err := mNeedImport(c); err != nil {
		return err
	}
	if !mRight(c, "record_delete") {
		return errorf(http.StatusForbidden, "You do not have Delete Record privileges")
	}
	ids, isArr := c.Array("records")
	if !isArr {
		if c.Has("records") {
			return errorf(http.StatusBadRequest, "Incorrect format for 'records' parameter. It must be an array of record names (e.g. records[0]=1&records[1]=2).")
		}
		return errorf(http.StatusBadRequest, "The parameter 'records' is missing")
	}
	if len(ids) == 0 {
		return errorf(http.StatusBadRequest, "The parameter 'records' is missing")
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	arm, err := parseArm(c)
	if err != nil {
		return err
	}
	instrument := strings.TrimSpace(c.Param("instrument"))
	event := strings.TrimSpace(c.Param("event"))
	instance, err := repeatInstance(c, 0)
	if err != nil {
		return err
	}
	if instrument != "" && p.FormFields(instrument) == nil {
		return errorf(http.StatusBadRequest, "The instrument '%s' does not exist in this project", instrument)
	}
	if event != "" {
		if !p.Longitudinal() {
			return errorf(http.StatusBadRequest, "You cannot use the 'event' parameter in a classic project")
		}
		if p.Event(event) == nil {
			return errorf(http.StatusBadRequest, "The event '%s' does not exist in this project", event)
		}
	}
	if instrument != "" && p.Longitudinal() && event == "" {
		return errorf(http.StatusBadRequest, "The 'event' parameter is required when deleting an instrument's data in a longitudinal project")
	}
	if instrument == "" && (event != "" || instance > 0) && !p.Longitudinal() && instance > 0 {
		return errorf(http.StatusBadRequest, "The 'repeat_instance' parameter can only be used together with 'instrument' or 'event'")
	}
	var inArm map[string]bool
	if arm > 0 {
		inArm = armEvents(p, arm)
	}
	// Every id must exist (in the arm, when given) before anything is deleted.
	var missing []string
	seen := map[string]bool{}
	var todo []*Record
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if seen[id] {
			continue
		}
		seen[id] = true
		rec, ok := visibleRecord(c, id)
		if ok && inArm != nil {
			ok = slices.ContainsFunc(rec.Rows, func(r *Row) bool { return inArm[r.Event] })
		}
		if !ok {
			missing = append(missing, id)
			continue
		}
		todo = append(todo, rec)
	}
	if len(missing) > 0 {
		return errorf(http.StatusBadRequest, "One or more of the records provided cannot be deleted because they do not exist in the project. The following records do not exist: %s", strings.Join(missing, ", "))
	}
	store := p.Writable()
	user := c.Username()
	now := p.now()
	for _, rec := range todo {
		id := rec.ID
		whole := arm == 0 && instrument == "" && event == "" && instance == 0
		detail := ""
		if !whole {
			r := store.Edit(id)
			r.Rows = slices.DeleteFunc(r.Rows, func(row *Row) bool {
				if inArm != nil && !inArm[row.Event] {
					return false
				}
				if event != "" && row.Event != event {
					return false
				}
				if instance > 0 && row.Instance != instance {
					return false
				}
				if instrument == "" {
					return true
				}
				if row.Instrument != "" && row.Instrument != instrument {
					return false
				}
				for _, f := range p.FormFields(instrument) {
					if f != p.RecordIDField() {
						delete(row.Values, f)
					}
				}
				delete(row.Values, instrument+"_complete")
				return rowEmpty(p, row)
			})
			switch {
			case instrument != "":
				detail = "instrument = '" + instrument + "'"
			case arm > 0:
				detail = fmt.Sprintf("arm = '%d'", arm)
			}
			if event != "" {
				detail += strings.TrimPrefix(", event = '"+event+"'", map[bool]string{true: ", "}[detail == ""])
			}
			whole = len(r.Rows) == 0
		}
		if whole {
			store.Delete(id)
			for k := range p.Files {
				if k.Record == id {
					delete(p.Files, k)
				}
			}
		}
		p.AppendLog(LogEntry{Time: now, User: user, Action: "Delete record (API) " + id, Kind: LogRecordDelete, Record: id, Event: event, Details: detail})
	}
	return mWrite(c, "text", []byte(strconv.Itoa(len(todo))))
}

// rowEmpty reports whether a row holds nothing but its record id.
func rowEmpty(p *Project, row *Row) bool {
	for k, v := range row.Values {
		if k != p.RecordIDField() && v != "" {
			return false
		}
	}
	return true
}

func handleRecordRename(c *call) error {
	if err := mNeedImport(c); err != nil {
		return err
	}
	if !mRight(c, "record_rename") {
		return errorf(http.StatusForbidden, "You do not have Rename Record privileges")
	}
	old := strings.TrimSpace(c.Param("record"))
	neu := strings.TrimSpace(c.Param("new_record_name"))
	if old == "" {
		return errorf(http.StatusBadRequest, "The parameter 'record' is missing")
	}
	if neu == "" {
		return errorf(http.StatusBadRequest, "The parameter 'new_record_name' is missing")
	}
	if len(neu) > 100 || !recordNameRE.MatchString(neu) {
		return errorf(http.StatusBadRequest, "The new record name '%s' is not valid: record names may only contain letters, numbers, spaces, hyphens, underscores, periods and @", neu)
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	arm, err := parseArm(c)
	if err != nil {
		return err
	}
	rec, ok := visibleRecord(c, old)
	if ok && arm > 0 {
		in := armEvents(p, arm)
		ok = slices.ContainsFunc(rec.Rows, func(r *Row) bool { return in[r.Event] })
	}
	if !ok {
		return errorf(http.StatusBadRequest, "The record '%s' does not exist", old)
	}
	if _, exists := p.Records.Get(neu); exists {
		return errorf(http.StatusBadRequest, "The record '%s' already exists", neu)
	}
	store := p.Writable()
	moved := rec.Clone()
	moved.ID = neu
	// With arm, only that arm's rows move; the rest keep the old name
	// (a record spans arms under one name in REDCap).
	var inArm map[string]bool
	if arm > 0 {
		inArm = armEvents(p, arm)
	}
	moves := func(event string) bool { return inArm == nil || inArm[event] }
	kept := rec.Clone()
	moved.Rows = slices.DeleteFunc(moved.Rows, func(r *Row) bool { return !moves(r.Event) })
	kept.Rows = slices.DeleteFunc(kept.Rows, func(r *Row) bool { return moves(r.Event) })
	id := p.RecordIDField()
	for _, row := range moved.Rows {
		if _, ok := row.Values[id]; ok {
			row.Values[id] = neu
		}
	}
	store.Delete(old)
	if len(kept.Rows) > 0 {
		store.Put(kept)
	}
	store.Put(moved)
	for k, f := range p.Files {
		if k.Record == old && moves(k.Event) {
			delete(p.Files, k)
			k.Record = neu
			p.Files[k] = f
		}
	}
	details := fmt.Sprintf("Record renamed from '%s' to '%s'", old, neu)
	// Computed fields that read the record id or [record-name] follow the
	// new name (and, after an arm-only rename, both halves are saved).
	if calc := p.recalcRecord(store.Edit(neu)); len(calc) > 0 {
		details += ", " + strings.Join(calc, ", ")
	}
	if len(kept.Rows) > 0 {
		p.recalcRecord(store.Edit(old))
	}
	p.AppendLog(LogEntry{User: c.Username(), Action: "Update record (API) " + neu, Kind: LogRecordUpdate, Record: neu, Details: details})
	return mText(c, "1")
}

func handleNextRecordName(c *call) error {
	p := c.Project
	p.Mu.RLock()
	defer p.Mu.RUnlock()
	pre := p.dagPrefix(c.User)
	return mText(c, pre+strconv.Itoa(p.nextRecordNumber(pre)))
}

// handleRandomize emulates REDCap's randomization: the allocation target is
// the first radio or dropdown field whose annotation holds @RANDOMIZE
// (optionally @RANDOMIZE-ALT on a second field); records are allocated to
// its choices in turn, in the order they are randomized, so the allocation
// is deterministic.
func handleRandomize(c *call) error {
	if err := mNeedImport(c); err != nil {
		return err
	}
	if !mRight(c, "randomization_randomize") {
		return errorf(http.StatusForbidden, "You do not have Randomize privileges")
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	if !p.Info.RandomizationEnabled {
		return errorf(http.StatusBadRequest, "Randomization is not enabled in this project")
	}
	var target, alt *Field
	for i := range p.Metadata {
		f := &p.Metadata[i]
		if f.FieldType != "radio" && f.FieldType != "dropdown" {
			continue
		}
		switch {
		case strings.Contains(f.FieldAnnotation, "@RANDOMIZE-ALT"):
			if alt == nil {
				alt = f
			}
		case strings.Contains(f.FieldAnnotation, "@RANDOMIZE"):
			if target == nil {
				target = f
			}
		}
	}
	if target == nil {
		return errorf(http.StatusBadRequest, "Randomization has not been set up in this project")
	}
	if rid := strings.TrimSpace(c.Param("randomization_id")); rid != "" && rid != "1" {
		return errorf(http.StatusBadRequest, "The randomization_id '%s' is not valid for this project", rid)
	}
	id := strings.TrimSpace(c.Param("record"))
	rec, ok := visibleRecord(c, id)
	if !ok {
		return errorf(http.StatusBadRequest, "The record '%s' does not exist", id)
	}
	event := ""
	if p.Longitudinal() {
		for _, e := range p.Events {
			if p.Designated(target.FormName, e.UniqueName) {
				event = e.UniqueName
				break
			}
		}
	}
	for _, row := range rec.Rows {
		if row.Event == event && row.Values[target.FieldName] != "" {
			return errorf(http.StatusBadRequest, "The record '%s' has already been randomized", id)
		}
	}
	n := 0
	for r := range p.Records.All() {
		for _, row := range r.Rows {
			if row.Event == event && row.Instance == 0 && row.Values[target.FieldName] != "" {
				n++
			}
		}
	}
	choices := p.Choices(target.FieldName)
	if len(choices) == 0 {
		return errorf(http.StatusBadRequest, "The randomization field has no choices")
	}
	value := choices[n%len(choices)].Code
	w := p.Writable().Edit(id)
	row := w.Ensure(RowKey{Event: event})
	row.Values[target.FieldName] = value
	row.Values[p.RecordIDField()] = id
	if _, ok := row.Values[target.FormName+"_complete"]; !ok {
		row.Values[target.FormName+"_complete"] = "0"
	}
	altValue := ""
	if alt != nil {
		ac := p.Choices(alt.FieldName)
		if len(ac) > 0 {
			altValue = ac[n%len(ac)].Code
			row.Values[alt.FieldName] = altValue
		}
	}
	p.AppendLog(LogEntry{User: c.Username(), Action: "Randomize record (API) " + id, Kind: LogRecordUpdate, Record: id, Event: event,
		Details: fmt.Sprintf("%s = '%s'", target.FieldName, value)})
	body := `{"record":` + string(mJSON(id)) + `,"target_field":{"field_name":` + string(mJSON(target.FieldName)) + `,"value":` + string(mJSON(value)) + `}`
	if c.Bool("returnAlt") && alt != nil {
		body += `,"alternative_target_field":{"field_name":` + string(mJSON(alt.FieldName)) + `,"value":` + string(mJSON(altValue)) + `}`
	}
	body += "}"
	return mWrite(c, "json", []byte(body))
}
