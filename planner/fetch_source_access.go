package planner

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/redcapql/rq/client"
)

// dagColumns and userColumns are the keys of the DAG and user exports. The
// user export has many more (one per right); they follow these, sorted.
var (
	dagColumns  = []string{"data_access_group_name", "unique_group_name", "data_access_group_id"}
	userColumns = []string{"username", "email", "firstname", "lastname", "expiration", "data_access_group", "data_access_group_id"}
)

// fetchAccessSource exports users or DAGs.
func fetchAccessSource(ctx context.Context, c *client.Client, source string) (RawRows, error) {
	if source == "dags" {
		dags, err := c.ExportDAGs(ctx)
		if err != nil {
			return nil, fmt.Errorf("dags: %w", err)
		}
		rows := make([][]string, len(dags))
		for i, d := range dags {
			rows[i] = []string{d.Name, d.UniqueGroupName, formatValue(d.ID)}
		}
		return NewTableRows(slices.Clone(dagColumns), rows), nil
	}
	users, err := c.ExportUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	cols := slices.Clone(userColumns)
	var extra []string
	seen := map[string]bool{}
	for _, u := range users {
		for k := range u.Rights {
			if !seen[k] && !slices.Contains(cols, k) {
				seen[k] = true
				extra = append(extra, k)
			}
		}
	}
	sort.Strings(extra)
	cols = append(cols, extra...)
	rows := make([][]string, len(users))
	for i, u := range users {
		typed := map[string]string{"username": u.Username, "email": u.Email, "firstname": u.FirstName,
			"lastname": u.LastName, "expiration": u.Expiration, "data_access_group": u.DataAccessGroup}
		row := make([]string, len(cols))
		for j, col := range cols {
			if v, ok := typed[col]; ok {
				row[j] = v
			} else {
				row[j] = formatValue(u.Rights[col])
			}
		}
		rows[i] = row
	}
	return NewTableRows(cols, rows), nil
}
