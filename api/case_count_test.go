package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"fayuan/internal/testenv"
	"fayuan/model"
	"fayuan/service"
)

// TestCaseListCountIsCapped: past service.CaseCountCap matching cases the list stops counting
// and says so; below it the total is exact.
func TestCaseListCountIsCapped(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, b)
		w := e.Seed()
		now := time.Now().UTC()
		rows := make([]model.Case, service.CaseCountCap+5)
		for i := range rows {
			closed := "2023-08-01"
			town := "营盘镇"
			if i < 3 {
				town = "下梁镇"
			}
			rows[i] = model.Case{CaseNo: fmt.Sprintf("(2023)柞法援字第%d号", i), Category: model.CategoryCivil,
				Source: model.SourceApplication, Cause: "劳动争议", RecipientName: "受援人", Town: town, ClosedOn: &closed,
				Version: 1, CreatedAt: now, UpdatedAt: now}
		}
		if err := e.App.DB.CreateInBatches(rows, 100).Error; err != nil {
			t.Fatal(err)
		}
		var all struct {
			Total       int64 `json:"total"`
			TotalCapped bool  `json:"total_capped"`
			Items       []any `json:"items"`
		}
		testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/cases?page_size=5", w.Tokens["manager"], nil), http.StatusOK).JSON(t, &all)
		if all.Total != service.CaseCountCap || !all.TotalCapped || len(all.Items) != 5 {
			t.Fatalf("unfiltered: total %d capped %v items %d; want %d, true, 5", all.Total, all.TotalCapped, len(all.Items), service.CaseCountCap)
		}
		var few struct {
			Total       int64 `json:"total"`
			TotalCapped *bool `json:"total_capped"`
		}
		testenv.Expect(t, e.Do(http.MethodGet, "/api/v1/cases?town=%E4%B8%8B%E6%A2%81%E9%95%87", w.Tokens["manager"], nil), http.StatusOK).JSON(t, &few)
		if few.Total != 3 || few.TotalCapped != nil {
			t.Fatalf("filtered: total %d capped %v; want exactly 3 and no total_capped field", few.Total, few.TotalCapped)
		}
	})
}
