// Package aws_test runs the action's aws provider end to end: against the real third-party
// STS (moto_server) checked with the real AWS CLI, and against our trust-checking emulator.
package aws_test

import (
	"sync"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
)

func TestMain(m *testing.M) {
	harness.Main(m, func() {
		motoMu.Lock()
		defer motoMu.Unlock()
		if motoSrv != nil {
			motoSrv.Close()
		}
	}, removeGoConsumer)
}

var (
	motoMu  sync.Mutex
	motoSrv *moto.Server
)

// sharedMoto starts moto_server once for the whole test binary.
func sharedMoto(t *testing.T) *moto.Server {
	t.Helper()
	motoMu.Lock()
	defer motoMu.Unlock()
	if motoSrv == nil {
		s, err := moto.Start()
		if err != nil {
			t.Fatal(err)
		}
		motoSrv = s
	}
	return motoSrv
}
