package service

import (
	"context"
	"strings"
	"testing"

	"fayuan/internal/caseimport"
	"fayuan/internal/clock"
	"fayuan/model"
)

// A second import while one runs is asked to wait (429), before it costs any memory.
func TestImportOneAtATime(t *testing.T) {
	s := NewCaseImports(nil, clock.System{}, nil, nil, caseimport.Limits{TmpDir: t.TempDir()})
	manager := model.Actor{UserID: 1, Roles: model.Roles{model.RoleManager}}
	s.busy <- struct{}{} // an import is running
	_, err := s.Import(context.Background(), manager, strings.NewReader("案号\nA-1\n"), "a.csv", ImportOptions{})
	if e, ok := model.AsError(err); !ok || e.Status != 429 || e.Code != "import_busy" {
		t.Fatalf("err %v, want 429 import_busy", err)
	}
	<-s.busy
	if _, err := s.Import(context.Background(), model.Actor{Roles: model.Roles{model.RoleStaff}}, strings.NewReader("x"), "a.csv", ImportOptions{}); err != model.ErrRoleForbidden {
		t.Fatalf("staff: err %v, want role_forbidden", err)
	}
}
