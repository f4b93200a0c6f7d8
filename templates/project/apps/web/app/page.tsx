import Link from "next/link";
import { getServerSession } from "next-auth";
import { SignOutButton } from "@/components/sign-out-button";
import { authOptions } from "@/lib/auth";

// A server component: the session is read on the server from the encrypted session
// cookie, so the page arrives already rendered for the signed-in (or signed-out) user.
// Reading cookies makes this page dynamic (rendered per request), which is what we want.
export default async function Home() {
  const session = await getServerSession(authOptions);

  if (!session) {
    return (
      <main className="page">
        <section className="card">
          <h1>환영합니다</h1>
          <p>소셜 계정으로 로그인할 수 있습니다.</p>
          <Link href="/oauth/login" className="button button--primary">
            로그인하기
          </Link>
        </section>
      </main>
    );
  }

  const name = session.user.name ?? session.user.email ?? "사용자";
  return (
    <main className="page">
      <section className="card">
        <h1 data-testid="who">{`안녕하세요, ${name}`}</h1>
        {session.provider && <p className="muted">{session.provider} 계정으로 로그인했습니다.</p>}
        <SignOutButton />
      </section>
    </main>
  );
}
