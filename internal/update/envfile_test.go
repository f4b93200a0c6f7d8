package update

import (
	"slices"
	"strings"
	"testing"
)

func TestAppendEnv(t *testing.T) {
	const routes = "GATEWAY_ROUTES"
	tests := []struct {
		name                 string
		existing, base, next string
		want                 string // what is appended after the user's file and a blank line
		added                []string
	}{{
		name:     "a new provider's block is appended with its comment",
		existing: "NEXTAUTH_SECRET=user-value\nGOOGLE_CLIENT_ID=real-id\n",
		base:     "NEXTAUTH_SECRET=x\nGOOGLE_CLIENT_ID=mock\n",
		next:     "NEXTAUTH_SECRET=y\nGOOGLE_CLIENT_ID=mock\n\n# Kakao: docs/oauth/kakao.md\nKAKAO_CLIENT_ID=mock-kakao-client\nKAKAO_CLIENT_SECRET=s\n",
		want:     "# Kakao: docs/oauth/kakao.md\nKAKAO_CLIENT_ID=mock-kakao-client\nKAKAO_CLIENT_SECRET=s\n",
		added:    []string{"KAKAO_CLIENT_ID", "KAKAO_CLIENT_SECRET"},
	}, {
		name:     "nothing changes when every key is there, even with other values",
		existing: "A=mine\n",
		base:     "A=1\n",
		next:     "A=2\n",
	}, {
		name:     "a route is added after the user's own routes",
		existing: "GATEWAY_ROUTES=users=http://localhost:8081,billing=http://10.0.0.5:9000\n",
		base:     "GATEWAY_ROUTES=users=http://localhost:8081\n",
		next:     "GATEWAY_ROUTES=users=http://localhost:8081,orders=http://localhost:8082\n",
		want:     "# GATEWAY_ROUTES updated by nextmsa; this line replaces the one above.\nGATEWAY_ROUTES=users=http://localhost:8081,billing=http://10.0.0.5:9000,orders=http://localhost:8082\n",
		added:    []string{routes},
	}, {
		name:     "a removed service's route goes, the user's URL for another stays",
		existing: "GATEWAY_ROUTES=users=http://users.internal:80,orders=http://localhost:8082\n",
		base:     "GATEWAY_ROUTES=users=http://localhost:8081,orders=http://localhost:8082\n",
		next:     "GATEWAY_ROUTES=users=http://localhost:8081\n",
		want:     "# GATEWAY_ROUTES updated by nextmsa; this line replaces the one above.\nGATEWAY_ROUTES=users=http://users.internal:80\n",
		added:    []string{routes},
	}, {
		name:     "a route the user already added by hand is not added twice",
		existing: "GATEWAY_ROUTES=users=http://localhost:8081,orders=http://localhost:9999\n",
		base:     "GATEWAY_ROUTES=users=http://localhost:8081\n",
		next:     "GATEWAY_ROUTES=users=http://localhost:8081,orders=http://localhost:8082\n",
	}, {
		name:     "the last definition is the one that counts",
		existing: "GATEWAY_ROUTES=users=http://localhost:8081\nGATEWAY_ROUTES=users=http://localhost:8081,orders=http://localhost:8082\n",
		base:     "GATEWAY_ROUTES=users=http://localhost:8081\n",
		next:     "GATEWAY_ROUTES=users=http://localhost:8081,orders=http://localhost:8082\n",
	}, {
		name:     "a file without a final newline gets one before the addition",
		existing: "A=1",
		base:     "A=1\n",
		next:     "A=1\nB=2\n",
		want:     "B=2\n",
		added:    []string{"B"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, added := AppendEnv([]byte(tt.existing), []byte(tt.base), []byte(tt.next), routes)
			want := tt.existing
			if tt.want != "" {
				want = strings.TrimSuffix(tt.existing, "\n") + "\n\n" + tt.want
			}
			if string(got) != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
			if !slices.Equal(added, tt.added) {
				t.Errorf("added %v, want %v", added, tt.added)
			}
			if !strings.HasPrefix(string(got), tt.existing) {
				t.Error("the user's lines must stay as they were, in front")
			}
		})
	}
}
