package exec

import (
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/planner/fetch"
)

// orderRecords orders record id values for order by as REDCap orders
// records (fetch.CompareRecordIDs: natural, numeric-aware), nulls last.
func orderRecords(a, b client.Value) int {
	return nullsLast(a, b, func(a, b client.Value) int { return fetch.CompareRecordIDs(a.String(), b.String()) })
}

// nullsLast orders nulls after every value (so first in descending
// order), and two values by cmp.
func nullsLast(a, b client.Value, cmp func(a, b client.Value) int) int {
	an, bn := a.Kind == client.KindNull, b.Kind == client.KindNull
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return cmp(a, b)
}
