package model

// Valid reports whether c is a known category.
func (c Category) Valid() bool { _, ok := CategoryLabels[c]; return ok }

// Valid reports whether s is a known source.
func (s Source) Valid() bool { _, ok := SourceLabels[s]; return ok }

// RecipientGroupLabels are the Chinese names of the groups.
var RecipientGroupLabels = map[RecipientGroup]string{
	GroupElderly: "老年人", GroupDisabled: "残疾人", GroupMinor: "未成年人", GroupWoman: "妇女", GroupOther: "其他",
}

// Valid reports whether g is a known group.
func (g RecipientGroup) Valid() bool { _, ok := RecipientGroupLabels[g]; return ok }

// The case statuses: a case with no closing date is open.
const (
	CaseOpen   = "open"
	CaseClosed = "closed"
)

// The fields a manager may reveal in full.
const (
	RevealPhone    = "phone"
	RevealIDNumber = "id_number"
	RevealAddress  = "address"
)

// CaseRecipientResponse is the recipient as the caller may see them. Phone and ID number are
// masked (139****5678, 611026************) or empty when the caller may not see them at all;
// the name is masked (王*英) for callers who only need to recognise the case.
type CaseRecipientResponse struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	IDNumber string `json:"id_number"`
	Gender   string `json:"gender"` // male, female, or empty
	// BirthYear, from the ID number. Never the full birth date: with the region code the ID mask
	// shows, it would leave only the last 4 characters — the survey's identity check — to guess.
	BirthYear *int           `json:"birth_year,omitempty"`
	Group     RecipientGroup `json:"group"`   // elderly, disabled, minor, woman, other, or empty
	Town      string         `json:"town"`    // 乡镇
	Village   string         `json:"village"` // 村(社区)
	Address   string         `json:"address"` // masked; a manager reveals it on request
}

// CaseHandlerResponse is the case's handler and their organisation.
type CaseHandlerResponse struct {
	ID   ID         `json:"id"`
	Name string     `json:"name"`
	Org  *OrgSketch `json:"org"`
}

// OrgSketch names an organisation in a few words.
type OrgSketch struct {
	ID   ID     `json:"id"`
	Name string `json:"name"`
}

// CaseResponse is a case on the wire. Dates are YYYY-MM-DD (null when unknown); subsidy is in
// yuan; status is open until the case has a closing date.
type CaseResponse struct {
	ID            ID                    `json:"id"`
	CaseNo        string                `json:"case_no"`
	Category      Category              `json:"category"`
	CategoryLabel string                `json:"category_label"`
	Source        Source                `json:"source"`
	SourceLabel   string                `json:"source_label"`
	Cause         string                `json:"cause"`
	ServiceType   string                `json:"service_type"`
	Recipient     CaseRecipientResponse `json:"recipient"`
	Handler       *CaseHandlerResponse  `json:"handler"`
	AcceptedOn    *string               `json:"accepted_on" format:"date" example:"2024-05-23"`
	AssignedOn    *string               `json:"assigned_on" format:"date" example:"2024-05-23"`
	ClosedOn      *string               `json:"closed_on" format:"date" example:"2024-05-23"`
	ArchivedOn    *string               `json:"archived_on" format:"date" example:"2024-05-23"`
	ClosingMethod string                `json:"closing_method"`
	CourtOrOrgan  string                `json:"court_or_organ"`
	Subsidy       float64               `json:"subsidy"`
	Notes         string                `json:"notes"`
	Status        string                `json:"status" enums:"open,closed"`
	Version       int                   `json:"version"`
	CreatedAt     Time                  `json:"created_at"`
	UpdatedAt     Time                  `json:"updated_at"`
}

// CaseDetailResponse is one case with its history, each list in time order. The lists are
// filled by the features that own them (calls, visits, survey answers, review results); a case
// without history has empty lists, never null.
type CaseDetailResponse struct {
	CaseResponse
	Calls         []any `json:"calls"`
	Visits        []any `json:"visits"`
	SurveyAnswers []any `json:"survey_answers"`
	Results       []any `json:"results"`
	// Photos are the field visits' photos, in the time they were taken.
	Photos []any `json:"photos"`
}

// CaseRecipientInput is the recipient as a manager enters them. Phone and ID number are
// normalised (+86, spaces and dashes removed; ID upper-cased, 15 digits upgraded to 18) and
// checked; gender and birth date come from the ID number.
type CaseRecipientInput struct {
	Name     string         `json:"name"`
	Phone    string         `json:"phone"`
	IDNumber string         `json:"id_number"`
	Group    RecipientGroup `json:"group"`
	Town     string         `json:"town"`
	Village  string         `json:"village"`
	Address  string         `json:"address"`
}

// CaseHandlerInput names a handler by name within an organisation; a new name creates the
// handler, linked to a handler account of that organisation with the same display name.
type CaseHandlerInput struct {
	Name  string `json:"name"`
	OrgID ID     `json:"org_id"`
}

// CreateCaseRequest is what a manager sets on a new case. The handler is given either as
// handler {name, org_id} or as handler_id. Dates are YYYY-MM-DD; subsidy is in yuan.
type CreateCaseRequest struct {
	CaseNo        string             `json:"case_no"`
	Category      Category           `json:"category"`
	Source        Source             `json:"source"`
	Cause         string             `json:"cause"`
	ServiceType   string             `json:"service_type"`
	Recipient     CaseRecipientInput `json:"recipient"`
	Handler       *CaseHandlerInput  `json:"handler"`
	HandlerID     *ID                `json:"handler_id"`
	AcceptedOn    string             `json:"accepted_on"`
	AssignedOn    string             `json:"assigned_on"`
	ClosedOn      string             `json:"closed_on"`
	ArchivedOn    string             `json:"archived_on"`
	ClosingMethod string             `json:"closing_method"`
	CourtOrOrgan  string             `json:"court_or_organ"`
	Subsidy       *float64           `json:"subsidy"`
	Notes         string             `json:"notes"`
}

// CaseRecipientPatch changes some of the recipient's fields; absent fields stay, "" clears.
type CaseRecipientPatch struct {
	Name     *string         `json:"name"`
	Phone    *string         `json:"phone"`
	IDNumber *string         `json:"id_number"`
	Group    *RecipientGroup `json:"group"`
	Town     *string         `json:"town"`
	Village  *string         `json:"village"`
	Address  *string         `json:"address"`
}

// UpdateCaseRequest edits a case. Version is the version the manager read: when the case has
// changed since, the answer is 409 version_conflict and nothing is written. Absent fields stay;
// an empty string clears a date or a text.
type UpdateCaseRequest struct {
	Version       int                 `json:"version"`
	CaseNo        *string             `json:"case_no"`
	Category      *Category           `json:"category"`
	Source        *Source             `json:"source"`
	Cause         *string             `json:"cause"`
	ServiceType   *string             `json:"service_type"`
	Recipient     *CaseRecipientPatch `json:"recipient"`
	Handler       *CaseHandlerInput   `json:"handler"`
	HandlerID     *ID                 `json:"handler_id"`
	AcceptedOn    *string             `json:"accepted_on" format:"date" example:"2024-05-23"`
	AssignedOn    *string             `json:"assigned_on" format:"date" example:"2024-05-23"`
	ClosedOn      *string             `json:"closed_on" format:"date" example:"2024-05-23"`
	ArchivedOn    *string             `json:"archived_on" format:"date" example:"2024-05-23"`
	ClosingMethod *string             `json:"closing_method"`
	CourtOrOrgan  *string             `json:"court_or_organ"`
	Subsidy       *float64            `json:"subsidy"`
	Notes         *string             `json:"notes"`
}

// RevealRequest asks to see one personal field of a case in full; the reason is audited.
type RevealRequest struct {
	Field  string `json:"field" enums:"phone,id_number,address"`
	Reason string `json:"reason"`
}

// RevealResponse is the revealed value.
type RevealResponse struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// CaseFilter narrows the case list. Dates are YYYY-MM-DD; Phone and IDNumber are matched
// exactly through the keyed hash (managers only).
type CaseFilter struct {
	ClosedFrom, ClosedTo string
	Categories           []Category
	Sources              []Source
	HandlerID            ID
	HandlerName          string
	OrgID                ID
	Town                 string
	Status               string
	Q                    string
	Phone                string
	IDNumber             string
	Ascending            bool // sort=closed_on; the default is newest closing first
	Page                 Page
}
