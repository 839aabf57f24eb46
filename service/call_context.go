package service

import (
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"fayuan/model"
)

// callContext is what recording a call reads once the case's summary row is locked, in one
// round trip instead of three: the campaign, the case (zero ID when it does not exist) and, when
// asked, the times of the case's counted calls so far.
type callContext struct {
	Campaign model.Campaign `gorm:"embedded;embeddedPrefix:cp__"`
	Case     model.Case     `gorm:"embedded;embeddedPrefix:cs__"`
	CalledAt *time.Time
}

// callContextCols is the select list of both tables' columns under their prefixes, by dialect
// (the quoting differs); built from the models, so it follows them.
var callContextCols sync.Map

func callContextSelect(tx *gorm.DB) (string, error) {
	name := tx.Dialector.Name()
	if v, ok := callContextCols.Load(name); ok {
		return v.(string), nil
	}
	var cols []string
	for _, t := range []struct {
		alias string
		model any
	}{{"cp", &model.Campaign{}}, {"cs", &model.Case{}}} {
		s, err := schema.Parse(t.model, &sync.Map{}, tx.NamingStrategy)
		if err != nil {
			return "", err
		}
		for _, f := range s.Fields {
			if f.DBName == "" {
				continue
			}
			cols = append(cols, tx.Statement.Quote(clause.Column{Table: t.alias, Name: f.DBName})+" AS "+
				tx.Statement.Quote(t.alias+"__"+f.DBName))
		}
	}
	sel := strings.Join(cols, ", ")
	callContextCols.Store(name, sel)
	return sel, nil
}

// loadCallContext reads the campaign, the case and (withTimes) the called_at of the case's
// calls that count as attempts. No campaign is campaign_not_found. Run it after the summary
// row's lock: on MySQL it is the transaction's first plain read, so its snapshot already holds
// every call committed before the lock was granted.
func loadCallContext(tx *gorm.DB, campaignID, caseID uint64, withTimes bool) (*model.Campaign, *model.Case, []time.Time, error) {
	sel, err := callContextSelect(tx)
	if err != nil {
		return nil, nil, nil, err
	}
	q := "SELECT " + sel + ", NULL AS called_at FROM campaigns cp LEFT JOIN cases cs ON cs.id = ? WHERE cp.id = ?"
	args := []any{caseID, campaignID}
	if withTimes {
		q = "SELECT " + sel + ", t.called_at AS called_at FROM campaigns cp LEFT JOIN cases cs ON cs.id = ? " +
			"LEFT JOIN calls t ON t.campaign_id = cp.id AND t.case_id = cs.id AND t.extra = ? WHERE cp.id = ?"
		args = []any{caseID, false, campaignID}
	}
	var rows []callContext
	if err := tx.Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, nil, nil, err
	}
	if len(rows) == 0 {
		return nil, nil, nil, errCampaignNotFound
	}
	var times []time.Time
	for _, r := range rows {
		if r.CalledAt != nil {
			times = append(times, *r.CalledAt)
		}
	}
	return &rows[0].Campaign, &rows[0].Case, times, nil
}
