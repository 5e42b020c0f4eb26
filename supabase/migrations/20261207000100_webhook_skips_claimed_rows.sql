-- The database webhook posts an INSERT only for rows nobody is provisioning yet, i.e. rows other systems write,
-- which is what it is for. create-main-trunk inserts its rows together with their first provisioning run's lease
-- (one statement, see insertClaimedCredential in _shared/db/credentials.ts), so the webhook's invocation for them
-- could only find that run busy: a function invocation, three statements and a lease attempt per onboarding, in
-- the middle of the request it competed with. Should that run die, the sweeper resumes the row once its lease
-- lapses (it is `provisioning`, due at once). Otherwise the function is unchanged (20261124000500).

create or replace function public.post_twilio_credentials_webhook() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  webhook_url text;
  webhook_secret text;
begin
  -- A row inserted with its provisioning run's lease already held has a provisioner: posting it would only find
  -- that run busy.
  if tg_op = 'INSERT' and exists (select from public.service_locks where key = 'provision:' || new.id) then
    return null;
  end if;

  if to_regprocedure('net.http_post(text, jsonb, jsonb, jsonb, integer)') is null
     or to_regclass('vault.decrypted_secrets') is null then
    return null;
  end if;

  execute $q$
    select max(decrypted_secret) filter (where name = 'twilio_credentials_webhook_url'),
           max(decrypted_secret) filter (where name = 'twilio_credentials_webhook_secret')
    from vault.decrypted_secrets
    where name in ('twilio_credentials_webhook_url', 'twilio_credentials_webhook_secret')
  $q$ into webhook_url, webhook_secret;

  if webhook_url is null or webhook_secret is null then
    return null;
  end if;

  execute 'select net.http_post(url := $1, body := $2, headers := $3, timeout_milliseconds := 10000)'
  using
    webhook_url,
    jsonb_build_object(
      'type', tg_op,
      'table', tg_table_name,
      'schema', tg_table_schema,
      'record', case when tg_op = 'DELETE' then null else to_jsonb(new) end,
      'old_record', case when tg_op = 'INSERT' then null else to_jsonb(old) end
    ),
    jsonb_build_object('Content-Type', 'application/json', 'X-Webhook-Secret', webhook_secret);
  return null;
end
$$;
