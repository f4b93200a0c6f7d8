package main

import (
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
)

// testUser is one account offered on the authorize page. Its ids are fixed, so the same
// person has the same subject at every provider across restarts of the mock.
type testUser struct {
	Key        string // what MOCK_OAUTH_AUTO_APPROVE and the form use
	Name       string // full name (Google name, Naver name)
	GivenName  string
	FamilyName string
	Nickname   string // Naver nickname, Kakao nickname
	Email      string // empty: the user did not share an e-mail (Naver, Kakao only)
	GoogleSub  string
	NaverID    string
	KakaoID    int64
	Color      string // avatar background
}

var testUsers = []testUser{
	{
		Key: "hong", Name: "홍길동", GivenName: "길동", FamilyName: "홍", Nickname: "길동",
		Email: "hong@example.test", GoogleSub: "100000000000000000001",
		NaverID: "mockNaverHongGildong0001", KakaoID: 4000000001, Color: "#2563eb",
	},
	{
		Key: "minji", Name: "김민지", GivenName: "민지", FamilyName: "김", Nickname: "민지",
		Email: "minji@example.test", GoogleSub: "100000000000000000002",
		NaverID: "mockNaverKimMinji0002", KakaoID: 4000000002, Color: "#db2777",
	},
	{
		Key: "alex", Name: "Alex Kim", GivenName: "Alex", FamilyName: "Kim", Nickname: "Alex",
		Email: "alex@example.test", GoogleSub: "100000000000000000003",
		NaverID: "mockNaverAlexKim0003", KakaoID: 4000000003, Color: "#059669",
	},
	{
		// Naver and Kakao let a user (or an app's consent settings) leave the e-mail out.
		// Google accounts always have one, so Google does not offer this user.
		Key: "noemail", Name: "박서준", GivenName: "서준", FamilyName: "박", Nickname: "서준",
		GoogleSub: "100000000000000000004",
		NaverID:   "mockNaverParkSeojun0004", KakaoID: 4000000004, Color: "#7c3aed",
	},
}

func findUser(key string) *testUser {
	for i := range testUsers {
		if testUsers[i].Key == key {
			return &testUsers[i]
		}
	}
	return nil
}

func userKeys() []string {
	keys := make([]string, 0, len(testUsers))
	for _, u := range testUsers {
		keys = append(keys, u.Key)
	}
	return keys
}

// availableTo reports whether the user can sign in at the provider.
func (u *testUser) availableTo(provider string) bool {
	return provider != google || u.Email != ""
}

// usersFor lists the users the provider's authorize page offers.
func usersFor(provider string) []testUser {
	var out []testUser
	for _, u := range testUsers {
		if u.availableTo(provider) {
			out = append(out, u)
		}
	}
	return out
}

// kakaoIDString is the Kakao user id as the id_token's sub carries it.
func (u *testUser) kakaoIDString() string { return strconv.FormatInt(u.KakaoID, 10) }

// pictureURL is where the mock serves the user's profile picture.
func (s *server) pictureURL(u *testUser) string {
	return s.cfg.BaseURL + "/avatar/" + u.Key + ".svg"
}

// handleAvatar serves a small generated SVG, so profile pictures load offline too.
func (s *server) handleAvatar(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimSuffix(r.PathValue("file"), ".svg")
	u := findUser(key)
	if u == nil || !strings.HasSuffix(r.PathValue("file"), ".svg") {
		http.NotFound(w, r)
		return
	}
	initial := []rune(u.Nickname)[:1]
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">`+
		`<rect width="96" height="96" rx="48" fill="%s"/>`+
		`<text x="48" y="60" font-size="40" text-anchor="middle" fill="#fff" font-family="sans-serif">%s</text></svg>`,
		u.Color, html.EscapeString(string(initial)))
}
