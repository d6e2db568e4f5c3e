package exec

import (
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/planner/fetch"
)

// orderRecords orders record id values for order by as REDCap orders
// records (fetch.CompareRecordIDs: natural, numeric-aware), nulls last.
func orderRecords(a, b client.Value) int {
	an, bn := a.Kind == client.KindNull, b.Kind == client.KindNull
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return fetch.CompareRecordIDs(a.String(), b.String())
}
