package main

import (
	"context"

	"github.com/redcapql/rq/client"
)

// checkAgainstProject loads the project's structure when an export (records,
// or metadata's --field and --form) names fields, forms, events or filter
// logic, so that the client checks them
// against the data dictionary before sending (a *client.NameError with a
// "did you mean"), as queries are checked: REDCap itself answers a
// misspelt field with a bare 400, and one in filter logic with a 500. When
// the structure cannot be loaded (a token without the rights), the export
// goes ahead unchecked and REDCap's own answer stands.
func checkAgainstProject(ctx context.Context, c *client.Client, p client.ExportRecordsParams) {
	if len(p.Fields) == 0 && len(p.Forms) == 0 && len(p.Events) == 0 && p.FilterLogic == "" {
		return
	}
	c.Project(ctx) //nolint:errcheck // best effort: see above
}
