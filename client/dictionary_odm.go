package client

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ReadODMMetadata rebuilds metadata rows from a REDCap project XML (CDISC
// ODM) export: fields in form order, with type, label, validation (legacy
// names kept as REDCap wrote them), range, choices, calculation, slider
// labels and the other redcap:* attributes, plus the project's missing-data
// codes. Checkbox items (race___1, race___2, ...) become one field; form
// status items (<form>_complete) and redcap_* items are left out, as in a
// metadata export. Reading stops at the clinical data.
func ReadODMMetadata(r io.Reader) (meta []MetadataField, missingDataCodes string, err error) {
	type itemDef struct {
		m        MetadataField
		codeList string
	}
	type codeList struct {
		checkbox string
		items    []Choice
	}
	var (
		forms      []string
		formGroups = map[string][]string{} // form -> item group OIDs
		groupItems = map[string][]string{} // item group OID -> item OIDs
		items      = map[string]*itemDef{}
		codeLists  = map[string]*codeList{}

		form, group string
		item        *itemDef
		list        *codeList
		path        []string // open element names
		text        strings.Builder
		comparator  string
	)
	attr := func(e xml.StartElement, name string) string {
		for _, a := range e.Attr {
			if a.Name.Local == name {
				return a.Value
			}
		}
		return ""
	}
	dec := xml.NewDecoder(r)
	sawStudy := false
loop:
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, "", fmt.Errorf("project XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			text.Reset()
			switch t.Name.Local {
			case "Study":
				sawStudy = true
			case "ClinicalData":
				break loop
			case "FormDef":
				form = attr(t, "FormName")
				if form == "" {
					form = attr(t, "Name")
				}
				forms = append(forms, form)
			case "ItemGroupRef":
				formGroups[form] = append(formGroups[form], attr(t, "ItemGroupOID"))
			case "ItemGroupDef":
				group = attr(t, "OID")
			case "ItemRef":
				groupItems[group] = append(groupItems[group], attr(t, "ItemOID"))
			case "ItemDef":
				item = &itemDef{m: MetadataField{
					FieldName:                            attr(t, "Variable"),
					FieldType:                            attr(t, "FieldType"),
					SectionHeader:                        attr(t, "SectionHeader"),
					FieldNote:                            attr(t, "FieldNote"),
					TextValidationTypeOrShowSliderNumber: attr(t, "TextValidationType"),
					Identifier:                           attr(t, "Identifier"),
					BranchingLogic:                       attr(t, "BranchingLogic"),
					RequiredField:                        attr(t, "RequiredField"),
					CustomAlignment:                      attr(t, "CustomAlignment"),
					QuestionNumber:                       attr(t, "QuestionNumber"),
					MatrixGroupName:                      attr(t, "MatrixGroupName"),
					MatrixRanking:                        attr(t, "MatrixRanking"),
					FieldAnnotation:                      attr(t, "FieldAnnotation"),
				}}
				switch item.m.FieldType {
				case "calc":
					item.m.SelectChoicesOrCalculations = attr(t, "Calculation")
				case "slider":
					item.m.SelectChoicesOrCalculations = attr(t, "SliderLabels")
				case "textarea":
					item.m.FieldType = "notes"
				case "select":
					item.m.FieldType = "dropdown"
				}
				if item.m.FieldName == "" {
					item.m.FieldName = attr(t, "Name")
				}
				items[attr(t, "OID")] = item
			case "CodeListRef":
				if item != nil {
					item.codeList = attr(t, "CodeListOID")
				}
			case "RangeCheck":
				comparator = attr(t, "Comparator")
			case "CodeList":
				list = &codeList{checkbox: attr(t, "CheckboxChoices")}
				codeLists[attr(t, "OID")] = list
			case "CodeListItem":
				if list != nil {
					list.items = append(list.items, Choice{Code: attr(t, "CodedValue")})
				}
			}
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			parent := ""
			if len(path) >= 3 {
				parent = path[len(path)-3]
			}
			switch t.Name.Local {
			case "MissingDataCodes":
				missingDataCodes = strings.TrimSpace(text.String())
			case "TranslatedText":
				switch {
				case parent == "ItemDef" && item != nil && path[len(path)-2] == "Question":
					item.m.FieldLabel = text.String()
				case parent == "CodeListItem" && list != nil && len(list.items) > 0:
					list.items[len(list.items)-1].Label = text.String()
				}
			case "CheckValue":
				if item != nil {
					switch comparator {
					case "GE":
						item.m.TextValidationMin = strings.TrimSpace(text.String())
					case "LE":
						item.m.TextValidationMax = strings.TrimSpace(text.String())
					}
				}
			case "ItemDef":
				item = nil
			case "CodeList":
				list = nil
			}
			path = path[:len(path)-1]
		}
	}
	if !sawStudy {
		return nil, "", errors.New("project XML: no ODM Study element")
	}
	seen := map[string]bool{}
	for _, form := range forms {
		for _, g := range formGroups[form] {
			for _, oid := range groupItems[g] {
				it, ok := items[oid]
				if !ok {
					return nil, "", fmt.Errorf("project XML: form %q refers to undefined item %q", form, oid)
				}
				name := it.m.FieldName
				if seen[name] || name == form+"_complete" || strings.HasPrefix(name, "redcap_") {
					continue
				}
				seen[name] = true
				m := it.m
				m.FormName = form
				if cl := codeLists[it.codeList]; cl != nil {
					switch m.FieldType {
					case "checkbox":
						m.SelectChoicesOrCalculations = cl.checkbox
					case "radio", "dropdown", "sql":
						m.SelectChoicesOrCalculations = FormatChoices(cl.items)
					}
				}
				meta = append(meta, m)
			}
		}
	}
	if len(meta) == 0 {
		return nil, "", errors.New("project XML: no fields")
	}
	return meta, missingDataCodes, nil
}
