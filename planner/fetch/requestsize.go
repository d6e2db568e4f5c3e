package fetch

import (
	"strconv"
	"strings"
)

// What fits in one REDCap request. A filterLogic is parsed and evaluated
// by REDCap for every row: a very long one (a 5,000-term `or`, a huge `in`
// list on a field) fails there with a 500, while rq can evaluate the same
// condition itself on the rows it fetches. Record lists travel
// comma-joined as one POST variable once they are long (client), so
// their size, not their count, is what a request limits.
const (
	// MaxFilterLogicBytes is the longest filterLogic rq sends; a longer
	// condition stays local (explain says so).
	MaxFilterLogicBytes = 8 << 10
	// maxIDListBytes is the longest comma-joined record list one id-step
	// call carries (well under PHP's usual post_max_size of 8 MB or more).
	maxIDListBytes = 1 << 20
)

// FilterTooLarge says why logic is kept local when adding it to what is
// already pushed (sent, bytes so far) would pass MaxFilterLogicBytes.
func FilterTooLarge(logic string, sent int) (string, bool) {
	if sent+len(logic) <= MaxFilterLogicBytes {
		return "", false
	}
	return "kept local: a filterLogic of " + strconv.Itoa(len(logic)) + " bytes is too large for a REDCap request (limit " + strconv.Itoa(MaxFilterLogicBytes) + "); rq evaluates it on the rows fetched", true
}

// idChunks splits record ids (sorted as REDCap sorts them) into the lists
// of the id step: as many ids per call as a request carries when the list
// travels comma-joined, or maxCount per call when an id holds a comma (the
// list must then go as one POST variable per id).
func idChunks(ids []string, maxCount int) [][]string {
	byCount := false
	for _, id := range ids {
		if strings.Contains(id, ",") {
			byCount = true
			break
		}
	}
	var chunks [][]string
	for len(ids) > 0 {
		n := 0
		if byCount {
			n = min(len(ids), maxCount)
		} else {
			size := 0
			for n < len(ids) && (n == 0 || size+1+len(ids[n]) <= maxIDListBytes) {
				size += 1 + len(ids[n])
				n++
			}
		}
		chunks = append(chunks, ids[:n])
		ids = ids[n:]
	}
	return chunks
}
