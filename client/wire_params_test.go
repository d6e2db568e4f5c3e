package client_test

import (
	"context"
	"testing"

	"github.com/redcapql/rq/client"
)

// TestWireParameterNames pins the REDCap parameter name of every option
// that the loopback tests do not already observe through the server.
func TestWireParameterNames(t *testing.T) {
	answers := map[string]string{
		"record/export": "record_id\n1\n", "record/import": `{"count":1}`, "record/delete": `{"count":1}`,
		"report/export": "record_id\n1\n", "project_xml/export": "<?xml version=\"1.0\"?><ODM/>",
		"log/export": "[]", "pdf/export": "%PDF-1.4", "fileRepository/createFolder": `[{"folder_id":3}]`,
		"arm/import": `{"count":1}`, "surveyLink/export": "https://x/surveys/?s=A",
	}
	ctx := context.Background()
	tests := []struct {
		name string
		call func(*client.Client) error
		want map[string]string
	}{
		{"export flags", func(c *client.Client) error {
			_, err := c.ExportRecords(ctx, client.ExportRecordsParams{
				Type: "eav", RawOrLabel: "label", RawOrLabelHeaders: "label", ExportCheckboxLabel: true,
				ExportSurveyFields: true, ExportBlankForGrayFormStatus: true, CombineCheckboxOptions: true,
				DateRangeBegin: "2024-01-01", DateRangeEnd: "2024-02-01 10:00:30", CSVDelimiter: "tab", DecimalCharacter: ",",
				Forms: []string{"baseline"},
			})
			return err
		}, map[string]string{
			"type": "eav", "rawOrLabel": "label", "rawOrLabelHeaders": "label", "exportCheckboxLabel": "true",
			"exportSurveyFields": "true", "exportBlankForGrayFormStatus": "true", "combineCheckboxOptions": "true",
			"dateRangeBegin": "2024-01-01", "dateRangeEnd": "2024-02-01 10:00:30", "csvDelimiter": "tab",
			"decimalCharacter": ",", "forms[0]": "baseline", "format": "csv",
		}},
		{"import flags", func(c *client.Client) error {
			_, err := c.ImportRecords(ctx, client.ImportRecordsParams{Data: []byte("record_id\n1\n"), Type: "eav",
				OverwriteBehavior: "overwrite", ForceAutoNumber: true, DateFormat: "DMY", CSVDelimiter: ";"})
			return err
		}, map[string]string{"action": "import", "type": "eav", "overwriteBehavior": "overwrite", "forceAutoNumber": "true",
			"dateFormat": "DMY", "csvDelimiter": ";", "returnContent": "count", "data": "record_id\n1\n", "format": "csv"}},
		{"delete flags", func(c *client.Client) error {
			_, err := c.DeleteRecords(ctx, client.DeleteRecordsParams{Records: []string{"1"}, Instrument: "visit", Event: "week_4_arm_1", RepeatInstance: 2, DeleteLogging: true})
			return err
		}, map[string]string{"records[0]": "1", "instrument": "visit", "event": "week_4_arm_1", "repeat_instance": "2", "delete_logging": "1"}},
		{"report", func(c *client.Client) error {
			_, err := c.ExportReport(ctx, client.ExportReportParams{ReportID: "7", ExportCheckboxLabel: true, DecimalCharacter: "."})
			return err
		}, map[string]string{"report_id": "7", "exportCheckboxLabel": "true", "decimalCharacter": "."}},
		{"project xml", func(c *client.Client) error {
			rc, err := c.ExportProjectXML(ctx, client.ExportProjectXMLParams{ReturnMetadataOnly: true, Records: []string{"1"},
				Fields: []string{"age"}, Events: []string{"e"}, ExportSurveyFields: true, ExportDataAccessGroups: true, FilterLogic: "[age]>1", ExportFiles: true})
			if err == nil {
				rc.Close()
			}
			return err
		}, map[string]string{"returnMetadataOnly": "true", "records[0]": "1", "fields[0]": "age", "events[0]": "e",
			"exportSurveyFields": "true", "exportDataAccessGroups": "true", "filterLogic": "[age]>1", "exportFiles": "true"}},
		{"logging", func(c *client.Client) error {
			_, err := c.ExportLogging(ctx, client.ExportLoggingParams{LogType: "record_edit", User: "u", Record: "1", DAG: "site_a", BeginTime: "2024-01-01 00:00", EndTime: "2024-12-31 23:59"})
			return err
		}, map[string]string{"logtype": "record_edit", "user": "u", "record": "1", "dag": "site_a", "beginTime": "2024-01-01 00:00", "endTime": "2024-12-31 23:59", "format": "json"}},
		{"pdf", func(c *client.Client) error {
			d, err := c.ExportPDF(ctx, client.ExportPDFParams{Record: "1", Event: "e", Instrument: "visit", RepeatInstance: 3, CompactDisplay: true})
			if err == nil {
				d.Body.Close()
			}
			return err
		}, map[string]string{"record": "1", "event": "e", "instrument": "visit", "repeat_instance": "3", "compactDisplay": "true"}},
		{"create folder", func(c *client.Client) error {
			_, err := c.CreateRepositoryFolder(ctx, client.CreateFolderParams{Name: "f", FolderID: 2, DAGID: 4, RoleID: 5})
			return err
		}, map[string]string{"name": "f", "folder_id": "2", "dag_id": "4", "role_id": "5"}},
		{"arms override", func(c *client.Client) error {
			_, err := c.ImportArms(ctx, client.ImportArmsParams{Arms: []client.Arm{{Num: 1, Name: "A"}}, Override: true})
			return err
		}, map[string]string{"override": "1", "data": `[{"arm_num":1,"name":"A"}]`, "format": "json"}},
		{"survey link", func(c *client.Client) error {
			_, err := c.ExportSurveyLink(ctx, client.SurveyParams{Record: "1", Instrument: "baseline", Event: "e", RepeatInstance: 2})
			return err
		}, map[string]string{"record": "1", "instrument": "baseline", "event": "e", "repeat_instance": "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt, url := newRouter(t, answers)
			if err := tt.call(newClient(t, url)); err != nil {
				t.Fatal(err)
			}
			got := rt.forms[len(rt.forms)-1]
			for k, v := range tt.want {
				if got.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, got.Get(k), v)
				}
			}
			if got.Get("returnFormat") != "json" || got.Get("token") != testToken {
				t.Errorf("returnFormat %q, token sent: %v", got.Get("returnFormat"), got.Has("token"))
			}
		})
	}
}
