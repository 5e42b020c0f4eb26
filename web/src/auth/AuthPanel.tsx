/** Email + password: Sign in (the form's default, Enter) or Sign up, through supabase-js. */
import { type FormEvent, useState } from "react";
import { useServices } from "../services.ts";
import { TextField } from "../ui/TextField.tsx";
import { useFocusOnMount } from "../ui/useFocusOnMount.ts";

type Intent = "sign-in" | "sign-up";

export function AuthPanel({ notice, onSignedIn }: { notice: string | null; onSignedIn(): void }) {
  const { supabase } = useServices();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState<Intent | null>(null);
  const [error, setError] = useState<string | null>(null);
  const heading = useFocusOnMount<HTMLHeadingElement>();

  async function authenticate(intent: Intent) {
    setPending(intent);
    setError(null);
    const credentials = { email, password };
    const { error } = intent === "sign-in"
      ? await supabase.auth.signInWithPassword(credentials)
      : await supabase.auth.signUp(credentials);
    setPending(null);
    if (error) setError(error.message);
    else onSignedIn();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void authenticate("sign-in");
  }

  return (
    <section className="card narrow" aria-labelledby="auth-heading">
      <h1 id="auth-heading" tabIndex={-1} ref={heading}>
        Sign in
      </h1>
      <p className="muted">Connect your Twilio account to a SIP trunk for your voice agents.</p>
      {notice && (
        <p role="status" className="alert alert-info">
          {notice}
        </p>
      )}
      {error && (
        <p role="alert" className="alert alert-error">
          {error}
        </p>
      )}
      <form onSubmit={submit} aria-busy={pending !== null}>
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          minLength={6}
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <div className="button-row">
          <button type="submit" disabled={pending !== null}>
            {pending === "sign-in" ? "Signing in…" : "Sign in"}
          </button>
          <button
            type="button"
            className="button-secondary"
            disabled={pending !== null}
            onClick={() => void authenticate("sign-up")}
          >
            {pending === "sign-up" ? "Signing up…" : "Sign up"}
          </button>
        </div>
      </form>
    </section>
  );
}
