package redcaptest

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Files attached to records (content=file) and the file repository
// (content=fileRepository).

func init() {
	register("file", "export", handleFileExport)
	register("file", "import", handleFileImport)
	register("file", "delete", handleFileDelete)
	register("fileRepository", "list", handleRepoList)
	register("fileRepository", "export", handleRepoExport)
	register("fileRepository", "import", handleRepoImport)
	register("fileRepository", "delete", handleRepoDelete)
	register("fileRepository", "createFolder", handleRepoCreateFolder)
}

// fileCell resolves record, field, event and repeat_instance to a file
// field's cell. The caller holds p.Mu.
func fileCell(c *call) (FileKey, RowKey, error) {
	p := c.Project
	id := strings.TrimSpace(c.Param("record"))
	name := strings.TrimSpace(c.Param("field"))
	var k FileKey
	var rk RowKey
	if id == "" {
		return k, rk, errorf(http.StatusBadRequest, "The parameter 'record' is missing")
	}
	if name == "" {
		return k, rk, errorf(http.StatusBadRequest, "The parameter 'field' is missing")
	}
	f := p.Field(name)
	if f == nil || f.FieldType != "file" {
		// REDCap's wording, as REDCapR's file download test expects it
		return k, rk, errorf(http.StatusBadRequest, "The field '%s' does not exist or is not a 'file' field", name)
	}
	ev, err := formEvent(c, f.FormName, "The field '"+name+"' is on an instrument that is")
	if err != nil {
		return k, rk, err
	}
	inst, err := repeatInstance(c, 1)
	if err != nil {
		return k, rk, err
	}
	rk = RowKey{Event: ev}
	switch {
	case p.RepeatingForm(ev, f.FormName):
		rk.Instrument, rk.Instance = f.FormName, inst
	case p.RepeatingEvent(ev):
		rk.Instance = inst
	case inst != 1:
		return k, rk, errorf(http.StatusBadRequest, "The field '%s' is not on a repeating instrument or event, so repeat_instance must be 1", name)
	}
	if _, ok := visibleRecord(c, id); !ok {
		return k, rk, errorf(http.StatusBadRequest, "The record '%s' does not exist", id)
	}
	return FileKey{Record: id, Field: name, Event: ev, Instance: inst}, rk, nil
}

// writeFile answers with a file's bytes and REDCap's Content-Type header.
func writeFile(c *call, name, mimeType string, data []byte) error {
	if mimeType == "" {
		mimeType = "application/octet-stream"
	}
	c.w.Header().Set("Content-Type", mimeType+`; name="`+strings.ReplaceAll(name, `"`, "")+`";charset=UTF-8`)
	c.w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	c.w.WriteHeader(http.StatusOK)
	c.w.Write(data)
	return nil
}

// uploaded reads the multipart part "file".
func uploaded(c *call) (name, mimeType string, data []byte, err error) {
	fh := c.File("file")
	if fh == nil {
		return "", "", nil, errorf(http.StatusBadRequest, "No valid file was uploaded: send the file as the multipart part 'file'")
	}
	f, err := fh.Open()
	if err != nil {
		return "", "", nil, errorf(http.StatusBadRequest, "The uploaded file could not be read")
	}
	defer f.Close()
	data, err = io.ReadAll(f)
	if err != nil {
		return "", "", nil, errorf(http.StatusBadRequest, "The uploaded file could not be read")
	}
	name = filepath.Base(strings.ReplaceAll(fh.Filename, `\`, "/"))
	if name == "." || name == "/" || name == "" {
		name = "file"
	}
	mimeType = fh.Header.Get("Content-Type")
	if mimeType == "" || mimeType == "application/octet-stream" {
		if t := mime.TypeByExtension(filepath.Ext(name)); t != "" {
			mimeType, _, _ = strings.Cut(t, ";")
		}
	}
	if mimeType == "" {
		mimeType = "application/octet-stream"
	}
	return name, mimeType, data, nil
}

func handleFileExport(c *call) error {
	p := c.Project
	p.Mu.RLock()
	defer p.Mu.RUnlock()
	k, _, err := fileCell(c)
	if err != nil {
		return err
	}
	if err := fileExportRight(c, p.Field(k.Field)); err != nil {
		return err
	}
	f := p.Files[k]
	if f == nil {
		return errorf(http.StatusBadRequest, "There is no file to download for this record")
	}
	return writeFile(c, f.Name, f.MIME, f.Data)
}

func handleFileImport(c *call) error {
	if err := mNeedImport(c); err != nil {
		return err
	}
	name, mt, data, err := uploaded(c)
	if err != nil {
		return err
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	k, rk, err := fileCell(c)
	if err != nil {
		return err
	}
	if f := p.Field(k.Field); f.TextValidationTypeOrShowSliderNumber == "signature" {
		return errorf(http.StatusBadRequest, "The field '%s' is a signature field: files cannot be uploaded to signature fields through the API", k.Field)
	}
	p.nextDocID++
	p.Files[k] = &StoredFile{Name: name, MIME: mt, Data: data, DocID: p.nextDocID}
	rec := p.Writable().Edit(k.Record)
	row := rec.Ensure(rk)
	row.Values[k.Field] = name
	form := p.FormOf(k.Field)
	if _, ok := row.Values[form+"_complete"]; !ok {
		row.Values[form+"_complete"] = "0"
	}
	details := fmt.Sprintf("%s = '%d'", k.Field, p.nextDocID)
	// Saving the file saves the record: its computed fields follow
	// (a calc may test whether a file is there).
	if calc := p.recalcRecord(rec); len(calc) > 0 {
		details += ", " + strings.Join(calc, ", ")
	}
	p.AppendLog(LogEntry{User: c.Username(), Action: "Upload document (API) " + k.Record, Kind: LogFileUpload, Record: k.Record, Event: k.Event,
		Details: details})
	return mEmpty(c)
}

func handleFileDelete(c *call) error {
	if err := mNeedImport(c); err != nil {
		return err
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	k, rk, err := fileCell(c)
	if err != nil {
		return err
	}
	if p.Files[k] == nil {
		return errorf(http.StatusBadRequest, "There is no file to delete for this record")
	}
	delete(p.Files, k)
	rec := p.Writable().Edit(k.Record)
	if row := rec.Row(rk); row != nil {
		delete(row.Values, k.Field)
	}
	details := k.Field + " = ''"
	if calc := p.recalcRecord(rec); len(calc) > 0 {
		details += ", " + strings.Join(calc, ", ")
	}
	p.AppendLog(LogEntry{User: c.Username(), Action: "Delete document (API) " + k.Record, Kind: LogFileDelete, Record: k.Record, Event: k.Event,
		Details: details})
	return mEmpty(c)
}

// --- File repository ---

func needRepo(c *call) error {
	if !mRight(c, "file_repository") {
		return errorf(http.StatusForbidden, "You do not have File Repository privileges")
	}
	return nil
}

// repoVisible reports whether the caller may see an entry (DAG-restricted
// entries are hidden from users in other DAGs).
func repoVisible(c *call, e *RepoEntry) bool {
	d := c.DAG()
	if e.DAGID == "" || d == "" {
		return true
	}
	g := c.Project.DAGByUnique(d)
	return g != nil && strconv.Itoa(g.ID) == e.DAGID
}

// repoFolder finds a folder by its folder_id parameter (0 = top level).
func repoFolder(c *call) (int, error) {
	s := strings.TrimSpace(c.Param("folder_id"))
	if s == "" {
		return 0, nil
	}
	id, err := strconv.Atoi(s)
	if err == nil {
		for i := range c.Project.Repository {
			e := &c.Project.Repository[i]
			if e.DocID == 0 && e.FolderID == id && repoVisible(c, e) {
				return id, nil
			}
		}
	}
	return 0, errorf(http.StatusBadRequest, "The File Repository folder folder_id=%s does not exist or else you do not have permission to that folder because it is DAG-restricted or Role-restricted.", s)
}

func handleRepoList(c *call) error {
	if err := needRepo(c); err != nil {
		return err
	}
	p := c.Project
	p.Mu.RLock()
	defer p.Mu.RUnlock()
	folder, err := repoFolder(c)
	if err != nil {
		return err
	}
	var folders, docs []*RepoEntry
	for i := range p.Repository {
		e := &p.Repository[i]
		if e.ParentID != folder || !repoVisible(c, e) {
			continue
		}
		if e.DocID == 0 {
			folders = append(folders, e)
		} else {
			docs = append(docs, e)
		}
	}
	byName := func(a, b *RepoEntry) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) }
	slices.SortStableFunc(folders, byName)
	slices.SortStableFunc(docs, byName)
	var rows [][]string
	for _, e := range folders {
		rows = append(rows, []string{strconv.Itoa(e.FolderID), "", e.Name, e.RoleID, e.DAGID})
	}
	for _, e := range docs {
		rows = append(rows, []string{"", strconv.Itoa(e.DocID), e.Name, "", ""})
	}
	return mTypedTable(c, []string{"folder_id", "doc_id", "name", "role", "dag"}, rows, false, repoNumeric, nil)
}

func repoDoc(c *call) (int, error) {
	s := strings.TrimSpace(c.Param("doc_id"))
	if s == "" {
		return -1, errorf(http.StatusBadRequest, "The parameter 'doc_id' is missing")
	}
	id, err := strconv.Atoi(s)
	if err == nil {
		for i := range c.Project.Repository {
			e := &c.Project.Repository[i]
			if e.DocID == id && id > 0 && repoVisible(c, e) {
				return i, nil
			}
		}
	}
	return -1, errorf(http.StatusBadRequest, "The doc_id '%s' does not exist in the File Repository or you do not have permission to it", s)
}

func handleRepoExport(c *call) error {
	if err := needRepo(c); err != nil {
		return err
	}
	p := c.Project
	p.Mu.RLock()
	defer p.Mu.RUnlock()
	i, err := repoDoc(c)
	if err != nil {
		return err
	}
	e := p.Repository[i]
	mt := mime.TypeByExtension(filepath.Ext(e.Name))
	mt, _, _ = strings.Cut(mt, ";")
	return writeFile(c, e.Name, mt, e.Data)
}

func handleRepoImport(c *call) error {
	if err := needRepo(c); err != nil {
		return err
	}
	name, _, data, err := uploaded(c)
	if err != nil {
		return err
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	folder, err := repoFolder(c)
	if err != nil {
		return err
	}
	p.nextDocID++
	for _, e := range p.Repository {
		p.nextDocID = max(p.nextDocID, e.DocID+1)
	}
	p.Repository = append(p.Repository, RepoEntry{DocID: p.nextDocID, ParentID: folder, Name: name, Data: data})
	logDesign(c, "Upload file to File Repository (API): "+name)
	return mEmpty(c)
}

func handleRepoDelete(c *call) error {
	if err := needRepo(c); err != nil {
		return err
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	i, err := repoDoc(c)
	if err != nil {
		return err
	}
	name := p.Repository[i].Name
	p.Repository = slices.Delete(p.Repository, i, i+1)
	logDesign(c, "Delete file from File Repository (API): "+name)
	return mEmpty(c)
}

func handleRepoCreateFolder(c *call) error {
	if err := needRepo(c); err != nil {
		return err
	}
	name := strings.TrimSpace(c.Param("name"))
	if name == "" {
		return errorf(http.StatusBadRequest, "The parameter 'name' is missing")
	}
	if len(name) > 150 {
		return errorf(http.StatusBadRequest, "The folder name may not be longer than 150 characters")
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	parent, err := repoFolder(c)
	if err != nil {
		return err
	}
	e := RepoEntry{ParentID: parent, Name: name}
	if s := strings.TrimSpace(c.Param("dag_id")); s != "" {
		ok := false
		for _, d := range p.DAGs {
			ok = ok || strconv.Itoa(d.ID) == s
		}
		if !ok {
			return errorf(http.StatusBadRequest, "The dag_id '%s' is not a Data Access Group of this project", s)
		}
		e.DAGID = s
	} else if d := c.DAG(); d != "" {
		if g := p.DAGByUnique(d); g != nil {
			e.DAGID = strconv.Itoa(g.ID)
		}
	}
	if s := strings.TrimSpace(c.Param("role_id")); s != "" {
		if !slices.ContainsFunc(p.Roles, func(r Role) bool { return r.UniqueName == s }) {
			return errorf(http.StatusBadRequest, "The role_id '%s' is not a user role of this project", s)
		}
		e.RoleID = s
	}
	for _, x := range p.Repository {
		e.FolderID = max(e.FolderID, x.FolderID)
	}
	e.FolderID++
	p.Repository = append(p.Repository, e)
	logDesign(c, "Create folder in File Repository (API): "+name)
	return mTypedTable(c, []string{"folder_id"}, [][]string{{strconv.Itoa(e.FolderID)}}, false, repoNumeric, nil)
}

// repoNumeric are the file repository's integer columns in JSON.
var repoNumeric = map[string]bool{"folder_id": true, "doc_id": true}
