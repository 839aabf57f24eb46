package service

import (
	"context"
	"slices"

	"fayuan/model"
)

// ExportFunc builds one kind of a campaign's .xlsx export: file name and bytes.
type ExportFunc func(ctx context.Context, by model.Actor, campaignID model.ID) (string, []byte, error)

// AddExport lets another feature serve GET /campaigns/{id}/export?kind=kind.
func (s *Calls) AddExport(kind string, f ExportFunc) {
	if s.exports == nil {
		s.exports = map[string]ExportFunc{}
	}
	s.exports[kind] = f
}

func (s *Calls) exportKinds() []string {
	out := []string{"calls"}
	for k := range s.exports {
		out = append(out, k)
	}
	slices.Sort(out[1:])
	return out
}
