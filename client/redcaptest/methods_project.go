package redcaptest

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Create Project: content=project with data, authenticated with the super
// token (Options.SuperToken). The data row holds the new project's settings
// (project_title and purpose are required); an optional odm parameter holds
// a project XML whose design (and data) the project starts from. The answer
// is the new project's 32-character token; the project then serves every
// method like any other.

func init() {
	registerSuper("project", "import", handleCreateProject)
}

func handleCreateProject(c *call) error {
	if !c.Super {
		return errorf(http.StatusForbidden, "You do not have permissions to use the API: creating a project requires a super API token")
	}
	rows, err := designRows(c)
	if err != nil {
		return err
	}
	if len(rows) != 1 {
		return errorf(http.StatusBadRequest, "The data must hold exactly one project")
	}
	r := rows[0]
	title := col(r, "project_title")
	if title == "" {
		return errorf(http.StatusBadRequest, "The project_title attribute is missing or blank")
	}
	purpose, perr := strconv.Atoi(col(r, "purpose"))
	if perr != nil || purpose < 0 || purpose > 4 {
		return errorf(http.StatusBadRequest, "The purpose attribute must be 0 (Practice / Just for fun), 1 (Other), 2 (Research), 3 (Quality Improvement) or 4 (Operational Support)")
	}
	if purpose == 1 && col(r, "purpose_other") == "" {
		return errorf(http.StatusBadRequest, "The purpose_other attribute is required when purpose is 1 (Other)")
	}
	var p *Project
	if odm := c.Param("odm"); strings.TrimSpace(odm) != "" {
		p, err = ReadODM(strings.NewReader(odm))
		if err != nil {
			return errorf(http.StatusBadRequest, "The odm parameter is not a valid REDCap project XML file: %v", err)
		}
	} else {
		p = &Project{Metadata: []Field{{FieldName: "record_id", FormName: "my_first_instrument", FieldType: "text", FieldLabel: "Record ID"}},
			Instruments: []Instrument{{Name: "my_first_instrument", Label: "My First Instrument"}}}
		if col(r, "is_longitudinal") == "1" {
			p.Arms = []Arm{{Num: 1, Name: "Arm 1"}}
			p.Events = []Event{{Name: "Event 1", ArmNum: 1, UniqueName: "event_1_arm_1", ID: 1}}
			p.FormEventMapping = []FormEvent{{ArmNum: 1, UniqueName: "event_1_arm_1", Form: "my_first_instrument"}}
		}
	}
	p.Info.Title = title
	p.Info.Purpose = purpose
	p.Info.PurposeOther = col(r, "purpose_other")
	p.Info.Notes = col(r, "project_notes")
	p.Info.CreationTime = time.Now().Format("2006-01-02 15:04:05")
	p.Info.Status = "development"
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"surveys_enabled", &p.Info.SurveysEnabled}, {"record_autonumbering_enabled", &p.Info.AutoNumbering}} {
		if v := col(r, b.name); v != "" {
			*b.dst = v == "1"
		}
	}
	if lang := col(r, "project_language"); lang != "" {
		p.Info.Language = lang
	}
	srv := c.Server()
	p.Name = title
	for i := 2; srv.Project(p.Name) != nil; i++ {
		p.Name = title + " (" + strconv.Itoa(i) + ")"
	}
	p.Token = ""
	p.Info.ProjectID = 0
	p.Owner = srv.opts.SuperUser
	if p.Owner == "" {
		p.Owner = DefaultSuperUser
	}
	p.Users = nil
	for _, u := range srv.opts.CreateUsers {
		if u.Username == p.Owner {
			continue
		}
		u.Rights = maps.Clone(u.Rights)
		u.Forms = maps.Clone(u.Forms)
		if u.Token != "" {
			if q, _ := srv.lookup(u.Token); q != nil || u.Token == srv.opts.SuperToken {
				u.Token = "" // already another project's: no API access here
			}
		}
		if u.DAG != "" && p.DAGByUnique(u.DAG) == nil {
			u.DAG = "" // the new project has no such group
		}
		p.Users = append(p.Users, u)
	}
	tok, err := srv.Add(p)
	if err != nil {
		return errorf(http.StatusBadRequest, "The project could not be created: %v", err)
	}
	p.Mu.Lock()
	// The odm's records are imported, and REDCap computes calc fields
	// rather than taking their values from an import.
	store := p.Writable()
	for _, id := range slices.Collect(recordIDs(store)) {
		p.recalcRecord(store.Edit(id))
	}
	p.AppendLog(LogEntry{User: p.Owner, Action: "Manage/Design", Kind: LogManage, Details: "Create project (API)"})
	p.Mu.Unlock()
	return mText(c, tok)
}
