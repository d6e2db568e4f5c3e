package lang

import "testing"

func TestSelectFieldsAndAsExplain(t *testing.T) {
	for _, tc := range []struct {
		stmt *Select
		want string
	}{
		{SelectFields("records", []string{"record_id"}, nil), "select [record_id] from records"},
		{SelectFields("records", []string{"record_id", "order"}, Field("record").In("1", "2").Expr),
			"select [record_id], [order] from records where record in ('1', '2')"},
		{SelectFields("records", []string{"id"}, Field("record").In().Expr), "select [id] from records where record in ()"},
	} {
		if got := tc.stmt.String(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
		if _, err := Parse(tc.stmt.String()); err != nil {
			t.Errorf("%s does not parse: %v", tc.stmt, err)
		}
	}
	s, err := Parse("explain analyze select age from records")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.AsExplain(false).String(); got != "explain select age from records" {
		t.Errorf("AsExplain(false) = %s", got)
	}
	if got := SelectFields("records", []string{"age"}, nil).AsExplain(true).String(); got != "explain analyze select [age] from records" {
		t.Errorf("AsExplain(true) = %s", got)
	}
	if !s.Analyze {
		t.Error("AsExplain changed its receiver")
	}
}
