package redcaptest

import (
	"iter"
	"strconv"
)

// The stores' IDs methods implement idLister: record names alone, in REDCap
// order, so that generateNextRecordName and forceAutoNumber read a
// million-record demo without generating its records.

// IDs yields the record names in REDCap order.
func (m *MemStore) IDs() iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, id := range m.ids {
			if !yield(id) {
				return
			}
		}
	}
}

// IDs yields "1" .. "n" without building the records.
func (d *demoStore) IDs() iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := 1; i <= d.n; i++ {
			if !yield(strconv.Itoa(i)) {
				return
			}
		}
	}
}

// IDs yields the names of base and overlay merged in REDCap order, as All
// does, reading the base's names through its own IDs when it has one.
func (o *Overlay) IDs() iter.Seq[string] {
	return func(yield func(string) bool) {
		extra := make([]string, 0, o.top.Len()-len(o.fromBase))
		for _, id := range o.top.ids {
			if !o.fromBase[id] {
				extra = append(extra, id)
			}
		}
		k := 0
		for id := range recordIDs(o.base) {
			for k < len(extra) && CompareIDs(extra[k], id) < 0 {
				if !yield(extra[k]) {
					return
				}
				k++
			}
			if o.deleted[id] {
				continue
			}
			if !yield(id) {
				return
			}
		}
		for ; k < len(extra); k++ {
			if !yield(extra[k]) {
				return
			}
		}
	}
}
