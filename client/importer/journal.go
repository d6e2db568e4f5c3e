package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// DefaultJournalPath is the journal beside a records file:
// "dir/.name.rq-import.json".
func DefaultJournalPath(input string) string {
	return filepath.Join(filepath.Dir(input), "."+filepath.Base(input)+".rq-import.json")
}

// journalVersion changes when the journal's layout does.
const journalVersion = 1

// journal is the resume file: what run, over which file, got how far.
// It holds record ids (which may be identifiers), so it is written 0600.
type journal struct {
	Version      int      `json:"version"`
	InputSHA256  string   `json:"input_sha256"`
	Format       Format   `json:"format"`
	ChunkRecords int      `json:"chunk_records"`
	Overwrite    bool     `json:"overwrite"`
	DateFormat   string   `json:"date_format,omitempty"`
	Chunks       int      `json:"chunks"`
	ChunksDone   []int    `json:"chunks_done"` // 1-based indexes of chunks the server confirmed
	Written      []string `json:"written"`     // their records
	Complete     bool     `json:"complete"`
	Updated      string   `json:"updated"`
}

func readJournal(path string) (*journal, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var j journal
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("importer: journal %s is not readable: %v", path, err)
	}
	if j.Version != journalVersion {
		return nil, fmt.Errorf("importer: journal %s has version %d, want %d", path, j.Version, journalVersion)
	}
	return &j, nil
}

// write replaces the journal atomically (temporary file in the same
// folder, then rename), mode 0600.
func (j *journal) write(path string) error {
	j.Updated = time.Now().UTC().Format(time.RFC3339)
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".rq-journal-*")
	if err != nil {
		return fmt.Errorf("importer: writing the journal: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("importer: writing the journal: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("importer: writing the journal: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("importer: writing the journal: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("importer: writing the journal: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("importer: writing the journal: %w", err)
	}
	return nil
}

func (j *journal) done(chunk int) bool {
	for _, c := range j.ChunksDone {
		if c == chunk {
			return true
		}
	}
	return false
}

// openJournal prepares the journal of a run: a fresh one, or with Resume
// the existing one after checking it belongs to this file and these options.
func openJournal(o Options, fresh *journal) (*journal, error) {
	if o.JournalPath == "" {
		if o.Resume {
			return nil, errors.New("importer: Resume needs a JournalPath")
		}
		return nil, nil
	}
	old, err := readJournal(o.JournalPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if o.Resume {
			return nil, fmt.Errorf("importer: nothing to resume: no journal at %s", o.JournalPath)
		}
		return fresh, nil
	case err != nil:
		return nil, err
	}
	if !o.Resume {
		if !old.Complete {
			return nil, fmt.Errorf("importer: an unfinished import of this or another file left a journal at %s "+
				"(%d of %d chunks written): resume it, or delete the journal to start again", o.JournalPath, len(old.ChunksDone), old.Chunks)
		}
		return fresh, nil
	}
	switch {
	case old.InputSHA256 != fresh.InputSHA256:
		return nil, fmt.Errorf("importer: cannot resume: the records file changed since the journal %s was written", o.JournalPath)
	case old.ChunkRecords != fresh.ChunkRecords || old.Format != fresh.Format || old.Chunks != fresh.Chunks:
		return nil, fmt.Errorf("importer: cannot resume: the journal %s was written with %d records per chunk (%s), this run uses %d (%s)",
			o.JournalPath, old.ChunkRecords, old.Format, fresh.ChunkRecords, fresh.Format)
	case old.Overwrite != fresh.Overwrite || old.DateFormat != fresh.DateFormat:
		return nil, fmt.Errorf("importer: cannot resume: the journal %s was written with overwrite=%v dateFormat=%q, this run uses overwrite=%v dateFormat=%q",
			o.JournalPath, old.Overwrite, old.DateFormat, fresh.Overwrite, fresh.DateFormat)
	}
	return old, nil
}
