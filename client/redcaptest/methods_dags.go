package redcaptest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Data access groups, the user–DAG mapping and DAG switching.

func init() {
	register("dag", "export", loggedExport(handleDAGExport, "Export DAGs (API)"))
	register("dag", "import", handleDAGImport)
	register("dag", "delete", handleDAGDelete)
	register("dag", "switch", handleDAGSwitch)
	register("userDagMapping", "export", handleUserDAGExport)
	register("userDagMapping", "import", handleUserDAGImport)
}

// needDAGManager refuses DAG management to users without the DAG right and
// to users who are themselves in a DAG.
func needDAGManager(c *call) error {
	if !mRight(c, "data_access_groups") {
		return errorf(http.StatusForbidden, "You do not have Data Access Groups privileges")
	}
	if c.DAG() != "" {
		return errorf(http.StatusForbidden, "You are assigned to a Data Access Group, so you cannot manage Data Access Groups")
	}
	return nil
}

// msgNoDAGRight is REDCap's answer (HTTP 400) to a DAG export, a user–DAG
// mapping export or a record export with exportDataAccessGroups by a user
// without the Data Access Groups right, as client libraries met it since
// REDCap stopped granting that right by default (vubiostat/redcapAPI issue
// 365, OuhscBbmc/REDCapR issue 558); the API documentation of Export DAGs
// and Export User-DAG Assignments names both rights.
const msgNoDAGRight = "Insufficient user privileges: You must have 'API Export' privileges and 'Data Access Groups' privileges in the project."

// needDAGRight refuses a DAG read without the Data Access Groups right.
func needDAGRight(c *call) error {
	if !mRight(c, "data_access_groups") {
		return errorf(http.StatusBadRequest, msgNoDAGRight)
	}
	return nil
}

func handleDAGExport(c *call) error {
	if err := needDAGRight(c); err != nil {
		return err
	}
	p := c.Project
	p.Mu.RLock()
	defer p.Mu.RUnlock()
	var rows [][]string
	for _, d := range p.DAGs {
		if c.DAG() != "" && d.UniqueName != c.DAG() {
			continue
		}
		rows = append(rows, []string{d.Name, d.UniqueName, strconv.Itoa(d.ID)})
	}
	return mTable(c, []string{"data_access_group_name", "unique_group_name", "data_access_group_id"}, rows, true)
}

func handleDAGImport(c *call) error {
	if err := needDAGManager(c); err != nil {
		return err
	}
	rows, err := designRows(c)
	if err != nil {
		return err
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	dags := slices.Clone(p.DAGs)
	maxID := 0
	for _, d := range dags {
		maxID = max(maxID, d.ID)
	}
	for i, r := range rows {
		name, uniq := col(r, "data_access_group_name"), col(r, "unique_group_name")
		if name == "" {
			return errorf(http.StatusBadRequest, "Row %d: the group name (data_access_group_name) is missing", i+1)
		}
		if uniq != "" {
			j := slices.IndexFunc(dags, func(d DAG) bool { return d.UniqueName == uniq })
			if j < 0 {
				return errorf(http.StatusBadRequest, "Row %d: the unique group name '%s' does not exist: leave unique_group_name blank to create a group", i+1, uniq)
			}
			dags[j].Name = name
			continue
		}
		base := UniqueDAGName(name)
		if base == "" {
			return errorf(http.StatusBadRequest, "Row %d: the group name '%s' has no letters or digits to make a unique name from", i+1, name)
		}
		u := base
		for k := 2; slices.ContainsFunc(dags, func(d DAG) bool { return d.UniqueName == u }); k++ {
			s := strconv.Itoa(k)
			u = base
			if len(u)+len(s) > 18 {
				u = u[:18-len(s)]
			}
			u += s
		}
		maxID++
		dags = append(dags, DAG{Name: name, UniqueName: u, ID: maxID})
	}
	p.DAGs = dags
	logDesign(c, fmt.Sprintf("Import data access groups (API): %d", len(rows)))
	return mWrite(c, "text", []byte(strconv.Itoa(len(rows))))
}

func handleDAGDelete(c *call) error {
	if err := needDAGManager(c); err != nil {
		return err
	}
	list, err := arrayParam(c, "dags")
	if err != nil {
		return err
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	gone, err := distinctExisting(list, "Data Access Group", func(u string) bool { return p.DAGByUnique(u) != nil })
	if err != nil {
		return err
	}
	p.DAGs = slices.DeleteFunc(p.DAGs, func(d DAG) bool { return slices.Contains(gone, d.UniqueName) })
	// Records and users of a deleted group are no longer in any group.
	var ids []string
	for rec := range p.Records.All() {
		if slices.Contains(gone, rec.DAG) {
			ids = append(ids, rec.ID)
		}
	}
	if len(ids) > 0 {
		store := p.Writable()
		for _, id := range ids {
			store.Edit(id).DAG = ""
		}
	}
	for i := range p.Users {
		if slices.Contains(gone, p.Users[i].DAG) {
			p.Users[i].DAG = ""
		}
	}
	logDesign(c, "Delete data access groups (API): "+strings.Join(gone, ", "))
	return mWrite(c, "text", []byte(strconv.Itoa(len(gone))))
}

// handleDAGSwitch moves the calling user into another DAG (the DAG
// switcher): answers 1.
func handleDAGSwitch(c *call) error {
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	if c.User == nil {
		return errorf(http.StatusBadRequest, "This token does not belong to a project user, so it has no Data Access Group to switch")
	}
	d := strings.TrimSpace(c.Param("dag"))
	if d == "" {
		return errorf(http.StatusBadRequest, "The parameter 'dag' is missing")
	}
	if p.DAGByUnique(d) == nil {
		return errorf(http.StatusBadRequest, "The Data Access Group '%s' does not exist in this project", d)
	}
	u := c.liveUser()
	if u == nil {
		return errorf(http.StatusForbidden, msgNoPermission)
	}
	u.DAG = d
	c.User.DAG = d
	logUser(c, "Switch DAG (API)", "dag = '"+d+"'")
	return mText(c, "1")
}

func handleUserDAGExport(c *call) error {
	if err := needDAGRight(c); err != nil {
		return err
	}
	p := c.Project
	p.Mu.RLock()
	defer p.Mu.RUnlock()
	var rows [][]string
	for _, u := range p.Users {
		rows = append(rows, []string{u.Username, u.DAG})
	}
	return mTable(c, []string{"username", "redcap_data_access_group"}, rows, true)
}

func handleUserDAGImport(c *call) error {
	if err := needDAGManager(c); err != nil {
		return err
	}
	return importUserMapping(c, "redcap_data_access_group", "Data Access Group",
		func(p *Project, d string) bool { return p.DAGByUnique(d) != nil },
		func(u *User, d string) { u.DAG = d },
		logUserDAGChanges)
}

// logUserDAGChanges writes REDCap's log entries for user–DAG assignments,
// one per user whose group changed, as REDCap's validation suite records
// them (vanderbilt-redcap/redcap_rsvc, feature B.2.33.4200: action
// "Manage/Design", "Assign user to data access group" then
// "user = 'test_user1'" and "group = 'TestGroup1'", the group's label; a
// user taken out of its group gets "Remove user from data access group"
// naming the group left). The API log export joins the lines with spaces.
// The caller holds p.Mu.
func logUserDAGChanges(c *call, changed []userChange) {
	p := c.Project
	label := func(unique string) string {
		if d := p.DAGByUnique(unique); d != nil {
			return d.Name
		}
		return unique
	}
	for _, ch := range changed {
		switch {
		case ch.old == ch.new:
			continue
		case ch.new == "":
			logDesign(c, fmt.Sprintf("Remove user from data access group user = '%s', group = '%s'", ch.user, label(ch.old)))
		default:
			logDesign(c, fmt.Sprintf("Assign user to data access group user = '%s', group = '%s'", ch.user, label(ch.new)))
		}
	}
}
