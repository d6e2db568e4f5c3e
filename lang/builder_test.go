package lang

import "testing"

func TestBuilderString(t *testing.T) {
	tests := []struct {
		name string
		got  Expr
		want string
	}{
		{"headline", Field("score").Gt(5).And(Form("baseline")), "score > 5 and form = 'baseline'"},
		{"or inside and", Field("a").Eq(1).And(Field("b").Eq(2).Or(Field("c").Eq(3))), "a = 1 and (b = 2 or c = 3)"},
		{"and inside or", Field("a").Eq(1).Or(Field("b").Eq(2).And(Field("c").Eq(3))), "a = 1 or b = 2 and c = 3"},
		{"flatten", Field("a").Eq(1).And(Field("b").Eq(2)).And(Field("c").Eq(3)), "a = 1 and b = 2 and c = 3"},
		{"not", Field("x").IsNull().Not(), "not x is null"},
		{"not of and", Negate(All(Field("x").Eq(1), Field("y").Eq(2))), "not (x = 1 and y = 2)"},
		{"in", Record("1", "2"), "record in ('1', '2')"},
		{"empty in", Field("record").In(), "record in ()"},
		{"between", Field("age").Between(18, 65), "age between 18 and 65"},
		{"arith", Field("a").Minus(Field("b").Minus(1)).Times(2).Gt(0), "(a - (b - 1)) * 2 > 0"},
		{"neg literal", Field("x").Gt(-5), "x > -5"},
		{"neg neg", Value(-5).Neg(), "- -5"},
		{"quote", Field("name").Eq("O'Brien"), "name = 'O''Brien'"},
		{"reserved", Field("order").Eq(1), "[order] = 1"},
		{"pinned", EventField("enrollment_arm_1", "age").Ge(18), "[enrollment_arm_1][age] >= 18"},
		{"has any", Field("race").HasAny("1", "2"), "race has any ('1', '2')"},
		{"count", CountDistinct(Field("site")).Gt(Var("n")), "count(distinct site) > $n"},
		{"label", Label("sex").Eq("Female"), "label(sex) = 'Female'"},
		{"date", Field("dob").Lt(DateValue(2000, 1, 31)), "dob < date '2000-01-31'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s := tt.got.String(); s != tt.want {
				t.Errorf("String() = %q, want %q", s, tt.want)
			}
		})
	}
}
