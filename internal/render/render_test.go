package render

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
)

func sample() *Slice {
	return &Slice{
		Cols: []string{"id", "score", "note", "race"},
		Vals: [][]client.Value{
			{Text("1"), {Kind: client.KindNumber, Num: 7.5, Str: "7.5"}, Text(""), {Kind: client.KindCodeSet, Codes: []string{"1", "oth"}}},
			{Text("2"), {Kind: client.KindNull}, {Kind: client.KindNull, Missing: "NA"}, {Kind: client.KindCodeSet}},
			{Text("3, x"), {Kind: client.KindNumber, Num: 12}, Text("a|b\nc"), {Kind: client.KindNull}},
		},
	}
}

func TestWrite(t *testing.T) {
	tests := []struct {
		format Format
		width  int
		want   string
	}{
		{Table, 0, "" +
			" id   | score | note   | race\n" +
			"------+-------+--------+-------\n" +
			" 1    |   7.5 |        | 1,oth\n" +
			" 2    |  NULL | [NA]   |\n" +
			" 3, x |    12 | a|b\\nc | NULL\n" +
			"(3 rows)\n"},
		// a fixed width cuts text columns only: numbers and their headers
		// stay whole (#16.2)
		{Table, 24, "" +
			" id   | score | note | race\n" +
			"------+-------+------+------\n" +
			" 1    |   7.5 |      | 1,o…\n" +
			" 2    |  NULL | [NA] |\n" +
			" 3, x |    12 | a|b… | NULL\n" +
			"(3 rows)\n"},
		{CSV, 0, "id,score,note,race\n1,7.5,\"\",\"1,oth\"\n2,,NA,\"\"\n\"3, x\",12,\"a|b\nc\",\n"},
		{TSV, 0, "id\tscore\tnote\trace\n1\t7.5\t\"\"\t1,oth\n2\t\tNA\t\"\"\n3, x\t12\t\"a|b\nc\"\t\n"},
		{JSONL, 0, "" +
			`{"id":"1","score":7.5,"note":"","race":["1","oth"]}` + "\n" +
			`{"id":"2","score":null,"note":{"missing":"NA"},"race":[]}` + "\n" +
			`{"id":"3, x","score":12,"note":"a|b\nc","race":null}` + "\n"},
		{Markdown, 0, "" +
			"| id   | score | note    | race  |\n" +
			"| ---- | ----- | ------- | ----- |\n" +
			"| 1    | 7.5   |         | 1,oth |\n" +
			"| 2    | NULL  | [NA]    |       |\n" +
			"| 3, x | 12    | a\\|b\\nc | NULL  |\n"},
		{Vertical, 0, "" +
			"-[ RECORD 1 ]---\n" +
			"id    | 1\nscore | 7.5\nnote  | \nrace  | 1,oth\n" +
			"-[ RECORD 2 ]---\n" +
			"id    | 2\nscore | NULL\nnote  | [NA]\nrace  | \n" +
			"-[ RECORD 3 ]---\n" +
			"id    | 3, x\nscore | 12\nnote  | a|b\\nc\nrace  | NULL\n"},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			var b strings.Builder
			n, err := Write(&b, tt.format, sample(), Options{Width: tt.width})
			if err != nil || n != 3 {
				t.Fatalf("Write = %d, %v", n, err)
			}
			if b.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tt.want)
			}
		})
	}
}

func TestJSONArrayKeepsOrderAndTypes(t *testing.T) {
	var b strings.Builder
	if _, err := Write(&b, JSON, sample(), Options{}); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(b.String()), &rows); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, b.String())
	}
	if len(rows) != 3 || rows[0]["score"] != 7.5 || rows[1]["score"] != nil || rows[0]["note"] != "" {
		t.Errorf("rows = %v", rows)
	}
	if !strings.HasPrefix(b.String(), "[\n{\"id\":\"1\",\"score\":7.5,") {
		t.Errorf("column order lost: %s", b.String())
	}
	b.Reset()
	Write(&b, JSON, &Slice{Cols: []string{"a"}}, Options{})
	if b.String() != "[]\n" {
		t.Errorf("empty = %q", b.String())
	}
}

type failing struct{ *Slice }

func (f failing) Err() error { return errors.New("boom") }

func TestReadErrorIsReturned(t *testing.T) {
	for _, f := range Formats {
		var b strings.Builder
		_, err := Write(&b, f, failing{sample()}, Options{})
		if err == nil || err.Error() != "boom" {
			t.Errorf("%s: err = %v", f, err)
		}
		if f == JSON && strings.HasSuffix(strings.TrimSpace(b.String()), "]") {
			t.Errorf("json: a failed result looks complete: %s", b.String())
		}
	}
}

func TestParseFormat(t *testing.T) {
	if f, err := ParseFormat("JSON"); err != nil || f != JSON {
		t.Errorf("ParseFormat(JSON) = %v, %v", f, err)
	}
	if _, err := ParseFormat("xml"); err == nil || !strings.Contains(err.Error(), "table, csv") {
		t.Errorf("ParseFormat(xml) err = %v", err)
	}
}

func TestJSONDoesNotEscapeHTML(t *testing.T) {
	for _, tt := range []struct {
		f    Format
		want string
	}{
		{JSONL, `{"a<b":"x < 1 & y > \"2\""}` + "\n" + `{"a<b":["<&>"]}` + "\n"},
		{JSON, "[\n" + `{"a<b":"x < 1 & y > \"2\""},` + "\n" + `{"a<b":["<&>"]}` + "\n]\n"},
	} {
		rows := &Slice{
			Cols: []string{"a<b"},
			Vals: [][]client.Value{{Text(`x < 1 & y > "2"`)}, {{Kind: client.KindCodeSet, Codes: []string{"<&>"}}}},
		}
		var b strings.Builder
		if _, err := Write(&b, tt.f, rows, Options{}); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("%s: got %q, want %q", tt.f, b.String(), tt.want)
		}
	}
}

// Booleans print as true and false in every format, JSON literals in JSON.
func TestBooleans(t *testing.T) {
	rows := func() *Slice {
		return &Slice{Cols: []string{"hi", "m"}, Vals: [][]client.Value{
			{{Kind: client.KindBool, Num: 1}, {Kind: client.KindBool}},
			{{Kind: client.KindNull}, {Kind: client.KindBool, Num: 1}},
		}}
	}
	for _, tt := range []struct {
		f    Format
		want string
	}{
		{JSONL, `{"hi":true,"m":false}` + "\n" + `{"hi":null,"m":true}` + "\n"},
		{JSON, "[\n" + `{"hi":true,"m":false},` + "\n" + `{"hi":null,"m":true}` + "\n]\n"},
		{CSV, "hi,m\ntrue,false\n,true\n"},
		{Table, " hi   | m\n------+-------\n true | false\n NULL | true\n(2 rows)\n"},
	} {
		var b strings.Builder
		if _, err := Write(&b, tt.f, rows(), Options{}); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("%s: got %q, want %q", tt.f, b.String(), tt.want)
		}
	}
}
