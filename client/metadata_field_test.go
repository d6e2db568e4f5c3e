package client

import (
	"strings"
	"testing"
)

func TestReadMetadataCSV(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []MetadataField
		wantErr string
	}{
		{
			name: "api headers",
			in: "field_name,form_name,section_header,field_type,field_label,select_choices_or_calculations,field_note,text_validation_type_or_show_slider_number,text_validation_min,text_validation_max,identifier,branching_logic,required_field,custom_alignment,question_number,matrix_group_name,matrix_ranking,field_annotation\n" +
				"record_id,demo,,text,ID,,,,,,,,,,,,,\n" +
				"sex,demo,Hdr,radio,Sex,\"1, F | 2, M\",note,,,,y,[a]='1',y,RH,3,mg,y,@NOMISSING\n",
			want: []MetadataField{
				{FieldName: "record_id", FormName: "demo", FieldType: "text", FieldLabel: "ID"},
				{FieldName: "sex", FormName: "demo", SectionHeader: "Hdr", FieldType: "radio", FieldLabel: "Sex",
					SelectChoicesOrCalculations: "1, F | 2, M", FieldNote: "note", Identifier: "y",
					BranchingLogic: "[a]='1'", RequiredField: "y", CustomAlignment: "RH", QuestionNumber: "3",
					MatrixGroupName: "mg", MatrixRanking: "y", FieldAnnotation: "@NOMISSING"},
			},
		},
		{
			name: "ui headers with BOM",
			in: "\ufeff\"Variable / Field Name\",\"Form Name\",\"Section Header\",\"Field Type\",\"Field Label\",\"Choices, Calculations, OR Slider Labels\",\"Field Note\",\"Text Validation Type OR Show Slider Number\",\"Text Validation Min\",\"Text Validation Max\",Identifier?,\"Branching Logic (Show field only if...)\",\"Required Field?\",\"Custom Alignment\",\"Question Number (surveys only)\",\"Matrix Group Name\",\"Matrix Ranking?\",\"Field Annotation\"\n" +
				"age,base,,text,Age,,,integer,0,120,,,,,,,,\n",
			want: []MetadataField{{FieldName: "age", FormName: "base", FieldType: "text", FieldLabel: "Age",
				TextValidationTypeOrShowSliderNumber: "integer", TextValidationMin: "0", TextValidationMax: "120"}},
		},
		{
			name: "reordered subset",
			in:   "form_name,field_name,field_type\nf,x,notes\n",
			want: []MetadataField{{FieldName: "x", FormName: "f", FieldType: "notes"}},
		},
		{name: "empty", in: "", wantErr: "empty input"},
		{name: "unknown header", in: "field_name,colour\n", wantErr: `column 2: unknown header "colour"`},
		{name: "repeated header", in: "field_name,Variable / Field Name\n", wantErr: "repeats column field_name"},
		{name: "no field name", in: "form_name\nf\n", wantErr: "no field_name"},
		{name: "short row", in: "field_name,form_name\nx\n", wantErr: "line 2: 1 values, header has 2"},
		{name: "blank name", in: "field_name,form_name\nx,f\n,f\n", wantErr: "line 3: blank field name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadMetadataCSV(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d rows, want %d: %+v", len(got), len(tt.want), got)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("row %d:\n got %+v\nwant %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestMetadataFieldValues(t *testing.T) {
	m := MetadataField{FieldName: "a", FieldAnnotation: "z", TextValidationMin: "1"}
	v := m.Values()
	if len(v) != len(MetadataColumns) || v[0] != "a" || v[17] != "z" || v[8] != "1" {
		t.Fatalf("Values() = %q", v)
	}
}
