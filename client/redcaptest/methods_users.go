package redcaptest

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Users, user roles and the user–role mapping.

func init() {
	register("user", "export", handleUserExport)
	register("user", "import", handleUserImport)
	register("user", "delete", handleUserDelete)
	register("userRole", "export", handleRoleExport)
	register("userRole", "import", handleRoleImport)
	register("userRole", "delete", handleRoleDelete)
	register("userRoleMapping", "export", handleUserRoleMappingExport)
	register("userRoleMapping", "import", handleUserRoleMappingImport)
}

// rightsColumns are the privilege columns of the user and role exports, in
// REDCap's order, with the highest value each accepts.
var rightsColumns = []struct {
	name string
	max  int
}{
	{"design", 1}, {"alerts", 1}, {"user_rights", 2}, {"data_access_groups", 1}, {"reports", 1},
	{"stats_and_charts", 1}, {"manage_survey_participants", 1}, {"calendar", 1}, {"data_import_tool", 1},
	{"data_comparison_tool", 1}, {"logging", 1}, {"email_logging", 1}, {"file_repository", 1},
	{"data_quality_create", 1}, {"data_quality_execute", 1}, {"api_export", 1}, {"api_import", 1},
	{"api_modules", 1}, {"mobile_app", 1}, {"mobile_app_download_data", 1}, {"record_create", 1},
	{"record_rename", 1}, {"record_delete", 1}, {"lock_records_all_forms", 1}, {"lock_records", 2},
	{"lock_records_customization", 1},
}

var userColumns = func() []string {
	c := []string{"username", "email", "firstname", "lastname", "expiration", "data_access_group", "data_access_group_id", "data_access_group_label"}
	for _, r := range rightsColumns {
		c = append(c, r.name)
	}
	return append(c, "forms", "forms_export")
}()

var roleColumns = func() []string {
	c := []string{"unique_role_name", "role_label"}
	for _, r := range rightsColumns {
		c = append(c, r.name)
	}
	return append(c, "forms", "forms_export")
}()

// rightValue is a stored right, "0" when unset.
func rightValue(m map[string]string, name string) string {
	if v, ok := m[name]; ok && v != "" {
		return v
	}
	return "0"
}

// formRights renders "form:level,form:level" in instrument order; forms
// without an entry get def.
func formRights(p *Project, m map[string]int, def int) string {
	var parts []string
	for _, in := range p.Instruments {
		v, ok := m[in.Name]
		if !ok {
			v = def
		}
		parts = append(parts, in.Name+":"+strconv.Itoa(v))
	}
	return strings.Join(parts, ",")
}

// parseFormRights reads "form:level,..." export rights (levels 0..3).
func parseFormRights(p *Project, s string) (map[string]int, error) {
	return parseRightsList(p, s, "level 0 to 3", func(n int) (int, bool) { return n, n >= 0 && n <= 3 })
}

// parseRightsList reads a "form:level,..." list of per-instrument rights:
// value turns a level into the right stored (false: not a valid level,
// which the error describes as levels); every form must exist in p.
func parseRightsList(p *Project, s, levels string, value func(int) (int, bool)) (map[string]int, error) {
	out := map[string]int{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		form, lv, ok := strings.Cut(part, ":")
		n, err := strconv.Atoi(strings.TrimSpace(lv))
		v, valid := value(n)
		if !ok || err != nil || !valid {
			return nil, fmt.Errorf("'%s' is not of the form instrument:level (%s)", part, levels)
		}
		form = strings.TrimSpace(form)
		if p != nil && p.FormFields(form) == nil {
			return nil, fmt.Errorf("the instrument '%s' does not exist in this project", form)
		}
		out[form] = v
	}
	return out, nil
}

func needUserRights(c *call) error {
	if !mRight(c, "user_rights") {
		return errorf(http.StatusForbidden, "You do not have User Rights privileges")
	}
	return nil
}

// rebindUsers re-registers the project's user tokens with the server after
// p.Users changed (the slice may have moved). The caller holds p.Mu.
func rebindUsers(c *call, removed ...string) {
	s := c.srv
	p := c.Project
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, tok := range removed {
		if tok != "" {
			delete(s.userTok, tok)
			delete(s.byToken, tok)
		}
	}
	for i := range p.Users {
		if u := &p.Users[i]; u.Token != "" {
			s.userTok[u.Token] = u
			s.byToken[u.Token] = p
		}
	}
}

func handleUserExport(c *call) error {
	if err := needUserRights(c); err != nil {
		return err
	}
	p := c.Project
	p.Mu.RLock()
	defer p.Mu.RUnlock()
	var rows [][]string
	for _, u := range p.Users {
		u = p.effectiveUser(u)
		dagID, dagLabel := "", ""
		if d := p.DAGByUnique(u.DAG); d != nil {
			dagID, dagLabel = strconv.Itoa(d.ID), d.Name
		}
		row := []string{u.Username, u.Email, u.FirstName, u.LastName, u.Expiration, u.DAG, dagID, dagLabel}
		for _, r := range rightsColumns {
			row = append(row, rightValue(u.Rights, r.name))
		}
		forms, export := userFormRights(p, u)
		row = append(row, forms, export)
		rows = append(rows, row)
	}
	return mTypedTable(c, userColumns, rows, true, userNumeric, formLevelColumns)
}

// userNumeric are the user export's columns that REDCap's JSON writes as
// integers (every privilege); the DAG id stays a string ("" without a DAG),
// as PyCap's documented export shows.
var userNumeric = func() map[string]bool {
	m := map[string]bool{}
	for _, r := range rightsColumns {
		m[r.name] = true
	}
	return m
}()

// formLevelColumns are written in JSON as objects of form → level.
var formLevelColumns = map[string]bool{"forms": true, "forms_export": true}

// applyRights copies the privilege columns present in r into rights,
// checking their ranges.
func applyRights(p *Project, r *importRow, rights map[string]string, forms *map[string]int, who string) error {
	for _, rc := range rightsColumns {
		v, ok := r.get(rc.name)
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > rc.max {
			return errorf(http.StatusBadRequest, "%s: the value '%s' of %s must be an integer from 0 to %d", who, v, rc.name, rc.max)
		}
		rights[rc.name] = v
	}
	if v, ok := r.get("forms"); ok {
		m, err := parseDataEntryRights(p, v)
		if err != nil {
			return errorf(http.StatusBadRequest, "%s: forms: %v", who, err)
		}
		*forms = m
	}
	if v, ok := r.get("forms_export"); ok {
		if _, err := parseFormRights(p, v); err != nil {
			return errorf(http.StatusBadRequest, "%s: forms_export: %v", who, err)
		}
		rights["forms_export"] = strings.TrimSpace(v)
	}
	return nil
}

func handleUserImport(c *call) error {
	if err := needUserRights(c); err != nil {
		return err
	}
	rows, err := designRows(c)
	if err != nil {
		return err
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	users := slices.Clone(p.Users)
	for i := range users {
		users[i].Rights = cloneRights(users[i].Rights)
	}
	for i, r := range rows {
		name := col(r, "username")
		who := fmt.Sprintf("row %d (%s)", i+1, name)
		if name == "" {
			return errorf(http.StatusBadRequest, "Row %d: the username is missing", i+1)
		}
		j := slices.IndexFunc(users, func(u User) bool { return u.Username == name })
		if j < 0 {
			users = append(users, User{Username: name, Rights: map[string]string{}, Forms: map[string]int{}})
			j = len(users) - 1
		}
		u := &users[j]
		if u.Rights == nil {
			u.Rights = map[string]string{}
		}
		for _, f := range []struct {
			col string
			dst *string
		}{{"email", &u.Email}, {"firstname", &u.FirstName}, {"lastname", &u.LastName}, {"expiration", &u.Expiration}} {
			if v, ok := r.get(f.col); ok {
				*f.dst = strings.TrimSpace(v)
			}
		}
		if v, ok := r.get("data_access_group"); ok {
			v = strings.TrimSpace(v)
			if v != "" && p.DAGByUnique(v) == nil {
				return errorf(http.StatusBadRequest, "%s: the Data Access Group '%s' does not exist in this project", who, v)
			}
			if c.DAG() != "" && v != c.DAG() {
				return errorf(http.StatusForbidden, "You are in a Data Access Group, so you may only assign users to your own group")
			}
			u.DAG = v
		}
		if err := applyRights(p, r, u.Rights, &u.Forms, who); err != nil {
			return err
		}
	}
	p.Users = users
	rebindUsers(c)
	logUser(c, "Add/edit users (API)", fmt.Sprintf("%d users", len(rows)))
	return mWrite(c, "text", []byte(strconv.Itoa(len(rows))))
}

func cloneRights(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func handleUserDelete(c *call) error {
	if err := needUserRights(c); err != nil {
		return err
	}
	list, err := arrayParam(c, "users")
	if err != nil {
		return err
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	var gone []string
	for _, name := range list {
		name = strings.TrimSpace(name)
		if !slices.ContainsFunc(p.Users, func(u User) bool { return u.Username == name }) {
			return errorf(http.StatusBadRequest, "The user '%s' is not a user of this project", name)
		}
		if c.User != nil && c.User.Username == name {
			return errorf(http.StatusBadRequest, "You cannot delete your own user account ('%s') from the project", name)
		}
		gone = append(gone, name)
	}
	var toks []string
	p.Users = slices.DeleteFunc(p.Users, func(u User) bool {
		if slices.Contains(gone, u.Username) {
			toks = append(toks, u.Token)
			return true
		}
		return false
	})
	rebindUsers(c, toks...)
	logUser(c, "Delete users (API)", strings.Join(gone, ", "))
	return mWrite(c, "text", []byte(strconv.Itoa(len(gone))))
}

func handleRoleExport(c *call) error {
	if err := needUserRights(c); err != nil {
		return err
	}
	p := c.Project
	p.Mu.RLock()
	defer p.Mu.RUnlock()
	var rows [][]string
	for _, r := range p.Roles {
		row := []string{r.UniqueName, r.Label}
		for _, rc := range rightsColumns {
			row = append(row, rightValue(r.Rights, rc.name))
		}
		row = append(row, formRights(p, r.Forms, formNoAccess), r.Rights["forms_export"])
		rows = append(rows, row)
	}
	return mTypedTable(c, roleColumns, rows, true, nil, formLevelColumns)
}

// newRoleName makes a REDCap-style unique role name ("U-" + 10 characters),
// derived from the project and the label so that it is deterministic.
func newRoleName(p *Project, label string, taken func(string) bool) string {
	for i := 0; ; i++ {
		h := sha1.Sum([]byte(fmt.Sprintf("%d|%s|%d", p.Info.ProjectID, label, i)))
		name := "U-" + strings.ToUpper(hex.EncodeToString(h[:]))[:10]
		if !taken(name) {
			return name
		}
	}
}

func handleRoleImport(c *call) error {
	if err := needUserRights(c); err != nil {
		return err
	}
	rows, err := designRows(c)
	if err != nil {
		return err
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	roles := slices.Clone(p.Roles)
	for i := range roles {
		roles[i].Rights = cloneRights(roles[i].Rights)
	}
	taken := func(n string) bool { return slices.ContainsFunc(roles, func(r Role) bool { return r.UniqueName == n }) }
	for i, r := range rows {
		uniq, label := col(r, "unique_role_name"), col(r, "role_label")
		who := fmt.Sprintf("row %d (%s)", i+1, label)
		var role *Role
		if uniq != "" {
			j := slices.IndexFunc(roles, func(x Role) bool { return x.UniqueName == uniq })
			if j < 0 {
				return errorf(http.StatusBadRequest, "%s: the role '%s' does not exist in this project: leave unique_role_name blank to create a role", who, uniq)
			}
			role = &roles[j]
		} else {
			if label == "" {
				return errorf(http.StatusBadRequest, "Row %d: the role label (role_label) is missing", i+1)
			}
			roles = append(roles, Role{UniqueName: newRoleName(p, label, taken), Rights: map[string]string{}, Forms: map[string]int{}})
			role = &roles[len(roles)-1]
		}
		if label != "" {
			role.Label = label
		}
		if role.Rights == nil {
			role.Rights = map[string]string{}
		}
		if err := applyRights(p, r, role.Rights, &role.Forms, who); err != nil {
			return err
		}
	}
	p.Roles = roles
	logUser(c, "Add/edit user roles (API)", fmt.Sprintf("%d roles", len(rows)))
	return mWrite(c, "text", []byte(strconv.Itoa(len(rows))))
}

func handleRoleDelete(c *call) error {
	if err := needUserRights(c); err != nil {
		return err
	}
	list, err := arrayParam(c, "roles")
	if err != nil {
		return err
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	var gone []string
	for _, name := range list {
		name = strings.TrimSpace(name)
		if !slices.ContainsFunc(p.Roles, func(r Role) bool { return r.UniqueName == name }) {
			return errorf(http.StatusBadRequest, "The role '%s' does not exist in this project", name)
		}
		gone = append(gone, name)
	}
	p.Roles = slices.DeleteFunc(p.Roles, func(r Role) bool { return slices.Contains(gone, r.UniqueName) })
	for i := range p.Users {
		if slices.Contains(gone, p.Users[i].Role) {
			p.Users[i].Role = ""
		}
	}
	logUser(c, "Delete user roles (API)", strings.Join(gone, ", "))
	return mWrite(c, "text", []byte(strconv.Itoa(len(gone))))
}

func handleUserRoleMappingExport(c *call) error {
	if err := needUserRights(c); err != nil {
		return err
	}
	p := c.Project
	p.Mu.RLock()
	defer p.Mu.RUnlock()
	var rows [][]string
	for _, u := range p.Users {
		rows = append(rows, []string{u.Username, u.Role})
	}
	return mTable(c, []string{"username", "unique_role_name"}, rows, true)
}

func handleUserRoleMappingImport(c *call) error {
	if err := needUserRights(c); err != nil {
		return err
	}
	return importUserMapping(c, "unique_role_name", "role",
		func(p *Project, role string) bool {
			return slices.ContainsFunc(p.Roles, func(r Role) bool { return r.UniqueName == role })
		},
		func(u *User, role string) { u.Role = role },
		func(c *call, changed []userChange) {
			logUser(c, "Assign users to roles (API)", fmt.Sprintf("%d users", len(changed)))
		})
}

// userChange is one user's new DAG or role in a mapping import.
type userChange struct{ user, old, new string }

// importUserMapping imports a user–DAG or user–role mapping: each row
// names a project user and, in column, a DAG or role (blank for none) that
// exists must accept (what names it in errors). Every row is checked
// before any user changes; set then stores the values and logChanges logs
// the rows (all of them, changed or not).
func importUserMapping(c *call, column, what string, exists func(p *Project, v string) bool, set func(u *User, v string), logChanges func(c *call, changed []userChange)) error {
	rows, err := designRows(c)
	if err != nil {
		return err
	}
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	vals := map[int]string{}
	for i, r := range rows {
		name, v := col(r, "username"), col(r, column)
		j := slices.IndexFunc(p.Users, func(u User) bool { return u.Username == name })
		if j < 0 {
			return errorf(http.StatusBadRequest, "Row %d: the user '%s' is not a user of this project", i+1, name)
		}
		if v != "" && !exists(p, v) {
			return errorf(http.StatusBadRequest, "Row %d: the %s '%s' does not exist in this project", i+1, what, v)
		}
		vals[j] = v
	}
	var changes []userChange
	for i := range p.Users {
		v, ok := vals[i]
		if !ok {
			continue
		}
		changes = append(changes, userChange{user: p.Users[i].Username, new: v})
	}
	for i := range changes {
		j := slices.IndexFunc(p.Users, func(u User) bool { return u.Username == changes[i].user })
		changes[i].old = p.Users[j].DAG
		if column != "redcap_data_access_group" {
			changes[i].old = p.Users[j].Role
		}
		set(&p.Users[j], changes[i].new)
	}
	logChanges(c, changes)
	return mWrite(c, "text", []byte(strconv.Itoa(len(rows))))
}
