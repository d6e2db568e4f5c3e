package lang

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestParseCanonical parses one statement per construct and checks its canonical
// String(), which shows the tree's shape (parentheses appear where precedence needs them).
func TestParseCanonical(t *testing.T) {
	for _, tt := range canonicalCases {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.src)
			if err != nil {
				t.Fatalf("Parse(%q): %v\n%s", tt.src, err, Render(err, tt.src))
			}
			if got := s.String(); got != tt.want {
				t.Errorf("Parse(%q).String()\n got  %s\n want %s", tt.src, got, tt.want)
			}
			// The canonical text parses back to the same tree.
			again, err := Parse(s.String())
			if err != nil {
				t.Fatalf("reparse %q: %v", s.String(), err)
			}
			if !Equal(s, again) {
				t.Errorf("parse(String()) differs from parse(src) for %q", tt.src)
			}
		})
	}
}

var canonicalCases = []struct {
	name, src, want string
}{
	{"headline", "select age, score from records where score > 5 and form = 'baseline'",
		"select age, score from records where score > 5 and form = 'baseline'"},
	{"keywords any case", "SeLeCt AGE From RECORDS WhErE score > 5", "select AGE from records where score > 5"},
	{"star", "select * from records", "select * from records"},
	{"star and field", "select *, age from records", "select *, age from records"},
	{"trailing semicolon", "select a from records;", "select a from records"},
	{"explain", "explain select a from records", "explain select a from records"},
	{"explain analyze", "EXPLAIN ANALYZE select a from records", "explain analyze select a from records"},
	{"alias", "select age as years from records", "select age as years from records"},
	{"alias bracketed keyword", "select age as [order] from records", "select age as [order] from records"},
	{"alias quoted", "select age as 'Age (years)' from records", "select age as 'Age (years)' from records"},
	{"count star", "select count(*) from records", "select count(*) from records"},
	{"count field", "select count(age) from records", "select count(age) from records"},
	{"count distinct", "select count(DISTINCT site) from records", "select count(distinct site) from records"},
	{"aggregates", "select min(age), max(age), sum(score), avg(score) as mean from records",
		"select min(age), max(age), sum(score), avg(score) as mean from records"},
	{"function name case", "select LOWER(email) from records", "select lower(email) from records"},
	{"label", "select label(sex) from records", "select label(sex) from records"},
	{"no-arg function", "select a from records where dob < today()", "select a from records where dob < today()"},
	{"datediff", "select datediff(dob, today(), 'y') as age_y from records",
		"select datediff(dob, today(), 'y') as age_y from records"},
	{"every source", "select * from metadata", "select * from metadata"},
	{"source fem", "select * from FEM", "select * from fem"},
	{"source project", "select * from project", "select * from project"},
	{"where group order limit offset",
		"select site, count(*) from records where age > 18 group by site order by site desc limit 10 offset 20",
		"select site, count(*) from records where age > 18 group by site order by site desc limit 10 offset 20"},
	{"order asc dropped", "select a from records order by a asc, b desc, c", "select a from records order by a, b desc, c"},
	{"group by several", "select a, b from records group by a, b", "select a, b from records group by a, b"},
	{"limit param", "select a from records limit $n offset $m", "select a from records limit $n offset $m"},
	{"bracketed name", "select [order] from records where [form] = 1", "select [order] from records where [form] = 1"},
	{"bracket plain name kept", "select [age] from records", "select [age] from records"},
	{"event pinned", "select [enrollment_arm_1][age] from records where [week_4_arm_1][sbp] > 140",
		"select [enrollment_arm_1][age] from records where [week_4_arm_1][sbp] > 140"},
	{"redcap logic", "select * from records where [age] > 5 and [sex] = '1'", "select * from records where [age] > 5 and [sex] = '1'"},
	{"ops", "select * from records where a = 1 and b <> 2 and c != 3 and d < 4 and e <= 5 and f > 6 and g >= 7",
		"select * from records where a = 1 and b <> 2 and c <> 3 and d < 4 and e <= 5 and f > 6 and g >= 7"},
	{"c-style ops", "select * from records where a == 1 && b = 2 || c = 3",
		"select * from records where a = 1 and b = 2 or c = 3"},
	{"in", "select * from records where record in ('1', '2', '3')", "select * from records where record in ('1', '2', '3')"},
	{"empty in", "select * from records where record in ()", "select * from records where record in ()"},
	{"not in", "select * from records where site not in ('nyc','bos')", "select * from records where site not in ('nyc', 'bos')"},
	{"between", "select * from records where age between 18 and 65", "select * from records where age between 18 and 65"},
	{"not between", "select * from records where age not between 18 and 65 and x = 1",
		"select * from records where age not between 18 and 65 and x = 1"},
	{"between arithmetic", "select * from records where a between b - 1 and b + 1", "select * from records where a between b - 1 and b + 1"},
	{"is null", "select * from records where score is null", "select * from records where score is null"},
	{"is not null", "select * from records where score IS NOT NULL", "select * from records where score is not null"},
	{"like", "select * from records where email like '%@example.org'", "select * from records where email like '%@example.org'"},
	{"not like", "select * from records where email not like 'x%'", "select * from records where email not like 'x%'"},
	{"regex", "select * from records where email ~ '^[a-z]+@'", "select * from records where email ~ '^[a-z]+@'"},
	{"has", "select * from records where race has '2'", "select * from records where race has '2'"},
	{"has any", "select * from records where race has any ('1', '2')", "select * from records where race has any ('1', '2')"},
	{"has all", "select * from records where race has all ('1','2')", "select * from records where race has all ('1', '2')"},
	{"checkbox column", "select * from records where race___2 = 1", "select * from records where race___2 = 1"},
	{"and binds tighter than or", "select * from records where a = 1 or b = 2 and c = 3",
		"select * from records where a = 1 or b = 2 and c = 3"},
	{"parens kept where needed", "select * from records where (a = 1 or b = 2) and c = 3",
		"select * from records where (a = 1 or b = 2) and c = 3"},
	{"parens dropped where not needed", "select * from records where (a = 1) and ((b = 2))",
		"select * from records where a = 1 and b = 2"},
	{"not", "select * from records where not a = 1", "select * from records where not a = 1"},
	{"not not", "select * from records where not not a = 1", "select * from records where not not a = 1"},
	{"not group", "select * from records where not (a = 1 and b = 2)", "select * from records where not (a = 1 and b = 2)"},
	{"not binds tighter than and", "select * from records where not a = 1 and b = 2",
		"select * from records where not a = 1 and b = 2"},
	{"arithmetic precedence", "select a + b * c, (a + b) * c, a - (b - c), a - b - c, a / b / c from records",
		"select a + b * c, (a + b) * c, a - (b - c), a - b - c, a / b / c from records"},
	{"arithmetic in comparison", "select * from records where weight / (height * height) > 25",
		"select * from records where weight / (height * height) > 25"},
	{"unary minus", "select -a, - -a, -(a + b), 2 - -3 from records", "select -a, - -a, -(a + b), 2 - -3 from records"},
	{"negative literal", "select * from records where x > -5.5", "select * from records where x > -5.5"},
	{"condition as item", "select score > 5 as high from records", "select score > 5 as high from records"},
	{"nested comparison", "select * from records where (a = 1) = true", "select * from records where (a = 1) = true"},
	{"string quote", "select * from records where name = 'O''Brien'", "select * from records where name = 'O''Brien'"},
	{"double quoted string", `select * from records where name = "O'Brien" and x = "a""b"`,
		"select * from records where name = 'O''Brien' and x = 'a\"b'"},
	{"empty string", "select * from records where x = ''", "select * from records where x = ''"},
	{"numbers", "select * from records where a in (0, 12, 1.5, .5, 1e3, 2.5E-3)",
		"select * from records where a in (0, 12, 1.5, .5, 1e3, 2.5E-3)"},
	{"booleans and null", "select * from records where a = TRUE or b = false or c = NULL",
		"select * from records where a = true or b = false or c = null"},
	{"date literal", "select * from records where dob < DATE '2000-01-31'", "select * from records where dob < date '2000-01-31'"},
	{"datetime literal", "select * from records where t >= datetime '2024-01-31 08:00'",
		"select * from records where t >= datetime '2024-01-31 08:00'"},
	{"datetime seconds", "select * from records where t >= datetime '2024-01-31 08:00:59'",
		"select * from records where t >= datetime '2024-01-31 08:00:59'"},
	{"date as field name", "select date, datetime from records where date > 1", "select date, datetime from records where date > 1"},
	{"date function", "select date(x) from records", "select date(x) from records"},
	{"contextual words as names", "select asc, desc, explain, analyze, param, comment from records order by desc desc",
		"select asc, desc, explain, analyze, param, comment from records order by desc desc"},
	{"params", "select * from records where site = $site and age > $min_age", "select * from records where site = $site and age > $min_age"},
	{"line comment", "select a -- the a field\nfrom records", "select a from records"},
	{"block comment", "select /* all */ * from /* src */ records", "select * from records"},
	{"newlines and tabs", "select\n\ta,\n\tb\nfrom\trecords\n", "select a, b from records"},
	{"no-break space", "select\u00a0a from records", "select a from records"},
	{"in list of expressions", "select * from records where a in (b + 1, -2, $p)", "select * from records where a in (b + 1, -2, $p)"},
	{"functions nest", "select round(abs(a - b), 2) from records", "select round(abs(a - b), 2) from records"},
	{"coalesce missing", "select coalesce(a, 0) from records where not missing(b)",
		"select coalesce(a, 0) from records where not missing(b)"},
}

// TestParseTree checks trees built by parsing against trees built with the Go builder.
func TestParseTree(t *testing.T) {
	tests := []struct {
		src  string
		want Expr
	}{
		{"score > 5 and form = 'baseline'", Field("score").Gt(5).And(Form("baseline"))},
		{"a = 1 and b = 2 and c = 3", All(Field("a").Eq(1), Field("b").Eq(2), Field("c").Eq(3))},
		{"a = 1 and (b = 2 and c = 3)", All(Field("a").Eq(1), Field("b").Eq(2), Field("c").Eq(3))},
		{"a = 1 or b = 2 and c = 3", Field("a").Eq(1).Or(Field("b").Eq(2).And(Field("c").Eq(3)))},
		{"(a = 1 or b = 2) and c = 3", Field("a").Eq(1).Or(Field("b").Eq(2)).And(Field("c").Eq(3))},
		{"not a is null", Field("a").IsNull().Not()},
		{"record in ('1', '2')", Record("1", "2")},
		{"event = 'enrollment_arm_1'", Event("enrollment_arm_1")},
		{"arm = 2", Arm(2)},
		{"x not in ()", Field("x").NotIn()},
		{"age between 18 and 65", Field("age").Between(18, 65)},
		{"age not between 18 and 65", Field("age").NotBetween(18, 65)},
		{"x is not null", Field("x").IsNotNull()},
		{"x like 'a%'", Field("x").Like("a%")},
		{"x not like 'a%'", Field("x").NotLike("a%")},
		{"x ~ '^a'", Field("x").Match("^a")},
		{"race has '2'", Field("race").Has("2")},
		{"race has any ('1', '2')", Field("race").HasAny("1", "2")},
		{"race has all ('1', '2')", Field("race").HasAll("1", "2")},
		{"[order] <> 1.5", Field("order").Ne(1.5)},
		{"[age] < 5", ProjectField("age").Lt(5)},
		{"[enrollment_arm_1][age] >= 18", EventField("enrollment_arm_1", "age").Ge(18)},
		{"x <= -3", Field("x").Le(-3)},
		{"-x < 3", Field("x").Neg().Lt(3)},
		{"(a + b) * 2 / c - 1 > $p", Field("a").Plus(Field("b")).Times(2).Over(Field("c")).Minus(1).Gt(Var("p"))},
		{"lower(name) = 'x'", Func("lower", Field("name")).Eq("x")},
		{"count(*) > 1", CountAll().Gt(1)},
		{"count(distinct site) = 3", CountDistinct(Field("site")).Eq(3)},
		{"label(sex) = 'Female'", Label("sex").Eq("Female")},
		{"dob < date '2000-01-31'", Field("dob").Lt(DateValue(2000, 1, 31))},
		{"x = null or y = true", Field("x").Eq(nil).Or(Field("y").Eq(true))},
		{"not (a = 1 or b = 2)", Negate(Any(Field("a").Eq(1), Field("b").Eq(2)))},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			s, err := Parse("select * from records where " + tt.src)
			if err != nil {
				t.Fatalf("%v", err)
			}
			if !Equal(s.Where, tt.want) {
				t.Errorf("parse: %s\nbuilder: %s\n(trees differ)", s.Where, tt.want)
			}
		})
	}
}

// TestParsePositions checks that nodes carry the position of their first token.
func TestParsePositions(t *testing.T) {
	src := "select age,\n  score\nfrom records\nwhere score > 5 and [week_4_arm_1][sbp] in (1, $p)"
	f, err := ParseFile("q.rq", src)
	if err != nil {
		t.Fatal(err)
	}
	s := f.Statements[0]
	check := func(what string, p Pos, line, col int) {
		t.Helper()
		if p.Line != line || p.Column != col || p.Filename != "q.rq" {
			t.Errorf("%s at %s, want q.rq:%d:%d", what, p, line, col)
		}
		if line > 0 && !strings.HasPrefix(src[p.Offset:], strings.Split(strings.Split(src, "\n")[line-1][col-1:], " ")[0]) {
			t.Errorf("%s: offset %d does not match line:col", what, p.Offset)
		}
	}
	check("select", s.Position, 1, 1)
	check("item 2", s.Items[1].Position, 2, 3)
	check("source", s.From.Position, 3, 6)
	and := s.Where.(*QueryGroup)
	check("and", and.Position, 4, 7)
	q := and.Items[1].(*Query)
	check("query", q.Position, 4, 21)
	check("in", q.OpPos, 4, 41)
	check("param", q.Right[1].Pos(), 4, 48)
	gt := and.Items[0].(*Query)
	check(">", gt.OpPos, 4, 13)
	check("5", gt.Right[0].Pos(), 4, 15)
}

func TestParseOneStatement(t *testing.T) {
	for _, src := range []string{"", "  -- nothing\n", "select a from records; select b from records",
		"param $x = 1; select a from records"} {
		if _, err := Parse(src); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", src)
		}
	}
}

func TestParseFile(t *testing.T) {
	src := `-- Adults at one site
param $site = 'nyc' comment 'Site code';
param $min_age = -1.5
param $since comment 'Start date'
select record, age from records where site = $site and age >= $min_age;
explain select count(*) from records
select * from metadata;;`
	f, err := ParseFile("adults.rq", src)
	if err != nil {
		t.Fatalf("%v\n%s", err, Render(err, src))
	}
	if len(f.Params) != 3 || len(f.Statements) != 3 {
		t.Fatalf("got %d params, %d statements; want 3, 3", len(f.Params), len(f.Statements))
	}
	p := f.Params
	if p[0].Name != "site" || p[0].Default.String() != "'nyc'" || p[0].Description != "Site code" {
		t.Errorf("param 0 = %s", p[0])
	}
	if p[1].Name != "min_age" || p[1].Default.(*Literal).Num != -1.5 || p[1].Description != "" {
		t.Errorf("param 1 = %s", p[1])
	}
	if p[2].Name != "since" || p[2].Default != nil || p[2].Description != "Start date" {
		t.Errorf("param 2 = %s", p[2])
	}
	if !f.Statements[1].Explain || f.Statements[2].From.Name != "metadata" {
		t.Errorf("statements = %s", f)
	}
	if p[1].Position.Line != 3 || f.Statements[2].Position.Line != 7 {
		t.Errorf("positions: %s, %s", p[1].Position, f.Statements[2].Position)
	}
}

func TestCheckParams(t *testing.T) {
	src := "param $site = 'nyc';\nparam $since comment 'start';\nselect * from records\nwhere site = $site and dob > $since and age > $min and x < $min"
	f, err := ParseFile("p.rq", src)
	if err != nil {
		t.Fatal(err)
	}
	err = f.CheckParams(nil)
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("CheckParams(nil) = %v, want 2 errors", err)
	}
	if list[0].Pos.String() != "p.rq:4:30" || !strings.Contains(list[0].Msg, "$since has no value") {
		t.Errorf("first error = %v", list[0])
	}
	if list[1].Pos.String() != "p.rq:4:47" || !strings.Contains(list[1].Msg, "$min is not declared") {
		t.Errorf("second error = %v", list[1])
	}
	if err := f.CheckParams(map[string]string{"since": "2024-01-01", "min": "18"}); err != nil {
		t.Errorf("all given: %v", err)
	}
	v := f.Values(map[string]string{"since": "2024-01-01"})
	if v["site"] != "nyc" || v["since"] != "2024-01-01" {
		t.Errorf("Values = %v", v)
	}
	dup, _ := ParseFile("", "param $a; param $a = 1; select $a from records")
	if err := dup.CheckParams(map[string]string{"a": "1"}); err == nil || !strings.Contains(err.Error(), "declared twice") {
		t.Errorf("duplicate declaration: %v", err)
	}
}

func TestSeveralErrorsReported(t *testing.T) {
	src := "select a, from records;\nselect b from records;\nselect c from recs where;\nselect 'x from records"
	_, err := ParseFile("", src)
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("err = %v", err)
	}
	var lines []int
	for _, e := range list {
		lines = append(lines, e.Pos.Line)
	}
	// One error per statement: the second statement is fine, the third stops at its
	// first problem.
	if len(list) != 3 || lines[0] != 1 || lines[1] != 3 || lines[2] != 4 {
		t.Errorf("errors on lines %v, want [1 3 4]:\n%s", lines, list.Render(src))
	}
}

func TestLimits(t *testing.T) {
	big := "select a from records where x = '" + strings.Repeat("a", MaxInputSize) + "'"
	if _, err := Parse(big); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("big input: %v", err)
	}
	deep := "select a from records where " + strings.Repeat("(", MaxDepth+1) + "x = 1" + strings.Repeat(")", MaxDepth+1)
	_, err := Parse(deep)
	if err == nil || !strings.Contains(err.Error(), "too deeply nested") {
		t.Errorf("deep parens: %v", err)
	}
	if e := err.(ErrorList)[0]; e.Pos.Column != len("select a from records where ")+MaxDepth+1 {
		t.Errorf("deep parens error at %s", e.Pos)
	}
	ok := "select a from records where " + strings.Repeat("(", MaxDepth) + "x = 1" + strings.Repeat(")", MaxDepth)
	if _, err := Parse(ok); err != nil {
		t.Errorf("%d parentheses: %v", MaxDepth, err)
	}
	for name, src := range map[string]string{
		"not chain":   "select a from records where " + strings.Repeat("not ", 5000) + "x = 1",
		"minus chain": "select " + strings.Repeat("- ", 5000) + "x from records",
		"sum chain":   "select " + strings.Repeat("x + ", 5000) + "x from records",
	} {
		if _, err := Parse(src); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Parse("select " + strings.Repeat("x + ", 500) + "x from records"); err != nil {
		t.Errorf("500 terms: %v", err)
	}
}

func TestErrorRender(t *testing.T) {
	src := "select a\nfrom records\nwhere x = 1 y = 2"
	_, err := ParseFile("q.rq", src)
	got := Render(err, src)
	want := "q.rq:3:13: unexpected 'y' after the number 1\n" +
		"    where x = 1 y = 2\n" +
		"                ^\n" +
		"hint: join conditions with and / or\n"
	if got != want {
		t.Errorf("Render:\n%s\nwant:\n%s", got, want)
	}
	if e := err.(ErrorList)[0]; e.Error() != "q.rq:3:13: unexpected 'y' after the number 1" {
		t.Errorf("Error() = %q", e.Error())
	}
	// Tabs and multi-byte characters before the token keep the caret under it.
	src = "select 'é',\ta from records where x = 1 1"
	_, err = Parse(src)
	got = Render(err, src)
	lines := strings.Split(got, "\n")
	if len(lines) < 3 || lines[1] != "    select 'é', a from records where x = 1 1" ||
		strings.Index(lines[2], "^") != len([]rune(lines[1]))-1 {
		t.Errorf("Render with tab and é:\n%s", got)
	}
}

// TestParseRejects lists inputs that must not parse, in particular text, bracketed names
// and parameters whose content spells a keyword or operator.
func TestParseRejects(t *testing.T) {
	for _, src := range []string{
		"select a from records where x '=' 5",
		"'select' a from records",
		"select a 'from' records",
		"select a from records [order] by a",
		"select a from records [where] x = 1",
		"[select] a from records",
		"select a from records where x [=] 1",
		"select a from records where x = 1 \"and\" y = 2",
		"select a from records order by a 'desc'",
		"select a from records where x in '(' 1 ')'",
		"select a from records where a = 1 = 2",
		"select a from records limit -1",
		"select a from records offset 1",
		"select * * from records",
		"select a as '' from records",
		"param $x = -'a'; select a from records",
		"select count(distinct a, b) from records",
		"select a from records where x = 1e999",
	} {
		if s, err := Parse(src); err == nil {
			t.Errorf("Parse(%q) = %s, want an error", src, s)
		}
	}
	for _, src := range []string{
		"select $select from records where x = $from",
		"select a from records where x = 'select' and y = \"from\"",
		"select [select], [from][where] from records",
	} {
		if _, err := Parse(src); err != nil {
			t.Errorf("Parse(%q): %v", src, err)
		}
	}
}

// TestConcurrentParse parses from several goroutines at once, through both the fast path
// and the participle grammar (error inputs), since embedding programs share the package.
func TestConcurrentParse(t *testing.T) {
	inputs := []string{headline, "select a, from records", "select * from records where x in (1 2)", "param $x = 1; select $x from records"}
	done := make(chan error)
	for g := 0; g < 4; g++ {
		go func() {
			var err error
			for i := 0; i < 50 && err == nil; i++ {
				for _, src := range inputs {
					_, e := ParseFile("", src)
					if (e == nil) != (src == headline || strings.HasPrefix(src, "param")) {
						err = fmt.Errorf("%q: %v", src, e)
					}
				}
			}
			done <- err
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestTooManyErrors(t *testing.T) {
	src := strings.Repeat("select ! from records;\n", 100) + strings.Repeat("!", 200000)
	_, err := ParseFile("", src)
	list, ok := err.(ErrorList)
	if !ok || len(list) != maxErrors+1 || !strings.Contains(list[maxErrors].Msg, "too many errors") {
		t.Fatalf("got %d errors, want %d and a 'too many errors' note: %v", len(list), maxErrors+1, err)
	}
	if list[maxErrors].Pos.Line != maxErrors+1 {
		t.Errorf("'too many errors' at %s, want line %d", list[maxErrors].Pos, maxErrors+1)
	}
}
