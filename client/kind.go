package client

import "strconv"

// Kind is the rq type of a REDCap value (rq-language.md §4).
type Kind uint8

// The kinds a Value can have. The zero Kind is KindNull.
const (
	KindNull     Kind = iota // blank, a missing-data code, or a value that does not fit its field
	KindText                 // free text, text choice codes, anything untyped
	KindNumber               // integer/number text, calc, slider, yesno, truefalse, numeric choice codes, form status
	KindDate                 // date_* validation: YYYY-MM-DD
	KindDatetime             // datetime_* validation: YYYY-MM-DD HH:MM[:SS]
	KindTime                 // time validations: HH:MM, HH:MM:SS or MM:SS
	KindCodeSet              // checkbox: the set of ticked codes
	KindBool                 // a condition's result (rq output only, never a field's kind): Num is 1 or 0
)

var kindNames = [...]string{
	KindNull:     "null",
	KindText:     "text",
	KindNumber:   "number",
	KindDate:     "date",
	KindDatetime: "datetime",
	KindTime:     "time",
	KindCodeSet:  "codeset",
	KindBool:     "boolean",
}

// String returns the kind's name as rq spells it: "null", "text", "number", "date", ...
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}
