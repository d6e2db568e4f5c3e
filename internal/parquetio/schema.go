package parquetio

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/redcapql/rq/client"
)

// Type is the Parquet type of a column.
type Type uint8

// The column types.
const (
	String    Type = iota // STRING (UTF-8 byte array)
	Int64                 // INT64
	Double                // DOUBLE
	Decimal               // DECIMAL(18, Scale) over INT64
	Date                  // DATE
	Timestamp             // TIMESTAMP(MILLIS), not adjusted to UTC
	Time                  // TIME(MILLIS)
	Bool                  // BOOLEAN
)

var typeNames = [...]string{String: "string", Int64: "int64", Double: "double", Decimal: "decimal", Date: "date", Timestamp: "timestamp", Time: "time", Bool: "boolean"}

// String names the type as the rq.columns metadata spells it.
func (t Type) String() string { return typeNames[t] }

// RawColumn is the companion column holding raw text that the typed
// columns do not give back exactly.
const RawColumn = "rq_raw"

// Choice is a code and its label, in the rq.columns metadata.
type Choice struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

func choicesOf(cs []client.Choice) []Choice {
	out := make([]Choice, len(cs))
	for i, c := range cs {
		out[i] = Choice{c.Code, c.Label}
	}
	return out
}

// Column is one column of a file.
type Column struct {
	Name    string   `json:"name"`
	Type    Type     `json:"-"`
	TypeS   string   `json:"type"`
	Scale   int      `json:"scale,omitempty"`   // Decimal
	Field   string   `json:"field,omitempty"`   // the dictionary field behind the column
	Code    string   `json:"code,omitempty"`    // a checkbox option column: its code
	Label   bool     `json:"label,omitempty"`   // a label column (of Source's codes)
	Format  string   `json:"format,omitempty"`  // how the raw text of a date, time or number looks
	Choices []Choice `json:"choices,omitempty"` // a choice column's codes and labels; a checkbox option's own label

	src   int           // index of the input column
	field *client.Field // nil for pseudo and computed columns
}

var decimals = regexp.MustCompile(`^number_([1-9])dp(_comma_decimal)?$`)

// pseudoType types the columns every record row has, by name.
func pseudoType(name, recordID string) (Type, bool) {
	switch name {
	case "record", recordID, "redcap_event_name", "event", "redcap_repeat_instrument", "instrument", "redcap_data_access_group", "dag":
		return String, true
	case "redcap_repeat_instance", "instance", "arm":
		return Int64, true
	}
	return String, false
}

// fieldColumn types a column backed by a dictionary field.
func fieldColumn(name string, f *client.Field, code string, src int) Column {
	c := Column{Name: name, Field: f.Name, Code: code, src: src, field: f}
	switch {
	case code != "":
		c.Type = Bool
		if l, ok := f.ChoiceLabel(code); ok {
			c.Choices = []Choice{{code, l}}
		}
	case f.FieldType == "yesno" || f.FieldType == "truefalse":
		c.Type, c.Choices = Bool, choicesOf(f.Choices)
	case f.FieldType == "radio" || f.FieldType == "dropdown":
		c.Type, c.Choices = String, choicesOf(f.Choices)
		if f.NumericCodes && integralCodes(f.Choices) {
			c.Type = Int64
		}
	case f.FieldType == "form_status":
		c.Type, c.Choices = Int64, choicesOf(f.Choices)
	case f.Kind == client.KindNumber:
		c.Type = Double
		if f.Validation == "integer" {
			c.Type = Int64
		} else if m := decimals.FindStringSubmatch(f.Validation); m != nil && m[2] == "" {
			c.Type = Decimal
			c.Scale, _ = strconv.Atoi(m[1])
		}
	case f.Kind == client.KindDate:
		c.Type = Date
	case f.Kind == client.KindDatetime:
		c.Type = Timestamp
		c.Format = "2006-01-02 15:04"
		if strings.Contains(f.Validation, "seconds") {
			c.Format = "2006-01-02 15:04:05"
		}
	case f.Kind == client.KindTime:
		c.Type = Time
		switch f.Validation {
		case "time_mm_ss":
			c.Format = "04:05"
		case "time_hh_mm_ss":
			c.Format = "15:04:05"
		default:
			c.Format = "15:04"
		}
	default:
		c.Type = String
	}
	return c
}

func integralCodes(cs []client.Choice) bool {
	for _, c := range cs {
		if _, err := strconv.ParseInt(c.Code, 10, 64); err != nil {
			return false
		}
	}
	return len(cs) > 0
}

// node is the Parquet schema node of a column: every column is optional.
func (c *Column) node() parquet.Node {
	var n parquet.Node
	switch c.Type {
	case Int64:
		n = parquet.Int(64)
	case Double:
		n = parquet.Leaf(parquet.DoubleType)
	case Decimal:
		n = parquet.Decimal(c.Scale, 18, parquet.Int64Type)
	case Date:
		n = parquet.Date()
	case Timestamp:
		n = parquet.TimestampAdjusted(parquet.Millisecond, false)
	case Time:
		n = parquet.TimeAdjusted(parquet.Millisecond, false)
	case Bool:
		n = parquet.Leaf(parquet.BooleanType)
	default:
		n = parquet.String()
		if c.Label || c.Name == "redcap_event_name" || c.Name == "event" || c.Name == "redcap_repeat_instrument" ||
			c.Name == "instrument" || c.Name == "redcap_data_access_group" || c.Name == "dag" {
			n = parquet.Encoded(n, &parquet.RLEDictionary)
		}
	}
	return parquet.Optional(n)
}

// group is a Parquet group whose fields keep the columns' order
// (parquet.Group sorts them by name).
type group struct {
	parquet.Group
	order []string
}

func (g group) Fields() []parquet.Field {
	byName := map[string]parquet.Field{}
	for _, f := range g.Group.Fields() {
		byName[f.Name()] = f
	}
	out := make([]parquet.Field, len(g.order))
	for i, n := range g.order {
		out[i] = byName[n]
	}
	return out
}

// schemaOf builds the file schema: the columns, then rq_raw.
func schemaOf(cols []Column) *parquet.Schema {
	g := group{Group: parquet.Group{}}
	for i := range cols {
		g.Group[cols[i].Name] = cols[i].node()
		g.order = append(g.order, cols[i].Name)
	}
	g.Group[RawColumn] = parquet.Optional(parquet.String())
	g.order = append(g.order, RawColumn)
	return parquet.NewSchema("rq", g)
}

// columnsJSON is the rq.columns key-value metadata.
func columnsJSON(cols []Column) string {
	for i := range cols {
		cols[i].TypeS = cols[i].Type.String()
	}
	b, _ := json.Marshal(cols)
	return string(b)
}
