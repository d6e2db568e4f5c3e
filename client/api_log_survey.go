package client

import (
	"context"
	"strconv"
)

// ExportLoggingParams filters the project log (content=log).
type ExportLoggingParams struct {
	LogType   string // export, manage, user, record, record_add, record_edit, record_delete, lock_record, page_view; "" = all
	User      string
	Record    string
	DAG       string
	BeginTime string // "YYYY-MM-DD HH:MM"
	EndTime   string
}

// LogEntry is one line of the project log.
type LogEntry struct {
	Timestamp string
	Username  string
	Action    string
	Details   string
	Record    string
	Reason    string
}

var logTypes = map[string]bool{"": true, "export": true, "manage": true, "user": true, "record": true, "record_add": true,
	"record_edit": true, "record_delete": true, "lock_record": true, "page_view": true}

// ExportLogging returns log entries (content=log).
func (c *Client) ExportLogging(ctx context.Context, p ExportLoggingParams) ([]LogEntry, error) {
	if !logTypes[p.LogType] {
		return nil, errorf("ExportLogging: LogType %q is not one of export, manage, user, record, record_add, record_edit, record_delete, lock_record, page_view", p.LogType)
	}
	for _, t := range []string{p.BeginTime, p.EndTime} {
		if t != "" && !validDateRange(t) {
			return nil, errorf("ExportLogging: time %q is not YYYY-MM-DD HH:MM", t)
		}
	}
	f := newForm("log", "export")
	f.opt("logtype", p.LogType)
	f.opt("user", p.User)
	f.opt("record", p.Record)
	f.opt("dag", p.DAG)
	f.opt("beginTime", p.BeginTime)
	f.opt("endTime", p.EndTime)
	rows, err := c.getRows(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]LogEntry, len(rows))
	for i, r := range rows {
		out[i] = LogEntry{Timestamp: r.str("timestamp"), Username: r.str("username"), Action: r.str("action"),
			Details: r.str("details"), Record: r.str("record"), Reason: r.str("reason")}
	}
	return out, nil
}

// SurveyParticipantsParams names the survey (and event when longitudinal).
type SurveyParticipantsParams struct {
	Instrument string
	Event      string
}

// SurveyParticipant is one row of a survey's participant list.
type SurveyParticipant struct {
	Email                string
	EmailOccurrence      int
	Identifier           string
	Record               string
	InvitationSentStatus bool
	InvitationSendTime   string
	ResponseStatus       int // 0 no response, 1 partial, 2 complete
	SurveyAccessCode     string
	SurveyLink           string
	SurveyQueueLink      string
}

// ExportSurveyParticipants lists a survey's participants (content=participantList).
func (c *Client) ExportSurveyParticipants(ctx context.Context, p SurveyParticipantsParams) ([]SurveyParticipant, error) {
	if p.Instrument == "" {
		return nil, errorf("ExportSurveyParticipants: Instrument is required")
	}
	f := newForm("participantList", "export")
	f.set("instrument", p.Instrument)
	f.opt("event", p.Event)
	rows, err := c.getRows(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]SurveyParticipant, len(rows))
	for i, r := range rows {
		out[i] = SurveyParticipant{Email: r.str("email"), EmailOccurrence: r.int("email_occurrence"), Identifier: r.str("identifier"),
			Record: r.str("record"), InvitationSentStatus: r.bool("invitation_sent_status"), InvitationSendTime: r.str("invitation_send_time"),
			ResponseStatus: r.int("response_status"), SurveyAccessCode: r.str("survey_access_code"), SurveyLink: r.str("survey_link"),
			SurveyQueueLink: r.str("survey_queue_link")}
	}
	return out, nil
}

// SurveyParams names one survey response: record, instrument, event
// (longitudinal) and repeat instance (repeating; REDCap's default 1).
type SurveyParams struct {
	Record         string
	Instrument     string
	Event          string
	RepeatInstance int
}

func (c *Client) surveyText(ctx context.Context, content string, p SurveyParams, needInstrument bool) (string, error) {
	if p.Record == "" || needInstrument && p.Instrument == "" {
		return "", errorf("%s: Record and Instrument are required", content)
	}
	f := newForm(content, "export")
	f.set("record", p.Record)
	f.opt("instrument", p.Instrument)
	f.opt("event", p.Event)
	if p.RepeatInstance > 0 {
		f.set("repeat_instance", strconv.Itoa(p.RepeatInstance))
	}
	return c.postText(ctx, f, read)
}

// ExportSurveyLink returns the survey link of a record's instrument (content=surveyLink).
func (c *Client) ExportSurveyLink(ctx context.Context, p SurveyParams) (string, error) {
	return c.surveyText(ctx, "surveyLink", p, true)
}

// ExportSurveyQueueLink returns a record's survey queue link (content=surveyQueueLink).
func (c *Client) ExportSurveyQueueLink(ctx context.Context, record string) (string, error) {
	return c.surveyText(ctx, "surveyQueueLink", SurveyParams{Record: record}, false)
}

// ExportSurveyReturnCode returns the code to resume a survey (content=surveyReturnCode).
func (c *Client) ExportSurveyReturnCode(ctx context.Context, p SurveyParams) (string, error) {
	return c.surveyText(ctx, "surveyReturnCode", p, true)
}

// ExportSurveyAccessCode returns the survey access code (content=surveyAccessCode).
func (c *Client) ExportSurveyAccessCode(ctx context.Context, p SurveyParams) (string, error) {
	return c.surveyText(ctx, "surveyAccessCode", p, true)
}
