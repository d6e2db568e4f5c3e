package logic

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestEval(t *testing.T) {
	now = func() time.Time { return time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC) }
	t.Cleanup(func() { now = time.Now })
	tests := []struct {
		logic string
		want  bool
	}{
		// comparisons on numeric fields
		{"[age] = 30", true},
		{"[age] == 30", true},
		{"[age] = '30'", true},
		{"[age] = \"30.0\"", true},
		{"[age] <> 30", false},
		{"[age] != 31", true},
		{"[age] < 31", true},
		{"[age] <= 30", true},
		{"[age] > 30", false},
		{"[age] >= 30", true},
		{"[weight] > 72.4", true},
		{"[weight] < 1e2", true},
		{"[age] > .5", true},
		{"[age] > -3", true},
		// NaN semantics: blank and non-numeric values of numeric fields
		{"[blank_num] = 0", false},
		{"[blank_num] < 1", false},
		{"[blank_num] <= 1", false},
		{"[blank_num] > -1", false},
		{"[blank_num] >= -1", false},
		{"[blank_num] <> 30", true},
		{"[bad_num] > 0", false},
		{"[bad_num] <> 0", true},
		{"[bad_num] = 'abc'", false},
		{"[na_num] = 0", false},
		{"[na_num] <> 0", true},
		// blank tests work for every type
		{"[blank_num] = ''", true},
		{"[blank_num] <> ''", false},
		{"[age] = ''", false},
		{"[age] <> \"\"", true},
		{"[bad_num] = ''", false},
		{"'' = [blank_txt]", true},
		{"[blank_txt] = ''", true},
		{"[name] <> ''", true},
		{"[nosuch] = ''", true},
		// text fields: PHP 8 loose comparison
		{"[name] = 'Alice Smith'", true},
		{"[name] = 'alice smith'", false},
		{"[site] = 'nyc'", true},
		{"[site] < 'nyd'", true},
		{"[zip] = 2139", true},
		{"[zip] = '2139'", true},
		{"[zip] = '2139x'", false},
		{"[dob] >= '1990-01-01'", true},
		{"[dob] < '1990-05-18'", true},
		{"[dob] >= '01-01-1990'", true}, // byte-wise: '1' > '0'
		{"[dob] > '12-31-1989'", true},
		{"[name] > 5", true},       // "Alice Smith" > "5" byte-wise
		{"[blank_txt] < 5", true},  // "" < "5"
		{"[blank_txt] = 0", false}, // PHP 8: "" != 0
		{"'abc' = 'ABC'", false},   // case-sensitive
		{"'1e3' = '1000'", true},   // both numeric strings
		{"' 5' = '5'", true},       // leading whitespace numeric
		{"'10' > '9'", true},       // numeric, not byte-wise
		{"'10' > '9a'", false},     // byte-wise
		{"true = 1", true},
		{"false = 0", true},
		{"true", true},
		{"false", false},
		{"TRUE and not FALSE", true},
		// checkboxes
		{"[race(1)] = '1'", true},
		{"[race(1)] = 1", true},
		{"[race(2)] = '0'", true},
		{"[race(2)] = 1", false},
		{"[race(-1)] = '1'", true},
		{"[race(oth)] = '0'", true},
		{"[race(oth):value] = '0'", true},
		{"[race] = '1'", false},
		{"[race] <> '1'", false},
		{"[race] = '1' or [age] = 30", false},
		{"[race(1)] + [race(-1)] = 2", true},
		// boolean operators
		{"[age] = 30 and [score] > 5", true},
		{"[age] = 30 AND [score] > 7", false},
		{"[age] = 31 or [score] > 5", true},
		{"[age] = 31 OR [score] > 7", false},
		{"[age] = 30 && [score] > 5", true},
		{"[age] = 31 || [score] > 5", true},
		{"[age]=30&&[score]>5", true},
		{"not [age] = 31", true},
		{"NOT ([age] = 30)", false},
		{"![age] = 31", true},
		{"!([age] = 30 and [score] > 5)", false},
		{"[age] = 30 or [age] = 31 and [score] > 100", true}, // and binds tighter
		{"([age] = 30 or [age] = 31) and [score] > 100", false},
		// arithmetic
		{"[age] + 1 = 31", true},
		{"[age] - 1 = 29", true},
		{"[age] * 2 = 60", true},
		{"[age] / 4 = 7.5", true},
		{"1 + 2 * 3 = 7", true},
		{"(1 + 2) * 3 = 9", true},
		{"(2)^(3) = 8", true},
		{"2^3^2 = 512", true},
		{"-2^2 = -4", true},
		{"10 - 2 - 3 = 5", true},
		{"-[age] = -30", true},
		{"[blank_num] + 1 = 1", false},
		{"[blank_num] + 1 <> 1", true},
		{"1 / 0 = ''", true},
		{"[age] / 0 > 0", false},
		// references with events and instances
		{"[week_4_arm_1][age] = 31", true},
		{"[week_4_arm_1][score] > 5", false},
		{"[enrollment_arm_1][score] > 5", true},
		{"[event-name][age] = 30", true},
		{"[next-event-name][age] = 31", true},
		{"[previous-event-name][age] = ''", true},
		{"[med][2] = 'ibuprofen'", true},
		{"[med][first-instance] = 'aspirin'", true},
		{"[med][last-instance] = 'statin'", true},
		{"[med][current-instance] = 'aspirin'", true},
		{"[med][next-instance] = 'ibuprofen'", true},
		{"[med][previous-instance] = ''", true},
		{"[enrollment_arm_1][dose][2] = 200", true},
		// smart variables
		{"[record-name] = '7'", true},
		{"[record-name] = 7", true},
		{"[event-name] = 'enrollment_arm_1'", true},
		{"[arm-number] = 1", true},
		{"[event-label] = 'Enrollment'", true},
		{"[current-instance] = 1", true},
		{"[next-instance] = 2", true},
		{"[previous-instance] = ''", true},
		{"[project-id] = 12", true},
		{"[record-dag-name] = 'site_a'", true},
		{"[user-name] = ''", true},
		// decoding and comments
		{"[age] %3D 30", true},
		{"[name] = 'Alice%20Smith'", true},
		{"[age] &gt; 29 &amp;&amp; [age] &lt; 31", true},
		{"[name] = 'Alice&#32;Smith'", true},
		{"// a comment\n[age] = 30", true},
		{"  # comment\n[age] = 30\n# another", true},
		{"[name] = 'Al\\ice Smith'", true},
		{"[name] = \"Alice Smith\"", true},
		// if
		{"if([age] > 18, 'adult', 'minor') = 'adult'", true},
		{"if([blank_num] > 18, 1, 0) = 0", true},
		{"if([age] > 18, [score], 0) = 6.5", true},
		// dates
		{"datediff([dob], '2000-05-17', 'y') > 9.99", true},
		{"datediff([dob], '2000-05-17', 'y') < 10.01", true},
		{"datediff('2020-01-01', '2020-01-31', 'd') = 30", true},
		{"datediff('2020-01-31', '2020-01-01', 'd') = 30", true},
		{"datediff('2020-01-31', '2020-01-01', 'd', true) = -30", true},
		{"datediff('2020-01-01', '2020-01-31', 'd', 'ymd', true) = 30", true},
		{"datediff('01-31-2020', '01-01-2020', 'd', 'mdy') = 30", true},
		{"datediff('2020-01-01', '2020-01-02', 'h') = 24", true},
		{"datediff('2020-01-01 00:00', '2020-01-01 01:30', 'm') = 90", true},
		{"datediff('2020-01-01 00:00:00', '2020-01-01 00:00:42', 's') = 42", true},
		{"round(datediff('2020-01-01', '2020-03-01', 'M'), 2) = 1.97", true},
		{"datediff([dob], 'today', 'y') > 35", true},
		{"datediff('2025-06-15', 'today', 'd') = 0", true},
		{"datediff('2025-06-15 11:00', 'now', 'h') = 1", true},
		{"datediff([blank_txt], 'today', 'd') = ''", true},
		{"datediff([dob], 'today', 'x') = ''", true},
		{"calcdate('2020-01-30', 2, 'd') = '2020-02-01'", true},
		{"calcdate([dt], 30, 'm') = '2024-01-02 11:00'", true},
		{"year([dob]) = 1990", true},
		{"month([dob]) = 5", true},
		{"day([dob]) = 17", true},
		{"year([blank_txt]) = ''", true},
		// math
		{"sum(1, 2, 3) = 6", true},
		{"sum([age], [blank_num], [bad_num], 2) = 32", true},
		{"sum([blank_num], [bad_num]) = ''", true},
		{"mean(1, 2, 6) = 3", true},
		{"median(5, 1, 3) = 3", true},
		{"median(4, 1, 3, 2) = 2.5", true},
		{"round(stdev(2, 4, 4, 4, 5, 5, 7, 9), 4) = 2.1381", true},
		{"min(3, [blank_num], 1, 2) = 1", true},
		{"max(3, 1, 2) = 3", true},
		{"round(2.5) = 3", true},
		{"round(-2.5) = -3", true},
		{"round(2.675, 2) = 2.68", true},
		{"round(1234.5, -2) = 1200", true},
		{"roundup(1.21, 1) = 1.3", true},
		{"roundup(-1.21, 1) = -1.3", true},
		{"rounddown(1.29, 1) = 1.2", true},
		{"rounddown(-1.29) = -1", true},
		{"sqrt(16) = 4", true},
		{"abs(-3) = 3", true},
		{"round(exponential(1), 5) = 2.71828", true},
		{"round(log(100, 10), 6) = 2", true},
		{"round(log(exponential(2)), 6) = 2", true},
		{"mod(10, 3) = 1", true},
		{"mod(10, 0) = ''", true},
		{"isnumber([weight])", true},
		{"isnumber([bad_num])", false},
		{"isnumber('1e3')", true},
		{"isnumber([blank_num])", false},
		{"isinteger([age])", true},
		{"isinteger([weight])", false},
		{"isinteger('-12')", true},
		{"isinteger('')", false},
		// text (contains & co. are case-insensitive)
		{"contains([notes], 'diabetes')", true},
		{"contains([notes], 'DIAB')", true},
		{"contains([notes], 'cancer')", false},
		{"not_contain([notes], 'cancer')", true},
		{"not_contain([notes], 'HAS')", false},
		{"starts_with([name], 'alice')", true},
		{"starts_with([name], 'smith')", false},
		{"ends_with([name], 'SMITH')", true},
		{"left([name], 5) = 'Alice'", true},
		{"left([name], 99) = 'Alice Smith'", true},
		{"right([name], 5) = 'Smith'", true},
		{"mid([name], 7, 3) = 'Smi'", true},
		{"mid([name], 99, 3) = ''", true},
		{"length([name]) = 11", true},
		{"length('héllo') = 5", true},
		{"find('smith', [name]) = 7", true},
		{"find('zzz', [name]) = 0", true},
		{"concat([site], '-', [age]) = 'nyc-30'", true},
		{"concat_ws(', ', [site], [blank_txt], [age]) = 'nyc, 30'", true},
		{"upper([site]) = 'NYC'", true},
		{"lower('ABC') = 'abc'", true},
		{"trim('  x  ') = 'x'", true},
		{"replace_text([name], 'Smith', 'Jones') = 'Alice Jones'", true},
		{"calctext([age]) = '30'", true},
		// missing-data codes
		{"isblankormissingcode([na_num])", true},
		{"isblankormissingcode([blank_num])", true},
		{"isblankormissingcode([age])", false},
		{"isblanknotmissingcode([blank_num])", true},
		{"isblanknotmissingcode([na_num])", false},
		{"ismissingcode([na_num])", true},
		{"ismissingcode([blank_num])", false},
		{"hasmissingcode([na_num])", true},
		{"hasmissingcode([age])", false},
		// functions are case-insensitive
		{"SUM(1, 1) = 2", true},
		// truthiness
		{"[age]", true},
		{"[smoker]", false},
		{"[blank_num]", false},
		{"[name]", true},
		{"'0'", false},
		{"0", false},
	}
	for _, tt := range tests {
		e, err := Parse(tt.logic)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.logic, err)
			continue
		}
		got, err := e.Eval(demoRow())
		if err != nil {
			t.Errorf("Eval(%q): %v", tt.logic, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Eval(%q) = %v, want %v", tt.logic, got, tt.want)
		}
		// String() prints logic that parses back and evaluates alike.
		e2, err := Parse(e.String())
		if err != nil {
			t.Errorf("Parse(String(%q) = %q): %v", tt.logic, e.String(), err)
			continue
		}
		if e2.String() != e.String() {
			t.Errorf("String not stable: %q -> %q", e.String(), e2.String())
		}
		if got2, _ := e2.Eval(demoRow()); got2 != got {
			t.Errorf("Eval(String(%q) = %q) = %v, want %v", tt.logic, e.String(), got2, got)
		}
	}
}

func TestMissingCodeOnCheckbox(t *testing.T) {
	r := demoRow()
	r.data["enrollment_arm_1/race(UNK)/0"] = "1"
	for logic, want := range map[string]bool{
		"hasmissingcode([race])":       true,
		"ismissingcode([race])":        true,
		"isblankormissingcode([race])": true,
		"[race(UNK)] = 1":              true,
	} {
		e, err := Parse(logic)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := e.Eval(r); err != nil || got != want {
			t.Errorf("Eval(%q) = %v, %v; want %v", logic, got, err, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		logic, want string
	}{
		{"", "1:1: empty logic"},
		{"   // only a comment", "empty logic"},
		{"[age] = ", "1:9: expected a value, found end of logic"},
		{"[age] = 30 and", "1:12: \"and\" needs a space on each side"},
		{"[age] = 30 And [x] = 1", "1:12: \"And\": and, or and not must be all lower-case or all upper-case"},
		{"[age]=30and [x]=1", "malformed number \"30a\""},
		{"[age]=30 and[x]=1", "needs a space on each side"},
		{"[age] = 30 // trailing comment", "1:13: expected a value, found \"/\""},
		{"[age] = 30 and[x] = 1", "needs a space on each side"},
		{"foo([age])", "1:1: unknown function \"foo\""},
		{"system('ls')", "unknown function \"system\""},
		{"age > 3", "1:1: unexpected word \"age\" (field names go in square brackets)"},
		{"[age > 3", "1:1: unclosed '['"},
		{"[Age] > 3", "1:1: invalid field name [Age]"},
		{"[1abc] > 3", "invalid field name [1abc]"},
		{"[foo-bar] > 3", "unknown smart variable [foo-bar]"},
		{"[age:label] > 3", "1:5: unsupported suffix \":label\" (only :value)"},
		{"[cb()] = 1", "empty checkbox option"},
		{"[cb(1] = 1", "malformed checkbox option"},
		{"[age][0] = 1", "invalid instance [0]"},
		{"[e][age][x] = 1", "invalid instance [x]"},
		{"[a][b][c][d] = 1", "too many [..] groups"},
		{"[E1][age] = 1", "invalid event name [E1]"},
		{"[e][record-name] = 1", "smart variable [record-name] cannot take an event or instance"},
		{"'abc", "1:1: unterminated string"},
		{"[age] = 3 % 2", "1:11: unexpected character '%'"},
		{"([age] = 3", "expected ')'"},
		{"[age] = 3)", "1:10: unexpected \")\""},
		{"if([age], 1)", "if takes 3 arguments, got 2"},
		{"sum()", "sum takes at least 1 arguments, got 0"},
		{"round(1,2,3)", "round takes 1 to 2 arguments, got 3"},
		{"sum(1 2)", "expected ',' or ')' in call of sum"},
		{"[age] = 12abc", "malformed number"},
		{"[age] in (1, 2)", "unexpected word \"in\""},
		{"[age] like 'a%'", "unexpected word \"like\""},
		{"[age] = 1\n  and [b] = @", "2:13: unexpected character '@'"},
		{strings.Repeat("[a] = 1 or ", 900) + "[a] = 1", "1:9901: more than 900 variable references"},
		{strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000), "1:501: logic nested more than 500 levels deep"},
		{strings.Repeat("not ", 1000) + "1", "logic nested more than 500 levels deep"},
		{strings.Repeat("-", 1000) + "1", "logic nested more than 500 levels deep"},
		{strings.Repeat("sum(", 1000) + "1" + strings.Repeat(")", 1000), "logic nested more than 500 levels deep"},
		{"2" + strings.Repeat("^2", 1000), "logic nested more than 500 levels deep"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.logic)
		if len(tt.logic) > 80 {
			tt.logic = tt.logic[:80] + "…"
		}
		if err == nil {
			t.Errorf("Parse(%q): no error, want %q", tt.logic, tt.want)
			continue
		}
		var le *Error
		if !errors.As(err, &le) {
			t.Errorf("Parse(%q): error %T, want *Error", tt.logic, err)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %q, want it to contain %q", tt.logic, err, tt.want)
		}
	}
}

func TestExactly900References(t *testing.T) {
	if _, err := Parse(strings.Repeat("[a] = 1 or ", 899) + "[a] = 1"); err != nil {
		t.Fatalf("900 references: %v", err)
	}
}

func TestFieldsEventsSmart(t *testing.T) {
	e, err := Parse("[enrollment_arm_1][age] > 5 and [race(2)] = 1 or [age] = 3 and [week_4_arm_1][sbp][2] > 1 and sum([x], [age]) > 0")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(e.Fields(), ","); got != "age,race,sbp,x" {
		t.Errorf("Fields = %s", got)
	}
	if got := strings.Join(e.Events(), ","); got != "enrollment_arm_1,week_4_arm_1" {
		t.Errorf("Events = %s", got)
	}
	if e.HasSmartVariables() {
		t.Error("HasSmartVariables = true, want false")
	}
	e, err = Parse("[record-name] = '1' and [med][current-instance] = 'x'")
	if err != nil {
		t.Fatal(err)
	}
	if !e.HasSmartVariables() {
		t.Error("HasSmartVariables = false, want true")
	}
	if got := strings.Join(e.Fields(), ","); got != "med" {
		t.Errorf("Fields = %s", got)
	}
}

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		"[age]>5 AND [x]='a'":                    "[age] > 5 and [x] = 'a'",
		"[a] == 1 || ![b] != \"x\"":              "[a] = 1 or not [b] <> 'x'",
		"[e][cb(-1):value][last-instance] = '1'": "[e][cb(-1)][last-instance] = '1'",
		"(2)^(3) + SUM(1,2)":                     "(2) ^ (3) + sum(1, 2)",
		"[x] = \"it's\"":                         "[x] = \"it's\"",
	} {
		e, err := Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.String(); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestText: @CALCTEXT and @CALCDATE equations keep text results, write
// numbers as calc fields do and give blank for a blank date.
func TestText(t *testing.T) {
	cases := []struct{ expr, want string }{
		{"if([age] > 18, 'adult', 'minor')", "adult"},
		{"concat('id-', [age])", "id-30"},
		{"[age] * 2", "60"},
		{"1 / 0", ""},
		{"[age] > 18", "1"},
		{"calcdate('2020-01-30', 2, 'd')", "2020-02-01"},
		{"calcdate([blank_txt], 2, 'd')", ""},
	}
	for _, tc := range cases {
		e, err := Parse(tc.expr)
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		got, err := e.Text(demoRow())
		if err != nil || got != tc.want {
			t.Errorf("Text(%s) = %q, %v; want %q", tc.expr, got, err, tc.want)
		}
	}
}
