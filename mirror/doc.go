// Package mirror keeps a local copy of a REDCap project's records in
// Parquet and brings it up to date incrementally (rq mirror DIR), and reads
// it back for offline queries (rq --mirror DIR, rq.OpenMirror).
//
// It is a top-level package because both the command line and the root
// package's offline Project use it, and it needs the client, the planner's
// project description and internal/parquetio: below rq, above client.
//
// Layout of DIR:
//
//	state.json            the commit point: which generation is current, the
//	                      server's time of the export, the dictionary's checksum,
//	                      the parts' record ranges, what the last sync did
//	gen-000007/
//	    project.json      data dictionary, missing-data codes, events, arms, mapping
//	    ids.json          the record ids in REDCap's order (read by syncs only)
//	    part-00000.parquet records in REDCap's order (whole records, never split)
//	    part-00001.parquet ...
//
// A sync builds a new generation beside the current one, linking the
// parts it does not change, then replaces state.json atomically (write
// and rename) and removes the old generation. A crash, Ctrl-C or network
// failure before the rename leaves the previous state.json and its
// generation untouched; a leftover generation is removed by the next sync.
package mirror
