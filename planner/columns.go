package planner

import (
	"github.com/redcapql/rq/client"
)

// colKind says what a resolved column reference reads.
type colKind uint8

const (
	ckField      colKind = iota // a dictionary field (a checkbox is one code-set column)
	ckCheckbox                  // one checkbox export column x___code: number 1/0
	ckRecord                    // the record id
	ckEvent                     // redcap_event_name
	ckArm                       // the arm number of the row's event
	ckInstrument                // redcap_repeat_instrument
	ckInstance                  // redcap_repeat_instance
	ckDAG                       // redcap_data_access_group
	ckForm                      // form scoping pseudo-column (conditions only)
	ckTable                     // a column of a source other than records
)

// column is a resolved name: what it reads and where its typed value lives.
type column struct {
	kind  colKind
	field *client.Field // ckField, ckCheckbox
	code  string        // ckCheckbox: the checkbox code
	slot  int           // index in the typed row
	name  string        // canonical output name
	tkind client.Kind   // ckTable: the column's type
}

// kind returns the rq type of the column's values.
func (c *column) valueKind() client.Kind {
	switch c.kind {
	case ckField:
		return c.field.Kind
	case ckCheckbox, ckArm, ckInstance:
		return client.KindNumber
	case ckTable:
		return c.tkind
	}
	return client.KindText
}

// key identifies the slot a column's values occupy.
func (c *column) key() string {
	switch c.kind {
	case ckField:
		return "f:" + c.field.Name
	case ckCheckbox:
		return "c:" + c.field.Name + "\x00" + c.code
	}
	return "k:" + c.name
}

// pseudoColumns maps keyword and REDCap plumbing names to their kind.
var pseudoColumns = map[string]colKind{
	"record":                   ckRecord,
	"event":                    ckEvent,
	"redcap_event_name":        ckEvent,
	"arm":                      ckArm,
	"instrument":               ckInstrument,
	"redcap_repeat_instrument": ckInstrument,
	"instance":                 ckInstance,
	"redcap_repeat_instance":   ckInstance,
	"dag":                      ckDAG,
	"redcap_data_access_group": ckDAG,
	"form":                     ckForm,
}

// canonical output names of the pseudo-columns.
var pseudoNames = map[colKind]string{
	ckEvent:      "redcap_event_name",
	ckArm:        "arm",
	ckInstrument: "redcap_repeat_instrument",
	ckInstance:   "redcap_repeat_instance",
	ckDAG:        "redcap_data_access_group",
	ckForm:       "form",
}

// kindBool types conditions used as values (true/false are numbers 1/0 at run time).
const kindBool = client.Kind(200)

// kindName names a type in error messages.
func kindName(k client.Kind) string {
	if k == kindBool {
		return "boolean"
	}
	return k.String()
}
