package client

import (
	"context"
	"encoding/json"
)

// User is one project user with their rights. The typed fields are the
// identity columns; Rights holds every column as REDCap sent it (rights
// such as "design", "api_export", "forms", "data_export"...), and is what
// ImportUsers sends besides the typed fields.
type User struct {
	Username        string
	Email           string
	FirstName       string
	LastName        string
	Expiration      string
	DataAccessGroup string
	Rights          map[string]any
}

// MarshalJSON writes Rights with the typed fields on top, in REDCap's names.
func (u User) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	for k, v := range u.Rights {
		m[k] = v
	}
	m["username"] = u.Username
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set("email", u.Email)
	set("firstname", u.FirstName)
	set("lastname", u.LastName)
	set("expiration", u.Expiration)
	set("data_access_group", u.DataAccessGroup)
	return json.Marshal(m)
}

// ExportUsers lists users and their rights (content=user).
func (c *Client) ExportUsers(ctx context.Context) ([]User, error) {
	rows, err := c.getRows(ctx, newForm("user", "export"))
	if err != nil {
		return nil, err
	}
	out := make([]User, len(rows))
	for i, r := range rows {
		out[i] = User{Username: r.str("username"), Email: r.str("email"), FirstName: r.str("firstname"),
			LastName: r.str("lastname"), Expiration: r.str("expiration"), DataAccessGroup: r.str("data_access_group"),
			Rights: r.any()}
	}
	return out, nil
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

// UserRole is a named set of rights. Rights holds every column as sent.
type UserRole struct {
	UniqueRoleName string
	RoleLabel      string
	Rights         map[string]any
}

// MarshalJSON writes Rights with the typed fields on top.
func (r UserRole) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	for k, v := range r.Rights {
		m[k] = v
	}
	m["unique_role_name"] = r.UniqueRoleName
	m["role_label"] = r.RoleLabel
	return json.Marshal(m)
}

// ExportUserRoles lists user roles (content=userRole).
func (c *Client) ExportUserRoles(ctx context.Context) ([]UserRole, error) {
	rows, err := c.getRows(ctx, newForm("userRole", "export"))
	if err != nil {
		return nil, err
	}
	out := make([]UserRole, len(rows))
	for i, r := range rows {
		out[i] = UserRole{UniqueRoleName: r.str("unique_role_name"), RoleLabel: r.str("role_label"), Rights: r.any()}
	}
	return out, nil
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
