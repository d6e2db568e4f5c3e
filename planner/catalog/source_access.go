package catalog

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

// fetchDAGs exports the DAGs.
func fetchDAGs(ctx context.Context, c *client.Client, cols []string) ([]string, [][]string, error) {
	dags, err := c.ExportDAGs(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("dags: %w", err)
	}
	rows := make([][]string, len(dags))
	for i, d := range dags {
		rows[i] = []string{d.Name, d.UniqueGroupName, formatValue(d.ID)}
	}
	return cols, rows, nil
}

// fetchUsers exports the users, one column per right after the fixed ones.
func fetchUsers(ctx context.Context, c *client.Client, cols []string) ([]string, [][]string, error) {
	users, err := c.ExportUsers(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("users: %w", err)
	}
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
	return cols, rows, nil
}
