package planner

import "github.com/redcapql/rq/client"

// InfoFrom converts the client's cached project structure into what the
// planner needs (DAG names, which need their own right, are left to the caller).
func InfoFrom(proj *client.Project) ProjectInfo {
	info := ProjectInfo{Longitudinal: proj.IsLongitudinal()}
	for _, e := range proj.Events() {
		info.Events = append(info.Events, Event{Name: e.UniqueEventName, Label: e.EventName, Arm: e.ArmNum})
	}
	for _, a := range proj.Arms() {
		info.Arms = append(info.Arms, Arm{Num: a.Num, Name: a.Name})
	}
	for _, m := range proj.FormEventMapping() {
		info.FEM = append(info.FEM, FormEvent{Arm: m.ArmNum, Event: m.UniqueEventName, Form: m.Form})
	}
	for _, r := range proj.RepeatingFormsEvents() {
		info.Repeating = append(info.Repeating, Repeating{Event: r.EventName, Form: r.FormName})
	}
	for _, in := range proj.Instruments() {
		info.Instruments = append(info.Instruments, Instrument{Name: in.Name, Label: in.Label})
	}
	return info
}
