package redcaptest

import (
	"fmt"
	"maps"
	"net/http"
	"os"
	"strings"
	"time"
)

// Users of a project: the token owner every project has, users declared
// in a users file, the rights a role gives its users, and the API rights
// every method checks.

// DefaultOwner is the username of a project's token owner when the project
// names none (Project.Owner).
const DefaultOwner = "api_user"

// DefaultSuperUser is the username behind the super token when
// Options.SuperUser is empty; it becomes the creator of created projects.
const DefaultSuperUser = "site_admin"

// fullRights are the rights of a project's creator or token owner: every
// privilege column at 1 (REDCap gives its creator each right).
func fullRights() map[string]string {
	m := map[string]string{}
	for _, r := range rightsColumns {
		m[r.name] = "1"
	}
	return m
}

// ensureOwner makes the project's own token belong to a user, as in
// REDCap, where every token is a user's: unless a user already holds
// p.Token, the owner (p.Owner, else DefaultOwner) is added first with full
// rights and every instrument (AllForms). It comes last, so that declared
// users keep their places. The caller holds p.Mu.
func (p *Project) ensureOwner() {
	for _, u := range p.Users {
		if u.Token == p.Token {
			return
		}
	}
	name := p.Owner
	if name == "" {
		name = DefaultOwner
	}
	for i := range p.Users {
		if p.Users[i].Username == name {
			p.Users[i].Token = p.Token
			return
		}
	}
	p.Users = append(p.Users, User{Username: name, Token: p.Token, Rights: fullRights(), AllForms: true})
}

// effectiveUser is u as its rights apply: a user in an existing role has
// the role's rights and form rights (REDCap ignores a role member's own).
func (p *Project) effectiveUser(u User) User {
	if u.Role != "" {
		for _, r := range p.Roles {
			if r.UniqueName == u.Role {
				u.Rights = maps.Clone(r.Rights)
				u.Forms = maps.Clone(r.Forms)
				if u.Rights == nil {
					u.Rights = map[string]string{}
				}
				if u.Forms == nil {
					u.Forms = map[string]int{}
				}
				break
			}
		}
	}
	return u
}

// userFormRights renders a user's form rights; an AllForms user has full
// access (formAll, and full export) to every instrument not otherwise
// listed.
func userFormRights(p *Project, u User) (forms, export string) {
	def := formNoAccess
	if u.AllForms {
		def = formAll
	}
	forms = formRights(p, u.Forms, def)
	export = u.Rights["forms_export"]
	if export == "" && u.AllForms {
		export = formRights(p, nil, 1)
	}
	return forms, export
}

// LoadUsersFile declares the users of a project from a CSV file with the
// user export's columns (username, email, firstname, lastname, expiration,
// data_access_group, the privilege columns, forms, forms_export) plus
// token (the user's API token in this project; blank = none) and
// unique_role_name (the user's role; its rights then apply). A privilege
// column that is absent or blank is 0; without forms or forms_export the
// user has full access to every instrument. Call it after Init; the users
// replace p.Users (the owner is added when the server adds the project,
// unless a declared user holds p.Token).
func LoadUsersFile(p *Project, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	users, err := ParseUsersCSV(p, string(b))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	p.Users = users
	return nil
}

// ParseUsersCSV reads users declared in CSV (see LoadUsersFile) for p; with
// a nil p (users of projects yet to be created) groups, roles and
// instruments are not checked.
func ParseUsersCSV(p *Project, data string) ([]User, error) {
	rows, err := parseImportCSV(data)
	if err != nil {
		return nil, err
	}
	var out []User
	seen := map[string]bool{}
	for i, r := range rows {
		name := col(r, "username")
		who := fmt.Sprintf("row %d (%s)", i+1, name)
		if name == "" {
			return nil, fmt.Errorf("row %d: the username is missing", i+1)
		}
		if seen[name] {
			return nil, fmt.Errorf("%s: the user is declared twice", who)
		}
		seen[name] = true
		u := User{Username: name, Email: col(r, "email"), FirstName: col(r, "firstname"), LastName: col(r, "lastname"),
			Expiration: col(r, "expiration"), Rights: map[string]string{}}
		for _, rc := range rightsColumns {
			u.Rights[rc.name] = "0"
			if v := col(r, rc.name); v == "" {
				delete(r.vals, rc.name) // blank = 0
			}
		}
		if v := strings.TrimSpace(col(r, "data_export")); v != "" {
			// REDCap before per-instrument export rights: one level for
			// every instrument (0 no access, 1 full, 2 de-identified, 3
			// identifiers removed); forms_export wins when both are given.
			if v != "0" && v != "1" && v != "2" && v != "3" {
				return nil, fmt.Errorf("%s: the value '%s' of data_export must be an integer from 0 to 3", who, v)
			}
			u.Rights["data_export"] = v
		}
		if v := col(r, "data_access_group"); v != "" {
			if p != nil && p.DAGByUnique(v) == nil {
				return nil, fmt.Errorf("%s: the Data Access Group '%s' does not exist in this project", who, v)
			}
			u.DAG = v
		}
		if v := col(r, "unique_role_name"); v != "" {
			found := p == nil
			for _, role := range projectRoles(p) {
				found = found || role.UniqueName == v
			}
			if !found {
				return nil, fmt.Errorf("%s: the role '%s' does not exist in this project", who, v)
			}
			u.Role = v
		}
		if v := col(r, "token"); v != "" {
			if !tokenRE.MatchString(v) {
				return nil, fmt.Errorf("%s: the token is not alphanumeric", who)
			}
			u.Token = v
		}
		if v, ok := r.get("forms"); !ok || strings.TrimSpace(v) == "" {
			delete(r.vals, "forms")
			u.AllForms = true
		}
		if err := applyRights(p, r, u.Rights, &u.Forms, who); err != nil {
			return nil, fmt.Errorf("%s", err.(*APIError).Msg)
		}
		out = append(out, u)
	}
	return out, nil
}

func projectRoles(p *Project) []Role {
	if p == nil {
		return nil
	}
	return p.Roles
}

// exportActions are the actions that read; the others write.
var exportActions = map[string]bool{"export": true, "list": true}

// apiRight refuses a call whose user lacks the API right its action needs,
// as REDCap checks before the method runs: reads need API Export, writes
// API Import/Update. Version and DAG switching need neither; users whose
// access expired are refused like an unknown token.
func apiRight(c *call) error {
	if c.User == nil {
		return nil
	}
	if exp := strings.TrimSpace(c.User.Expiration); exp != "" {
		now := time.Now()
		if c.Project != nil {
			now = c.Project.now() // the project's clock, which tests may move
		}
		if day, err := time.Parse("2006-01-02", exp); err == nil && !now.Before(day) {
			return errorf(http.StatusForbidden, msgNoPermission)
		}
	}
	if c.Content == "version" || c.Action == "switch" {
		return nil
	}
	if exportActions[c.Action] {
		if !mRight(c, "api_export") {
			return errorf(http.StatusForbidden, "You do not have API Export privileges")
		}
		return nil
	}
	if !mRight(c, "api_import") {
		return errorf(http.StatusForbidden, "You do not have API Import/Update privileges")
	}
	return nil
}
