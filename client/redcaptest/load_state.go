package redcaptest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Server state that project XML does not carry, read from a project
// folder so that a recorded project replays faithfully (LoadCSVDir reads
// it; LoadState applies it to any project):
//
//	project.csv       the project info export (project_id, creation_time,
//	                  production_time, in_production and the settings)
//	users.csv         users, rights, DAGs, roles and tokens (LoadUsersFile)
//	reports.csv       report_id, title, fields (comma-separated), filter_logic, events
//	log.csv           the log export (timestamp, username, action, details,
//	                  record[, event]): record creations and updates in it
//	                  are the records' modification times (dateRangeBegin/End)
//	file-repository/  the file repository: folders are sub-folders, documents
//	                  files; ids follow name order, folders first

// LoadState reads the state files present in dir into p (after Init).
func LoadState(p *Project, dir string) error {
	steps := []struct {
		name string
		load func(*Project, string) error
	}{
		{"project.csv", loadProjectInfoFile},
		{"users.csv", LoadUsersFile},
		{"reports.csv", loadReportsFile},
		{"log.csv", loadLogFile},
		{"file-repository", loadRepositoryDir},
	}
	for _, s := range steps {
		path := filepath.Join(dir, s.name)
		if !fileExists(path) {
			continue
		}
		if err := s.load(p, path); err != nil {
			if strings.Contains(err.Error(), path) {
				return err
			}
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// readStateCSV reads a state file's rows.
func readStateCSV(path string) ([]*importRow, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseImportCSV(string(b))
}

func loadProjectInfoFile(p *Project, path string) error {
	rows, err := readStateCSV(path)
	if err != nil {
		return err
	}
	if len(rows) != 1 {
		return fmt.Errorf("want one row of project settings, found %d", len(rows))
	}
	r := rows[0]
	bit := func(name string, dst *bool) error {
		switch v := col(r, name); v {
		case "":
		case "0", "1":
			*dst = v == "1"
		default:
			return fmt.Errorf("%s: '%s' is not 0 or 1", name, v)
		}
		return nil
	}
	in := &p.Info
	if v := col(r, "project_id"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return fmt.Errorf("project_id: '%s' is not a positive integer", v)
		}
		in.ProjectID = n
	}
	for _, tf := range []struct {
		name string
		dst  *string
	}{{"creation_time", &in.CreationTime}, {"production_time", &in.ProductionTime}} {
		if v := col(r, tf.name); v != "" {
			if _, err := time.ParseInLocation("2006-01-02 15:04:05", v, time.Local); err != nil {
				return fmt.Errorf("%s: '%s' is not YYYY-MM-DD HH:MM:SS", tf.name, v)
			}
			*tf.dst = v
		}
	}
	if in.CreationTime != "" {
		p.Created, _ = time.ParseInLocation("2006-01-02 15:04:05", in.CreationTime, time.Local)
	}
	for _, sf := range []struct {
		name string
		dst  *string
	}{{"project_title", &in.Title}, {"project_language", &in.Language}, {"purpose_other", &in.PurposeOther},
		{"project_notes", &in.Notes}, {"custom_record_label", &in.CustomRecordLabel},
		{"secondary_unique_field", &in.SecondaryUniqueField}, {"project_irb_number", &in.IRBNumber},
		{"project_grant_number", &in.GrantNumber}, {"project_pi_firstname", &in.PIFirstName},
		{"project_pi_lastname", &in.PILastName}, {"project_pi_email", &in.PIEmail},
		{"missing_data_codes", &in.MissingDataCodes}, {"external_modules", &in.ExternalModules}} {
		if v, ok := r.get(sf.name); ok {
			*sf.dst = strings.TrimSpace(v)
		}
	}
	if v := col(r, "purpose"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 4 {
			return fmt.Errorf("purpose: '%s' is not 0 to 4", v)
		}
		in.Purpose = n
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"in_production", &in.InProduction}, {"surveys_enabled", &in.SurveysEnabled}, {"scheduling_enabled", &in.SchedulingEnabled},
		{"record_autonumbering_enabled", &in.AutoNumbering}, {"randomization_enabled", &in.RandomizationEnabled},
		{"ddp_enabled", &in.DDPEnabled}, {"display_today_now_button", &in.DisplayTodayNowButton},
		{"bypass_branching_erase_field_prompt", &in.BypassBranchingErase}} {
		if err := bit(b.name, b.dst); err != nil {
			return err
		}
	}
	if in.InProduction && in.Status == "" {
		in.Status = "production"
	}
	return nil
}

func loadReportsFile(p *Project, path string) error {
	rows, err := readStateCSV(path)
	if err != nil {
		return err
	}
	for i, r := range rows {
		id, err := strconv.Atoi(col(r, "report_id"))
		if err != nil || id <= 0 {
			return fmt.Errorf("row %d: report_id '%s' is not a positive integer", i+1, col(r, "report_id"))
		}
		rep := Report{ID: id, Title: col(r, "title"), Logic: col(r, "filter_logic")}
		for _, f := range strings.Split(col(r, "fields"), ",") {
			if f = strings.TrimSpace(f); f == "" {
				continue
			}
			if p.Field(f) == nil && !p.IsFormStatus(f) {
				return fmt.Errorf("row %d (report %d): the field '%s' is not in the project", i+1, id, f)
			}
			rep.Fields = append(rep.Fields, f)
		}
		if len(rep.Fields) == 0 {
			return fmt.Errorf("row %d (report %d): no fields", i+1, id)
		}
		for _, e := range strings.Split(col(r, "events"), ",") {
			if e = strings.TrimSpace(e); e != "" {
				if p.Event(e) == nil {
					return fmt.Errorf("row %d (report %d): the event '%s' is not in the project", i+1, id, e)
				}
				rep.Events = append(rep.Events, e)
			}
		}
		if slices.ContainsFunc(p.Reports, func(x Report) bool { return x.ID == id }) {
			return fmt.Errorf("row %d: report %d is declared twice", i+1, id)
		}
		p.Reports = append(p.Reports, rep)
	}
	return nil
}

// logKindOf classifies a logged action as REDCap's log export words it.
func logKindOf(action string) LogKind {
	a := strings.ToLower(action)
	switch {
	case strings.HasPrefix(a, "create record"), strings.HasPrefix(a, "created record"):
		return LogRecordCreate
	case strings.HasPrefix(a, "update record"), strings.HasPrefix(a, "updated record"):
		return LogRecordUpdate
	case strings.HasPrefix(a, "delete record"), strings.HasPrefix(a, "deleted record"):
		return LogRecordDelete
	case strings.HasPrefix(a, "upload document"), strings.HasPrefix(a, "upload file"):
		return LogFileUpload
	case strings.HasPrefix(a, "delete document"), strings.HasPrefix(a, "delete file"):
		return LogFileDelete
	case strings.Contains(a, "export"):
		return LogExport
	case strings.Contains(a, "manage/design"):
		return LogManage
	case strings.Contains(a, "user"), strings.Contains(a, "role"):
		return LogUser
	case strings.Contains(a, "lock"):
		return LogLockRecord
	case strings.Contains(a, "page view"):
		return LogPageView
	}
	return LogOther
}

func loadLogFile(p *Project, path string) error {
	rows, err := readStateCSV(path)
	if err != nil {
		return err
	}
	var log []LogEntry
	for i, r := range rows {
		ts := col(r, "timestamp")
		var t time.Time
		var perr error
		for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04"} {
			if t, perr = time.ParseInLocation(layout, ts, time.Local); perr == nil {
				break
			}
		}
		if perr != nil {
			return fmt.Errorf("row %d: timestamp '%s' is not YYYY-MM-DD HH:MM[:SS]", i+1, ts)
		}
		action := col(r, "action")
		log = append(log, LogEntry{Time: t, User: col(r, "username"), Action: action, Kind: logKindOf(action),
			Record: col(r, "record"), Event: col(r, "event"), Details: col(r, "details")})
	}
	// The log export lists newest first; the project keeps time order.
	slices.SortStableFunc(log, func(a, b LogEntry) int { return a.Time.Compare(b.Time) })
	p.Log = append(log, p.Log...)
	return nil
}

func loadRepositoryDir(p *Project, dir string) error {
	folderID, docID := 0, 0
	for _, e := range p.Repository {
		folderID, docID = max(folderID, e.FolderID), max(docID, e.DocID)
	}
	docID = max(docID, p.nextDocID)
	var walk func(path string, parent int) error
	walk = func(path string, parent int) error {
		ents, err := os.ReadDir(path)
		if err != nil {
			return err
		}
		// folders first, then documents, each by name
		slices.SortStableFunc(ents, func(a, b os.DirEntry) int {
			if a.IsDir() != b.IsDir() {
				if a.IsDir() {
					return -1
				}
				return 1
			}
			return strings.Compare(a.Name(), b.Name())
		})
		for _, e := range ents {
			full := filepath.Join(path, e.Name())
			if e.IsDir() {
				folderID++
				id := folderID
				p.Repository = append(p.Repository, RepoEntry{FolderID: id, ParentID: parent, Name: e.Name()})
				if err := walk(full, id); err != nil {
					return err
				}
				continue
			}
			data, err := os.ReadFile(full)
			if err != nil {
				return err
			}
			docID++
			p.Repository = append(p.Repository, RepoEntry{DocID: docID, ParentID: parent, Name: e.Name(), Data: data})
		}
		return nil
	}
	if err := walk(dir, 0); err != nil {
		return err
	}
	p.nextDocID = max(p.nextDocID, docID)
	return nil
}
