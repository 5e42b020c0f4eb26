/** `sip:Host;b=2;A=1` and `sip:host;a=1;b=2` name the same target: the form origination URIs are compared in. */
export function normalizeSipUri(uri: string): string {
  const [base, ...params] = uri.trim().split(";");
  const normalParams = params.filter(Boolean).map((param) => param.toLowerCase()).sort();
  return [base.toLowerCase(), ...normalParams].join(";");
}
