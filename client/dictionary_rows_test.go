package client

import (
	"errors"
	"strings"
	"testing"
)

func TestRowParser(t *testing.T) {
	d := demoDict(t)
	header := strings.Split("record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,redcap_data_access_group,baseline_timestamp,age,race___1,race___2,race___3,race____1,race___oth,race___na,race___unk,smoker,baseline_complete", ",")
	p, err := d.NewRowParser(header)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range p.Fields() {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, " "); got != "record_id age race smoker baseline_complete" {
		t.Fatalf("Fields = %s", got)
	}
	var dst []Value
	dst, err = p.Parse(strings.Split("7,enrollment_arm_1,,,site_a,2024-01-01 10:00:00,42,1,0,0,1,0,0,0,1,2", ","), dst)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, v := range dst {
		got = append(got, v.Kind.String()+":"+v.String())
	}
	if s := strings.Join(got, " "); s != "text:7 number:42 codeset:1,-1 number:1 number:2" {
		t.Errorf("values = %s", s)
	}
	dst, err = p.Parse(strings.Split("8,week_4_arm_1,,,,,abc,0,0,0,0,0,1,0,UNK,", ","), dst)
	var ve ValueErrors
	if !errors.As(err, &ve) || len(ve) != 1 || ve[0].Record != "8" || ve[0].Field != "age" {
		t.Fatalf("err = %v", err)
	}
	if err.Error() != `record "8", field "age": value "abc": not an integer` {
		t.Errorf("message = %s", err)
	}
	if !dst[1].IsNull() || dst[2].Missing != "NA" || dst[3].Missing != "UNK" || !dst[4].IsNull() {
		t.Errorf("values = %+v", dst)
	}
	if _, err := p.Parse([]string{"1"}, dst); err == nil || !strings.Contains(err.Error(), "row has 1 values, header has 16") {
		t.Errorf("short row err = %v", err)
	}
}

func TestRowParserPartialCheckbox(t *testing.T) {
	d := demoDict(t)
	p, err := d.NewRowParser([]string{"record_id", "race___2", "race___oth"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := p.Parse([]string{"1", "1", "0"}, nil)
	if err != nil || v[1].String() != "2" {
		t.Fatalf("got %+v, %v", v, err)
	}
	v, err = p.Parse([]string{"1", "", ""}, nil)
	if err != nil || !v[1].IsNull() {
		t.Fatalf("blank: got %+v, %v", v, err)
	}
}

func TestNewRowParserErrors(t *testing.T) {
	d := demoDict(t)
	for _, tt := range []struct {
		cols []string
		want string
	}{
		{[]string{"record_id", "nope"}, `column 2 "nope" is not a column`},
		{[]string{"record_id", "race"}, `column 2 "race" is not a column`},
		{[]string{"record_id", "info"}, `column 2 "info" is not a column`},
		{[]string{"age", "record_id", "age"}, `column 3 "age" repeats column 1`},
	} {
		if _, err := d.NewRowParser(tt.cols); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewRowParser(%q) err = %v, want %q", tt.cols, err, tt.want)
		}
	}
}
