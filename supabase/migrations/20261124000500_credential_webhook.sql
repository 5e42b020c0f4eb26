-- Database webhook: after a credential row is inserted or deleted, POST Supabase's webhook payload
-- {type, table, schema, record, old_record} to the twilio-credentials-webhook function, which provisions
-- (INSERT) or deprovisions (DELETE) the main trunk.
--
-- The URL and the shared secret are read when the trigger fires, from Vault (names below), so rotating either
-- needs no migration. Set them once per project:
--   select vault.create_secret('https://<ref>.supabase.co/functions/v1/twilio-credentials-webhook',
--                              'twilio_credentials_webhook_url');
--   select vault.create_secret('<random secret, also set as the function secret WEBHOOK_SECRET>',
--                              'twilio_credentials_webhook_secret');
-- Without pg_net or Vault (a plain PostgreSQL), or before both secrets exist, the trigger does nothing: the
-- functions still provision on demand (create-main-trunk, get-sip-config) and scripts/backfill.ts catches up.

-- pg_net where the platform offers it (every Supabase project); elsewhere the trigger below stays inert.
do $$
begin
  if exists (select from pg_available_extensions where name = 'pg_net') then
    create extension if not exists pg_net;
  end if;
end
$$;

create or replace function public.post_twilio_credentials_webhook() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  webhook_url text;
  webhook_secret text;
begin
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

revoke all on function public.post_twilio_credentials_webhook() from public, anon, authenticated;

drop trigger if exists twilio_credentials_webhook on public.user_twilio_credentials;
create trigger twilio_credentials_webhook
  after insert or delete on public.user_twilio_credentials
  for each row execute function public.post_twilio_credentials_webhook();
