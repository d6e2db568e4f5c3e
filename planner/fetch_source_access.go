package planner

import (
	"context"
	"fmt"

	"github.com/redcapql/rq/client"
)

// dagColumns and userColumns are the keys of the DAG and user exports.
var (
	dagColumns  = []string{"data_access_group_name", "unique_group_name", "data_access_group_id"}
	userColumns = []string{"username", "email", "firstname", "lastname", "expiration", "data_access_group", "data_access_group_id"}
)

// fetchAccessSource exports users or DAGs.
func fetchAccessSource(ctx context.Context, c *client.Client, source string) (RawRows, error) {
	return nil, fmt.Errorf("%s: waiting for the client's export", source)
}
