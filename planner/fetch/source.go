package fetch

import (
	"context"
	"fmt"
	"strings"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/planner/catalog"
)

// FetchSource exports a local source (see catalog.Sources) and returns it
// as raw rows whose columns are the export's keys.
func FetchSource(ctx context.Context, c *client.Client, source string) (RawRows, error) {
	src, ok := catalog.LookupSource(source)
	if !ok || src.IsRecords() {
		return nil, errNoLocalSource(source)
	}
	cols, rows, err := src.Fetch(ctx, c)
	if err != nil {
		return nil, err
	}
	return NewTableRows(cols, rows), nil
}

func errNoLocalSource(source string) error {
	return fmt.Errorf("no local source %q (sources: %s)", source, strings.Join(catalog.SourceNames(), ", "))
}
