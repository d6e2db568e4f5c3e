package client

import (
	"context"
	"strings"
	"sync"
)

// Project is the structure of a REDCap project, loaded once and cached by
// the Client (like PyCap's Project attributes): metadata, project info,
// instruments, arms, events, the form–event mapping and the repeating
// setup. It is immutable once loaded, so safe for concurrent use; the
// accessors return copies.
type Project struct {
	info        ProjectInfo
	meta        []MetadataField
	instruments []Instrument
	arms        []Arm
	events      []Event
	fem         []FormEventMapping
	repeating   []RepeatingFormEvent
	dict        *Dictionary
	dictErr     error
}

// Project returns the cached project structure, loading it on first use
// (5 requests; 8 for a longitudinal project). Concurrent callers share one
// load; a failed load is not cached. Waiting honours ctx.
func (c *Client) Project(ctx context.Context) (*Project, error) {
	select {
	case c.projMu <- struct{}{}:
	case <-ctx.Done():
		return nil, &Error{Message: "waiting for the project structure: " + ctx.Err().Error(), Content: "metadata", Err: ctx.Err()}
	}
	defer func() { <-c.projMu }()
	if c.proj != nil {
		return c.proj, nil
	}
	p, err := c.loadProject(ctx)
	if err != nil {
		return nil, err
	}
	c.proj = p
	return p, nil
}

// ForgetProject drops the cached structure; the next Project call reloads
// it. Call it after changing the design (metadata, arms, events...).
func (c *Client) ForgetProject() {
	c.projMu <- struct{}{}
	c.proj = nil
	<-c.projMu
}

// cachedProject returns the structure if it is already loaded, else nil.
func (c *Client) cachedProject() *Project {
	c.projMu <- struct{}{}
	defer func() { <-c.projMu }()
	return c.proj
}

func (c *Client) loadProject(ctx context.Context) (*Project, error) {
	info, err := c.ExportProjectInfo(ctx)
	if err != nil {
		return nil, err
	}
	p := &Project{info: *info}
	// The other parts depend only on info: ask for them at once, so that
	// loading the structure costs about one round trip, not six (on a real
	// REDCap each call is ~100 ms of server start-up).
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	get := func(fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	get(func() (err error) { p.meta, err = c.ExportMetadata(ctx, ExportMetadataParams{}); return })
	get(func() (err error) { p.instruments, err = c.ExportInstruments(ctx); return })
	if info.IsLongitudinal {
		get(func() (err error) { p.arms, err = c.ExportArms(ctx, ExportArmsParams{}); return })
		get(func() (err error) { p.events, err = c.ExportEvents(ctx, ExportEventsParams{}); return })
		get(func() (err error) { p.fem, err = c.ExportFormEventMapping(ctx, ExportFormEventMappingParams{}); return })
	}
	if info.HasRepeatingInstrumentsOrEvents {
		get(func() (err error) { p.repeating, err = c.ExportRepeatingFormsEvents(ctx); return })
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, errs[0] // the first to fail; the others are alike (same server, same token)
	}
	if len(p.meta) == 0 {
		return nil, &Error{Status: 200, Content: "metadata", Action: "export", Err: ErrMalformed, Message: "the data dictionary is empty"}
	}
	p.dict, p.dictErr = NewDictionary(p.meta, info.MissingDataCodes)
	return p, nil
}

// Info returns the project information.
func (p *Project) Info() ProjectInfo { return p.info }

// DefField returns the record id field (the first dictionary field).
func (p *Project) DefField() string { return p.meta[0].FieldName }

// Metadata returns the data dictionary.
func (p *Project) Metadata() []MetadataField { return append([]MetadataField(nil), p.meta...) }

// Forms returns the instrument names in design order.
func (p *Project) Forms() []string {
	out := make([]string, 0, len(p.instruments))
	for _, in := range p.instruments {
		out = append(out, in.Name)
	}
	if len(out) == 0 { // fall back on the dictionary's order
		for _, m := range p.meta {
			if len(out) == 0 || out[len(out)-1] != m.FormName {
				out = append(out, m.FormName)
			}
		}
	}
	return out
}

// Instruments returns the instruments with their labels.
func (p *Project) Instruments() []Instrument { return append([]Instrument(nil), p.instruments...) }

// FieldNames returns the dictionary field names in order (checkboxes by
// their base name, descriptive fields included, as PyCap's field_names).
func (p *Project) FieldNames() []string {
	out := make([]string, len(p.meta))
	for i, m := range p.meta {
		out[i] = m.FieldName
	}
	return out
}

// FieldLabels returns the field labels, parallel to FieldNames.
func (p *Project) FieldLabels() []string {
	out := make([]string, len(p.meta))
	for i, m := range p.meta {
		out[i] = m.FieldLabel
	}
	return out
}

// NamesLabels returns FieldNames and FieldLabels together.
func (p *Project) NamesLabels() (names, labels []string) { return p.FieldNames(), p.FieldLabels() }

// Events returns the events (none for a classic project).
func (p *Project) Events() []Event { return append([]Event(nil), p.events...) }

// Arms returns the arms (none for a classic project).
func (p *Project) Arms() []Arm { return append([]Arm(nil), p.arms...) }

// ArmNums returns the arm numbers.
func (p *Project) ArmNums() []int {
	out := make([]int, len(p.arms))
	for i, a := range p.arms {
		out[i] = a.Num
	}
	return out
}

// ArmNames returns the arm names, parallel to ArmNums.
func (p *Project) ArmNames() []string {
	out := make([]string, len(p.arms))
	for i, a := range p.arms {
		out[i] = a.Name
	}
	return out
}

// FormEventMapping returns which forms each event collects.
func (p *Project) FormEventMapping() []FormEventMapping {
	return append([]FormEventMapping(nil), p.fem...)
}

// RepeatingFormsEvents returns the repeating instruments and events.
func (p *Project) RepeatingFormsEvents() []RepeatingFormEvent {
	return append([]RepeatingFormEvent(nil), p.repeating...)
}

// IsLongitudinal reports whether the project has events.
func (p *Project) IsLongitudinal() bool { return p.info.IsLongitudinal }

// HasRepeating reports whether the project has repeating instruments or events.
func (p *Project) HasRepeating() bool { return p.info.HasRepeatingInstrumentsOrEvents }

// FilterMetadata returns, for every field, its value of the metadata
// column key (REDCap's name, e.g. "field_type"), like PyCap's
// filter_metadata. Unknown keys give nil.
func (p *Project) FilterMetadata(key string) []string {
	get := metadataGetter(key)
	if get == nil {
		return nil
	}
	out := make([]string, len(p.meta))
	for i := range p.meta {
		out[i] = get(&p.meta[i])
	}
	return out
}

// MetadataType returns the field_type of field ("text", "checkbox"...);
// false when the dictionary has no such field.
func (p *Project) MetadataType(field string) (string, bool) {
	m, ok := p.field(field)
	if !ok {
		return "", false
	}
	return m.FieldType, true
}

func (p *Project) field(name string) (*MetadataField, bool) {
	for i := range p.meta {
		if p.meta[i].FieldName == name {
			return &p.meta[i], true
		}
	}
	return nil, false
}

// Dictionary returns the typed data dictionary (built with NewDictionary
// from the metadata and the project's missing-data codes).
func (p *Project) Dictionary() (*Dictionary, error) { return p.dict, p.dictErr }

func metadataGetter(key string) func(*MetadataField) string {
	switch strings.ToLower(key) {
	case "field_name":
		return func(m *MetadataField) string { return m.FieldName }
	case "form_name":
		return func(m *MetadataField) string { return m.FormName }
	case "section_header":
		return func(m *MetadataField) string { return m.SectionHeader }
	case "field_type":
		return func(m *MetadataField) string { return m.FieldType }
	case "field_label":
		return func(m *MetadataField) string { return m.FieldLabel }
	case "select_choices_or_calculations":
		return func(m *MetadataField) string { return m.SelectChoicesOrCalculations }
	case "field_note":
		return func(m *MetadataField) string { return m.FieldNote }
	case "text_validation_type_or_show_slider_number":
		return func(m *MetadataField) string { return m.TextValidationTypeOrShowSliderNumber }
	case "text_validation_min":
		return func(m *MetadataField) string { return m.TextValidationMin }
	case "text_validation_max":
		return func(m *MetadataField) string { return m.TextValidationMax }
	case "identifier":
		return func(m *MetadataField) string { return m.Identifier }
	case "branching_logic":
		return func(m *MetadataField) string { return m.BranchingLogic }
	case "required_field":
		return func(m *MetadataField) string { return m.RequiredField }
	case "custom_alignment":
		return func(m *MetadataField) string { return m.CustomAlignment }
	case "question_number":
		return func(m *MetadataField) string { return m.QuestionNumber }
	case "matrix_group_name":
		return func(m *MetadataField) string { return m.MatrixGroupName }
	case "matrix_ranking":
		return func(m *MetadataField) string { return m.MatrixRanking }
	case "field_annotation":
		return func(m *MetadataField) string { return m.FieldAnnotation }
	}
	return nil
}
