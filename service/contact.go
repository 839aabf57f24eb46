package service

import "gorm.io/gorm"

// ContactSource is a channel other than the phone through which a recipient can be reached — a
// field visit, the recipient's own survey. Rows of Table (which has campaign_id and case_id
// columns) meeting Cond (plain SQL, no arguments) count the case in the calls phase's
// reached_any; never in its rate, which the notice judges on phone calls alone.
type ContactSource struct {
	Table string
	Cond  string
}

// contactSources are the channels besides calls. They are fixed by the schema, not configured,
// so they are registered by the features that own the tables, in init functions.
var contactSources []ContactSource

// RegisterContactSource adds a channel to reached_any. Call it from an init function of the
// file that owns the table.
func RegisterContactSource(src ContactSource) { contactSources = append(contactSources, src) }

// CaseChanged must be called inside every transaction that adds or changes a case's follow-up
// records in a campaign — calls, visits, survey answers, exclusions — so that whatever progress
// keeps per case stays equal to the raw records. It is the single place progress bookkeeping
// hooks into writes.
func (s *Campaigns) CaseChanged(tx *gorm.DB, campaignID, caseID uint64) error {
	return s.caseChanged(tx, campaignID, caseID)
}
