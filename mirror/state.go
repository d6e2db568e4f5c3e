package mirror

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/internal/parquetio"
	"github.com/redcapql/rq/planner/catalog"
)

// StateFile is the mirror's commit point inside DIR.
const StateFile = "state.json"

// State is what state.json holds.
type State struct {
	Version int `json:"version"`
	// URL is the API endpoint synced from (never the token).
	URL          string `json:"url"`
	ProjectID    int    `json:"project_id"`
	ProjectTitle string `json:"project_title"`
	// SyncedAt is the server's time just before the last sync's export
	// (its HTTP Date header, client.ServerTime), not rq's clock: the next
	// sync asks for records changed since SyncedAt minus Overlap.
	SyncedAt time.Time `json:"synced_at"`
	// Overlap is the safety margin of incremental syncs (clock skew,
	// changes during the export).
	Overlap time.Duration `json:"overlap"`
	// Checksum is the SHA-256 of the data dictionary and the project's
	// design; a change triggers a full refresh.
	Checksum   string   `json:"dictionary_sha256"`
	Generation string   `json:"generation"`
	Columns    []string `json:"columns"`
	Parts      []Part   `json:"parts"`
	Records    int      `json:"records"`
	Rows       int      `json:"rows"`
	// IDs are the record ids in REDCap's order: in the generation's
	// ids.json (version 2; ReadIDs), so that opening a mirror for a query
	// does not read a million ids; in state.json itself in version 1.
	IDs  []string `json:"-"`
	Last Report   `json:"last_sync"`
}

// stateVersion is the version sync writes: 2 keeps the ids in the
// generation's IDsFile; 1 (still read) kept them in state.json.
const stateVersion = 2

// IDsFile holds a generation's record ids (a JSON array).
const IDsFile = "ids.json"

// Part is one Parquet file of a generation: whole records from First to
// Last in REDCap's order.
type Part struct {
	File    string `json:"file"`
	First   string `json:"first"`
	Last    string `json:"last"`
	Records int    `json:"records"`
	Rows    int    `json:"rows"`
}

// Report says what a sync did.
type Report struct {
	Kind     string        `json:"kind"`   // "full" or "incremental"
	Reason   string        `json:"reason"` // why full, or since when incremental
	Changed  int           `json:"changed"`
	Deleted  int           `json:"deleted"`
	Added    int           `json:"added"`
	Calls    int           `json:"calls"`
	Bytes    int64         `json:"bytes"`
	Rewrote  int           `json:"parts_rewritten"`
	Kept     int           `json:"parts_kept"`
	Duration time.Duration `json:"duration"`
	Deletes  string        `json:"deletions_from"` // "log" or "id list"
}

// structure is project.json: what offline queries plan against.
type structure struct {
	Metadata     []client.MetadataField `json:"metadata"`
	MissingCodes string                 `json:"missing_data_codes"`
	Info         catalog.Design         `json:"project"`
}

func (s *structure) checksum() string {
	b, _ := json.Marshal(s)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ReadState reads DIR/state.json; os.ErrNotExist when DIR is no mirror.
func ReadState(dir string) (*State, error) {
	b, err := os.ReadFile(filepath.Join(dir, StateFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s is not an rq mirror (no %s): %w", dir, StateFile, os.ErrNotExist)
		}
		return nil, err
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, StateFile), err)
	}
	switch st.Version {
	case 1:
		var v1 struct {
			IDs []string `json:"ids"`
		}
		if err := json.Unmarshal(b, &v1); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, StateFile), err)
		}
		st.IDs = v1.IDs
	case stateVersion:
	default:
		return nil, fmt.Errorf("%s: version %d, want 1 or %d", filepath.Join(dir, StateFile), st.Version, stateVersion)
	}
	return &st, nil
}

// ReadIDs fills st.IDs from the generation's ids file (version 2; a
// version 1 state has them already).
func (st *State) ReadIDs(dir string) error {
	if st.IDs != nil || st.Version == 1 {
		return nil
	}
	path := filepath.Join(dir, st.Generation, IDsFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &st.IDs); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(st.IDs) != st.Records {
		return fmt.Errorf("%s: %d ids for %d records", path, len(st.IDs), st.Records)
	}
	return nil
}

// checkParts opens every part of the state's generation (its footer only)
// and checks its row count: an incremental sync keeps the parts no change
// touches, so a part damaged on disk would otherwise stay damaged.
func (st *State) checkParts(dir string) error {
	for _, p := range st.Parts {
		path := filepath.Join(dir, st.Generation, p.File)
		f, err := parquetio.Open(path)
		if err != nil {
			return err
		}
		n := f.NumRows()
		f.Close()
		if n != int64(p.Rows) {
			return fmt.Errorf("%s: %d rows, %s says %d", path, n, StateFile, p.Rows)
		}
	}
	return nil
}

// writeJSON writes v to path atomically: a temporary file, synced, renamed.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(path, b)
}

// writeJSONCompact is writeJSON without indentation (a million ids).
func writeJSONCompact(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeFile(path, b)
}

// writeFile writes b and a newline to path atomically.
func writeFile(path string, b []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
