package api_test

import (
	"net/http"
	"testing"
	"time"

	"fayuan/internal/testenv"
	"fayuan/model"
)

// A visit by the assigned staff member is stored with everything the contract names: the time
// it happened and the server's receive time, participants (accounts and named cadres), the
// location as sent, the answers, suggestions and note; the case's visits assignment turns
// visited; one audit row. The same client_id again is the same record (200); another body 409.
func TestVisitRecord(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		vw := newVisitWorld(t, b, nil)
		kase := vw.visitCase(t, "staff", "营盘镇")
		body := visitBody(1, "2024-06-17T01:30:00Z", answers(nil))
		body["location"] = map[string]any{"lat": 33.8, "lng": 109.08, "accuracy": 25.5, "coord_type": "gcj02", "address": "营盘镇朱家湾村三组"}
		body["participants"] = map[string]any{"staff_ids": []any{vw.w.Users["centre_manager"]}, "cadres": []string{"营盘镇司法所 李四", "村委会 王五"}}
		body["suggestions"], body["note"] = "建议加强回访", "受援人在家"
		r := vw.visit(t, "staff", kase, body, http.StatusCreated)
		var v struct {
			ID           string `json:"id"`
			CaseID       string `json:"case_id"`
			VisitorID    string `json:"visitor_id"`
			VisitedAt    string `json:"visited_at"`
			ReceivedAt   string `json:"received_at"`
			Location     *model.VisitLocation
			Participants []struct {
				UserID *string `json:"user_id"`
				Name   string  `json:"name"`
			} `json:"participants"`
			Answers      map[string]any `json:"answers"`
			Verification string         `json:"verification"`
			Suggestions  string         `json:"suggestions"`
			Note         string         `json:"note"`
			Late         bool           `json:"late"`
			Flags        []string       `json:"flags"`
		}
		r.JSON(t, &v)
		if v.CaseID != kase || v.VisitorID != vw.w.Users["staff"] || v.VisitedAt != "2024-06-17T09:30:00+08:00" ||
			v.ReceivedAt != "2024-06-17T10:00:00+08:00" || v.Suggestions != "建议加强回访" || v.Note != "受援人在家" || v.Late || len(v.Flags) != 0 {
			t.Errorf("visit %+v", v)
		}
		if l := v.Location; l == nil || *l.Lat != 33.8 || *l.Lng != 109.08 || *l.Accuracy != 25.5 || l.CoordType != "gcj02" || l.Address != "营盘镇朱家湾村三组" {
			t.Errorf("location %+v: must be kept as sent, never converted", l)
		}
		if len(v.Participants) != 3 || v.Participants[0].UserID == nil || *v.Participants[0].UserID != vw.w.Users["centre_manager"] ||
			v.Participants[0].Name != testenv.DisplayName("centre_manager") || v.Participants[1].Name != "营盘镇司法所 李四" || v.Participants[2].UserID != nil {
			t.Errorf("participants %+v", v.Participants)
		}
		if v.Answers["charged_fee"] != "no" || v.Verification != "not_reached_by_phone" {
			t.Errorf("answers %v verification %s", v.Answers, v.Verification)
		}
		var a model.CaseAssignment
		if err := vw.e.App.DB.Where("phase = ? AND case_id = ?", "visits", parseWireID(t, kase)).Take(&a).Error; err != nil {
			t.Fatal(err)
		}
		if a.Status != "visited" || a.Attempts != 1 {
			t.Errorf("visits assignment %+v", a)
		}
		if n := countAudit(t, vw.e, "visit.record"); n != 1 {
			t.Errorf("%d visit.record audit rows", n)
		}

		// A retry an hour later with the time in another offset is the same record.
		vw.e.Clock.Advance(time.Hour)
		relogin(vw.e, vw.w, "staff")
		body["visited_at"] = "2024-06-17T09:30:00+08:00"
		again := vw.visit(t, "staff", kase, body, http.StatusOK).Map(t)
		if again["id"] != v.ID || again["received_at"] != v.ReceivedAt {
			t.Errorf("replay answered %v, want the first record %s", again, v.ID)
		}
		body["note"] = "另一段内容"
		if r := vw.visit(t, "staff", kase, body, http.StatusConflict); r.Code() != "client_id_conflict" {
			t.Errorf("different body: %s", r.Code())
		}
		if n := countRows(t, vw.e, "visits", "1 = 1"); n != 1 {
			t.Errorf("%d visits stored, want 1", n)
		}
		if n := countRows(t, vw.e, "visit_participants", "1 = 1"); n != 3 {
			t.Errorf("%d participants stored, want 3", n)
		}
	})
}

// Bad input is a clear error naming the field, and writes nothing: bad coordinates, a missing
// coord_type, missing answers, unknown participants, malformed JSON, other people's cases and
// times outside the visits phase.
func TestVisitBadInput(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		vw := newVisitWorld(t, b, nil)
		w := vw.w
		w.Users["staff2"] = vw.e.CreateUser(w.Admin, "staff2", w.AidCenter, "staff")
		w.Tokens["staff2"], _ = vw.e.Login("staff2", testenv.Password("staff2"))
		mine := vw.visitCase(t, "staff", "营盘镇")
		theirs := vw.visitCase(t, "staff2", "营盘镇")
		callsOnly := vw.caseFor(t, "staff", "营盘镇") // assigned for calls, not visits
		at := "2024-06-17T09:00:00+08:00"
		withLoc := func(n int, loc map[string]any) map[string]any {
			b := visitBody(n, at, answers(nil))
			b["location"] = loc
			return b
		}
		for i, tc := range []struct {
			name   string
			body   map[string]any
			fields []string
		}{
			{"bad coord_type", withLoc(1, map[string]any{"lat": 33.8, "lng": 109.1, "coord_type": "bd09"}), []string{"location.coord_type"}},
			{"no coord_type", withLoc(2, map[string]any{"lat": 33.8, "lng": 109.1}), []string{"location.coord_type"}},
			{"lat out of range", withLoc(3, map[string]any{"lat": 91, "lng": 109.1, "coord_type": "wgs84"}), []string{"location.lat"}},
			{"lng out of range, negative accuracy", withLoc(4, map[string]any{"lat": 33.8, "lng": -181, "accuracy": -1, "coord_type": "wgs84"}),
				[]string{"location.lng", "location.accuracy"}},
			{"location without coordinates", withLoc(5, map[string]any{"coord_type": "wgs84", "address": "营盘镇"}), []string{"location.lat", "location.lng"}},
			{"missing answers", map[string]any{"client_id": visitClientID(6), "visited_at": at}, []string{"answers"}},
			{"incomplete answers", visitBody(7, at, answers(map[string]any{"charged_fee": "yes", "satisfied": nil})),
				[]string{"answers.charged_fee_note", "answers.satisfied"}},
			{"no client_id or time", map[string]any{"answers": answers(nil)}, []string{"client_id", "visited_at"}},
			{"bad verification", func() map[string]any { b := visitBody(8, at, answers(nil)); b["verification"] = "same"; return b }(), []string{"verification"}},
			{"unknown participant", func() map[string]any {
				b := visitBody(9, at, answers(nil))
				b["participants"] = map[string]any{"staff_ids": []string{"99999999"}}
				return b
			}(), []string{"participants.staff_ids"}},
			{"handler as participant", func() map[string]any {
				b := visitBody(10, at, answers(nil))
				b["participants"] = map[string]any{"staff_ids": []string{w.Users["handler"]}}
				return b
			}(), []string{"participants.staff_ids"}},
			{"empty cadre", func() map[string]any {
				b := visitBody(11, at, answers(nil))
				b["participants"] = map[string]any{"cadres": []string{" "}}
				return b
			}(), []string{"participants.cadres"}},
		} {
			r := vw.visit(t, "staff", mine, tc.body, http.StatusUnprocessableEntity)
			got := errFields(t, r)
			for _, f := range tc.fields {
				if got[f] == "" {
					t.Errorf("%d %s: field %s not named in %v", i, tc.name, f, got)
				}
			}
			if len(got) != len(tc.fields) {
				t.Errorf("%d %s: fields %v, want exactly %v", i, tc.name, got, tc.fields)
			}
		}
		// Malformed JSON is 400; a wrong type is 422 naming the field.
		testenv.Expect(t, vw.e.Send(testenv.Request{Method: http.MethodPost, Path: vw.visitPath(mine), Token: w.Tokens["staff"],
			Body: []byte(`{"client_id": "x",`)}), http.StatusBadRequest)
		bad := visitBody(20, at, answers(nil))
		bad["location"] = map[string]any{"lat": "north", "lng": 109.1, "coord_type": "wgs84"}
		if f := errFields(t, vw.visit(t, "staff", mine, bad, http.StatusUnprocessableEntity)); f["location.lat"] == "" {
			t.Errorf("wrong type: fields %v", f)
		}
		// Other people's cases, unassigned ones and unknown ids are not found.
		for _, kase := range []string{theirs, callsOnly, "99999999"} {
			if r := vw.visit(t, "staff", kase, visitBody(30, at, answers(nil)), http.StatusNotFound); r.Code() != "case_not_found" {
				t.Errorf("case %s: %s", kase, r.Code())
			}
		}
		// Outside the visits phase (2024-06-16 … 06-30): during the calls phase, after its end.
		for _, when := range []string{"2024-06-10T10:00:00+08:00", "2024-07-01T00:00:00+08:00", "2024-06-15T23:59:59+08:00"} {
			if r := vw.visit(t, "staff", mine, visitBody(40, when, answers(nil)), http.StatusConflict); r.Code() != "phase_closed" {
				t.Errorf("%s: %s", when, r.Code())
			}
		}
		for table, n := range map[string]int64{"visits": 0, "visit_participants": 0, "alerts": 0} {
			if got := countRows(t, vw.e, table, "1 = 1"); got != n {
				t.Errorf("%d %s rows after bad input", got, table)
			}
		}
		if n := countAudit(t, vw.e, "visit.record"); n != 0 {
			t.Errorf("%d visit.record audit rows after bad input", n)
		}
		var a model.CaseAssignment
		if err := vw.e.App.DB.Where("phase = ? AND case_id = ?", "visits", parseWireID(t, mine)).Take(&a).Error; err != nil || a.Status != "pending" || a.Attempts != 0 {
			t.Errorf("assignment changed by bad input: %+v %v", a, err)
		}
	})
}

// The phase engine judges visited_at: a visit inside the phase that arrives within the sync
// grace after its end is accepted and marked late; later it is 409 phase_closed. The same
// client_id for another case is another record, so 409.
func TestVisitLateAndOtherCase(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		vw := newVisitWorld(t, b, nil)
		kase := vw.visitCase(t, "staff", "营盘镇")
		other := vw.visitCase(t, "staff", "营盘镇")
		body := visitBody(1, "2024-06-17T09:00:00+08:00", answers(nil))
		vw.visit(t, "staff", kase, body, http.StatusCreated)
		if r := vw.visit(t, "staff", other, body, http.StatusConflict); r.Code() != "client_id_conflict" {
			t.Errorf("same client_id, other case: %s", r.Code())
		}
		vw.e.Clock.Advance(15*24*time.Hour + 2*time.Hour) // 2024-07-02 12:00, within 72 h of the phase's end
		relogin(vw.e, vw.w, "staff")
		m := vw.visit(t, "staff", other, visitBody(2, "2024-06-30T16:00:00+08:00", answers(nil)), http.StatusCreated).Map(t)
		if m["late"] != true {
			t.Errorf("visit synced after the phase: %v", m)
		}
		vw.e.Clock.Advance(3 * 24 * time.Hour) // 2024-07-05 12:00, past the grace
		relogin(vw.e, vw.w, "staff")
		if r := vw.visit(t, "staff", other, visitBody(3, "2024-06-30T17:00:00+08:00", answers(nil)), http.StatusConflict); r.Code() != "phase_closed" {
			t.Errorf("past the grace: %s", r.Code())
		}
		if n := countRows(t, vw.e, "visits", "1 = 1"); n != 2 {
			t.Errorf("%d visits, want 2", n)
		}
	})
}
