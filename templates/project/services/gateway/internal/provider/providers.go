package provider

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

type googleVerifier struct{ oidc *oidcClient }

// Verify checks the Google id_token; the access token is not needed.
func (g *googleVerifier) Verify(ctx context.Context, t Tokens) (Identity, error) {
	if t.IDToken == "" {
		return Identity{}, fmt.Errorf("%w: google needs an id_token", ErrMissing)
	}
	tok, err := g.oidc.verify(ctx, t.IDToken)
	if err != nil {
		return Identity{}, err
	}
	var c struct {
		Email   string `json:"email"`
		Name    string `json:"name"`
		Picture string `json:"picture"`
	}
	if err := tok.Claims(&c); err != nil {
		return Identity{}, invalid("id_token claims: %v", err)
	}
	return Identity{Provider: Google, Subject: tok.Subject, Email: c.Email, Name: c.Name, Image: c.Picture}, nil
}

type kakaoVerifier struct {
	oidc   *oidcClient
	apiURL string
	client *http.Client
}

// Verify checks the Kakao id_token when there is one (OpenID Connect on), else
// asks the user API with the access token.
func (k *kakaoVerifier) Verify(ctx context.Context, t Tokens) (Identity, error) {
	if t.IDToken != "" {
		tok, err := k.oidc.verify(ctx, t.IDToken)
		if err != nil {
			return Identity{}, err
		}
		var c struct {
			Email    string `json:"email"`
			Nickname string `json:"nickname"`
			Picture  string `json:"picture"`
		}
		if err := tok.Claims(&c); err != nil {
			return Identity{}, invalid("id_token claims: %v", err)
		}
		return Identity{Provider: Kakao, Subject: tok.Subject, Email: c.Email, Name: c.Nickname, Image: c.Picture}, nil
	}
	if t.AccessToken == "" {
		return Identity{}, fmt.Errorf("%w: kakao needs an id_token or an access_token", ErrMissing)
	}
	var me struct {
		ID           json.Number `json:"id"`
		KakaoAccount struct {
			Email   string `json:"email"`
			Profile struct {
				Nickname        string `json:"nickname"`
				ProfileImageURL string `json:"profile_image_url"`
			} `json:"profile"`
		} `json:"kakao_account"`
		Properties struct {
			Nickname     string `json:"nickname"`
			ProfileImage string `json:"profile_image"`
		} `json:"properties"`
	}
	if err := getJSON(ctx, k.client, k.apiURL+"/v2/user/me", t.AccessToken, &me); err != nil {
		return Identity{}, err
	}
	id := Identity{
		Provider: Kakao,
		Subject:  me.ID.String(),
		Email:    me.KakaoAccount.Email,
		Name:     cmp.Or(me.KakaoAccount.Profile.Nickname, me.Properties.Nickname),
		Image:    cmp.Or(me.KakaoAccount.Profile.ProfileImageURL, me.Properties.ProfileImage),
	}
	if !validSubject(id.Subject) {
		return Identity{}, invalid("kakao user API answered without an id")
	}
	return id, nil
}

type naverVerifier struct {
	apiURL string
	client *http.Client
}

// Verify asks Naver's profile API with the access token (Naver has no OIDC).
func (n *naverVerifier) Verify(ctx context.Context, t Tokens) (Identity, error) {
	if t.AccessToken == "" {
		return Identity{}, fmt.Errorf("%w: naver needs an access_token", ErrMissing)
	}
	var me struct {
		ResultCode string `json:"resultcode"`
		Message    string `json:"message"`
		Response   struct {
			ID           string `json:"id"`
			Email        string `json:"email"`
			Name         string `json:"name"`
			Nickname     string `json:"nickname"`
			ProfileImage string `json:"profile_image"`
		} `json:"response"`
	}
	if err := getJSON(ctx, n.client, n.apiURL+"/v1/nid/me", t.AccessToken, &me); err != nil {
		return Identity{}, err
	}
	if me.ResultCode != "00" {
		return Identity{}, invalid("naver profile API answered resultcode %q", me.ResultCode)
	}
	id := Identity{
		Provider: Naver,
		Subject:  me.Response.ID,
		Email:    me.Response.Email,
		Name:     cmp.Or(me.Response.Name, me.Response.Nickname),
		Image:    me.Response.ProfileImage,
	}
	if !validSubject(id.Subject) {
		return Identity{}, invalid("naver profile API answered without an id")
	}
	return id, nil
}

// getJSON calls a provider API with a Bearer token. 401/403 mean the token was
// refused; other failures mean the provider is unavailable.
func getJSON(ctx context.Context, client *http.Client, url, bearer string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return unavailable("user API", err)
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return unavailable("user API", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return invalid("%s answered %s", url, resp.Status)
	case resp.StatusCode != http.StatusOK:
		return unavailable("user API", fmt.Errorf("%s answered %s", url, resp.Status))
	case err != nil:
		return unavailable("user API", err)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return unavailable("user API", fmt.Errorf("%s: %v", url, err))
	}
	return nil
}
