package client

import (
	"context"
	"encoding/json"
	"io"
	"regexp"
	"strings"
)

// ProjectInfo is the project's settings (content=project).
type ProjectInfo struct {
	ProjectID                       int
	ProjectTitle                    string
	CreationTime                    string
	ProductionTime                  string
	InProduction                    bool
	ProjectLanguage                 string
	Purpose                         string
	PurposeOther                    string
	ProjectNotes                    string
	CustomRecordLabel               string
	SecondaryUniqueField            string
	IsLongitudinal                  bool
	HasRepeatingInstrumentsOrEvents bool
	SurveysEnabled                  bool
	SchedulingEnabled               bool
	RecordAutonumberingEnabled      bool
	RandomizationEnabled            bool
	DDPEnabled                      bool
	ProjectIRBNumber                string
	ProjectGrantNumber              string
	ProjectPIFirstname              string
	ProjectPILastname               string
	DisplayTodayNowButton           bool
	MissingDataCodes                string // e.g. "NA, Not applicable | UNK, Unknown"
	ExternalModules                 string
	BypassBranchingEraseFieldPrompt bool
	Raw                             map[string]any // every attribute as sent, newer ones included
}

// ExportProjectInfo returns the project's settings (content=project).
func (c *Client) ExportProjectInfo(ctx context.Context) (*ProjectInfo, error) {
	rows, err := c.getRows(ctx, newForm("project", "export"))
	if err != nil {
		return nil, err
	}
	if len(rows) != 1 {
		return nil, &Error{Status: 200, Content: "project", Action: "export", Err: ErrMalformed,
			Message: "expected one project object, got " + itoa(len(rows))}
	}
	r := rows[0]
	return &ProjectInfo{
		ProjectID: r.int("project_id"), ProjectTitle: r.str("project_title"),
		CreationTime: r.str("creation_time"), ProductionTime: r.str("production_time"),
		InProduction: r.bool("in_production"), ProjectLanguage: r.str("project_language"),
		Purpose: r.str("purpose"), PurposeOther: r.str("purpose_other"), ProjectNotes: r.str("project_notes"),
		CustomRecordLabel: r.str("custom_record_label"), SecondaryUniqueField: r.str("secondary_unique_field"),
		IsLongitudinal: r.bool("is_longitudinal"), HasRepeatingInstrumentsOrEvents: r.bool("has_repeating_instruments_or_events"),
		SurveysEnabled: r.bool("surveys_enabled"), SchedulingEnabled: r.bool("scheduling_enabled"),
		RecordAutonumberingEnabled: r.bool("record_autonumbering_enabled"), RandomizationEnabled: r.bool("randomization_enabled"),
		DDPEnabled: r.bool("ddp_enabled"), ProjectIRBNumber: r.str("project_irb_number"),
		ProjectGrantNumber: r.str("project_grant_number"), ProjectPIFirstname: r.str("project_pi_firstname"),
		ProjectPILastname: r.str("project_pi_lastname"), DisplayTodayNowButton: r.bool("display_today_now_button"),
		MissingDataCodes: r.str("missing_data_codes"), ExternalModules: r.str("external_modules"),
		BypassBranchingEraseFieldPrompt: r.bool("bypass_branching_erase_field_prompt"),
		Raw:                             r.any(),
	}, nil
}

// ProjectSettings holds the attributes to change, by REDCap name (for
// example "project_title", "project_notes", "purpose"); values are strings
// or numbers.
type ProjectSettings map[string]any

// ImportProjectSettings updates project attributes
// (content=project_settings) and returns how many changed.
func (c *Client) ImportProjectSettings(ctx context.Context, s ProjectSettings) (int, error) {
	if len(s) == 0 {
		return 0, errorf("ImportProjectSettings: no settings given")
	}
	return c.designWrite(c.importJSON(ctx, newForm("project_settings", "import"), s))
}

// CreateProjectParams describes a new project. Settings needs at least
// "project_title" and "purpose"; ODM optionally carries a project XML
// (metadata, and data) to build it from.
type CreateProjectParams struct {
	Settings ProjectSettings
	ODM      string
}

// CreateProject creates a project (content=project, action=import); the
// client must hold a 64-character super token. It returns the new
// project's token.
func (c *Client) CreateProject(ctx context.Context, p CreateProjectParams) (Token, error) {
	if !c.token.IsSuper() {
		return Token{}, errorf("CreateProject needs a 64-character super token; this client has a project token")
	}
	if p.Settings["project_title"] == nil || p.Settings["purpose"] == nil {
		return Token{}, errorf("CreateProject: Settings must include project_title and purpose")
	}
	data, err := json.Marshal([]ProjectSettings{p.Settings})
	if err != nil {
		return Token{}, errorf("CreateProject: %v", err)
	}
	f := newForm("project", "import")
	f.set("format", "json")
	f.set("data", string(data))
	f.opt("odm", p.ODM)
	s, err := c.postText(ctx, f, write)
	if err != nil {
		return Token{}, err
	}
	tok, err := ParseToken(s)
	if err != nil {
		return Token{}, &Error{Status: 200, Content: "project", Action: "import", Err: ErrMalformed,
			Message: "the answer is not a token: " + err.Error()}
	}
	return tok, nil
}

// ExportProjectXMLParams selects what the CDISC ODM export holds.
type ExportProjectXMLParams struct {
	ReturnMetadataOnly     bool
	Records                []string
	Fields                 []string
	Events                 []string
	ExportSurveyFields     bool
	ExportDataAccessGroups bool
	FilterLogic            string
	ExportFiles            bool
}

// ExportProjectXML streams the project as CDISC ODM XML
// (content=project_xml). The caller closes the stream.
func (c *Client) ExportProjectXML(ctx context.Context, p ExportProjectXMLParams) (io.ReadCloser, error) {
	f := newForm("project_xml", "export")
	f.flag("returnMetadataOnly", p.ReturnMetadataOnly)
	f.array("records", p.Records)
	f.array("fields", p.Fields)
	f.array("events", p.Events)
	f.flag("exportSurveyFields", p.ExportSurveyFields)
	f.flag("exportDataAccessGroups", p.ExportDataAccessGroups)
	f.opt("filterLogic", p.FilterLogic)
	f.flag("exportFiles", p.ExportFiles)
	resp, err := c.send(ctx, f, read)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// ExportVersion returns the REDCap version, e.g. "15.7.6" (content=version).
func (c *Client) ExportVersion(ctx context.Context) (string, error) {
	f := newForm("version", "")
	var v string
	// A version cut short ("15.7") still reads as text: only the whole
	// MAJOR.MINOR.PATCH form counts, else it is fetched again.
	_, _, err := c.readChecked(ctx, f, read, func(b []byte) error {
		v = strings.TrimSpace(string(b))
		if !versionRE.MatchString(v) {
			return &Error{Status: 200, Content: "version", Err: ErrTruncated,
				Message: "the version answer is not a whole MAJOR.MINOR.PATCH version", BodyPrefix: prefixOf(b)}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return v, nil
}

// versionRE is a whole REDCap version.
var versionRE = regexp.MustCompile(`^\d+\.\d+\.\d+$`)
