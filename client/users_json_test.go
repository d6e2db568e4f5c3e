package client_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/internal/fixtures"
)

// jsonKeys lists an object's keys in order.
func jsonKeys(t *testing.T, b []byte) []string {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(string(b)))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", b)
	}
	var keys []string
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// A user read from REDCap's JSON is written back with REDCap's columns in
// REDCap's order (REDCapR's users-export fixtures), not sorted.
func TestUserJSONKeepsREDCapOrder(t *testing.T) {
	for _, name := range []string{"with-dags--user.json", "without-dags--user.json"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(fixtures.Path(t, "redcapr", "expected", "specific-redcapr", "users-export", name))
			if err != nil {
				t.Fatal(err)
			}
			var fx struct {
				Columns []string
				Rows    [][]any
			}
			if err := json.Unmarshal(b, &fx); err != nil {
				t.Fatal(err)
			}
			// rebuild REDCap's object for the first row, keys in column order
			var obj strings.Builder
			obj.WriteString("{")
			for i, c := range fx.Columns {
				if i > 0 {
					obj.WriteString(",")
				}
				k, _ := json.Marshal(c)
				v, _ := json.Marshal(fx.Rows[0][i])
				obj.Write(k)
				obj.WriteString(":")
				obj.Write(v)
			}
			obj.WriteString("}")
			var u client.User
			if err := json.Unmarshal([]byte(obj.String()), &u); err != nil {
				t.Fatal(err)
			}
			if u.Username != "unittestphifree" || u.FirstName != "Unit Test" || u.LastName != "Phi Free" {
				t.Errorf("typed fields: %+v", u)
			}
			out, err := json.Marshal(u)
			if err != nil {
				t.Fatal(err)
			}
			if got := jsonKeys(t, out); !slices.Equal(got, fx.Columns) {
				t.Errorf("keys\n got %v\nwant %v", got, fx.Columns)
			}
		})
	}
}

// A user built in code follows REDCap's order too: identity, then rights as
// REDCap exports them, unknown rights last by name; typed fields override.
func TestUserMarshalWithoutColumns(t *testing.T) {
	u := client.User{Username: "ann", Email: "ann@example.org", DataAccessGroup: "site_a",
		Rights: map[string]any{"zz_custom": 1, "api_export": 1, "design": 0, "forms": "baseline:1", "email": "old@example.org"}}
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"username":"ann","email":"ann@example.org","data_access_group":"site_a","design":0,"api_export":1,"forms":"baseline:1","zz_custom":1}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	r := client.UserRole{RoleLabel: "Monitor", Rights: map[string]any{"user_rights": 0, "design": 1}}
	b, err = json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"unique_role_name":"","role_label":"Monitor","design":1,"user_rights":0}`; string(b) != want {
		t.Errorf("role: got %s, want %s", b, want)
	}
}

// Roles and users decode from JSON (a file to import), numbers or text.
func TestUserRoleUnmarshal(t *testing.T) {
	var roles []client.UserRole
	if err := json.Unmarshal([]byte(`[{"unique_role_name":"U-123","role_label":"Data entry","design":0,"forms":"baseline:1"}]`), &roles); err != nil {
		t.Fatal(err)
	}
	r := roles[0]
	if r.UniqueRoleName != "U-123" || r.RoleLabel != "Data entry" || r.Rights["forms"] != "baseline:1" || !slices.Equal(r.Columns, []string{"unique_role_name", "role_label", "design", "forms"}) {
		t.Errorf("role %+v", r)
	}
	var u client.User
	if err := json.Unmarshal([]byte(`{"username": 17, "expiration": null}`), &u); err != nil || u.Username != "17" || u.Expiration != "" {
		t.Errorf("user %+v, %v", u, err)
	}
	for _, bad := range []string{`[]`, `{"username":`, `"ann"`} {
		if err := json.Unmarshal([]byte(bad), &u); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// ExportUsers keeps the server's column order, and a user exported,
// renamed and imported comes back with the same rights.
func TestExportUsersOrderAndRoundTrip(t *testing.T) {
	_, c := emu(t)
	ctx := context.Background()
	users, err := c.ExportUsers(ctx)
	if err != nil || len(users) == 0 {
		t.Fatalf("users %v, %v", users, err)
	}
	bob := users[len(users)-1]
	if len(bob.Columns) == 0 || bob.Columns[0] != "username" {
		t.Fatalf("columns %v", bob.Columns)
	}
	b, _ := json.Marshal(bob)
	if got := jsonKeys(t, b); !slices.Equal(got, bob.Columns) {
		t.Errorf("marshal order %v, want the export's %v", got, bob.Columns)
	}
	dan := bob
	dan.Username = "dan"
	if _, err := c.ImportUsers(ctx, []client.User{dan}); err != nil {
		t.Fatal(err)
	}
	users, err = c.ExportUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Username == "dan" {
			for k, v := range bob.Rights {
				if k != "username" && textOf(v) != textOf(u.Rights[k]) {
					t.Errorf("dan's %s = %v, bob's %v", k, u.Rights[k], v)
				}
			}
			return
		}
	}
	t.Error("dan not exported")
}

func textOf(v any) string {
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}
