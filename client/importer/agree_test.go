package importer_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/importer"
	"github.com/redcapql/rq/internal/fixtures"
)

// valueErrorsCSV has value-level faults only: REDCap reports an unknown
// column or event for the whole request, merges duplicate rows and accepts
// out-of-range values.
const valueErrorsCSV = `record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,age,sex,site,dob,race___1,smoker,sbp,med_name,med_dose,baseline_complete
9001,enrollment_arm_1,,,42,2,nyc,1980-02-03,1,0,,,,2
9002,enrollment_arm_1,,,4x2,1,nyc,,,,,,,
9003,enrollment_arm_1,,,30,7,nyc,,,,,,,
9004,enrollment_arm_1,,,30,1,paris,,,,,,,
9005,enrollment_arm_1,,,30,1,nyc,1980-02-30,,,,,,
9006,enrollment_arm_1,,,30,1,nyc,,2,,,,,
9007,enrollment_arm_1,,,30,1,nyc,,,yes,,,,
9008,week_4_arm_1,,,30,,,,,,120,,,
9011,enrollment_arm_1,medications,0,,,,,,,,aspirin,,
9012,enrollment_arm_1,visit,1,,,,,,,,,,
9015,enrollment_arm_1,,,30,,,,,,,,,5
9016,enrollment_arm_1,medications,1,,,,,,,,aspirin,lots,
`

// TestValidationAgreesWithServer: for files REDCap checks value by value,
// the importer finds exactly the (record, field, value) triples the server
// refuses, and a file it passes is accepted.
func TestValidationAgreesWithServer(t *testing.T) {
	type tcase struct {
		name       string
		url, token string
		data       string
		dateFormat string
	}
	_, demoClient := demo(t, 10)
	cases := []tcase{{name: "demo value errors", url: demoClient.URL(), data: valueErrorsCSV}}
	src, _ := validCSV(3)
	cases = append(cases, tcase{name: "demo valid", url: demoClient.URL(), data: src})
	srv, tok := fixtureServer(t, "PHPCapLongitudinalData.REDCap.xml")
	for _, name := range []string{"longitudinal-data-import.csv", "longitudinal-data-import-2.csv"} {
		b, err := os.ReadFile(fixtures.Path(t, "phpcap", "data", name))
		if err != nil {
			t.Fatal(err)
		}
		for _, df := range []string{"YMD", "MDY", "DMY"} {
			cases = append(cases, tcase{name: name + " " + df, url: srv.URL, token: tok, data: string(b), dateFormat: df})
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := demoClient
			if tc.token != "" {
				c = newClient(t, tc.url, tc.token)
			}
			ps := load(t, c, importer.WithDateFormat(tc.dateFormat)).Validate(strings.NewReader(tc.data), importer.CSV)
			var mine []string
			for _, p := range ps.Errors() {
				mine = append(mine, p.Record+"|"+p.Field+"|"+p.Value)
			}
			_, err := c.ImportRecords(context.Background(), client.ImportRecordsParams{Data: []byte(tc.data), DateFormat: tc.dateFormat, ReturnContent: "ids"})
			var theirs []string
			var ce *client.Error
			if errors.As(err, &ce) {
				for _, p := range ce.Problems {
					theirs = append(theirs, p.Record+"|"+p.Field+"|"+p.Value)
				}
				if len(ce.Problems) == 0 {
					t.Fatalf("server refused without per-value problems: %v", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			slices.Sort(mine)
			slices.Sort(theirs)
			if !slices.Equal(mine, theirs) {
				t.Errorf("importer found %d problems, the server %d:\n importer %q\n server   %q", len(mine), len(theirs), mine, theirs)
			}
		})
	}
}
