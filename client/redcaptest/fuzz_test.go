package redcaptest

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// FuzzParseForm feeds arbitrary POST bodies to the PHP-style form decoder:
// it must never panic, and every array it reports must hold as many values
// as keys.
func FuzzParseForm(f *testing.F) {
	for _, s := range []string{
		"token=ABC&content=record&records[0]=1&records[1]=2",
		"records[]=a&records[]=b&records=c",
		"fields=a,b,c&forms[x]=y&forms[2]=z",
		"a%zz=1&b=%&c[=1&d]=2&=3&&",
		"data=record_id%2Cage%0A1%2C30",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r, _ := http.NewRequest("POST", "/api/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		form, err := parseForm(r)
		if err != nil {
			return
		}
		for name, v := range form.vals {
			if v.isArr && len(v.keys) != len(v.arr) {
				t.Fatalf("%s: %d keys, %d values", name, len(v.keys), len(v.arr))
			}
			form.List(name)
		}
	})
}

// FuzzReadODM feeds arbitrary documents to the project XML reader: it must
// return a project or an error, never panic.
func FuzzReadODM(f *testing.F) {
	f.Add(`<?xml version="1.0" encoding="UTF-8" ?><ODM><Study><GlobalVariables><StudyName>x</StudyName></GlobalVariables>
<MetaDataVersion><FormDef OID="Form.f" Name="F" redcap:FormName="f"><ItemGroupRef ItemGroupOID="f.a"/></FormDef>
<ItemGroupDef OID="f.a"><ItemRef ItemOID="a"/></ItemGroupDef>
<ItemDef OID="a" Name="a" redcap:Variable="a" redcap:FieldType="text"><Question><TranslatedText>A</TranslatedText></Question></ItemDef>
</MetaDataVersion></Study><ClinicalData><SubjectData SubjectKey="1"><StudyEventData><FormData FormOID="Form.f" FormRepeatKey="1">
<ItemGroupData><ItemData ItemOID="a" Value="1"/></ItemGroupData></FormData></StudyEventData></SubjectData></ClinicalData></ODM>`)
	f.Add(`<ODM><ClinicalData><SubjectData SubjectKey="1"/></ClinicalData></ODM>`)
	f.Add(`<ODM><Study><MetaDataVersion><ItemDef OID="c___1" redcap:Variable="c" redcap:FieldType="checkbox"><CodeListRef CodeListOID="c___1.choices"/></ItemDef><CodeList OID="c___1.choices" redcap:CheckboxChoices="1, a|2, b"/></MetaDataVersion></Study></ODM>`)
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := ReadODM(bytes.NewReader([]byte(doc)))
		if err == nil && len(p.Metadata) == 0 {
			t.Fatal("a project without fields was accepted")
		}
	})
}
