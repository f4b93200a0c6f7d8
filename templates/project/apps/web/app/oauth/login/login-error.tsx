"use client";

// NextAuth sends the user back to the login page with ?error=<code> when a sign-in fails
// (pages.error in lib/auth.ts). This turns the code into a sentence a user can act on.
import { useSearchParams } from "next/navigation";

// The codes next-auth v4 uses for pages.signIn / pages.error.
const messages: Record<string, string> = {
  OAuthSignin: "로그인 요청을 시작하지 못했습니다. 잠시 후 다시 시도해 주세요. (서버 설정: 클라이언트 ID와 로그인 서버 주소를 확인하세요)",
  OAuthCallback: "로그인 서비스의 응답을 처리하지 못했습니다. 다시 시도해 주세요. (서버 설정: 클라이언트 시크릿, Redirect URI, 개발자 콘솔 설정을 확인하세요 — docs/oauth 참고)",
  OAuthCreateAccount: "계정 정보를 저장하지 못했습니다. 다시 시도해 주세요.",
  OAuthAccountNotLinked: "이 이메일은 이미 다른 로그인 방법으로 연결되어 있습니다. 처음에 사용한 방법으로 로그인해 주세요.",
  Callback: "로그인을 마무리하지 못했습니다. 다시 시도해 주세요.",
  AccessDenied: "로그인이 취소되었거나 접근이 거부되었습니다.",
  Configuration: "서버 설정에 문제가 있어 로그인할 수 없습니다. 관리자에게 문의해 주세요.",
  Verification: "로그인 링크가 만료되었거나 이미 사용되었습니다.",
  SessionRequired: "이 페이지를 보려면 로그인해야 합니다.",
};
const fallback = "로그인 중 문제가 발생했습니다. 다시 시도해 주세요.";

export function LoginError() {
  const error = useSearchParams().get("error");
  if (!error) return null;
  return (
    <p role="alert" className="login-error" data-error={error}>
      {Object.hasOwn(messages, error) ? messages[error] : fallback}
    </p>
  );
}
