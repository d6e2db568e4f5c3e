package client

import (
	"context"
	"fmt"
)

// User is one project user with their rights. The typed fields are the
// identity columns; Rights holds every column as REDCap sent it (rights
// such as "design", "api_export", "forms", "data_export"...), and is what
// ImportUsers sends besides the typed fields. Columns keeps the order of
// REDCap's columns, which MarshalJSON follows.
type User struct {
	Username        string
	Email           string
	FirstName       string
	LastName        string
	Expiration      string
	DataAccessGroup string
	Rights          map[string]any
	Columns         []string // column order as REDCap sent it (set by ExportUsers and UnmarshalJSON)
}

// userIdentity lists User's typed columns in REDCap's order.
var userIdentity = []string{"username", "email", "firstname", "lastname", "expiration", "data_access_group"}

// userRightsOrder is REDCap's column order of a user export after the
// identity columns, for users built without Columns.
var userRightsOrder = []string{"data_access_group_id", "data_access_group_label", "design", "alerts", "user_rights",
	"data_access_groups", "reports", "stats_and_charts", "manage_survey_participants", "calendar", "data_import_tool",
	"data_comparison_tool", "logging", "email_logging", "file_repository", "data_quality_create", "data_quality_execute",
	"api_export", "api_import", "api_modules", "mobile_app", "mobile_app_download_data", "record_create",
	"record_rename", "record_delete", "lock_records_all_forms", "lock_records", "lock_records_customization",
	"forms", "forms_export"}

// typed returns the typed fields as columns.
func (u User) typed() map[string]string {
	return map[string]string{"username": u.Username, "email": u.Email, "firstname": u.FirstName,
		"lastname": u.LastName, "expiration": u.Expiration, "data_access_group": u.DataAccessGroup}
}

// MarshalJSON writes Rights with the typed fields on top, in REDCap's names
// and REDCap's column order: Columns first, then the identity columns, then
// the other rights in the order REDCap exports them (unknown ones by name).
func (u User) MarshalJSON() ([]byte, error) {
	return marshalOrdered(u.typed(), []string{"username"}, u.Rights, u.Columns, userIdentity, userRightsOrder)
}

// UnmarshalJSON reads one user object as REDCap exports it (or a user
// file): every key goes to Rights, the identity keys also to the typed
// fields, and the key order to Columns.
func (u *User) UnmarshalJSON(b []byte) error {
	keys, vals, err := orderedJSONObject(b)
	if err != nil {
		return fmt.Errorf("client: user: %w", err)
	}
	*u = User{Rights: vals, Columns: keys}
	u.Username, u.Email, u.FirstName = textOf(vals["username"]), textOf(vals["email"]), textOf(vals["firstname"])
	u.LastName, u.Expiration, u.DataAccessGroup = textOf(vals["lastname"]), textOf(vals["expiration"]), textOf(vals["data_access_group"])
	return nil
}

// ExportUsers lists users and their rights (content=user), each with
// REDCap's column order in Columns.
func (c *Client) ExportUsers(ctx context.Context) ([]User, error) {
	var out []User
	err := c.getOrdered(ctx, newForm("user", "export"), &out)
	return out, err
}

// ImportUsers adds users or updates their rights (content=user,
// action=import) and returns REDCap's count.
func (c *Client) ImportUsers(ctx context.Context, users []User) (int, error) {
	if len(users) == 0 {
		return 0, errorf("ImportUsers: no users given")
	}
	for i, u := range users {
		if u.Username == "" {
			return 0, errorf("ImportUsers: user %d has no Username", i+1)
		}
	}
	return c.importJSON(ctx, newForm("user", "import"), users)
}

// DeleteUsers removes users from the project (content=user, action=delete).
func (c *Client) DeleteUsers(ctx context.Context, usernames []string) (int, error) {
	if len(usernames) == 0 {
		return 0, errorf("DeleteUsers: no users given")
	}
	f := newForm("user", "delete")
	f.array("users", usernames)
	return c.postCount(ctx, f)
}

// UserRole is a named set of rights. Rights holds every column as sent;
// Columns keeps REDCap's column order, which MarshalJSON follows.
type UserRole struct {
	UniqueRoleName string
	RoleLabel      string
	Rights         map[string]any
	Columns        []string // column order as REDCap sent it (set by ExportUserRoles and UnmarshalJSON)
}

// MarshalJSON writes Rights with the typed fields on top, in Columns'
// order, else the role columns first and REDCap's rights order.
func (r UserRole) MarshalJSON() ([]byte, error) {
	typed := map[string]string{"unique_role_name": r.UniqueRoleName, "role_label": r.RoleLabel}
	return marshalOrdered(typed, []string{"unique_role_name", "role_label"}, r.Rights, r.Columns,
		[]string{"unique_role_name", "role_label"}, userRightsOrder)
}

// UnmarshalJSON reads one role object: every key goes to Rights, the role
// keys also to the typed fields, and the key order to Columns.
func (r *UserRole) UnmarshalJSON(b []byte) error {
	keys, vals, err := orderedJSONObject(b)
	if err != nil {
		return fmt.Errorf("client: user role: %w", err)
	}
	*r = UserRole{Rights: vals, Columns: keys}
	r.UniqueRoleName, r.RoleLabel = textOf(vals["unique_role_name"]), textOf(vals["role_label"])
	return nil
}

// ExportUserRoles lists user roles (content=userRole).
func (c *Client) ExportUserRoles(ctx context.Context) ([]UserRole, error) {
	var out []UserRole
	err := c.getOrdered(ctx, newForm("userRole", "export"), &out)
	return out, err
}

// ImportUserRoles adds roles (blank UniqueRoleName) or updates them
// (content=userRole, action=import).
func (c *Client) ImportUserRoles(ctx context.Context, roles []UserRole) (int, error) {
	if len(roles) == 0 {
		return 0, errorf("ImportUserRoles: no roles given")
	}
	return c.importJSON(ctx, newForm("userRole", "import"), roles)
}

// DeleteUserRoles deletes roles by unique name (content=userRole, action=delete).
func (c *Client) DeleteUserRoles(ctx context.Context, uniqueRoleNames []string) (int, error) {
	if len(uniqueRoleNames) == 0 {
		return 0, errorf("DeleteUserRoles: no roles given")
	}
	f := newForm("userRole", "delete")
	f.array("roles", uniqueRoleNames)
	return c.postCount(ctx, f)
}

// UserRoleMapping assigns a user to a role (blank role: none).
type UserRoleMapping struct {
	Username       string `json:"username"`
	UniqueRoleName string `json:"unique_role_name"`
}

// ExportUserRoleMapping lists user–role assignments (content=userRoleMapping).
func (c *Client) ExportUserRoleMapping(ctx context.Context) ([]UserRoleMapping, error) {
	rows, err := c.getRows(ctx, newForm("userRoleMapping", "export"))
	if err != nil {
		return nil, err
	}
	out := make([]UserRoleMapping, len(rows))
	for i, r := range rows {
		out[i] = UserRoleMapping{Username: r.str("username"), UniqueRoleName: r.str("unique_role_name")}
	}
	return out, nil
}

// ImportUserRoleMapping assigns users to roles (content=userRoleMapping,
// action=import).
func (c *Client) ImportUserRoleMapping(ctx context.Context, m []UserRoleMapping) (int, error) {
	if len(m) == 0 {
		return 0, errorf("ImportUserRoleMapping: no assignments given")
	}
	return c.importJSON(ctx, newForm("userRoleMapping", "import"), m)
}

// DAG is a data access group.
type DAG struct {
	Name            string `json:"data_access_group_name"`
	UniqueGroupName string `json:"unique_group_name"`
	ID              int    `json:"data_access_group_id,omitempty"`
}

// ExportDAGs lists data access groups (content=dag).
func (c *Client) ExportDAGs(ctx context.Context) ([]DAG, error) {
	rows, err := c.getRows(ctx, newForm("dag", "export"))
	if err != nil {
		return nil, err
	}
	out := make([]DAG, len(rows))
	for i, r := range rows {
		out[i] = DAG{Name: r.str("data_access_group_name"), UniqueGroupName: r.str("unique_group_name"), ID: r.int("data_access_group_id")}
	}
	return out, nil
}

// ImportDAGs adds DAGs (blank UniqueGroupName) or renames them
// (content=dag, action=import).
func (c *Client) ImportDAGs(ctx context.Context, dags []DAG) (int, error) {
	if len(dags) == 0 {
		return 0, errorf("ImportDAGs: no DAGs given")
	}
	return c.importJSON(ctx, newForm("dag", "import"), dags)
}

// DeleteDAGs deletes DAGs by unique name (content=dag, action=delete).
func (c *Client) DeleteDAGs(ctx context.Context, uniqueGroupNames []string) (int, error) {
	if len(uniqueGroupNames) == 0 {
		return 0, errorf("DeleteDAGs: no DAGs given")
	}
	f := newForm("dag", "delete")
	f.array("dags", uniqueGroupNames)
	return c.postCount(ctx, f)
}

// SwitchDAG moves the token's user into the DAG (content=dag,
// action=switch); "" leaves every DAG.
func (c *Client) SwitchDAG(ctx context.Context, uniqueGroupName string) error {
	f := newForm("dag", "switch")
	f.set("dag", uniqueGroupName)
	s, err := c.postText(ctx, f, write)
	if err != nil {
		return err
	}
	if s != "1" {
		return &Error{Status: 200, Content: "dag", Action: "switch", Err: ErrMalformed, Message: "expected 1", BodyPrefix: prefixOf([]byte(s))}
	}
	return nil
}

// UserDAGMapping assigns a user to a DAG (blank: none).
type UserDAGMapping struct {
	Username        string `json:"username"`
	DataAccessGroup string `json:"redcap_data_access_group"`
}

// ExportUserDAGMapping lists user–DAG assignments (content=userDagMapping).
func (c *Client) ExportUserDAGMapping(ctx context.Context) ([]UserDAGMapping, error) {
	rows, err := c.getRows(ctx, newForm("userDagMapping", "export"))
	if err != nil {
		return nil, err
	}
	out := make([]UserDAGMapping, len(rows))
	for i, r := range rows {
		out[i] = UserDAGMapping{Username: r.str("username"), DataAccessGroup: r.str("redcap_data_access_group")}
	}
	return out, nil
}

// ImportUserDAGMapping assigns users to DAGs (content=userDagMapping,
// action=import).
func (c *Client) ImportUserDAGMapping(ctx context.Context, m []UserDAGMapping) (int, error) {
	if len(m) == 0 {
		return 0, errorf("ImportUserDAGMapping: no assignments given")
	}
	return c.importJSON(ctx, newForm("userDagMapping", "import"), m)
}
