package logic

// Kind is how a field's values take part in logic.
type Kind uint8

const (
	// Text fields compare as strings with PHP 8 loose rules.
	Text Kind = iota
	// Number fields (integer/number validated text, calc, slider, yesno,
	// truefalse, file, dropdown/radio with all-numeric codes) convert to
	// numbers; blank or non-numeric values become NaN.
	Number
	// Checkbox fields: options [cb(code)] read '1'/'0' as numbers; a bare
	// [cb] reference makes the row evaluate to false.
	Checkbox
)

// InstanceRel says which repeat instance a reference reads.
type InstanceRel uint8

const (
	// RowInstance: no instance given; the row decides (its own instance for
	// fields on its repeating form, the non-repeating data otherwise).
	RowInstance InstanceRel = iota
	// Numbered: the instance in InstanceRef.N (also used for
	// current-, previous- and next-instance, resolved against the row).
	Numbered
	// FirstInstance: the lowest instance that holds data.
	FirstInstance
	// LastInstance: the highest instance that holds data.
	LastInstance
)

// InstanceRef is the instance slot of a reference, [field][2] or
// [field][last-instance].
type InstanceRef struct {
	Rel InstanceRel
	N   int // for Numbered
}

// Row is one record × event × instance that logic is evaluated against.
// Event names passed to Value and Checkbox are unique event names; an empty
// event means the row's own event.
type Row interface {
	// Record is the record name ([record-name]).
	Record() string
	// Event is the row's unique event name, "" in classic projects.
	Event() string
	// Instance is the row's repeat instance, 1 when it does not repeat.
	Instance() int
	// Kind tells how the field's values compare.
	Kind(field string) Kind
	// Value is the raw stored value, "" when blank or when the field's form
	// is not designated for the event (form status then reads "0").
	Value(event, field string, inst InstanceRef) string
	// Checkbox is "1" when the option is ticked, else "0".
	Checkbox(event, field, code string, inst InstanceRef) string
}

// SmartVariables is optionally implemented by a Row to supply smart
// variables beyond [record-name], [event-name] and [*-instance], e.g.
// "arm-number", "event-label", "previous-event-name", "record-dag-name",
// "project-id", "user-name". The name comes without brackets.
type SmartVariables interface {
	SmartVariable(name string) (value string, ok bool)
}

// MissingCodes is optionally implemented by a Row to tell the project's
// missing-data codes (for ismissingcode and its relatives), e.g. NA, UNK.
type MissingCodes interface {
	MissingCodes() []string
}
