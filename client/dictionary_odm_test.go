package client

import (
	"strings"
	"testing"
)

const odmSample = `<?xml version="1.0" encoding="UTF-8" ?>
<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" xmlns:redcap="https://projectredcap.org">
<Study OID="Project.x">
<GlobalVariables><redcap:MissingDataCodes>NA, Not applicable | UNK, Unknown</redcap:MissingDataCodes></GlobalVariables>
<MetaDataVersion OID="v1" Name="x">
	<FormDef OID="Form.demo" Name="Demo" Repeating="No" redcap:FormName="demo">
		<ItemGroupRef ItemGroupOID="demo.record_id" Mandatory="No"/>
		<ItemGroupRef ItemGroupOID="demo.demo_complete" Mandatory="No"/>
	</FormDef>
	<ItemGroupDef OID="demo.record_id" Name="Demo" Repeating="No">
		<ItemRef ItemOID="record_id" Mandatory="No" redcap:Variable="record_id"/>
		<ItemRef ItemOID="redcap_data_access_group" Mandatory="No" redcap:Variable="redcap_data_access_group"/>
		<ItemRef ItemOID="height" Mandatory="No" redcap:Variable="height"/>
		<ItemRef ItemOID="sex" Mandatory="No" redcap:Variable="sex"/>
		<ItemRef ItemOID="race___1" Mandatory="No" redcap:Variable="race"/>
		<ItemRef ItemOID="race____1" Mandatory="No" redcap:Variable="race"/>
		<ItemRef ItemOID="bmi" Mandatory="No" redcap:Variable="bmi"/>
		<ItemRef ItemOID="mood" Mandatory="No" redcap:Variable="mood"/>
		<ItemRef ItemOID="memo" Mandatory="No" redcap:Variable="memo"/>
	</ItemGroupDef>
	<ItemGroupDef OID="demo.demo_complete" Name="Form Status" Repeating="No">
		<ItemRef ItemOID="demo_complete" Mandatory="No" redcap:Variable="demo_complete"/>
	</ItemGroupDef>
	<ItemDef OID="record_id" Name="record_id" DataType="text" Length="999" redcap:Variable="record_id" redcap:FieldType="text">
		<Question><TranslatedText>Study ID</TranslatedText></Question>
	</ItemDef>
	<ItemDef OID="redcap_data_access_group" Name="redcap_data_access_group" DataType="text" redcap:Variable="redcap_data_access_group">
		<Question><TranslatedText>Data Access Group</TranslatedText></Question>
	</ItemDef>
	<ItemDef OID="height" Name="height" DataType="float" redcap:Variable="height" redcap:FieldType="text" redcap:TextValidationType="float" redcap:Identifier="y">
		<Question><TranslatedText>Height &amp; such</TranslatedText></Question>
		<RangeCheck Comparator="GE" SoftHard="Soft"><CheckValue>130</CheckValue><ErrorMessage><TranslatedText>out</TranslatedText></ErrorMessage></RangeCheck>
		<RangeCheck Comparator="LE" SoftHard="Soft"><CheckValue>215</CheckValue><ErrorMessage><TranslatedText>out</TranslatedText></ErrorMessage></RangeCheck>
	</ItemDef>
	<ItemDef OID="sex" Name="sex" DataType="text" redcap:Variable="sex" redcap:FieldType="select" redcap:FieldAnnotation="@NOMISSING">
		<Question><TranslatedText>Sex</TranslatedText></Question>
		<CodeListRef CodeListOID="sex.choices"/>
	</ItemDef>
	<ItemDef OID="race___1" Name="race___1" DataType="boolean" redcap:Variable="race" redcap:FieldType="checkbox">
		<Question><TranslatedText>Race</TranslatedText></Question>
		<CodeListRef CodeListOID="race___1.choices"/>
	</ItemDef>
	<ItemDef OID="race____1" Name="race____1" DataType="boolean" redcap:Variable="race" redcap:FieldType="checkbox">
		<Question><TranslatedText>Race</TranslatedText></Question>
		<CodeListRef CodeListOID="race____1.choices"/>
	</ItemDef>
	<ItemDef OID="bmi" Name="bmi" DataType="float" redcap:Variable="bmi" redcap:FieldType="calc" redcap:Calculation="[w]/[h]">
		<Question><TranslatedText>BMI</TranslatedText></Question>
	</ItemDef>
	<ItemDef OID="mood" Name="mood" DataType="integer" redcap:Variable="mood" redcap:FieldType="slider" redcap:SliderLabels="Sad | Happy">
		<Question><TranslatedText>Mood</TranslatedText></Question>
	</ItemDef>
	<ItemDef OID="memo" Name="memo" DataType="text" redcap:Variable="memo" redcap:FieldType="textarea">
		<Question><TranslatedText>Memo</TranslatedText></Question>
	</ItemDef>
	<ItemDef OID="demo_complete" Name="demo_complete" DataType="text" redcap:Variable="demo_complete" redcap:FieldType="select" redcap:SectionHeader="Form Status">
		<Question><TranslatedText>Complete?</TranslatedText></Question>
		<CodeListRef CodeListOID="demo_complete.choices"/>
	</ItemDef>
	<CodeList OID="sex.choices" Name="sex" DataType="text" redcap:Variable="sex">
		<CodeListItem CodedValue="0"><Decode><TranslatedText>Female, cis</TranslatedText></Decode></CodeListItem>
		<CodeListItem CodedValue="1"><Decode><TranslatedText>Male</TranslatedText></Decode></CodeListItem>
	</CodeList>
	<CodeList OID="race___1.choices" Name="race___1" DataType="boolean" redcap:Variable="race" redcap:CheckboxChoices="1, White|-1, Unknown">
		<CodeListItem CodedValue="1"><Decode><TranslatedText>Checked</TranslatedText></Decode></CodeListItem>
	</CodeList>
</MetaDataVersion>
</Study>
<ClinicalData StudyOID="Project.x" MetaDataVersionOID="v1"><SubjectData SubjectKey="1"/></ClinicalData>
</ODM>`

func TestReadODMMetadata(t *testing.T) {
	meta, missing, err := ReadODMMetadata(strings.NewReader(odmSample))
	if err != nil {
		t.Fatal(err)
	}
	if missing != "NA, Not applicable | UNK, Unknown" {
		t.Errorf("missing = %q", missing)
	}
	want := []MetadataField{
		{FieldName: "record_id", FormName: "demo", FieldType: "text", FieldLabel: "Study ID"},
		{FieldName: "height", FormName: "demo", FieldType: "text", FieldLabel: "Height & such",
			TextValidationTypeOrShowSliderNumber: "float", TextValidationMin: "130", TextValidationMax: "215", Identifier: "y"},
		{FieldName: "sex", FormName: "demo", FieldType: "dropdown", FieldLabel: "Sex",
			SelectChoicesOrCalculations: "0, Female, cis | 1, Male", FieldAnnotation: "@NOMISSING"},
		{FieldName: "race", FormName: "demo", FieldType: "checkbox", FieldLabel: "Race", SelectChoicesOrCalculations: "1, White|-1, Unknown"},
		{FieldName: "bmi", FormName: "demo", FieldType: "calc", FieldLabel: "BMI", SelectChoicesOrCalculations: "[w]/[h]"},
		{FieldName: "mood", FormName: "demo", FieldType: "slider", FieldLabel: "Mood", SelectChoicesOrCalculations: "Sad | Happy"},
		{FieldName: "memo", FormName: "demo", FieldType: "notes", FieldLabel: "Memo"},
	}
	if len(meta) != len(want) {
		t.Fatalf("got %d fields: %+v", len(meta), meta)
	}
	for i := range want {
		if meta[i] != want[i] {
			t.Errorf("field %d:\n got %+v\nwant %+v", i, meta[i], want[i])
		}
	}
	d, err := NewDictionary(meta, missing)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(d.Columns(), " "); got != "record_id height sex race___1 race____1 race___na race___unk bmi mood memo demo_complete" {
		t.Errorf("Columns = %s", got)
	}
}

func TestReadODMMetadataErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "no ODM Study element"},
		{"<ODM><Study></Study></ODM>", "no fields"},
		{"<ODM><Study><FormDef redcap:FormName='f'><ItemGroupRef ItemGroupOID='g'/></FormDef><ItemGroupDef OID='g'><ItemRef ItemOID='x'/></ItemGroupDef></Study></ODM>", `undefined item "x"`},
		{"<ODM><Study>", "project XML: XML syntax error"},
	} {
		_, _, err := ReadODMMetadata(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ReadODMMetadata(%q) err = %v, want %q", tt.in, err, tt.want)
		}
	}
}
