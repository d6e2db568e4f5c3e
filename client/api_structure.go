package client

import (
	"context"
	"strconv"
)

// Instrument is one data-collection instrument (form).
type Instrument struct {
	Name  string `json:"instrument_name"`
	Label string `json:"instrument_label"`
}

// ExportInstruments lists the project's instruments in design order
// (content=instrument).
func (c *Client) ExportInstruments(ctx context.Context) ([]Instrument, error) {
	rows, err := c.getRows(ctx, newForm("instrument", ""))
	if err != nil {
		return nil, err
	}
	out := make([]Instrument, len(rows))
	for i, r := range rows {
		out[i] = Instrument{Name: r.str("instrument_name"), Label: r.str("instrument_label")}
	}
	return out, nil
}

// Arm is one arm of a longitudinal project.
type Arm struct {
	Num  int    `json:"arm_num"`
	Name string `json:"name"`
}

// ExportArmsParams selects arms; empty means all.
type ExportArmsParams struct {
	Arms []int
}

// ExportArms lists arms (content=arm, action=export). Classic projects get
// a REDCap error.
func (c *Client) ExportArms(ctx context.Context, p ExportArmsParams) ([]Arm, error) {
	f := newForm("arm", "export")
	f.array("arms", intsToStrings(p.Arms))
	rows, err := c.getRows(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]Arm, len(rows))
	for i, r := range rows {
		out[i] = Arm{Num: r.int("arm_num"), Name: r.str("name")}
	}
	return out, nil
}

// ImportArmsParams adds or renames arms; Override replaces all arms (and
// deletes the data of the ones left out).
type ImportArmsParams struct {
	Arms     []Arm
	Override bool
}

// ImportArms adds or renames arms (content=arm, action=import) and returns
// how many REDCap reports.
func (c *Client) ImportArms(ctx context.Context, p ImportArmsParams) (int, error) {
	f := newForm("arm", "import")
	f.set("override", boolDigit(p.Override))
	return c.designWrite(c.importJSON(ctx, f, p.Arms))
}

// DeleteArms deletes arms and all their data (content=arm, action=delete;
// projects in development only).
func (c *Client) DeleteArms(ctx context.Context, arms []int) (int, error) {
	if len(arms) == 0 {
		return 0, errorf("DeleteArms: no arms given")
	}
	f := newForm("arm", "delete")
	f.array("arms", intsToStrings(arms))
	return c.designWrite(c.postCount(ctx, f))
}

// Event is one event of a longitudinal project.
type Event struct {
	EventName        string `json:"event_name"`
	ArmNum           int    `json:"arm_num"`
	UniqueEventName  string `json:"unique_event_name,omitempty"`
	CustomEventLabel string `json:"custom_event_label,omitempty"`
	EventID          int    `json:"event_id,omitempty"`
	DayOffset        string `json:"day_offset,omitempty"`
	OffsetMin        string `json:"offset_min,omitempty"`
	OffsetMax        string `json:"offset_max,omitempty"`
}

// ExportEventsParams selects the arms whose events are listed; empty means all.
type ExportEventsParams struct {
	Arms []int
}

// ExportEvents lists events (content=event, action=export).
func (c *Client) ExportEvents(ctx context.Context, p ExportEventsParams) ([]Event, error) {
	f := newForm("event", "export")
	f.array("arms", intsToStrings(p.Arms))
	rows, err := c.getRows(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = Event{
			EventName: r.str("event_name"), ArmNum: r.int("arm_num"), UniqueEventName: r.str("unique_event_name"),
			CustomEventLabel: r.str("custom_event_label"), EventID: r.int("event_id"),
			DayOffset: r.str("day_offset"), OffsetMin: r.str("offset_min"), OffsetMax: r.str("offset_max"),
		}
	}
	return out, nil
}

// ImportEventsParams adds or renames events; Override replaces all events.
type ImportEventsParams struct {
	Events   []Event
	Override bool
}

// ImportEvents adds or renames events (content=event, action=import).
func (c *Client) ImportEvents(ctx context.Context, p ImportEventsParams) (int, error) {
	f := newForm("event", "import")
	f.set("override", boolDigit(p.Override))
	return c.designWrite(c.importJSON(ctx, f, p.Events))
}

// DeleteEvents deletes events by unique name, with their data
// (content=event, action=delete; development only).
func (c *Client) DeleteEvents(ctx context.Context, uniqueEventNames []string) (int, error) {
	if len(uniqueEventNames) == 0 {
		return 0, errorf("DeleteEvents: no events given")
	}
	f := newForm("event", "delete")
	f.array("events", uniqueEventNames)
	return c.designWrite(c.postCount(ctx, f))
}

// FormEventMapping says that a form is collected at an event.
type FormEventMapping struct {
	ArmNum          int    `json:"arm_num"`
	UniqueEventName string `json:"unique_event_name"`
	Form            string `json:"form"`
}

// ExportFormEventMappingParams selects arms; empty means all.
type ExportFormEventMappingParams struct {
	Arms []int
}

// ExportFormEventMapping lists which forms each event collects
// (content=formEventMapping). Classic projects get a REDCap error.
func (c *Client) ExportFormEventMapping(ctx context.Context, p ExportFormEventMappingParams) ([]FormEventMapping, error) {
	f := newForm("formEventMapping", "export")
	f.array("arms", intsToStrings(p.Arms))
	rows, err := c.getRows(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]FormEventMapping, len(rows))
	for i, r := range rows {
		out[i] = FormEventMapping{ArmNum: r.int("arm_num"), UniqueEventName: r.str("unique_event_name"), Form: r.str("form")}
	}
	return out, nil
}

// ImportFormEventMapping replaces the form–event designations of the arms
// named in m (content=formEventMapping, action=import).
func (c *Client) ImportFormEventMapping(ctx context.Context, m []FormEventMapping) (int, error) {
	if len(m) == 0 {
		return 0, errorf("ImportFormEventMapping: no mappings given")
	}
	return c.designWrite(c.importJSON(ctx, newForm("formEventMapping", "import"), m))
}

// RepeatingFormEvent is one repeating instrument (FormName set) or
// repeating event (FormName blank); EventName is blank in classic projects.
type RepeatingFormEvent struct {
	EventName       string `json:"event_name,omitempty"`
	FormName        string `json:"form_name"`
	CustomFormLabel string `json:"custom_form_label"`
}

// ExportRepeatingFormsEvents lists repeating instruments and events
// (content=repeatingFormsEvents).
func (c *Client) ExportRepeatingFormsEvents(ctx context.Context) ([]RepeatingFormEvent, error) {
	rows, err := c.getRows(ctx, newForm("repeatingFormsEvents", "export"))
	if err != nil {
		return nil, err
	}
	out := make([]RepeatingFormEvent, len(rows))
	for i, r := range rows {
		out[i] = RepeatingFormEvent{EventName: r.str("event_name"), FormName: r.str("form_name"), CustomFormLabel: r.str("custom_form_label")}
	}
	return out, nil
}

// ImportRepeatingFormsEvents replaces the repeating setup
// (content=repeatingFormsEvents, action=import).
func (c *Client) ImportRepeatingFormsEvents(ctx context.Context, r []RepeatingFormEvent) (int, error) {
	return c.designWrite(c.importJSON(ctx, newForm("repeatingFormsEvents", "import"), r))
}

func intsToStrings(ns []int) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = strconv.Itoa(n)
	}
	return out
}

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// designWrite drops the cached Project after a design change (whether or
// not REDCap reported success: a failed write may have applied partly).
func (c *Client) designWrite(n int, err error) (int, error) {
	c.ForgetProject()
	return n, err
}
