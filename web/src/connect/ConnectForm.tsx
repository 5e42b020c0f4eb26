/**
 * Connect Twilio: the Account SID and auth token go to create-main-trunk, which provisions the trunk. An error
 * the API pins to a field shows at that field; one it does not (Twilio refusing the pair) shows above the form.
 */
import { ApiError, type ConnectTwilioInput } from "@twilio-sip/client";
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { useServices } from "../services.ts";
import { ErrorAlert } from "../ui/ErrorAlert.tsx";
import { TextField } from "../ui/TextField.tsx";
import { useAction } from "../ui/useAction.ts";
import { useFocusOnMount } from "../ui/useFocusOnMount.ts";

const FIELDS = ["accountSid", "authToken", "label"] as const;
type Field = (typeof FIELDS)[number];

const isField = (name: string | null): name is Field => FIELDS.includes(name as Field);

export function ConnectForm({ onConnected }: { onConnected(): Promise<void> }) {
  const { api } = useServices();
  const [values, setValues] = useState<Record<Field, string>>({ accountSid: "", authToken: "", label: "" });
  const connect = useAction(useCallback((input: ConnectTwilioInput) => api.connectTwilio(input), [api]));
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const formAlert = useRef<HTMLParagraphElement>(null);
  const inputs = useRef<Partial<Record<Field, HTMLInputElement | null>>>({});

  const fieldError = connect.error && isField(connect.error.field) ? connect.error : null;
  const formError = connect.error && !fieldError ? connect.error : null;

  // Focus goes where the problem is: the field the API named, or the message above the form.
  useEffect(() => {
    if (fieldError) inputs.current[fieldError.field as Field]?.focus();
    else if (formError) formAlert.current?.focus();
  }, [fieldError, formError]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const label = values.label.trim();
    const connected = await connect.run({
      accountSid: values.accountSid.trim(),
      authToken: values.authToken.trim(),
      ...(label ? { label } : {}),
    });
    if (connected) await onConnected();
  }

  const field = (name: Field) => ({
    ref: (element: HTMLInputElement | null) => void (inputs.current[name] = element),
    value: values[name],
    onChange: (event: { target: { value: string } }) => setValues({ ...values, [name]: event.target.value }),
    error: fieldError?.field === name ? messageFor(fieldError) : null,
    disabled: connect.pending,
  });

  return (
    <section className="card narrow" aria-labelledby="connect-heading">
      <h1 id="connect-heading" tabIndex={-1} ref={heading}>
        Connect Twilio
      </h1>
      <p className="muted">
        Your credentials create a dedicated SIP trunk in your Twilio account. The auth token is stored
        encrypted and never shown again.
      </p>
      <ErrorAlert error={formError} ref={formAlert} />
      <form onSubmit={submit} aria-busy={connect.pending} noValidate>
        <TextField
          label="Account SID"
          hint="AC followed by 32 characters, from the Twilio console"
          autoComplete="off"
          spellCheck={false}
          required
          {...field("accountSid")}
        />
        <TextField label="Auth token" type="password" autoComplete="off" required {...field("authToken")} />
        <TextField label="Label" hint="Optional, e.g. Main office" maxLength={100} {...field("label")} />
        <div className="button-row">
          <button type="submit" disabled={connect.pending}>
            Connect Twilio
          </button>
        </div>
        {connect.pending && (
          <p role="status" className="progress">
            <progress aria-label="Provisioning" />
            Creating your SIP trunk in Twilio…
          </p>
        )}
      </form>
    </section>
  );
}

/** The API prefixes a field's message with the field's name ("accountSid: must be …"); the label says that already. */
function messageFor(error: ApiError): string {
  const message = error.message.replace(`${error.field}: `, "");
  return message.charAt(0).toUpperCase() + message.slice(1);
}
