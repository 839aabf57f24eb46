package model

// ImportIssue is one problem of an imported spreadsheet: the spreadsheet's own row number (the
// header is row 1 unless title rows sit above it), the column's Chinese name as the contract
// spells it, and what is wrong, in words a manager fixing the file understands.
type ImportIssue struct {
	Row     int    `json:"row" example:"7"`
	Column  string `json:"column" example:"身份证号"`
	Message string `json:"message" example:"身份证号校验位不对，请核对"`
}

// MaxImportIssues caps the issues one answer lists; the rest are counted in Rejected and
// flagged by ErrorsTruncated, so a wrong file of 200,000 bad rows does not answer megabytes.
const MaxImportIssues = 1000

// ImportResult is the answer of a case import (the contract's {created, updated, unchanged,
// errors}). The counts are what was written — or, with dry_run, what would be. Rows counts the
// data rows read (blank rows are skipped and not counted); Rejected the rows left out because
// of their errors.
type ImportResult struct {
	Created         int           `json:"created"`
	Updated         int           `json:"updated"`
	Unchanged       int           `json:"unchanged"`
	Rejected        int           `json:"rejected"`
	Rows            int           `json:"rows"`
	Errors          []ImportIssue `json:"errors"`
	ErrorsTruncated bool          `json:"errors_truncated"`
	OrgsCreated     int           `json:"orgs_created"`
	HandlersCreated int           `json:"handlers_created"`
	DryRun          bool          `json:"dry_run"`
	Partial         bool          `json:"partial"`
}

// ImportRejected is the 422 answer of an import that wrote nothing because of bad rows or a
// bad header: the contract's error body, whose details are the import's own answer (counts 0),
// so a client finds the same {created, updated, unchanged, errors} there as in a 200.
type ImportRejected struct {
	Code    string       `json:"code" example:"import_invalid"`
	Message string       `json:"message" example:"文件中有 3 行有误（共 4 处），未导入任何数据"`
	Details ImportResult `json:"details"`
}
