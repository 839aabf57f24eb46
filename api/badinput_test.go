package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"fayuan/config"
	"fayuan/internal/testenv"
)

// bodyLimit is FAYUAN_MAX_BODY_BYTES for these tests: small enough to cross cheaply, large
// enough that the 10,000-level nesting below fits under it and meets the depth check.
const bodyLimit = 64 << 10

// rowCounts counts what a refused request must not have written.
func rowCounts(t *testing.T, e *testenv.Env) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range []string{"users", "orgs", "audit_logs", "refresh_tokens"} {
		var n int64
		if err := e.App.DB.Table(table).Count(&n).Error; err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// errorBody decodes the contract's error body, failing unless code and message are there.
func errorBody(t *testing.T, r *testenv.Response) (code, message string, details map[string]any) {
	t.Helper()
	var b struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Details map[string]any `json:"details"`
	}
	if err := json.Unmarshal(r.Body, &b); err != nil || b.Code == "" || b.Message == "" {
		t.Fatalf("not the contract's error body: %s", r.Body)
	}
	return b.Code, b.Message, b.Details
}

// fieldNamed reports whether a 422's details name field.
func fieldNamed(details map[string]any, field string) bool {
	fields, _ := details["fields"].(map[string]any)
	_, ok := fields[field]
	return ok
}

func TestBadInputIsRefusedAndWritesNothing(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b, func(c *config.Config) { c.MaxBodyBytes = bodyLimit })
		w := e.Seed()
		user := func(name string) string {
			return `{"username":"` + name + `","password":"password-123456","display_name":"张三","org_id":"` + w.AidCenter + `","roles":["staff"]}`
		}
		valid := user("bad_input_user")
		orgField := `"org_id":"` + w.AidCenter + `"`
		deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
		pad := func(body string, size int) string { return body + strings.Repeat(" ", size-len(body)) }
		userPath := "/api/v1/users/" + w.Users["firm_staff"]

		cases := []struct {
			name, method, path, body, ctype string
			status                          int
			code                            string
			field                           string // named in the message or details
		}{
			{"malformed", "POST", "/api/v1/users", `{"username":"x",`, "", 400, "malformed_json", ""},
			{"not json", "POST", "/api/v1/users", `username=x`, "", 400, "malformed_json", ""},
			{"empty body", "POST", "/api/v1/users", ``, "", 400, "malformed_json", ""},
			{"array instead of object", "POST", "/api/v1/users", `[` + valid + `]`, "", 400, "malformed_json", ""},
			{"unknown field", "POST", "/api/v1/users", strings.Replace(valid, `{`, `{"is_superuser":true,`, 1), "", 400, "unknown_field", "is_superuser"},
			{"unknown field on patch", "PATCH", userPath, `{"display_name":"改","password_hash":"x"}`, "", 400, "unknown_field", "password_hash"},
			{"oversize", "POST", "/api/v1/users", pad(valid, bodyLimit+1), "", 413, "body_too_large", ""},
			{"text/plain", "POST", "/api/v1/users", valid, "text/plain", 415, "unsupported_media_type", ""},
			{"form", "POST", "/api/v1/users", valid, "application/x-www-form-urlencoded", 415, "unsupported_media_type", ""},
			{"no content type", "POST", "/api/v1/users", valid, "-", 415, "unsupported_media_type", ""},
			{"id 1e400", "POST", "/api/v1/users", strings.Replace(valid, orgField, `"org_id":1e400`, 1), "", 422, "invalid_fields", "org_id"},
			{"id 99999999999999999999999", "POST", "/api/v1/users", strings.Replace(valid, orgField, `"org_id":99999999999999999999999`, 1), "", 422, "invalid_fields", "org_id"},
			{"id as huge string", "POST", "/api/v1/users", strings.Replace(valid, orgField, `"org_id":"99999999999999999999999"`, 1), "", 422, "invalid_fields", "org_id"},
			{"negative id", "POST", "/api/v1/users", strings.Replace(valid, orgField, `"org_id":-3`, 1), "", 422, "invalid_fields", "org_id"},
			{"fractional id", "POST", "/api/v1/users", strings.Replace(valid, orgField, `"org_id":3.5`, 1), "", 422, "invalid_fields", "org_id"},
			{"parent 1e400", "POST", "/api/v1/orgs", `{"name":"新所","kind":"law_firm","parent_id":1e400}`, "", 422, "invalid_fields", "parent_id"},
			{"patch org_id 1e400", "PATCH", userPath, `{"display_name":"改","org_id":1e400}`, "", 422, "invalid_fields", "org_id"},
			{"wrong type", "POST", "/api/v1/users", strings.Replace(valid, `["staff"]`, `"staff"`, 1), "", 422, "invalid_fields", "roles"},
			{"huge path id", "PATCH", "/api/v1/users/99999999999999999999999", `{"display_name":"改"}`, "", 404, "not_found", ""},
			{"nested 10000", "POST", "/api/v1/users", strings.Replace(valid, `"张三"`, deep, 1), "", 400, "json_too_deep", ""},
			{"nested bare", "POST", "/api/v1/orgs", deep, "", 400, "json_too_deep", ""},
			{"trailing garbage", "POST", "/api/v1/users", valid + ` xyz`, "", 400, "malformed_json", ""},
			{"trailing brace", "POST", "/api/v1/users", valid + `}`, "", 400, "malformed_json", ""},
			{"trailing bracket", "POST", "/api/v1/users", valid + `]`, "", 400, "malformed_json", ""},
			{"two objects", "POST", "/api/v1/users", valid + user("second_user"), "", 400, "malformed_json", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := rowCounts(t, e)
				req := testenv.Request{Method: c.method, Path: c.path, Body: []byte(c.body), Token: w.Admin}
				switch c.ctype {
				case "":
				case "-":
					req.Header = map[string]string{"Content-Type": ""}
				default:
					req.Header = map[string]string{"Content-Type": c.ctype}
				}
				r := testenv.Expect(t, e.Send(req), c.status)
				code, msg, details := errorBody(t, r)
				if code != c.code {
					t.Errorf("code %q, want %q", code, c.code)
				}
				if c.field != "" && !strings.Contains(msg, c.field) && details["field"] != c.field && !fieldNamed(details, c.field) {
					t.Errorf("answer does not name %s: %s", c.field, r.Body)
				}
				if after := rowCounts(t, e); !equalCounts(before, after) {
					t.Errorf("rows written: before %v, after %v", before, after)
				}
			})
		}
		got := testenv.Expect(t, e.Do("GET", userPath, w.Admin, nil), 200).Map(t)
		if got["display_name"] != "用户firm_staff" || got["org_id"] != w.FirmA {
			t.Errorf("refused patches changed the user: %v", got)
		}

		// Positive controls: the bodies above are refused for their flaw only.
		t.Run("at the limit", func(t *testing.T) {
			r := e.Send(testenv.Request{Method: "POST", Path: "/api/v1/users", Token: w.Admin,
				Body: []byte(pad(user("at_limit"), bodyLimit)), Header: map[string]string{"Content-Type": "application/json; charset=utf-8"}})
			testenv.Expect(t, r, 201)
		})
		t.Run("an id as a number", func(t *testing.T) {
			testenv.Expect(t, e.Do("POST", "/api/v1/users", w.Admin, json.RawMessage(strings.Replace(user("numeric_org"), orgField, `"org_id":`+w.AidCenter, 1))), 201)
		})
	})
}

func equalCounts(a, b map[string]int64) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// A body without Content-Length (chunked) is cut at the limit while it is read.
func TestChunkedOversizeBody(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b, func(c *config.Config) { c.MaxBodyBytes = bodyLimit })
		w := e.Seed()
		var chunked bool
		srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			chunked = r.ContentLength == -1 && len(r.TransferEncoding) > 0 && r.TransferEncoding[0] == "chunked"
			e.App.Handler.ServeHTTP(rw, r)
		}))
		defer srv.Close()
		body := `{"username":"chunked_user","password":"password-123456","display_name":"张三","org_id":"` + w.AidCenter + `","roles":["staff"]}`
		send := func(size int) (*http.Response, []byte) {
			padded := body + strings.Repeat(" ", size-len(body))
			// A reader of unknown length: the client sends it chunked, without Content-Length.
			req, err := http.NewRequest("POST", srv.URL+"/api/v1/users", io.MultiReader(strings.NewReader(padded)))
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = -1
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+w.Admin)
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatalf("send: %v", err)
			}
			defer res.Body.Close()
			out, _ := io.ReadAll(res.Body)
			if !chunked {
				t.Fatal("the request reached the server with a Content-Length; want chunked")
			}
			return res, out
		}
		before := rowCounts(t, e)
		for _, size := range []int{bodyLimit + 1, 4 * bodyLimit} {
			res, out := send(size)
			if res.StatusCode != 413 || !bytes.Contains(out, []byte(`"body_too_large"`)) {
				t.Errorf("%d bytes chunked: %d %s, want 413 body_too_large", size, res.StatusCode, out)
			}
		}
		if after := rowCounts(t, e); !equalCounts(before, after) {
			t.Errorf("rows written: before %v, after %v", before, after)
		}
		if res, out := send(bodyLimit); res.StatusCode != 201 {
			t.Errorf("chunked body at the limit: %d %s, want 201", res.StatusCode, out)
		}
	})
}
